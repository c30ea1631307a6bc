// Process models that depend on the network. A model is made once, but a process that calls the
// network (an init container's `until nslookup myservice`, a `while true; do wget …` loop) depends on
// the cluster's network state, which changes while it runs. So each such model keeps, in memory next
// to it, the network views it was answered from: a chain of segments, each a snapshot of the
// cluster's network objects and the virtual time from which it applied. Calls are answered by the
// segment in force at their own virtual time, so re-simulating after a change keeps the answers of
// every call made before it. The kubelet notices changes through a generation: the snapshot of the
// network objects taken once per pass, bumped when any of them is not the very object of the last
// pass. The segments live in memory only; a model rebuilt after a restart (or an eviction from the
// model cache) is answered from the network as it is then, for the whole run.
import type { ControllerContext } from "../controllers/types";
import type { Reader } from "../network/cluster";
import { networkFor, type ClusterNetwork } from "../network/network";
import type { Client } from "../network/proxy";
import { NetworkSnapshot } from "../network/snapshot";
import { CONTAINERS } from "./record";
import type { ConnectOutcome, DnsAnswer, DnsType, HttpExchange, NetworkAccess, PingOutcome } from "../network/types";

/** The network as the kubelet last looked at it: a generation and the snapshot it stands for. */
export interface NetworkState {
  gen: number;
  snap: NetworkSnapshot;
}

/** Per loaded sandbox, keyed by its generator object (as kube-proxy's memory is). */
const states = new WeakMap<object, NetworkState>();

/** Takes the network's snapshot for this pass; the generation moves on when anything in it changed. */
export function observeNetwork(ctx: ControllerContext): NetworkState {
  const snap = NetworkSnapshot.take(ctx);
  const prev = states.get(ctx.rng);
  if (prev && prev.snap.same(snap)) return prev;
  const next = { gen: (prev?.gen ?? 0) + 1, snap };
  states.set(ctx.rng, next);
  return next;
}

/** The state the kubelet's last pass saw; undefined outside a loaded sandbox's passes (log reads, requests). */
export function networkState(ctx: ControllerContext): NetworkState | undefined {
  return states.get(ctx.rng);
}

type Question = { kind: "dns"; server: string; name: string; type: DnsType } | { kind: "http"; ip: string; port: number; req: HttpExchange } | { kind: "ping"; ip: string };

interface Segment {
  /** Virtual time from which it applies (the first segment applies to everything before the next). */
  from: number;
  snap: NetworkSnapshot;
}

/** What a model's run depended on: the segments it was answered from and every question it asked. */
export interface NetworkDeps {
  segments: Segment[];
  questions: Map<string, Question>;
  /** The generation the last segment was last checked against. */
  gen?: number;
}

/** Beyond this, the oldest changes fold into the segment before them: memory stays bounded for a long-lived loop. */
const MAX_SEGMENTS = 16;

export function newDeps(from: number, state: NetworkState | undefined, reader: Reader): NetworkDeps {
  return { segments: [{ from, snap: state?.snap ?? NetworkSnapshot.take(reader) }], questions: new Map(), gen: state?.gen };
}

/** Starts a new segment at `from` with the network as it is now (replacing one that started then too). */
export function addSegment(deps: NetworkDeps, from: number, state: NetworkState): void {
  const last = deps.segments[deps.segments.length - 1];
  if (last.from === from && deps.segments.length > 1) last.snap = state.snap;
  else deps.segments.push({ from, snap: state.snap });
  if (deps.segments.length > MAX_SEGMENTS) deps.segments.splice(1, 1);
  deps.gen = state.gen;
}

/**
 * The network one run of a process sees: each call answered by the segment in force at its virtual
 * time, through a view of that segment's snapshot (files and the rest read live from `live`). Every
 * question is noted, so a later change can be tested against what the process asks.
 */
export class SegmentedNetwork implements NetworkAccess {
  readonly timeless = true;
  private readonly views: (ClusterNetwork | undefined)[] = [];
  /** A call was answered by the last segment (the run got past the latest change). */
  reachedLast = false;

  constructor(
    private readonly deps: NetworkDeps,
    private readonly live: Reader,
    private readonly client: Client,
  ) {}

  get localIP(): string {
    return this.client.ip;
  }

  private view(at: number | undefined): ClusterNetwork {
    const segs = this.deps.segments;
    let i = segs.length - 1;
    if (at !== undefined) while (i > 0 && segs[i].from > at) i--;
    if (i === segs.length - 1) this.reachedLast = true;
    return (this.views[i] ??= networkFor({ reader: segs[i].snap.reader(this.live), now: segs[i].from, memo: true }, this.client));
  }

  private note(q: Question): void {
    const key = questionKey(q);
    if (!this.deps.questions.has(key)) this.deps.questions.set(key, q);
  }

  dns(server: string, name: string, type: DnsType, at?: number): DnsAnswer | undefined {
    this.note({ kind: "dns", server, name, type });
    return this.view(at).dns(server, name, type);
  }

  http(ip: string, port: number, req: HttpExchange, at: number): ConnectOutcome {
    this.note({ kind: "http", ip, port, req });
    return this.view(at).http(ip, port, req, at);
  }

  ping(ip: string, at: number): PingOutcome {
    this.note({ kind: "ping", ip });
    return this.view(at).ping(ip, at);
  }
}

function questionKey(q: Question): string {
  return JSON.stringify(q);
}

/**
 * What decides the answer to `q`, to compare two states by. DNS and ping answers depend on the
 * objects alone. A connection's answer also depends on its time (a server starts listening a moment
 * after its container starts), so it is compared by where kube-proxy sends it: the very pod object
 * and runtime record answering, through which address — the same ones answer alike at every moment.
 */
function answerOf(net: ClusterNetwork, q: Question, at: number): unknown[] {
  if (q.kind === "dns") return [JSON.stringify(net.dns(q.server, q.name, q.type) ?? null)];
  if (q.kind === "ping") return [JSON.stringify(net.ping(q.ip, at))];
  const r = net.route(q.ip, q.port);
  if (r.kind !== "pod") return [JSON.stringify(r)];
  const record = net.cluster.reader.get(CONTAINERS, r.pod.metadata.namespace ?? "", r.pod.metadata.name ?? "");
  return [r.pod, record, r.ip, r.port, r.source];
}

/**
 * Whether the network as `state` has it answers any question the process asked differently from
 * its last segment, both asked at `now` with a fresh kube-proxy memory (so only the objects differ).
 */
export function answersChanged(deps: NetworkDeps, state: NetworkState, live: Reader, client: Client, now: number): boolean {
  const last = deps.segments[deps.segments.length - 1].snap;
  if (deps.questions.size === 0 || last.same(state.snap)) return false;
  const before = networkFor({ reader: last.reader(live), now, memo: true }, client);
  const after = networkFor({ reader: state.snap.reader(live), now, memo: true }, client);
  for (const q of deps.questions.values()) {
    const a = answerOf(before, q, now);
    const b = answerOf(after, q, now);
    if (a.length !== b.length || a.some((x, i) => x !== b[i])) return true;
  }
  return false;
}
