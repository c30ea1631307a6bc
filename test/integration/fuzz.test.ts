// Bad input at scale: thousands of malformed and hostile requests to every route — the sandbox
// service, every API path and verb, the subresources, the console, node shells, exec and volume
// paths — none of which may get a 5xx, hang, or change the sandbox it was refused by.
//
// Reproduce a run with FUZZ_SEED=<seed> (the seed is printed), scale it with FUZZ_SCALE=<factor>,
// and run only some categories with FUZZ_ONLY=<category,…>:
//   FUZZ_SEED=1234 FUZZ_ONLY=patches npx vitest run --config vitest.config.ts test/integration/fuzz.test.ts
import { env as bindings, SELF } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, clock, createSandbox, ORIGIN, type Created } from "./helpers";
import {
  apiPath,
  consoleRun,
  deletion,
  exec,
  fixtureObjects,
  type FuzzRequest,
  malformedBody,
  misc,
  mutant,
  nodeShell,
  patch,
  read,
  serviceRoute,
  subresource,
  terminal,
  volumePath,
} from "./fuzz/generators";
import { Prng } from "./fuzz/prng";
import { CRASH, describeRequest, fetchWorker, isGatewayAnswer, send, type Ids } from "./fuzz/runner";
import { diff, LISTED, snapshot, type Snapshot } from "./fuzz/state";

const env = bindings as unknown as { FUZZ_SEED?: string; FUZZ_SCALE?: string; FUZZ_ONLY?: string };
const SEED = Number(env.FUZZ_SEED) || 20250801;
const SCALE = Number(env.FUZZ_SCALE) || 1;
/** Comma-separated categories to run (all when empty); the others are still generated, so a seed means the same requests. */
const ONLY = new Set((env.FUZZ_ONLY ?? "").split(",").filter(Boolean));
/** Requests slower than this are listed after the run. */
const SLOW_MS = 2000;
/** Wall time one request may take before it counts as a hang. */
const TIMEOUT_MS = 15_000;

/** Generator calls per category (a call yields one request, or two when the write also goes to B). */
const PLAN: [string, number, (rng: Prng, n: number, templates: Record<string, Record<string, unknown>>) => FuzzRequest[]][] = [
  ["service", 350, (r) => serviceRoute(r)],
  ["paths", 450, (r) => apiPath(r)],
  ["reads", 650, (r) => read(r)],
  ["bodies", 550, (r) => malformedBody(r)],
  ["mutants", 550, (r, n) => mutant(r, n)],
  ["patches", 450, (r, _n, t) => patch(r, t)],
  ["deletes", 250, (r) => deletion(r)],
  ["subresources", 450, (r) => subresource(r)],
  ["volumes", 160, (r, n) => volumePath(r, n)],
  ["node-shell", 260, (r) => nodeShell(r)],
  ["console", 260, (r) => consoleRun(r)],
  ["exec", 50, (r) => exec(r)],
  ["terminal", 30, (r) => terminal(r)],
  ["misc", 250, (r) => misc(r)],
];

interface CategoryStats {
  requests: number;
  byStatus: Map<number, number>;
  maxMs: number;
  totalMs: number;
  problems: number;
}

let a: Created;
let b: Created;
let ids: Ids;
let before: Snapshot;
/** Fixture objects as A holds them, by `resource|ns/name`: the documents patches are made from. */
const templates: Record<string, Record<string, unknown>> = {};
const problems: string[] = [];
const slow: string[] = [];
const stats = new Map<string, CategoryStats>();
let fiveXx = 0;
let hangs = 0;
let elapsedMs = 0;

async function fork(id: string): Promise<Created> {
  const res = await SELF.fetch(`${ORIGIN}/api/sandboxes/${id}/fork`, { method: "POST" });
  if (res.status !== 201) throw new Error(`fork: ${res.status} ${await res.text()}`);
  return (await res.json()) as Created;
}

beforeAll(async () => {
  a = await createSandbox();
  for (const f of fixtureObjects()) {
    const res = await api(a.id, "POST", f.path.replace("$ID", a.id).replace(`/s/${a.id}`, ""), f.body);
    if (res.status !== 201) throw new Error(`fixture ${f.path}: ${res.status} ${res.text}`);
  }
  // Let the fixtures' pods start, then stop time: nothing moves in A but what a request does.
  expect((await clock(a.id, { advanceSeconds: 30 })).status).toBe(200);
  expect((await clock(a.id, { paused: true })).status).toBe(200);
  const fuzzPod = await api(a.id, "GET", "/api/v1/namespaces/default/pods/fuzz-pod");
  expect(fuzzPod.json.status.phase).toBe("Running");
  for (const t of LISTED) {
    const path = `/${t.group ? `apis/${t.group}` : "api"}/${t.version}/${t.resource}`;
    for (const o of (await api(a.id, "GET", path)).json.items) templates[`${t.resource}|${o.metadata.namespace ?? ""}/${o.metadata.name}`] = { apiVersion: t.group ? `${t.group}/${t.version}` : t.version, kind: t.kind, ...o };
  }
  b = await fork(a.id);
  ids = { A: a.id, B: b.id, RO: a.readOnlyId };
  before = await snapshot(a.id);
}, 120_000);

afterAll(() => {
  const lines = [`fuzz seed ${SEED}, scale ${SCALE}: ${[...stats.values()].reduce((s, c) => s + c.requests, 0)} requests in ${(elapsedMs / 1000).toFixed(1)} s, ${fiveXx} answered 5xx, ${hangs} hung`];
  for (const [cat, s] of stats) {
    const codes = [...s.byStatus.entries()].sort((x, y) => x[0] - y[0]).map(([c, n]) => `${c}×${n}`).join(" ");
    lines.push(`  ${cat.padEnd(13)} ${String(s.requests).padStart(5)} requests in ${(s.totalMs / 1000).toFixed(1).padStart(5)} s, slowest ${String(s.maxMs).padStart(5)} ms, ${s.problems} problems: ${codes}`);
  }
  if (slow.length) lines.push(`${slow.length} requests took over ${SLOW_MS} ms:`, ...slow.slice(0, 40).map((l) => `  ${l}`));
  console.log(lines.join("\n"));
});

describe("fuzz", () => {
  it("answers every malformed or hostile request with a clear error, never a 5xx, never a hang", async () => {
    const root = new Prng(SEED);
    const requests: FuzzRequest[] = [];
    for (const [category, count, gen] of PLAN) {
      const rng = root.fork();
      for (let n = 0; n < Math.round(count * SCALE); n++) {
        for (const req of gen(rng, n, templates)) if (ONLY.size === 0 || ONLY.has(category)) requests.push({ ...req, category });
      }
    }
    const started = Date.now();
    for (const [i, req] of requests.entries()) {
      const out = await send(req, ids, TIMEOUT_MS);
      let s = stats.get(req.category);
      if (!s) stats.set(req.category, (s = { requests: 0, byStatus: new Map(), maxMs: 0, totalMs: 0, problems: 0 }));
      s.requests++;
      s.byStatus.set(out.status, (s.byStatus.get(out.status) ?? 0) + 1);
      s.maxMs = Math.max(s.maxMs, out.ms);
      s.totalMs += out.ms;
      if (out.ms > SLOW_MS) slow.push(`#${i} ${out.ms} ms, HTTP ${out.status}: ${describeRequest(req, ids)}`);
      if (out.status >= 500 && !isGatewayAnswer(req, out.status)) fiveXx++;
      if (out.status === -1) hangs++;
      if (out.problem) {
        s.problems++;
        problems.push(`#${i} (seed ${SEED}): ${out.problem}\n    ${describeRequest(req, ids)}`);
      }
    }
    elapsedMs = Date.now() - started;
    if (problems.length) console.log(`${problems.length} problems:\n${problems.slice(0, 60).join("\n")}`);
    expect(problems.slice(0, 20)).toEqual([]);
    expect(fiveXx).toBe(0);
  }, 600_000);

  it("left the sandbox that refused them exactly as it was", async () => {
    const after = await snapshot(a.id);
    const changes = diff(before, after);
    console.log(`state of the refusing sandbox: ${before.size} objects before, ${after.size} after, ${changes.length} changed`);
    expect(changes).toEqual([]);
  }, 60_000);

  it("still answers normal requests afterwards", async () => {
    // A: reads, a write and its undo, the console and a node shell.
    const pods = await api(a.id, "GET", "/api/v1/namespaces/default/pods");
    expect(pods.status).toBe(200);
    expect(pods.json.items.map((p: { metadata: { name: string } }) => p.metadata.name)).toContain("fuzz-pod");
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "after-fuzz" }, data: { a: "b" } };
    expect((await api(a.id, "POST", "/api/v1/namespaces/default/configmaps", cm)).status).toBe(201);
    expect((await api(a.id, "DELETE", "/api/v1/namespaces/default/configmaps/after-fuzz")).status).toBe(200);
    const run = await SELF.fetch(`${ORIGIN}/s/${a.id}/console/run`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ command: "kubectl get pod fuzz-pod -o name" }) });
    expect(await run.json()).toMatchObject({ stdout: "pod/fuzz-pod\n", exitCode: 0 });
    const sh = await SELF.fetch(`${ORIGIN}/api/sandboxes/${a.id}/shell`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ node: "k8s-node1", command: "hostname" }) });
    expect(await sh.json()).toMatchObject({ stdout: "k8s-node1\n", exitCode: 0 });
  }, 60_000);

  it("keeps the sandbox that accepted what it could working: controllers, kubelets and printers", async () => {
    // Whatever hostile objects B took now meet the scheduler, the controllers and the kubelets.
    const advanced = await clock(b.id, { advanceSeconds: 120 });
    expect(advanced.status, JSON.stringify(advanced.json)).toBe(200);
    for (const t of LISTED) {
      const path = `/${t.group ? `apis/${t.group}` : "api"}/${t.version}/${t.resource}`;
      const list = await api(b.id, "GET", path);
      expect(list.status, `${path}: ${list.text.slice(0, 300)}`).toBe(200);
      const table = await api(b.id, "GET", path, undefined, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
      expect(table.status, `${path} as a Table: ${table.text.slice(0, 300)}`).toBe(200);
    }
    for (const command of ["kubectl get all -A -o wide", "kubectl describe pods -A", "kubectl describe deploy,sts,ds,svc,pv,pvc -A", "kubectl get events -A", "kubectl top pods -A"]) {
      const res = await SELF.fetch(`${ORIGIN}/s/${b.id}/console/run`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ command }) });
      expect(res.status, command).toBe(200);
      const out = (await res.json()) as { stderr: string };
      expect(out.stderr, command).not.toMatch(CRASH);
    }
    // Every pod's log reads, whatever its volumes held; and the pods made to mount hostile paths
    // answer a shell that goes looking through them.
    const all = (await api(b.id, "GET", "/api/v1/pods")).json.items as { metadata: { name: string; namespace: string }; status?: { phase?: string } }[];
    let logs = 0;
    for (const p of all) {
      const res = await fetchWorker(new Request(`${ORIGIN}/s/${b.id}/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/log?tailLines=20`));
      const text = await res.text();
      expect(res.status, `log of ${p.metadata.name}: ${text.slice(0, 200)}`).toBeLessThan(500);
      expect(text, `log of ${p.metadata.name}`).not.toMatch(CRASH);
      logs++;
    }
    const volumePods = all.filter((p) => p.metadata.name.startsWith("fz-vol-") && p.status?.phase === "Running").slice(0, 25);
    for (const p of volumePods) {
      const command = `kubectl exec ${p.metadata.name} -- sh -c 'ls -la /mnt/v /mnt/v/..; cat /mnt/v/../../../../etc/passwd; echo x > /mnt/v/../../tmp/x; cat /mnt/v/*'`;
      const res = await fetchWorker(new Request(`${ORIGIN}/s/${b.id}/console/run`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ command, timeoutSeconds: 5 }) }));
      expect(res.status, command).toBe(200);
      const out = (await res.json()) as { stdout: string; stderr: string };
      expect(`${out.stdout}${out.stderr}`, command).not.toMatch(CRASH);
    }
    console.log(`the accepting sandbox: ${all.length} pods, ${logs} logs read, ${volumePods.length} pods with hostile volume paths explored`);

    // The controllers and the scheduler still act on a normal workload there. (Whether its pods can
    // run depends on what the hostile writes did to the nodes — a NoSchedule taint, a full node, a
    // stopped kubelet are all fair outcomes — so the check is that each pod was created and placed
    // or refused a place with a reason.)
    const d = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "after-fuzz" }, spec: { replicas: 2, selector: { matchLabels: { app: "after-fuzz" } }, template: { metadata: { labels: { app: "after-fuzz" } }, spec: { containers: [{ name: "web", image: "nginx:1.25" }] } } } };
    expect((await api(b.id, "POST", "/apis/apps/v1/namespaces/default/deployments", d)).status).toBe(201);
    expect((await clock(b.id, { advanceSeconds: 60 })).status).toBe(200);
    const pods = (await api(b.id, "GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dafter-fuzz")).json.items as { status?: { conditions?: { type: string; status: string; reason?: string }[] } }[];
    const placed = pods.map((p) => p.status?.conditions?.find((c) => c.type === "PodScheduled"));
    expect(placed, JSON.stringify(pods.map((p) => p.status))).toHaveLength(2);
    for (const c of placed) expect(c && (c.status === "True" || c.reason === "Unschedulable"), JSON.stringify(placed)).toBe(true);
  }, 300_000);
});
