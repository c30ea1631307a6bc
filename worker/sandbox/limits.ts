// The abuse limits of one sandbox, read from the Worker's vars (wrangler.toml [vars]) with the
// defaults below, and answered as the API server answers its own limits: 403 "exceeded quota" for
// counts (as the ResourceQuota admission plugin words it), 429 TooManyRequests with Retry-After for
// rates and open connections, 413 for bodies (MAX_BODY_BYTES, api/body.ts), "No space left on
// device" for files, rotation for logs. A var set to 0 turns its limit off.
// Only what clients ask for is limited: the controllers, the scheduler and the kubelets run inside the
// sandbox and are never rate limited (their creates still count against the object and pod quotas,
// as upstream's quota applies to a ReplicaSet's pods too).
import { KubeError, qualifiedResource } from "../api/status";
import type { ObjectStore } from "../store/object-store";
import type { KubeObject } from "../resources/types";
import { CONTAINERS, type PodRuntime } from "../kubelet/record";
import { VOLUME_CONTENT, type VolumeContent } from "../kubelet/pv-content";
import { DIRECTORY } from "../runtime/types";
import { MACHINES } from "./machines";
import { clientNetwork } from "../util/client-network";

export interface RateLimit {
  /** Tokens added per second (0: no limit). */
  rps: number;
  /** Bucket size: requests that may come at once. */
  burst: number;
}

export interface SandboxLimits {
  /** Objects the API serves (Events included; the internal records behind pods and nodes are not). */
  maxObjects: number;
  maxPods: number;
  maxNodes: number;
  /** Bytes of the objects the API serves, as stored (their JSON): what keeps a sandbox within its memory and D1's size. */
  maxObjectBytes: number;
  /** Bytes of files kept: container layers, emptyDirs, volumes, node files. */
  maxVolumeBytes: number;
  /** A container's log file rotates at this size (the kubelet's containerLogMaxSize). */
  maxLogBytes: number;
  /** Open watch streams (and followed logs). */
  maxWatches: number;
  /** Open exec and attach sessions and console terminals. */
  maxExecSessions: number;
  sandboxRate: RateLimit;
  /** Per client address, within the sandbox. */
  clientRate: RateLimit;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  maxObjects: 10_000,
  maxPods: 1_000,
  maxNodes: 50,
  maxObjectBytes: 32 * 1024 * 1024,
  maxVolumeBytes: 64 * 1024 * 1024,
  maxLogBytes: 10 * 1024 * 1024,
  maxWatches: 100,
  maxExecSessions: 20,
  sandboxRate: { rps: 100, burst: 500 },
  clientRate: { rps: 50, burst: 250 },
};

/** Nothing limited: sandboxes built outside a Durable Object (controller tests, benchmarks). */
export const UNLIMITED: SandboxLimits = {
  maxObjects: 0,
  maxPods: 0,
  maxNodes: 0,
  maxObjectBytes: 0,
  maxVolumeBytes: 0,
  maxLogBytes: DEFAULT_LIMITS.maxLogBytes,
  maxWatches: 0,
  maxExecSessions: 0,
  sandboxRate: { rps: 0, burst: 0 },
  clientRate: { rps: 0, burst: 0 },
};

/** The vars that set the limits (all strings, as wrangler passes vars). */
export interface LimitVars {
  MAX_OBJECTS?: string;
  MAX_PODS?: string;
  MAX_NODES?: string;
  MAX_OBJECT_BYTES?: string;
  MAX_VOLUME_BYTES?: string;
  MAX_LOG_BYTES?: string;
  MAX_WATCHES?: string;
  MAX_EXEC_SESSIONS?: string;
  RATE_SANDBOX_RPS?: string;
  RATE_SANDBOX_BURST?: string;
  RATE_CLIENT_RPS?: string;
  RATE_CLIENT_BURST?: string;
}

/** A non-negative number from a var; a missing or malformed one keeps the default. */
function num(v: string | undefined, fallback: number): number {
  if (v === undefined || v.trim() === "") return fallback;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

export function limitsFromEnv(env: LimitVars): SandboxLimits {
  const d = DEFAULT_LIMITS;
  const sandboxRps = num(env.RATE_SANDBOX_RPS, d.sandboxRate.rps);
  const clientRps = num(env.RATE_CLIENT_RPS, d.clientRate.rps);
  return {
    maxObjects: Math.floor(num(env.MAX_OBJECTS, d.maxObjects)),
    maxPods: Math.floor(num(env.MAX_PODS, d.maxPods)),
    maxNodes: Math.floor(num(env.MAX_NODES, d.maxNodes)),
    maxObjectBytes: Math.floor(num(env.MAX_OBJECT_BYTES, d.maxObjectBytes)),
    maxVolumeBytes: Math.floor(num(env.MAX_VOLUME_BYTES, d.maxVolumeBytes)),
    // A log that never rotates is not an option: 0 keeps the kubelet's default.
    maxLogBytes: Math.floor(num(env.MAX_LOG_BYTES, d.maxLogBytes)) || d.maxLogBytes,
    maxWatches: Math.floor(num(env.MAX_WATCHES, d.maxWatches)),
    maxExecSessions: Math.floor(num(env.MAX_EXEC_SESSIONS, d.maxExecSessions)),
    // A burst below one request would refuse everything.
    sandboxRate: { rps: sandboxRps, burst: Math.max(1, num(env.RATE_SANDBOX_BURST, Math.max(d.sandboxRate.burst, sandboxRps))) },
    clientRate: { rps: clientRps, burst: Math.max(1, num(env.RATE_CLIENT_BURST, Math.max(d.clientRate.burst, clientRps))) },
  };
}

// ---- Which sandbox has which limits ----------------------------------------------------------------

/** Limits by the sandbox's store, which every API handler and controller pass can reach. */
const registry = new WeakMap<ObjectStore, SandboxLimits>();

export function setSandboxLimits(store: ObjectStore, limits: SandboxLimits): void {
  registry.set(store, limits);
}

export function limitsOf(store: ObjectStore): SandboxLimits {
  return registry.get(store) ?? UNLIMITED;
}

// ---- Counts: objects, pods, nodes ------------------------------------------------------------------

/** The ResourceQuota name the 403s give: the sandbox's own limits. */
export const QUOTA_NAME = "kubeplay-sandbox";

const INTERNAL = "kubeplay.internal/";

/** Objects the API serves (internal records left out). */
export function apiObjectCount(store: Pick<ObjectStore, "resources" | "count">): number {
  let n = 0;
  for (const r of store.resources()) if (!r.startsWith(INTERNAL)) n += store.count(r);
  return n;
}

/** The stored JSON bytes of the objects the API serves (internal records left out). */
export function apiObjectBytes(store: Pick<ObjectStore, "resources" | "bytes">): number {
  let n = 0;
  for (const r of store.resources()) if (!r.startsWith(INTERNAL)) n += store.bytes(r);
  return n;
}

// Models staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go checkRequest
// ("exceeded quota: %s, requested: %s, used: %s, limited: %s") wrapped by admission.NewForbidden.
export function exceededQuota(group: string, resource: string, name: string, key: string, used: number, limit: number, requested = 1): KubeError {
  const subject = name ? `${qualifiedResource(group, resource)} "${name}"` : qualifiedResource(group, resource);
  const details = { ...(name ? { name } : {}), ...(group ? { group } : {}), kind: resource };
  return new KubeError(403, "Forbidden", `${subject} is forbidden: exceeded quota: ${QUOTA_NAME}, requested: ${key}=${requested}, used: ${key}=${used}, limited: ${key}=${limit}`, details);
}

/** The quota key of the object-bytes limit (a sandbox's own resource name, as extended resources are named). */
export const OBJECT_BYTES_KEY = "kubeplay.dev/object-bytes";

export interface CreateCounts {
  /** Objects the API serves, pods, nodes: as stored, plus what the caller is about to add. */
  objects: number;
  pods: number;
  nodes: number;
  /** Stored JSON bytes of the objects the API serves. */
  bytes: number;
}

export function storedCounts(store: Pick<ObjectStore, "resources" | "count" | "bytes">): CreateCounts {
  return { objects: apiObjectCount(store), pods: store.count("/pods"), nodes: store.count("/nodes"), bytes: apiObjectBytes(store) };
}

/**
 * The quota error for creating one more object of `resource` (storage key `/pods`, `apps/deployments`),
 * or undefined when it fits. Checked before anything is written, so a refusal leaves nothing behind.
 */
export function createRefusal(limits: SandboxLimits, counts: CreateCounts, group: string, resource: string, storageKey: string, name: string): KubeError | undefined {
  if (storageKey.startsWith(INTERNAL)) return undefined;
  if (storageKey === "/pods" && limits.maxPods > 0 && counts.pods >= limits.maxPods) return exceededQuota(group, resource, name, "pods", counts.pods, limits.maxPods);
  if (storageKey === "/nodes" && limits.maxNodes > 0 && counts.nodes >= limits.maxNodes) return exceededQuota(group, resource, name, "count/nodes", counts.nodes, limits.maxNodes);
  if (limits.maxObjects > 0 && counts.objects >= limits.maxObjects) return exceededQuota(group, resource, name, "count/objects", counts.objects, limits.maxObjects);
  // The controllers' creates (a pod from its template) are refused once the sandbox is full; a client's
  // write is measured exactly (objectBytesRefusal).
  if (limits.maxObjectBytes > 0 && counts.bytes >= limits.maxObjectBytes) return exceededQuota(group, resource, name, OBJECT_BYTES_KEY, counts.bytes, limits.maxObjectBytes);
  return undefined;
}

/**
 * The quota error for a client's write that would take the stored objects past the object-bytes limit,
 * or undefined. A write that does not grow its object always passes, so a full sandbox can be emptied.
 */
export function objectBytesRefusal(
  limits: SandboxLimits,
  store: Pick<ObjectStore, "resources" | "bytes" | "storedSize">,
  group: string,
  resource: string,
  storageKey: string,
  object: KubeObject,
): KubeError | undefined {
  if (limits.maxObjectBytes <= 0 || storageKey.startsWith(INTERNAL)) return undefined;
  const size = JSON.stringify(object).length;
  const previous = store.storedSize(storageKey, object.metadata.namespace ?? "", object.metadata.name ?? "");
  if (size <= previous) return undefined;
  const used = apiObjectBytes(store);
  if (used - previous + size <= limits.maxObjectBytes) return undefined;
  return exceededQuota(group, resource, object.metadata.name ?? "", OBJECT_BYTES_KEY, used, limits.maxObjectBytes, size - previous);
}

// ---- Files ------------------------------------------------------------------------------------------

interface Reader {
  list(resource: string): KubeObject[];
}

function sizeOf(files: Record<string, string | null> | undefined): number {
  let n = 0;
  if (files) for (const v of Object.values(files)) if (v && v !== DIRECTORY) n += v.length;
  return n;
}

/** Bytes of file content the sandbox keeps: writable layers, emptyDirs, volumes, node files. */
export function storedFileBytes(reader: Reader): number {
  let n = 0;
  for (const o of reader.list(CONTAINERS)) {
    const rec = o as PodRuntime;
    for (const c of rec.containers ?? []) n += sizeOf(c.layer);
    for (const files of Object.values(rec.volumes ?? {})) n += sizeOf(files);
  }
  for (const o of reader.list(VOLUME_CONTENT)) n += sizeOf((o as VolumeContent).files);
  for (const o of reader.list(MACHINES)) n += sizeOf((o as { files?: Record<string, string | null> }).files);
  return n;
}

/** What a command may still write, or undefined when files are not limited. */
export function freeFileSpace(limits: SandboxLimits | undefined, reader: Reader): { free: number } | undefined {
  if (!limits || limits.maxVolumeBytes <= 0) return undefined;
  return { free: Math.max(0, limits.maxVolumeBytes - storedFileBytes(reader)) };
}

// ---- Rates ------------------------------------------------------------------------------------------

/** A token bucket on wall time (`now` in ms, handed in so tests need not wait). */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: RateLimit,
    now: number,
  ) {
    this.tokens = rate.burst;
    this.at = now;
  }

  /** Milliseconds until a token is there (0: now). */
  wait(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.rate.rps) * 1000;
  }

  /** Takes a token (call after `wait` said 0). */
  take(now: number): void {
    this.refill(now);
    this.tokens = Math.max(0, this.tokens - 1);
  }

  /** Back to a full bucket (nothing to remember). */
  full(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.rate.burst;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.at) / 1000;
    this.tokens = Math.min(this.rate.burst, this.tokens + elapsed * this.rate.rps);
    this.at = now;
  }
}

// Models staging/src/k8s.io/apiserver/pkg/server/filters/maxinflight.go tooManyRequests and
// apimachinery's errors.NewTooManyRequests (details.retryAfterSeconds, sent as Retry-After too).
export function tooManyRequests(retryAfterSeconds: number): KubeError {
  return new KubeError(429, "TooManyRequests", "Too many requests, please try again later.", { retryAfterSeconds });
}

/** Client buckets kept before the full ones are forgotten. */
const MAX_CLIENT_BUCKETS = 1000;

export class RateLimiter {
  private readonly sandbox?: TokenBucket;
  private readonly clients = new Map<string, TokenBucket>();

  constructor(
    private readonly limits: SandboxLimits,
    private readonly now: () => number,
  ) {
    if (limits.sandboxRate.rps > 0) this.sandbox = new TokenBucket(limits.sandboxRate, now());
  }

  /**
   * Admits one request from `client` (its address; undefined for requests the Worker makes itself,
   * which only the sandbox's bucket counts), or the 429 to answer. A refused request takes no token.
   */
  admit(client: string | undefined): KubeError | undefined {
    const now = this.now();
    let bucket: TokenBucket | undefined;
    if (client !== undefined && this.limits.clientRate.rps > 0) {
      bucket = this.clients.get(client);
      if (!bucket) {
        if (this.clients.size >= MAX_CLIENT_BUCKETS) for (const [k, b] of this.clients) if (b.full(now)) this.clients.delete(k);
        this.clients.set(client, (bucket = new TokenBucket(this.limits.clientRate, now)));
      }
    }
    const wait = Math.max(bucket?.wait(now) ?? 0, this.sandbox?.wait(now) ?? 0);
    if (wait > 0) return tooManyRequests(Math.max(1, Math.ceil(wait / 1000)));
    bucket?.take(now);
    this.sandbox?.take(now);
    return undefined;
  }
}

// ---- Open connections -------------------------------------------------------------------------------

export type StreamKind = "watch" | "exec";

const STREAM_WORDS: Record<StreamKind, string> = { watch: "watches", exec: "exec, attach and terminal sessions" };

/** Long-lived connections open on the sandbox, by kind. */
export class StreamSlots {
  private readonly open: Record<StreamKind, number> = { watch: 0, exec: 0 };

  constructor(private readonly limits: SandboxLimits) {}

  count(kind: StreamKind): number {
    return this.open[kind];
  }

  /**
   * Takes a slot for a connection, returning the function that frees it (once, however often called),
   * or throws the 429 to answer when every slot is taken.
   */
  acquire(kind: StreamKind): () => void {
    const max = kind === "watch" ? this.limits.maxWatches : this.limits.maxExecSessions;
    if (max > 0 && this.open[kind] >= max) {
      // Models apimachinery's errors.NewTooManyRequestsError ("Too many requests: %s"), with a Retry-After.
      throw new KubeError(429, "TooManyRequests", `Too many requests: this sandbox allows ${max} open ${STREAM_WORDS[kind]} at a time; close one and try again`, { retryAfterSeconds: 1 });
    }
    this.open[kind]++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open[kind]--;
    };
  }
}

/** What a sandbox's Durable Object holds to enforce its limits: the numbers, the rate buckets, the open connections. */
export class SandboxGuard {
  readonly rates: RateLimiter;
  readonly streams: StreamSlots;

  constructor(
    readonly limits: SandboxLimits,
    now: () => number,
  ) {
    this.rates = new RateLimiter(limits, now);
    this.streams = new StreamSlots(limits);
  }
}

/** The address Cloudflare puts on a client's request; absent on requests the Worker makes itself. */
export function clientAddress(request: Request): string | undefined {
  const ip = request.headers.get("cf-connecting-ip");
  return ip ? clientNetwork(ip) : undefined;
}
