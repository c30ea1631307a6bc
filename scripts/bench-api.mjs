// The API and cold-start share of `npm run bench`, through wrangler's dev server on loopback.
//
// API: every operation runs in BENCH_REPEATS repeats of BENCH_ROUNDS sequential requests, each request
// right after a floor request (GET /api/sandboxes/<id>/ping of an idle sandbox: Worker → Durable
// Object → D1 and back), so drift on a shared machine hits the operation and its floor alike. A
// figure is the median over the repeats of each repeat's p50 (p99); its ratio is that p50 over the
// median p50 of the floor requests interleaved with it. The watch fan-out's floor is the platform's
// own fan-out: the same round trip (POST /api/sandboxes/<id>/ping), then one line from the Durable
// Object to as many open streams (GET …/ping?watch=1), until the last has it; its ratio to the
// request floor is reported next to it. The 10,000-row LIST's floor is the platform's own large
// answer: the same round trip, then the very same body (left with an idle sandbox by PUT …/ping)
// sent back by the runtime as it sends the LIST.
//
// The server runs with wrangler's debugger inspector off (scripts/serve-worker.mjs): with it on,
// wrangler relays every streamed chunk to its Node process for devtools, a cost of the dev tool.
//
// BENCH_API_OPS (comma-separated, case-insensitive parts of row names, e.g. `watch`) runs only the
// rows that match; the floor is still measured next to each of them.
//
// Cold start: sandboxes of 1,000 and 10,000 objects, the server restarted (state persisted), the
// first request to each timed against a warm one and against a fresh sandbox's first request.
//
// Alone: `node scripts/bench-api.mjs [api] [cold]` prints the tables (nothing is written).
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { startServer } from "./dev-server.mjs";

const env = process.env;
const num = (v, d) => (v === undefined || v === "" ? d : Number(v));

export const ROUNDS = num(env.BENCH_ROUNDS, 200);
export const REPEATS = num(env.BENCH_REPEATS, 3);
/** A 10,000-row LIST takes hundreds of times a GET: fewer rounds keep the run short. */
const LIST_ROUNDS = num(env.BENCH_LIST_ROUNDS, 20);
const LIST_PODS = num(env.BENCH_LIST_PODS, 10_000);
const WATCHERS = num(env.BENCH_WATCHERS, 100);
const WATCH_ROUNDS = num(env.BENCH_WATCH_ROUNDS, 20);
const FILL_CONCURRENCY = num(env.BENCH_FILL_CONCURRENCY, 16);
const OPS_FILTER = (env.BENCH_API_OPS ?? "").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);

/**
 * The benchmarks send hundreds of requests a second from one address and build sandboxes past the
 * default counts: the rate and count limits (README "Limits") are off. The watch limit stays at
 * the fan-out's size (never below the default), so watches a repeat failed to close would be refused
 * by the next one.
 */
export const BENCH_VARS = {
  RATE_SANDBOX_RPS: "0",
  RATE_CLIENT_RPS: "0",
  MAX_OBJECTS: "0",
  MAX_PODS: "0",
  MAX_WATCHES: String(Math.max(100, WATCHERS)),
  // Room for the large-answer floor's payload: the 10,000-row LIST as the server sends it.
  MAX_BODY_BYTES: String(256 * 1024 * 1024),
};

const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
const JSON_HEADERS = { "content-type": "application/json" };
/** Pods of this scheduler stay Pending: no scheduler, kubelet or event work behind the bulk fills. */
const UNSCHEDULED = "kubeplay-bench-unscheduled";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round2 = (x) => (Number.isFinite(x) ? +x.toFixed(2) : null);

async function expectOk(res, what = "") {
  if (!res.ok) throw new Error(`${what} ${res.status} ${await res.text()}`.trim());
  return res.arrayBuffer();
}

async function jsonOk(res, what = "") {
  if (!res.ok) throw new Error(`${what} ${res.status} ${await res.text()}`.trim());
  return res.json();
}

async function createSandbox(base, body) {
  return jsonOk(await fetch(`${base}/api/sandboxes`, { method: "POST", headers: JSON_HEADERS, body: body ? JSON.stringify(body) : undefined }), "create sandbox");
}

async function deleteSandbox(base, sb) {
  const res = await fetch(`${base}/api/sandboxes/${sb.id}`, { method: "DELETE", headers: { authorization: `Bearer ${sb.ownerToken}` } });
  await res.arrayBuffer();
}

const info = async (base, sb) => jsonOk(await fetch(`${base}/api/sandboxes/${sb.id}`), "sandbox info");

const pod = (name, extra = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, labels: { app: "bench" } },
  spec: { ...extra, containers: [{ name: "c", image: "nginx" }] },
});

async function createNamespace(api, name) {
  await expectOk(await fetch(`${api}/api/v1/namespaces`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ metadata: { name } }) }), `namespace ${name}`);
}

/** Runs `fn(i)` for i < n with `concurrency` in flight. */
async function concurrently(n, concurrency, fn) {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, worker));
}

/**
 * `replicas` Pending pods in `namespace`: one ReplicaSet whose pods no scheduler serves. Its
 * controller creates them in a few large batches (seconds for 10,000, where a POST per pod would take
 * minutes), and the pods stay put: nothing schedules, starts or reports on them while measuring.
 */
async function fillPods(base, sb, replicas, namespace = "default") {
  const before = (await info(base, sb)).counts.pods;
  const rs = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "bench-fill" },
    spec: {
      replicas,
      selector: { matchLabels: { app: "bench-fill" } },
      template: { metadata: { labels: { app: "bench-fill" } }, spec: { schedulerName: UNSCHEDULED, containers: [{ name: "c", image: "nginx" }] } },
    },
  };
  await expectOk(await fetch(`${sb.url}/apis/apps/v1/namespaces/${namespace}/replicasets`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(rs) }), "fill ReplicaSet");
  const deadline = Date.now() + 180_000;
  for (;;) {
    const counts = (await info(base, sb)).counts;
    if (counts.pods >= before + replicas) return counts;
    if (Date.now() > deadline) throw new Error(`fill: ${counts.pods - before} of ${replicas} pods after 180 s`);
    await sleep(250);
  }
}

async function fillConfigMaps(sb, n, prefix = "bench-cm") {
  await concurrently(n, FILL_CONCURRENCY, async (i) => {
    const body = { metadata: { name: `${prefix}-${i}` }, data: { k: "v".repeat(200) } };
    await expectOk(await fetch(`${sb.url}/api/v1/namespaces/default/configmaps`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(body) }), "fill ConfigMap");
  });
}

// ---- Interleaved measurement ------------------------------------------------------------------------

async function timed(fn) {
  const t0 = performance.now();
  const r = await fn();
  // An operation that times itself (the watch fan-out) returns its own figure.
  return typeof r === "number" ? r : performance.now() - t0;
}

function summary(times) {
  const s = [...times].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99) };
}

/** One repeat of one operation: `rounds` × (floor, op), after `warmup` unrecorded pairs. */
async function interleaved(floor, op, rounds, warmup) {
  for (let i = 0; i < warmup; i++) {
    await floor();
    await op(-1 - i);
  }
  const opTimes = [];
  const floorTimes = [];
  for (let i = 0; i < rounds; i++) {
    floorTimes.push(await timed(floor));
    opTimes.push(await timed(() => op(i)));
  }
  return { op: summary(opTimes), floor: summary(floorTimes) };
}

// ---- Watches ----------------------------------------------------------------------------------------

/**
 * One stream of lines over its own connection (node:http, no pooling: closing it closes the socket,
 * which is what frees the sandbox's watch slot); `onLine(line, now)` sees each line as text, not
 * parsed, so that the client's own cost stays small next to the server's with 100 streams open.
 */
function openStream(url, onLine) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { accept: "application/json" } }, (res) => {
      if (res.statusCode !== 200) {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body += d));
        res.on("end", () => reject(Object.assign(new Error(`watch: ${res.statusCode} ${body}`), { status: res.statusCode })));
        return;
      }
      res.setEncoding("utf8");
      let buf = "";
      res.on("data", (chunk) => {
        buf += chunk;
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          onLine(line, performance.now());
        }
      });
      res.on("error", () => undefined);
      resolve(() => {
        req.destroy();
        res.destroy();
      });
    });
    req.on("error", (e) => reject(e));
  });
}

/** A watch: `added(name)` resolves with the time that pod's ADDED event arrived. */
async function openWatch(url) {
  const waiting = new Map();
  const close = await openStream(url, (line, now) => {
    if (!line.startsWith('{"type":"ADDED"')) return;
    for (const [needle, done] of waiting) {
      if (line.includes(needle)) {
        waiting.delete(needle);
        done(now);
      }
    }
  });
  return { added: (name) => new Promise((done) => waiting.set(`"name":"${name}"`, done)), close };
}

/** A ping stream of the fan-out floor: `next()` resolves with the time its next line arrived. */
async function openPingStream(url) {
  const waiting = [];
  const close = await openStream(url, (_line, now) => waiting.shift()?.(now));
  return { next: () => new Promise((done) => waiting.push(done)), close };
}

/**
 * A watch whose client went away keeps its slot (and its place among the store's subscribers) until
 * a write to it fails: the second event after the disconnect, or the watch's timeout (30 minutes by
 * default) on a quiet resource. Events nobody waits for end them: Pending pods, one event each.
 */
let flushSeq = 0;
async function flushClosedWatches(api, namespace, events = 3) {
  for (let i = 0; i < events; i++) {
    const body = JSON.stringify(pod(`flush-${flushSeq++}`, { schedulerName: UNSCHEDULED }));
    await expectOk(await fetch(`${api}/api/v1/namespaces/${namespace}/pods`, { method: "POST", headers: JSON_HEADERS, body }), "flush write");
  }
}

/** Opens a watch; a 429 (slots of closed watches not yet released) is met with more events, within bounds. */
function openWatchRetrying(url, flush) {
  return openRetrying(() => openWatch(url), flush);
}

async function openRetrying(open, flush) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await open();
    } catch (e) {
      if (e.status !== 429 || Date.now() > deadline) throw new Error(`${e.message}${e.status === 429 ? " (the slots of closed watches were not released)" : ""}`);
      await flush();
      await sleep(100);
    }
  }
}

async function withTimeout(promise, ms, what) {
  let timer;
  try {
    return await Promise.race([promise, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One repeat of the fan-out with `n` watchers: each round creates a pod and times from just before
 * the POST until the last watcher has its ADDED event. Every watch is closed before returning.
 */
async function fanOutRepeat(api, namespace, n, pingUrl, rounds, tag, writes) {
  const list = await jsonOk(await fetch(`${api}/api/v1/namespaces/${namespace}/pods?limit=1`), "watch list");
  const url = `${api}/api/v1/namespaces/${namespace}/pods?watch=1&resourceVersion=${list.metadata.resourceVersion}`;
  const watchers = [];
  const pings = [];
  try {
    // Opened in small groups: a burst of 100 connects is not what is measured.
    const flush = () => flushClosedWatches(api, namespace, 1);
    for (let i = 0; i < n; i += 10) watchers.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => openWatchRetrying(url, flush)))));
    const flushPings = async () => expectOk(await fetch(pingUrl, { method: "POST" }), "ping flush");
    for (let i = 0; i < n; i += 10) pings.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => openRetrying(() => openPingStream(`${pingUrl}?watch=1`), flushPings)))));
    // The floor of a fan-out: the platform's own round trip (Worker → DO → D1), then one line from
    // the Durable Object to as many open streams, until the last has it.
    const floor = async () => {
      const seen = Promise.all(pings.map((p) => p.next()));
      const t0 = performance.now();
      await expectOk(await fetch(pingUrl, { method: "POST" }), "ping send");
      const times = await withTimeout(seen, 30_000, `${n} ping streams`);
      return Math.max(...times) - t0;
    };
    return await interleaved(
      floor,
      async (i) => {
        const name = `fan-${tag}-${n}-${i < 0 ? `w${-i}` : i}`;
        const seen = Promise.all(watchers.map((w) => w.added(name)));
        const t0 = performance.now();
        // Unscheduled, so the write makes one event: its pod's later life (scheduled, started: three
        // more events to every watcher) would overlap the next rounds.
        await expectOk(await fetch(`${api}/api/v1/namespaces/${namespace}/pods`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(pod(name, { schedulerName: UNSCHEDULED })) }), "watch write");
        if (i >= 0) writes.push(performance.now() - t0);
        const times = await withTimeout(seen, 30_000, `${n} watchers waiting for ${name}`);
        return Math.max(...times) - t0;
      },
      rounds,
      3,
    );
  } finally {
    for (const w of watchers) w.close();
    for (const p of pings) p.close();
    await flushClosedWatches(api, namespace).catch(() => undefined);
    for (let i = 0; i < 3; i++) await fetch(pingUrl, { method: "POST" }).catch(() => undefined);
  }
}

// ---- API ----------------------------------------------------------------------------------------------

/**
 * API latency against its floor. `serverUrlOrOptions`: a running server's URL (started with
 * BENCH_VARS), or { url?, port?, rounds?, repeats?, listPods?, listRounds?, watchers?, watchRounds?,
 * log? }; without a url a server is started on `port` (BENCH_PORT, 8797) and stopped afterwards.
 * Returns { rows, setup }: rows keep the shape name, p50, p99, ratio, target (plus the fields below).
 */
export async function apiBench(serverUrlOrOptions = {}) {
  const o = typeof serverUrlOrOptions === "string" ? { url: serverUrlOrOptions } : serverUrlOrOptions;
  const rounds = o.rounds ?? ROUNDS;
  const repeats = o.repeats ?? REPEATS;
  const listPods = o.listPods ?? LIST_PODS;
  const listRounds = o.listRounds ?? LIST_ROUNDS;
  const watchers = o.watchers ?? WATCHERS;
  const watchRounds = o.watchRounds ?? WATCH_ROUNDS;
  const log = o.log ?? ((m) => console.log(m));
  let server;
  let persistTo;
  let base = o.url;
  if (!base) {
    persistTo = mkdtempSync(path.join(tmpdir(), "kubeplay-bench-api-"));
    server = await startServer({ port: o.port ?? num(env.BENCH_PORT, 8797), persistTo, vars: BENCH_VARS, inspector: false });
    base = server.url;
  }
  const created = [];
  try {
    const t0 = performance.now();
    // GET, LIST, PATCH and the fan-out share a sandbox that keeps its size through the repeats (the
    // fan-out's pods go to a namespace of their own, and stay Pending): a write's controller pass
    // costs more in a bigger sandbox. CREATE gets a sandbox of its own, with workers enough for every
    // pod it makes, so none stays Pending for the scheduler to retry.
    const sb = await createSandbox(base);
    created.push(sb);
    const api = sb.url;
    await createNamespace(api, "bench-watch");
    const podsToHold = repeats * (rounds + 10);
    const workers = Math.min(49, Math.max(2, Math.ceil(podsToHold / 100)));
    const createSb = await createSandbox(base, { nodes: [{ name: "k8s-master", controlPlane: true }, ...Array.from({ length: workers }, (_, i) => ({ name: `k8s-node${i + 1}` }))] });
    created.push(createSb);
    await concurrently(100, FILL_CONCURRENCY, async (i) =>
      expectOk(await fetch(`${api}/api/v1/namespaces/default/pods`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(pod(`seed-${i}`)) }), "seed pod"),
    );
    await expectOk(
      await fetch(`${api}/apis/apps/v1/namespaces/default/deployments`, {
        method: "POST",
        headers: JSON_HEADERS,
        body: JSON.stringify({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } } }),
      }),
      "deployment",
    );

    // The big LIST gets a sandbox of its own, so the other figures are not taken next to 10,000 pods.
    let big;
    let bigCounts;
    if (listPods > 0) {
      big = await createSandbox(base);
      created.push(big);
      const tf = performance.now();
      bigCounts = await fillPods(base, big, listPods);
      log(`  filled a sandbox with ${listPods} pods in ${((performance.now() - tf) / 1000).toFixed(1)} s (${bigCounts.objects} objects)`);
    }
    const setupMs = performance.now() - t0;

    // The floor pings an idle sandbox: pinging the measured one would wait on the controller work a
    // write leaves behind (run after it is answered), and count that as floor.
    const idle = await createSandbox(base);
    created.push(idle);
    const floor = async () => expectOk(await fetch(`${base}/api/sandboxes/${idle.id}/ping`), "ping");
    // The floor of the big LIST: the platform answering with the very same body from the idle
    // sandbox's Durable Object (left there once), after the same round trip to D1.
    let payloadFloor;
    if (big) {
      const sample = await fetch(`${big.url}/api/v1/namespaces/default/pods`, { headers: { accept: TABLE, "accept-encoding": "identity" } });
      const body = await expectOk(sample, "list big (payload)");
      await expectOk(await fetch(`${base}/api/sandboxes/${idle.id}/ping`, { method: "PUT", body, headers: { "content-type": sample.headers.get("content-type") ?? "application/json" } }), "payload");
      payloadFloor = async () => expectOk(await fetch(`${base}/api/sandboxes/${idle.id}/ping?payload=1`), "ping payload");
    }
    const listTable = (url) => async () => expectOk(await fetch(url, { headers: { accept: TABLE } }), "list");
    let bigBytes = 0;
    let bigEncoding = null;
    let createSeq = 0;
    // Every PATCH changes the label (a no-op patch writes nothing), warm-ups and repeats included.
    let patchSeq = 0;
    const writes = { 1: [], [watchers]: [] };
    const ops = [
      { name: "GET pod", target: 2, run: async () => expectOk(await fetch(`${api}/api/v1/namespaces/default/pods/seed-1`), "get") },
      // limit=500 as kubectl get sends it; the namespace holds 101 pods.
      { name: "LIST 100 pods (Table)", target: 2, run: listTable(`${api}/api/v1/namespaces/default/pods?limit=500`) },
      {
        name: "CREATE pod",
        target: 2,
        run: async () =>
          expectOk(await fetch(`${createSb.url}/api/v1/namespaces/default/pods`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(pod(`new-${createSeq++}`)) }), "create"),
      },
      {
        name: "PATCH deployment",
        target: 2,
        run: async () =>
          expectOk(
            await fetch(`${api}/apis/apps/v1/namespaces/default/deployments/web`, {
              method: "PATCH",
              headers: { "content-type": "application/strategic-merge-patch+json" },
              body: JSON.stringify({ metadata: { labels: { round: String(patchSeq++) } } }),
            }),
            "patch",
          ),
      },
    ];
    if (big) {
      ops.push({
        name: `LIST ${listPods.toLocaleString("en-US")} pods (Table)`,
        target: 2,
        floorKind: "payload",
        floor: payloadFloor,
        rows: listPods,
        rounds: listRounds,
        warmup: 2,
        // No limit: one response with every row (kubectl's limit=500 would page it into 20).
        run: async () => {
          // Accept-Encoding: gzip, as kubectl sends it; the runtime compresses the answer.
          const res = await fetch(`${big.url}/api/v1/namespaces/default/pods`, { headers: { accept: TABLE } });
          bigBytes = (await expectOk(res, "list big")).byteLength;
          bigEncoding = res.headers.get("content-encoding");
        },
      });
    }
    if (watchers > 0) {
      for (const n of watchers === 1 ? [1] : [1, watchers]) {
        ops.push({
          name: `WATCH fan-out, ${n} watcher${n === 1 ? "" : "s"}`,
          target: n === watchers ? 2 : null,
          watchers: n,
          floorKind: "fan-out",
          repeatFn: (r) => fanOutRepeat(api, "bench-watch", n, `${base}/api/sandboxes/${idle.id}/ping`, watchRounds, r, writes[n]),
          rounds: watchRounds,
        });
      }
    }

    if (OPS_FILTER.length > 0) {
      const keep = ops.filter((op) => OPS_FILTER.some((f) => op.name.toLowerCase().includes(f)));
      if (keep.length === 0) throw new Error(`BENCH_API_OPS: no row matches "${OPS_FILTER.join(",")}"`);
      ops.splice(0, ops.length, ...keep);
    }
    // Repeats go round the operations, so each repeat of each op sees the same server history.
    const per = new Map(ops.map((op) => [op.name, { p50: [], p99: [], floorP50: [], floorP99: [], ms: 0 }]));
    for (let r = 0; r < repeats; r++) {
      for (const op of ops) {
        const ts = performance.now();
        const res = op.repeatFn ? await op.repeatFn(r) : await interleaved(op.floor ?? floor, op.run, op.rounds ?? rounds, op.warmup ?? (r === 0 ? 10 : 3));
        const acc = per.get(op.name);
        acc.p50.push(res.op.p50);
        acc.p99.push(res.op.p99);
        acc.floorP50.push(res.floor.p50);
        acc.floorP99.push(res.floor.p99);
        acc.ms += performance.now() - ts;
      }
      log(`  repeat ${r + 1}/${repeats} done`);
    }

    // The request floor: every op's but the fan-outs' (they are next to a fan-out floor).
    const requestFloors = ops.filter((op) => !op.floorKind).map((op) => per.get(op.name));
    const allFloorP50 = requestFloors.flatMap((a) => a.floorP50);
    const allFloorP99 = requestFloors.flatMap((a) => a.floorP99);
    const rows = [{ name: "floor", p50: allFloorP50.length ? round2(median(allFloorP50)) : null, p99: round2(median(allFloorP99)), ratio: 1, target: null, repeats, rounds: null }];
    const p50Of = (name) => median(per.get(name)?.p50 ?? []);
    for (const op of ops) {
      const a = per.get(op.name);
      const p50 = median(a.p50);
      const floorP50 = median(a.floorP50);
      const row = {
        name: op.name,
        p50: round2(p50),
        p99: round2(median(a.p99)),
        ratio: round2(p50 / floorP50),
        target: op.target,
        repeats,
        rounds: op.rounds ?? rounds,
        floorP50: round2(floorP50),
        p50s: a.p50.map(round2),
        seconds: +(a.ms / 1000).toFixed(1),
      };
      if (op.floorKind === "payload") {
        row.floor = "payload";
        if (allFloorP50.length) row.vsRequestFloor = round2(p50 / median(allFloorP50));
      }
      if (op.rows) {
        row.rows = op.rows;
        row.bytes = bigBytes;
        row.contentEncoding = bigEncoding;
        row.perThousandRowsMs = round2(p50 / (op.rows / 1000));
        // Past the first hundred rows: what each further thousand costs.
        row.marginalPerThousandRowsMs = round2((p50 - p50Of("LIST 100 pods (Table)")) / ((op.rows - 101) / 1000));
      }
      if (op.watchers) {
        row.watchers = op.watchers;
        row.writeP50 = round2(median(writes[op.watchers]));
        if (op.watchers !== 1) row.vsOneWatcher = round2(p50 / p50Of("WATCH fan-out, 1 watcher"));
        row.floor = "fan-out";
        if (allFloorP50.length) row.vsRequestFloor = round2(p50 / median(allFloorP50));
      }
      rows.push(row);
    }
    return { rows, setup: { rounds, repeats, listRounds, listPods, watchers, watchRounds, createSandboxWorkers: workers, setupSeconds: +(setupMs / 1000).toFixed(1), listSandboxObjects: bigCounts?.objects ?? null } };
  } finally {
    // Frees the Durable Objects' memory for what runs next on the same server.
    for (const sb of created) await deleteSandbox(base, sb).catch(() => undefined);
    if (server) {
      await server.stop();
      rmSync(persistTo, { recursive: true, force: true });
    }
  }
}

export function printApi(api) {
  const { rows, setup } = api;
  console.log(`\nkubeplay API benchmark — median of ${setup.repeats} repeat${setup.repeats === 1 ? "" : "s"} of ${setup.rounds} sequential requests (LIST ${setup.listPods}: ${setup.listRounds}, watch: ${setup.watchRounds}), each after a floor request; loopback, wrangler's dev server (inspector off)`);
  console.log("operation".padEnd(32), "p50 ms".padStart(8), "p99 ms".padStart(8), "× floor".padStart(8), "target".padStart(8), " notes");
  for (const r of rows) {
    const notes = [];
    if (r.perThousandRowsMs != null) notes.push(`${r.perThousandRowsMs} ms per 1,000 rows (${r.marginalPerThousandRowsMs} past the first 100), ${(r.bytes / 1024 / 1024).toFixed(1)} MiB of JSON${r.contentEncoding ? ` (${r.contentEncoding} on the wire)` : ""}`);
    if (r.writeP50 != null) notes.push(`the write itself ${r.writeP50} ms`);
    if (r.floor === "payload") notes.push(`floor: the round trip answering the same body (${r.floorP50} ms)${r.vsRequestFloor != null ? `; ${r.vsRequestFloor}× the request floor` : ""}`);
    if (r.floor === "fan-out") notes.push(`floor: a round trip, then a line to as many streams (${r.floorP50} ms)${r.vsRequestFloor != null ? `; ${r.vsRequestFloor}× the request floor` : ""}`);
    if (r.vsOneWatcher != null) notes.push(`${r.vsOneWatcher}× 1 watcher`);
    const over = r.target && r.ratio > r.target ? " !" : "";
    console.log(r.name.padEnd(32), String(r.p50).padStart(8), String(r.p99).padStart(8), String(r.ratio).padStart(8), (r.target ? `≤ ${r.target}` : "").padStart(8), `${over} ${notes.join("; ")}`.trimEnd());
  }
}

// ---- Cold start -------------------------------------------------------------------------------------

/**
 * Builds a sandbox of about `n` objects (counted as the service counts them): 90% Pending pods of a
 * ReplicaSet, made in seconds, topped up with ConfigMaps through concurrent POSTs.
 */
async function fillObjects(base, sb, n) {
  const start = (await info(base, sb)).counts.objects;
  const configMaps = Math.round(n * 0.1);
  // The ReplicaSet itself and its aggregated events come on top of its pods.
  const replicas = Math.max(0, n - start - configMaps - 1);
  if (replicas > 0) await fillPods(base, sb, replicas);
  const now = (await info(base, sb)).counts.objects;
  await fillConfigMaps(sb, Math.max(0, n - now));
  return (await info(base, sb)).counts;
}

/**
 * Time for a cold Durable Object to load a sandbox of each of `sizes` objects: the sandboxes are built
 * once, then the server is restarted `repeats` times and the first request to each is timed, next to a
 * warm request and to the first request to a fresh sandbox (the fixed cost of a cold object).
 * Returns one entry per size.
 */
export async function coldStartBench(sizes = [1000, 10_000], opts = {}) {
  const port = opts.port ?? num(env.BENCH_PORT, 8797) + 1;
  // Restarts are few and each first request is one sample: more of them than the API's repeats.
  const repeats = opts.repeats ?? num(env.BENCH_COLD_REPEATS, 5);
  const log = opts.log ?? ((m) => console.log(m));
  const persistTo = mkdtempSync(path.join(tmpdir(), "kubeplay-bench-cold-"));
  let server = await startServer({ port, persistTo, vars: BENCH_VARS, inspector: false });
  try {
    const warmup = await createSandbox(server.url);
    const fresh = await createSandbox(server.url);
    const targets = [{ sb: fresh, counts: (await info(server.url, fresh)).counts, size: 0 }];
    for (const n of sizes) {
      const sb = await createSandbox(server.url);
      const tf = performance.now();
      const counts = await fillObjects(server.url, sb, n);
      const fillSeconds = +((performance.now() - tf) / 1000).toFixed(1);
      log(`  filled a sandbox with ${counts.objects} objects (${counts.pods} pods) in ${fillSeconds} s`);
      targets.push({ sb, counts, size: n, fillSeconds });
    }
    for (const t of targets) Object.assign(t, { cold: [], warm: [] });
    // Any object in every sandbox: the read itself is trivial next to the load.
    const read = async (sb) => timed(async () => expectOk(await fetch(`${sb.url}/api/v1/namespaces/default`), "cold read"));
    for (let r = 0; r < repeats; r++) {
      await server.stop();
      server = await startServer({ port, persistTo, vars: BENCH_VARS, inspector: false });
      // The Worker's own start and the first D1 and Durable Object use, on a sandbox not measured.
      await expectOk(await fetch(`${server.url}/healthz`));
      await read(warmup);
      // Rotated, so no size is always the first Durable Object loaded after the warm-up.
      for (let i = 0; i < targets.length; i++) {
        const t = targets[(i + r) % targets.length];
        t.cold.push(await read(t.sb));
      }
      for (const t of targets) {
        const w = [];
        for (let i = 0; i < 5; i++) w.push(await read(t.sb));
        t.warm.push(median(w));
      }
      log(`  restart ${r + 1}/${repeats} done`);
    }
    const base = targets[0];
    const baseCold = median(base.cold);
    return targets.slice(1).map((t) => {
      const cold = median(t.cold);
      return {
        objects: t.counts.objects,
        pods: t.counts.pods,
        requested: t.size,
        coldFirstReadMs: round2(cold),
        warmReadMs: round2(median(t.warm)),
        freshSandboxColdMs: round2(baseCold),
        freshSandboxObjects: base.counts.objects,
        msPer1000Objects: round2((cold - baseCold) / ((t.counts.objects - base.counts.objects) / 1000)),
        repeats,
        coldRuns: t.cold.map(round2),
        fillSeconds: t.fillSeconds,
      };
    });
  } finally {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}

export function printColdStart(cold) {
  if (cold.length === 0) return;
  const c0 = cold[0];
  console.log(`\ncold start: first request to a sandbox after a server restart, median of ${c0.repeats} restart${c0.repeats === 1 ? "" : "s"} (a fresh sandbox of ${c0.freshSandboxObjects} objects: ${c0.freshSandboxColdMs} ms)`);
  for (const c of cold) {
    console.log(`  ${String(c.objects).padStart(6)} objects (${c.pods} pods): ${c.coldFirstReadMs} ms cold, ${c.warmReadMs} ms warm; ${c.msPer1000Objects} ms per 1,000 objects past a fresh sandbox`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const parts = process.argv.slice(2);
  const all = parts.length === 0;
  if (all || parts.includes("api")) printApi(await apiBench({}));
  if (all || parts.includes("cold")) printColdStart(await coldStartBench((env.BENCH_COLD_SIZES ?? "1000,10000").split(",").map(Number)));
}
