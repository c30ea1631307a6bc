// The heap a sandbox takes in its Durable Object, against the isolate's 128 MiB. Run by
// engine.bench.ts, bundled with esbuild, one fresh `node --expose-gc` process per measurement (the
// engine keeps per-isolate caches at module level, which would otherwise carry over between sizes).
//
// MEMORY_TASK (JSON) says what to build, to about `objects` objects in all:
//   {kind: "configMaps", objects}   an idle sandbox filled with ConfigMaps, created as the API would
//   {kind: "pods", objects}         an nginx Deployment (probes) driven to all Ready by the whole engine:
//                                   pods, their ReplicaSet, Events, kubelet runtime records
// and prints one JSON line of figures (bytes) on stdout.
import { getTableColumns } from "drizzle-orm";
import { admitCreate } from "../worker/api/admission";
import { forgetModels } from "../worker/kubelet/models";
import { findKind } from "../worker/resources/registry";
import type { KubeObject } from "../worker/resources/types";
import { sandboxes } from "../worker/store/schema";
import { LOAD_PAGE, ObjectStore } from "../worker/store/object-store";
import { bootCluster, deployToReady, webDeployment, workersFor } from "./engine-scale";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");

function heap(): number {
  // Twice: the first collection can leave objects whose finalisation frees more.
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

/** What the sandbox's D1 holds: one row per object, as the store wrote it (body = the object's JSON). */
function rowsOf(store: ObjectStore) {
  const out: Record<string, unknown>[] = [];
  for (const resource of store.resources()) {
    for (const o of store.list(resource)) {
      out.push({
        sandboxId: store.sandboxId,
        resource,
        namespace: o.metadata.namespace ?? "",
        name: o.metadata.name ?? "",
        uid: o.metadata.uid ?? "",
        resourceVersion: Number(o.metadata.resourceVersion),
        body: JSON.stringify(o),
      });
    }
  }
  return out;
}

/**
 * A D1 that answers the selects of ObjectStore.load() (the sandbox row, then the objects a page at a
 * time, in key order) from response texts, each parsed on its call as the D1 client parses its answer.
 * It keeps the rows of the last page it handed out until `release`, so the heap can be read at the end
 * of load(), when that page and every parsed object are alive together.
 */
class LoadD1 {
  kept?: unknown[][];
  private next = 0;
  constructor(
    private sandboxRow: unknown[],
    private pages: string[],
  ) {}
  prepare(sql: string) {
    const self = this;
    const stmt = {
      bind: () => stmt,
      async raw() {
        if (/from "sandboxes"/.test(sql)) return [self.sandboxRow];
        if (/from "objects"/.test(sql)) {
          self.kept = undefined;
          // The texts stay held (outside the figure, as before the load): only the parsed rows count.
          const rows = JSON.parse(self.pages[self.next++] ?? "[]") as unknown[][];
          self.kept = rows;
          return rows;
        }
        throw new Error(`unexpected statement ${sql}`);
      },
      async all() {
        throw new Error(`unexpected statement ${sql}`);
      },
    };
    return stmt;
  }
  release() {
    this.kept = undefined;
  }
}

/** D1's answers to load()'s pages: the columns it selects, in key order, LOAD_PAGE rows an answer. */
function pagesOf(rows: Record<string, unknown>[]): string[] {
  const key = (r: Record<string, unknown>) => [r.resource, r.namespace, r.name] as string[];
  const sorted = rows.map((r) => ({ k: key(r), row: [r.resource, r.namespace, r.name, r.body] }));
  sorted.sort((a, b) => {
    for (let i = 0; i < 3; i++) if (a.k[i] !== b.k[i]) return a.k[i] < b.k[i] ? -1 : 1;
    return 0;
  });
  const pages: string[] = [];
  // A last, short page ends the load (an empty one when the rows fill their pages exactly).
  for (let i = 0; i <= sorted.length; i += LOAD_PAGE) pages.push(JSON.stringify(sorted.slice(i, i + LOAD_PAGE).map((r) => r.row)));
  return pages;
}

/** Row values in the order drizzle selects a table's columns. */
function ordered(table: Parameters<typeof getTableColumns>[0], row: Record<string, unknown>): unknown[] {
  return Object.keys(getTableColumns(table)).map((k) => row[k] ?? null);
}

interface Task {
  kind: string;
  objects?: number;
}

/** Objects a Ready pod of the Deployment brings: itself, its runtime record, about five Events. */
const OBJECTS_PER_POD = 7.1;
const replicasFor = (objects: number) => Math.max(1, Math.round((objects - 60) / OBJECTS_PER_POD));

const configMapType = findKind({ group: "", version: "v1", kind: "ConfigMap" })!;

async function build(task: Task) {
  const workers = task.kind === "pods" ? workersFor(replicasFor(task.objects!)) : 2;
  const { c } = await bootCluster(workers);
  const idle = heap();
  const idleObjects = c.store.countAll();
  if (task.kind === "configMaps") {
    const ctx = { store: c.store, rng: c.rng, clock: c.clock };
    const count = task.objects! - idleObjects;
    for (let i = 0; i < count; i += 500) {
      const chunk: KubeObject[] = [];
      for (let j = i; j < Math.min(count, i + 500); j++) {
        const cm: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${j}`, namespace: "default", labels: { app: "bench" } }, data: { "app.properties": `key=value-${j}` } };
        chunk.push(admitCreate(ctx, configMapType, cm));
      }
      await c.store.commit(chunk.map((o) => ({ type: "put" as const, resource: "/configmaps", object: o })));
    }
    await c.settle();
  } else {
    await deployToReady(c, webDeployment(replicasFor(task.objects!)));
  }
  return { c, idle, idleObjects };
}

/** Builds the sandbox and reads its heap; returns only plain figures and D1's answer, so nothing of it stays alive. */
async function measureLive(task: Task, base: number) {
  const { c, idle, idleObjects } = await build(task);
  const live = heap();
  // A full LIST of the pods, as a request would answer it: its JSON body, a request-time transient.
  const podListBytes = JSON.stringify({ kind: "PodList", items: c.store.list("/pods") }).length;
  const rows = rowsOf(c.store);
  return {
    figures: {
      objects: c.store.countAll(),
      pods: c.store.count("/pods"),
      byResource: Object.fromEntries(c.store.resources().map((r) => [r, c.store.count(r)])),
      idleObjects,
      idleBytes: idle - base,
      liveBytes: live - base,
      bodyBytes: rows.reduce((n, r) => n + (r.body as string).length, 0),
      podListBytes,
    },
    pages: pagesOf(rows),
    sandboxId: c.store.sandboxId,
    sandboxRow: ordered(sandboxes, { id: c.store.sandboxId, readOnlyId: "ro", ownerTokenHash: "x", createdAt: 0, options: "{}", resourceVersion: c.store.resourceVersion, clock: "{}", rngState: 1 }),
  };
}

async function sandbox(task: Task) {
  // Warm-up, unrecorded: the code the engine runs gets compiled before the baseline is read, so the
  // figures are the sandbox's objects and state, not the bytecode of its first run.
  await (async () => {
    const { c } = await bootCluster(3);
    await deployToReady(c, webDeployment(10));
  })();
  forgetModels();
  const base = heap();
  const { figures, pages, sandboxId, sandboxRow } = await measureLive(task, base);
  // Cold load, as a Durable Object starts: D1's answer (kept outside the figure: it is in the heap
  // both before and after), then the store's own load() into a fresh store.
  forgetModels();
  const responseBytes = pages.reduce((n, p) => n + p.length, 0);
  const d1 = new LoadD1(sandboxRow, pages);
  const before = heap();
  const store = new ObjectStore(d1 as unknown as D1Database, sandboxId);
  await store.load();
  const loadEnd = heap();
  d1.release();
  const cold = heap();
  if (store.countAll() !== figures.objects) throw new Error(`cold load read ${store.countAll()} of ${figures.objects} objects`);
  return { ...figures, coldBytes: cold - before, coldLoadPeakBytes: loadEnd - before, responseBytes, baseHeapBytes: base };
}

const task = JSON.parse(process.env.MEMORY_TASK ?? "{}") as Task;
process.stdout.write(JSON.stringify(await sandbox(task)) + "\n");
