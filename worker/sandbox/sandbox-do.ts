// The sandbox Durable Object: one simulated cluster. It loads its objects from D1 once, serves the
// Kubernetes API from memory, and writes through to D1 before acknowledging anything.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { handleApi } from "../api/router";
import type { ApiContext } from "../api/context";
import { DEFAULT_MAX_BODY_BYTES } from "../api/body";
import { jsonResponse, statusResponse } from "../api/negotiate";
import { KubeError } from "../api/status";
import { outStream, type OutStream } from "../api/stream";
import { ObjectStore, type SandboxRow } from "../store/object-store";
import { bootstrapChanges, type SandboxOptions } from "./bootstrap";
import { SandboxClock, rfc3339 } from "./clock";
import { Rng } from "./rng";
import { Engine } from "./engine";
import { addNode, setKubelet } from "./node-ops";
import { runNodeShell } from "./node-shell";
import { consoleHost, type ConsoleHost } from "../console/host";
import { handleConsole } from "../console/routes";
import { clockSet } from "../console/clock-signal";
import { INTERNAL_PREFIX, SANDBOX_HEADER, PREFIX_HEADER, READ_ONLY_HEADER } from "./internal";
import { clientAddress, limitsFromEnv, SandboxGuard, setSandboxLimits } from "./limits";
import { databaseFor, shardIndexOf } from "../store/shards";
import { activityDue, dormantAfterMs, lastActiveOf, recordActivity, storedActivity } from "../store/activity";

/** Wall time: read here and nowhere else in simulation code. */
const wallNow = () => Date.now();

interface Loaded {
  store: ObjectStore;
  clock: SandboxClock;
  rng: Rng;
  row: SandboxRow;
  engine: Engine;
}

function seedFrom(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0 || 1;
}

export class Sandbox extends DurableObject<Env> {
  private loaded?: Loaded;
  private sandboxId?: string;

  async fetch(request: Request): Promise<Response> {
    const id = request.headers.get(SANDBOX_HEADER);
    if (!id) return new Response("missing sandbox id", { status: 400 });
    this.sandboxId = id;
    const url = new URL(request.url);
    try {
      // Internal operations come from the Worker's own calls, which carry no path prefix; a client's
      // request always has one (/s/<id>), so no client path reaches them.
      if (url.pathname.startsWith(INTERNAL_PREFIX) && !request.headers.get(PREFIX_HEADER)) return await this.internal(request, url, id);
      const loaded = await this.load(id);
      if (!loaded) return sandboxNotFound(id);
      if (this.reconcileStart) await this.reconcileStart;
      await this.touch(loaded);
      await this.wake(loaded);
      const refused = this.limitsGuard().rates.admit(clientAddress(request));
      if (refused) {
        await request.body?.cancel().catch(() => undefined);
        return statusResponse(refused);
      }
      const prefix = request.headers.get(PREFIX_HEADER) ?? "";
      const path = url.pathname.slice(prefix.length) || "/";
      if (path.startsWith("/console/")) return await handleConsole(this.consoleHost(loaded, request, prefix), request, path);
      const response = await handleApi(this.apiContext(loaded, request, prefix), request, path);
      // A request refused before its body was read: drain it, so the sender is not left writing into nothing.
      if (request.body && !request.bodyUsed) await request.body.cancel().catch(() => undefined);
      // A 5xx may be a write whose batch landed unseen (the store reloads): let the controllers look.
      if (response.status >= 500) this.scheduleReconcile(loaded);
      return response;
    } catch (e) {
      if (e instanceof KubeError) return statusResponse(e);
      // Anything else (D1 failing under a load or a clock advance) is answered as the API server
      // answers an internal failure, not with a dropped request.
      console.error("internal error", e);
      if (this.loaded) this.scheduleReconcile(this.loaded);
      return statusResponse(new KubeError(500, "InternalError", `Internal error occurred: ${e instanceof Error ? e.message : String(e)}`, {}));
    }
  }

  private apiContext(l: Loaded, request: Request, prefix: string): ApiContext {
    return {
      store: l.store,
      clock: l.clock,
      rng: l.rng,
      readOnly: request.headers.get(READ_ONLY_HEADER) === "1",
      maxBodyBytes: Number(this.env.MAX_BODY_BYTES ?? DEFAULT_MAX_BODY_BYTES) || DEFAULT_MAX_BODY_BYTES,
      prefix,
      afterWrite: () => this.scheduleReconcile(l),
      guard: this.limitsGuard(),
    };
  }

  /** The body a benchmark left for `ping?payload=1` (bounded by the request body limit), memory only. */
  private pingPayload?: { bytes: Uint8Array; type: string };

  /** Open ping streams (the fan-out floor of the benchmarks): each holds a watch slot. */
  private readonly pingStreams = new Set<OutStream>();

  private pingWatch(): Response {
    const release = this.limitsGuard().streams.acquire("watch");
    const out = outStream();
    out.onClose(release);
    this.pingStreams.add(out);
    out.onClose(() => this.pingStreams.delete(out));
    return new Response(out.readable, { headers: { "content-type": "application/json", "cache-control": "no-cache, private, no-transform", "content-encoding": "identity" } });
  }

  /** The sandbox's limits (worker/sandbox/limits.ts), its rate buckets and open connections: memory only. */
  guard?: SandboxGuard;
  private limitsGuard(): SandboxGuard {
    return (this.guard ??= new SandboxGuard(limitsFromEnv(this.env), wallNow));
  }

  /** The console's terminal and run endpoint: the API in-process, node commands under the write lock. */
  private consoleHost(l: Loaded, request: Request, prefix: string): ConsoleHost {
    return consoleHost({
      api: this.apiContext(l, request, prefix),
      origin: new URL(request.url).origin,
      exclusive: (fn) =>
        l.store.exclusive(async () => {
          const r = await fn();
          if (r.changed) await this.reconcileNow(l);
          return r.value;
        }),
      settle: () => this.settle(),
      ready: async () => {
        if (this.reconcileStart) await this.reconcileStart;
      },
    });
  }

  private reconciling?: Promise<unknown>;
  /** Wall time the alarm is set for, as far as this instance knows. */
  private alarmAt?: number | null;
  /** Alarms armed and fired by this instance (for the cost benchmarks). */
  private alarmStats = { armed: 0, fired: 0 };

  /** Lets the controllers react to a write, after it was answered (as upstream's do, asynchronously). */
  private scheduleReconcile(l: Loaded): void {
    if (this.reconciling) return;
    // From the next turn of the event loop: started at once, the controllers' first pass would run
    // before the runtime sends the write's answer, and the client would wait for it. The next client
    // request waits for it to start (to hold the write lock), so what the controllers do in answer to
    // a write still comes before the next write, and the same requests make the same cluster.
    let started!: () => void;
    this.reconcileStart = new Promise<void>((resolve) => (started = resolve));
    this.reconciling = new Promise((resolve) => setTimeout(resolve, 0))
      .then(() =>
        l.store.exclusive(() => {
          const pass = this.reconcileNow(l);
          started();
          return pass;
        }),
      )
      .catch((e) => this.retryLater(e, l))
      .finally(() => {
        started();
        this.reconcileStart = undefined;
        this.reconciling = undefined;
      });
  }

  /** Resolves once the controller work a write asked for holds the write lock (see scheduleReconcile). */
  private reconcileStart?: Promise<void>;

  /** Runs the controllers to a settled state and arms the alarm for the next wake-up. Holds the lock. */
  private async reconcileNow(l: Loaded): Promise<void> {
    await l.engine.reconcile();
    this.failedReconciles = 0;
    await this.armAlarm(l);
  }

  /** Reconciles that failed in a row (D1 unavailable): the next try waits 1 s, doubling up to a minute. */
  private failedReconciles = 0;

  /**
   * A failed reconcile leaves controller work undone that no timer may ask for (a paused clock, a
   * scale-up): the alarm tries again, as upstream's controllers requeue with back-off.
   */
  private async retryLater(e: unknown, l?: Loaded): Promise<void> {
    console.error("reconcile failed", e);
    // A sandbox deleted meanwhile has nothing left to retry (and no storage to arm an alarm in).
    if (l && this.loaded !== l) return;
    const at = wallNow() + Math.min(60_000, 1000 * 2 ** this.failedReconciles++);
    try {
      await this.ctx.storage.setAlarm(at);
      this.alarmAt = at;
    } catch (err) {
      console.error("arming the retry failed", err);
    }
  }

  /**
   * Set while a sandbox nobody has used for DORMANT_AFTER_HOURS is left without an alarm: its timers
   * (a CronJob every minute, say) would otherwise keep it costing until it expires.
   */
  private dormant = false;

  /** Whether the sandbox's own timers should stop waking it: nobody has used it for a while, and no stream is open. */
  private goesDormant(l: Loaded): boolean {
    const after = dormantAfterMs(this.env.DORMANT_AFTER_HOURS);
    if (after === undefined || wallNow() - lastActiveOf(l.row) < after) return false;
    const streams = this.limitsGuard().streams;
    return streams.count("watch") === 0 && streams.count("exec") === 0;
  }

  /** A visit to a dormant sandbox catches it up to now (in one bounded pass, as a late alarm would) before it is answered. */
  private async wake(l: Loaded): Promise<void> {
    if (!this.dormant) return;
    this.dormant = false;
    await l.store.exclusive(() => this.reconcileNow(l)).catch((e) => this.retryLater(e, l));
  }

  /** One alarm for every timer: at the earliest wake-up, or none at all when nothing is due or the sandbox is dormant. */
  private async armAlarm(l: Loaded): Promise<void> {
    const next = l.engine.nextWakeup();
    let wall = next === undefined ? undefined : l.clock.wallTimeFor(next);
    if (wall !== undefined && this.goesDormant(l)) {
      this.dormant = true;
      wall = undefined;
    }
    if (wall === undefined) {
      if (this.alarmAt !== null) {
        await this.ctx.storage.deleteAlarm();
        this.alarmAt = null;
      }
      return;
    }
    const at = Math.ceil(wall);
    if (this.alarmAt !== at) {
      await this.ctx.storage.setAlarm(at);
      this.alarmAt = at;
      this.alarmStats.armed++;
    }
  }

  /** The alarm moves the simulation up to now. */
  async alarm(): Promise<void> {
    this.alarmAt = undefined;
    this.alarmStats.fired++;
    const id = this.sandboxId ?? (await this.ctx.storage.get<string>("sandboxId"));
    if (!id) return;
    const l = await this.load(id);
    if (!l) return;
    // Controllers are level-triggered: one settle at "now" handles every wake-up that came due,
    // however late the alarm fires (after an eviction, say).
    await l.store.exclusive(() => this.reconcileNow(l)).catch((e) => this.retryLater(e, l));
  }

  /** Waits for pending controller work (tests and the clock endpoint use it). */
  async settle(): Promise<void> {
    while (this.reconciling) await this.reconciling;
  }

  /** Loads the sandbox once per instance; concurrent requests wait for the same load. */
  private async load(id: string): Promise<Loaded | undefined> {
    if (this.loaded && this.loaded.row.id === id) return this.loaded;
    // A failure is carried out of blockConcurrencyWhile: thrown inside, it would break the object
    // (every queued request failing with it) instead of failing this one request.
    let failure: unknown;
    await this.ctx.blockConcurrencyWhile(async () => {
      if (this.loaded) return;
      try {
        await this.loadNow(id);
      } catch (e) {
        failure = e;
      }
    });
    if (failure) throw failure;
    return this.loaded;
  }

  private async loadNow(id: string): Promise<void> {
    const store = new ObjectStore(databaseFor(this.env, id), id);
    setSandboxLimits(store, this.limitsGuard().limits);
    const row = await store.load();
    if (!row) return;
    const clock = new SandboxClock(JSON.parse(row.clock || "{}"), wallNow);
    const rng = new Rng(row.rngState);
    const loaded: Loaded = { store, clock, rng, row, engine: new Engine({ store, clock, rng }) };
    if ((await this.ctx.storage.get<string>("sandboxId")) !== id) await this.ctx.storage.put("sandboxId", id);
    // Derive what is due from the stored state (and catch up on anything that came due meanwhile).
    // The objects are loaded either way; a failed catch-up is retried.
    await store.exclusive(() => this.reconcileNow(loaded)).catch((e) => this.retryLater(e));
    this.loaded = loaded;
  }

  private async internal(request: Request, url: URL, id: string): Promise<Response> {
    const op = url.pathname.slice(INTERNAL_PREFIX.length);
    if (op === "ping-payload" && request.method === "PUT") {
      if (!(await this.load(id))) return sandboxNotFound(id);
      this.pingPayload = { bytes: new Uint8Array(await request.arrayBuffer()), type: request.headers.get("content-type") ?? "application/octet-stream" };
      return jsonResponse({ ok: true, bytes: this.pingPayload.bytes.byteLength });
    }
    const body = request.method === "GET" || request.method === "DELETE" ? {} : ((await request.json()) as Record<string, unknown>);
    if (op === "init") return this.init(id, body as unknown as InitRequest);
    if (op === "expire") return this.expire(id, Number(body.before));
    const loaded = await this.load(id);
    if (!loaded) return sandboxNotFound(id);
    if (VISITS.has(op)) {
      await this.touch(loaded);
      await this.wake(loaded);
    }
    // The service's node operations and node shell draw on the sandbox's request budget as its API
    // does (the Worker has limited them per client already). The clock does not: moving time is
    // what lets the controllers finish while clients wait, and its catch-up is bounded.
    if (METERED.has(op)) {
      const refused = this.limitsGuard().rates.admit(undefined);
      if (refused) return jsonResponse({ error: refused.message }, 429, { "retry-after": String(refused.details?.retryAfterSeconds ?? 1) });
    }
    switch (op) {
      case "info":
        return jsonResponse(this.info(loaded));
      case "stats":
        return jsonResponse({ store: loaded.store.stats, alarms: this.alarmStats, engine: loaded.engine.stats, objects: loaded.store.countAll(), nextWakeup: loaded.engine.nextWakeup() ?? null });
      case "ping": {
        // The cheapest round trip through the whole stack (Worker → DO → D1): the benchmarks' floor.
        const row = await databaseFor(this.env, id).prepare("SELECT 1 AS ok").first<{ ok: number }>();
        return jsonResponse({ ok: row?.ok === 1 });
      }
      case "ping-watch":
        return this.pingWatch();
      case "ping-payload": {
        // The floor of a large answer: the same round trip, then a body the benchmark left here.
        await databaseFor(this.env, id).prepare("SELECT 1 AS ok").first();
        if (!this.pingPayload) return jsonResponse({ error: "no payload: PUT one first" }, 409);
        return new Response(this.pingPayload.bytes, { headers: { "content-type": this.pingPayload.type } });
      }
      case "ping-send": {
        // The floor of a watch fan-out: the same round trip, then one line to every open ping stream.
        const row = await databaseFor(this.env, id).prepare("SELECT 1 AS ok").first<{ ok: number }>();
        for (const out of this.pingStreams) out.write(PING_LINE);
        return jsonResponse({ ok: row?.ok === 1, streams: this.pingStreams.size });
      }
      case "clock":
        return this.setClock(loaded, body);
      case "nodes":
      case "kubelet":
      case "shell":
        return loaded.store.exclusive(async () => {
          const res = await NODE_OPS[op](loaded, body);
          await this.reconcileNow(loaded);
          return res;
        });
      case "fork": {
        const fork = body as unknown as ForkRequest;
        // A fork may be placed on another D1 shard than its source.
        const target = shardIndexOf(fork.id) === shardIndexOf(id) ? undefined : databaseFor(this.env, fork.id);
        await loaded.store.exclusive(() => loaded.store.forkTo(fork, target));
        return jsonResponse({ ok: true });
      }
      case "destroy":
        await loaded.store.exclusive(() => loaded.store.destroy());
        this.loaded = undefined;
        await this.clearStorage();
        return jsonResponse({ ok: true });
    }
    return new Response("unknown operation", { status: 404 });
  }

  private async init(id: string, req: InitRequest): Promise<Response> {
    if (await this.load(id)) return jsonResponse({ error: "exists" }, 409);
    const store = new ObjectStore(databaseFor(this.env, id), id);
    setSandboxLimits(store, this.limitsGuard().limits);
    const clock = new SandboxClock(undefined, wallNow);
    const rng = new Rng(seedFrom(id));
    const row: SandboxRow = {
      id,
      readOnlyId: req.readOnlyId,
      ownerTokenHash: req.ownerTokenHash,
      createdAt: req.createdAt,
      forkedFrom: null,
      options: JSON.stringify(req.options),
      resourceVersion: 0,
      clock: JSON.stringify(clock.snapshot()),
      rngState: rng.state,
      lastActiveAt: req.createdAt,
    };
    const loaded: Loaded = { store, clock, rng, row, engine: new Engine({ store, clock, rng }) };
    const ctx = this.apiContext(loaded, new Request("http://internal/"), "");
    const changes = bootstrapChanges(ctx, req.options);
    const { id: _id, resourceVersion: _rv, ...createRow } = row;
    await store.commit(changes, { createRow, rngState: rng.state });
    this.loaded = undefined;
    await this.load(id);
    return jsonResponse({ ok: true }, 201);
  }

  /** Records that someone used the sandbox, at most once an hour (see store/activity.ts). */
  private async touch(l: Loaded): Promise<void> {
    const now = wallNow();
    if (!activityDue(l.row, now)) return;
    // Noted in memory first, so concurrent requests do not write it again.
    l.row.lastActiveAt = now;
    await recordActivity(databaseFor(this.env, l.row.id), l.row.id, now).catch((e) => console.error("recording activity failed", e));
  }

  /**
   * The expiry sweep's request: removes the sandbox (its D1 rows and this object's storage, alarm
   * included) unless it was used at or after `before`. Checked again here, with nothing else running,
   * because a visit may have come after the sweep read the row.
   */
  private async expire(id: string, before: number): Promise<Response> {
    if (!Number.isFinite(before)) return jsonResponse({ error: "before must be a time in milliseconds" }, 400);
    let expired = false;
    await this.ctx.blockConcurrencyWhile(async () => {
      const db = databaseFor(this.env, id);
      const loaded = this.loaded?.row.id === id ? this.loaded : undefined;
      const remove = async () => {
        const stored = await storedActivity(db, id);
        const last = Math.max(stored ?? 0, loaded ? lastActiveOf(loaded.row) : 0);
        if (stored !== undefined && last >= before) return;
        if (stored !== undefined) await (loaded?.store ?? new ObjectStore(db, id)).destroy();
        expired = true;
      };
      // A loaded sandbox may be committing (an alarm's pass): remove it between two commits.
      if (loaded) await loaded.store.exclusive(remove);
      else await remove();
      if (!expired) return;
      this.loaded = undefined;
      await this.clearStorage();
    });
    return jsonResponse({ expired });
  }

  /** Forgets this object's own storage (the sandbox id it loads on alarms) and its alarm. */
  private async clearStorage(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.alarmAt = null;
  }

  private info(l: Loaded): Record<string, unknown> {
    return {
      id: l.row.id,
      readOnlyId: l.row.readOnlyId,
      createdAt: new Date(l.row.createdAt).toISOString(),
      forkedFrom: l.row.forkedFrom,
      options: JSON.parse(l.row.options),
      resourceVersion: String(l.store.resourceVersion),
      clock: this.clockInfo(l.clock),
      counts: { objects: l.store.countAll(), ...this.counts(l) },
    };
  }

  private counts(l: Loaded): Record<string, number> {
    return {
      nodes: l.store.list("/nodes").length,
      pods: l.store.list("/pods").length,
      namespaces: l.store.list("/namespaces").length,
    };
  }

  private clockInfo(clock: SandboxClock): Record<string, unknown> {
    return { now: rfc3339(clock.now()), timeScale: clock.timeScale, paused: clock.paused };
  }

  private async setClock(l: Loaded, body: Record<string, unknown>): Promise<Response> {
    const { advanceSeconds, timeScale, paused } = body;
    const bad = (m: string) => jsonResponse({ error: m }, 400);
    if (advanceSeconds !== undefined && (typeof advanceSeconds !== "number" || !Number.isFinite(advanceSeconds) || advanceSeconds < 0 || advanceSeconds > 366 * 86400)) {
      return bad("advanceSeconds must be a number of seconds between 0 and 31622400");
    }
    if (timeScale !== undefined && (typeof timeScale !== "number" || !Number.isFinite(timeScale) || timeScale <= 0 || timeScale > 3600)) {
      return bad("timeScale must be a number greater than 0 and at most 3600");
    }
    if (paused !== undefined && typeof paused !== "boolean") return bad("paused must be a boolean");
    return l.store.exclusive(async () => {
      const clock = l.clock;
      if (typeof timeScale === "number") clock.setTimeScale(timeScale);
      if (typeof paused === "boolean") clock.setPaused(paused);
      if (typeof advanceSeconds === "number") await l.engine.advance(advanceSeconds * 1000);
      else await l.engine.reconcile();
      await l.store.commit([], { clock: JSON.stringify(clock.snapshot()) });
      await this.armAlarm(l);
      clockSet(clock);
      return jsonResponse(this.clockInfo(clock));
    });
  }
}

interface InitRequest {
  readOnlyId: string;
  ownerTokenHash: string;
  createdAt: number;
  options: SandboxOptions;
}

interface ForkRequest {
  id: string;
  readOnlyId: string;
  ownerTokenHash: string;
  createdAt: number;
}

const NODE_OPS = { nodes: addNode, kubelet: setKubelet, shell: runNodeShell };

const PING_LINE = new TextEncoder().encode('{"ok":true}\n');

/** Internal operations that are someone using the sandbox (stats and ping are measurements, not visits). */
const VISITS = new Set(["info", "clock", "nodes", "kubelet", "shell", "fork"]);
const METERED = new Set(["nodes", "kubelet", "shell"]);

function sandboxNotFound(id: string): Response {
  return statusResponse(new KubeError(404, "NotFound", `sandbox "${id}" not found`, { name: id, kind: "sandboxes" }));
}
