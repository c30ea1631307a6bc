// An in-process cluster for controller tests and benchmarks: the real store, engine and admission,
// with a paused virtual clock that only moves when a test advances it. Tests in workerd hand it the
// test D1 (see test/cluster.ts); Node benchmarks hand it a counting stand-in.
import { admitCreate, admitUpdate } from "../worker/api/admission";
import { findKind, parseApiVersion, storageKey, type ResourceType } from "../worker/resources/registry";
import type { KubeObject } from "../worker/resources/types";
import { bootstrapChanges, DEFAULT_NODES, type NodeOptions } from "../worker/sandbox/bootstrap";
import { SandboxClock } from "../worker/sandbox/clock";
import { Engine } from "../worker/sandbox/engine";
import { Rng } from "../worker/sandbox/rng";
import { ObjectStore } from "../worker/store/object-store";
import type { Controller } from "../worker/controllers/types";

let counter = 0;

/** A fixed start so tests read the same timestamps every run. */
export const START = Date.parse("2026-01-01T00:00:00Z");

export function typeOf(obj: { apiVersion: string; kind: string }): ResourceType {
  const { group, version } = parseApiVersion(obj.apiVersion);
  const t = findKind({ group, version, kind: obj.kind });
  if (!t) throw new Error(`unknown kind ${obj.apiVersion} ${obj.kind}`);
  return t;
}

export class TestCluster {
  readonly clock: SandboxClock;
  readonly rng: Rng;
  readonly engine: Engine;

  private constructor(
    readonly store: ObjectStore,
    controllers?: Controller[],
  ) {
    let wall = START;
    this.clock = new SandboxClock({ baseVirtual: START, baseWall: wall, timeScale: 1, paused: true }, () => wall);
    this.rng = new Rng(42);
    this.engine = new Engine({ store, clock: this.clock, rng: this.rng }, controllers);
  }

  /** A fresh sandbox with the default nodes (or `nodes`), optionally running only some controllers. */
  static async create(opts: { db: D1Database; nodes?: NodeOptions[]; controllers?: Controller[]; bootstrap?: boolean }): Promise<TestCluster> {
    const id = `test${++counter}${Math.floor(Math.random() * 1e9).toString(36)}`;
    const store = new ObjectStore(opts.db, id);
    const cluster = new TestCluster(store, opts.controllers);
    const changes = opts.bootstrap === false ? [] : bootstrapChanges(cluster.ctx(), { nodes: opts.nodes ?? DEFAULT_NODES });
    await store.commit(changes, {
      createRow: { readOnlyId: `ro-${id}`, ownerTokenHash: "x", createdAt: START, options: "{}", clock: "{}", rngState: 1 },
    });
    return cluster;
  }

  private ctx() {
    return { store: this.store, rng: this.rng, clock: this.clock };
  }

  /** Creates an object as the API would (defaults, validation, uid), then lets the controllers settle. */
  async apply(obj: KubeObject): Promise<KubeObject> {
    const t = typeOf(obj);
    if (t.namespaced && !obj.metadata.namespace) obj.metadata.namespace = "default";
    const admitted = admitCreate(this.ctx(), t, structuredClone(obj));
    const [stored] = await this.store.commit([{ type: "put", resource: storageKey(t), object: admitted }]);
    await this.settle();
    return stored;
  }

  /** Replaces an object's spec/metadata (or status with `subresource: "status"`), then settles. */
  async update(next: KubeObject, subresource?: string): Promise<KubeObject> {
    const t = typeOf(next);
    const old = this.store.get(storageKey(t), next.metadata.namespace ?? "", next.metadata.name ?? "");
    if (!old) throw new Error(`no ${next.kind} ${next.metadata.name}`);
    const candidate = structuredClone(next);
    candidate.metadata.resourceVersion = old.metadata.resourceVersion;
    const admitted = admitUpdate(this.ctx(), t, old, candidate, { subresource });
    if (admitted) await this.store.commit([{ type: "put", resource: storageKey(t), object: admitted }]);
    await this.settle();
    return this.store.get(storageKey(t), next.metadata.namespace ?? "", next.metadata.name ?? "")!;
  }

  /** Applies `mutate` to a copy of the stored object and writes it back (status included when asked). */
  async modify(kind: { apiVersion: string; kind: string }, namespace: string, name: string, mutate: (o: KubeObject) => void, subresource?: string) {
    const current = this.get(kind, namespace, name);
    if (!current) throw new Error(`no ${kind.kind} ${namespace}/${name}`);
    const copy = structuredClone(current);
    mutate(copy);
    return this.update(copy, subresource);
  }

  async delete(obj: { apiVersion: string; kind: string; metadata: { namespace?: string; name?: string } }, propagationPolicy: "Background" | "Foreground" | "Orphan" = "Background") {
    const t = typeOf(obj);
    const current = this.store.get(storageKey(t), obj.metadata.namespace ?? "", obj.metadata.name ?? "");
    if (!current) return;
    const { deleteChanges } = await import("../worker/api/deletion");
    await this.store.commit(deleteChanges(this.ctx(), t, current, { propagationPolicy }).changes);
    await this.settle();
  }

  async settle() {
    return this.engine.reconcile();
  }

  /** Moves virtual time forward, running every wake-up on the way. */
  async advance(seconds: number) {
    return this.engine.advance(seconds * 1000);
  }

  get(kind: { apiVersion: string; kind: string }, namespace: string, name: string): KubeObject | undefined {
    return this.store.get(storageKey(typeOf(kind)), typeOf(kind).namespaced ? namespace : "", name);
  }

  list(kind: { apiVersion: string; kind: string }, namespace?: string): KubeObject[] {
    return this.store.list(storageKey(typeOf(kind)), namespace);
  }

  pods(namespace = "default"): KubeObject[] {
    return this.store.list("/pods", namespace);
  }

  /** Events about an object, oldest first: "Reason: message" strings. */
  events(obj: KubeObject): string[] {
    return this.store
      .list("/events")
      .filter((e) => (e.involvedObject as { uid?: string }).uid === obj.metadata.uid)
      .sort((a, b) => String(a.firstTimestamp).localeCompare(String(b.firstTimestamp)))
      .map((e) => `${e.reason}: ${e.message}`);
  }

  /** Marks pods as scheduled, running and ready — what the scheduler and kubelet will do — then settles. */
  async makePodsReady(pods: KubeObject[] = this.pods(), node = "k8s-node1") {
    const now = this.clock.nowRfc3339();
    for (const p of pods) {
      const current = this.store.get("/pods", p.metadata.namespace ?? "", p.metadata.name ?? "");
      if (!current || current.metadata.deletionTimestamp) continue;
      const next = structuredClone(current);
      (next.spec as Record<string, unknown>).nodeName ??= node;
      const containers = ((next.spec as { containers: { name: string; image: string }[] }).containers ?? []).map((c) => ({
        name: c.name,
        image: c.image,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: now } },
      }));
      next.status = {
        ...(next.status as object),
        phase: "Running",
        podIP: "10.244.1.10",
        startTime: now,
        conditions: [
          { type: "Initialized", status: "True", lastTransitionTime: now },
          { type: "Ready", status: "True", lastTransitionTime: now },
          { type: "ContainersReady", status: "True", lastTransitionTime: now },
          { type: "PodScheduled", status: "True", lastTransitionTime: now },
        ],
        containerStatuses: containers,
      };
      await this.update(next, "status");
    }
    await this.settle();
  }
}
