// `npm run bench`: API latency through `wrangler dev` on loopback, each figure next to the floor
// (a trivial Worker → Durable Object → D1 read) measured in the same run. Writes bench/results/<date>.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { startServer } from "./dev-server.mjs";
import { consoleBench } from "./bench-console.mjs";
import { peerBench, printPeer } from "./bench-peer.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(fn) {
  for (let i = 0; i < 10; i++) await fn(i); // warm-up
  const times = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await fn(i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function expectOk(res) {
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

/**
 * The benchmarks send hundreds of requests a second from one address and build sandboxes past the
 * default counts: the sandbox limits (README "Limits") are turned off for them.
 */
const BENCH_VARS = { RATE_SANDBOX_RPS: "0", RATE_CLIENT_RPS: "0", MAX_OBJECTS: "0", MAX_PODS: "0" };

const pod = (name) => ({ apiVersion: "v1", kind: "Pod", metadata: { name, labels: { app: "bench" } }, spec: { containers: [{ name: "c", image: "nginx" }] } });

/** In-process engine benchmarks (Node, counting D1 stand-in): see bench/engine.bench.ts. */
function engineBench() {
  const out = path.join(mkdtempSync(path.join(tmpdir(), "kubeplay-bench-engine-")), "engine.json");
  const r = spawnSync(path.join(root, "node_modules", ".bin", "vitest"), ["run", "--config", "vitest.bench.config.ts"], {
    cwd: root,
    env: { ...process.env, BENCH_OUT: out },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`engine benchmark failed:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(readFileSync(out, "utf8"));
}

/** Time for a cold Durable Object to load a sandbox of `n` objects: restart the server, time the first read. */
async function coldLoad(n) {
  const persistTo = mkdtempSync(path.join(tmpdir(), "kubeplay-bench-cold-"));
  const port = Number(process.env.BENCH_PORT ?? 8797) + 1;
  let server = await startServer({ port, persistTo, vars: BENCH_VARS });
  try {
    const sb = await (await fetch(`${server.url}/api/sandboxes`, { method: "POST" })).json();
    const json = { "content-type": "application/json" };
    for (let i = 0; i < n; i++) {
      await expectOk(await fetch(`${sb.url}/api/v1/namespaces/default/configmaps`, { method: "POST", headers: json, body: JSON.stringify({ metadata: { name: `cm-${i}` }, data: { k: "v".repeat(200) } }) }));
    }
    await server.stop();
    server = await startServer({ port, persistTo, vars: BENCH_VARS });
    // The first request after a restart pays the Worker's start too; time a trivial one first.
    await expectOk(await fetch(`${server.url}/healthz`));
    const t0 = performance.now();
    await expectOk(await fetch(`${sb.url}/api/v1/namespaces/default/configmaps/cm-0`));
    const coldMs = performance.now() - t0;
    const t1 = performance.now();
    await expectOk(await fetch(`${sb.url}/api/v1/namespaces/default/configmaps/cm-1`));
    return { objects: n, coldFirstReadMs: +coldMs.toFixed(1), warmReadMs: +(performance.now() - t1).toFixed(1) };
  } finally {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}

async function main() {
  const persistTo = mkdtempSync(path.join(tmpdir(), "kubeplay-bench-"));
  const server = await startServer({ port: Number(process.env.BENCH_PORT ?? 8797), persistTo, vars: BENCH_VARS });
  try {
    const sb = await (await fetch(`${server.url}/api/sandboxes`, { method: "POST" })).json();
    const api = sb.url;
    const json = { "content-type": "application/json" };
    for (let i = 0; i < 100; i++) await expectOk(await fetch(`${api}/api/v1/namespaces/default/pods`, { method: "POST", headers: json, body: JSON.stringify(pod(`seed-${i}`)) }));
    await expectOk(
      await fetch(`${api}/apis/apps/v1/namespaces/default/deployments`, {
        method: "POST",
        headers: json,
        body: JSON.stringify({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } } }),
      }),
    );

    const results = {};
    results.floor = await measure(async () => expectOk(await fetch(`${server.url}/api/sandboxes/${sb.id}/ping`)));
    results["GET pod"] = await measure(async () => expectOk(await fetch(`${api}/api/v1/namespaces/default/pods/seed-1`)));
    results["LIST 100 pods (Table)"] = await measure(async () =>
      expectOk(await fetch(`${api}/api/v1/namespaces/default/pods?limit=500`, { headers: { accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" } })),
    );
    results["CREATE pod"] = await measure(async (i) =>
      expectOk(await fetch(`${api}/api/v1/namespaces/default/pods`, { method: "POST", headers: json, body: JSON.stringify(pod(`new-${i}-${Math.random().toString(36).slice(2, 7)}`)) })),
    );
    results["PATCH deployment"] = await measure(async (i) =>
      expectOk(
        await fetch(`${api}/apis/apps/v1/namespaces/default/deployments/web`, {
          method: "PATCH",
          headers: { "content-type": "application/strategic-merge-patch+json" },
          body: JSON.stringify({ metadata: { labels: { round: String(i) } } }),
        }),
      ),
    );

    const floor = results.floor.p50;
    const targets = { "GET pod": 1.5, "CREATE pod": 2, "PATCH deployment": 2 };
    const rows = Object.entries(results).map(([name, r]) => ({
      name,
      p50: +r.p50.toFixed(2),
      p99: +r.p99.toFixed(2),
      ratio: +(r.p50 / floor).toFixed(2),
      target: targets[name] ?? null,
    }));
    console.log(`\nkubeplay API benchmark — ${ROUNDS} sequential requests each, loopback, wrangler dev`);
    console.log("operation".padEnd(24), "p50 ms".padStart(8), "p99 ms".padStart(8), "× floor".padStart(8), "target".padStart(8));
    for (const r of rows) {
      console.log(r.name.padEnd(24), String(r.p50).padStart(8), String(r.p99).padStart(8), String(r.ratio).padStart(8), (r.target ? `≤ ${r.target}` : "").padStart(8));
    }
    const web = await consoleBench(server.url, Number(process.env.BENCH_CONSOLE_ROUNDS ?? 5));
    if (web.skipped) console.log(`\nconsole: skipped, ${web.skipped}`);
    else {
      const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
      console.log(`\nconsole (headless Chromium, median of ${web.rounds})`);
      console.log(`  first load: landing ${kib(web.landing.bytes)} (${kib(web.landing.gzip)} gzip), sandbox page ${kib(web.sandboxPage.pageBytes)} (${kib(web.sandboxPage.pageGzip)} gzip) before xterm.js`);
      console.log(`  cluster on screen: ${web.clusterOnScreenMs} ms, ${web.clusterOnScreenRatio}× a bare page (${web.barePageMs} ms)`);
      console.log(`  terminal command → pod in the view: ${web.commandToViewMs} ms, ${web.commandToViewRatio}× an API write seen by a watch (${web.writeToWatchMs} ms)`);
    }
    await server.stop();
    const engine = engineBench();
    console.log("\nengine (in-process, Node; D1 replaced by a counter)");
    for (const r of engine.reconcile) console.log(`  settled reconcile pass, ${String(r.objects).padStart(6)} objects: ${r.settledPassMs} ms CPU`);
    console.log(`  one pod's life (create → delete): ${engine.podLifecycle.rowsWritten} D1 rows written`);
    const d = engine.deployment100;
    console.log(`  100-replica deployment to all Ready: ${d.rowsWrittenToReady} D1 rows, ${d.cpuMsToReady} ms CPU; its rolling update: ${d.rowsWrittenRollingUpdate} rows, ${d.cpuMsRollingUpdate} ms CPU`);
    for (const r of engine.scheduling ?? []) console.log(`  scheduling ${r.pods} pods onto ${r.nodes} nodes: ${r.podsPerCpuSecond} pods per CPU second`);
    const share = engine.schedulerShare;
    if (share) console.log(`  scheduler's share of controller time, ${share.pods}-replica deployment on ${share.nodes} nodes: ${(share.schedulerShareOfControllers * 100).toFixed(1)}% (${share.schedulerMs} of ${share.controllersMs} ms; whole reconcile with D1 commits ${share.reconcileMs} ms)`);
    const k = engine.kubeletDeployment1000;
    if (k) console.log(`  ${k.pods}-replica deployment with probes on ${k.nodes} nodes, kubelets included, to all Ready (${k.virtualSecondsToReady} virtual s): ${k.cpuMsToReady} ms CPU, ${k.rowsWrittenToReady} D1 rows (${k.rowsPerPod} per pod); then a settled hour: ${k.settledHour.rowsWritten} rows, alarm armed: ${k.settledHour.alarmArmed}`);
    const rt = engine.routing;
    if (rt) console.log(`  a request through a Service with ${rt.endpoints} endpoints (node shell curl): ${rt.usPerRequest} µs, ${rt.ratio}× reading the Service (${rt.floorUsPerServiceRead} µs)`);
    const sv = engine.services1000;
    if (sv) console.log(`  settled pass with 1,000 Services: ${sv.settledPassMsWith1000Services} ms vs ${sv.settledPassMsWithout} ms without (${sv.ratio}×)`);
    for (const v of engine.volumeBytes ?? []) console.log(`  volume with ${v.files} files of 100 bytes: ${v.storedBytes} bytes stored, ${v.overheadBytesPerFile} bytes of overhead per file`);
    const h = engine.settledHour;
    console.log(`  settled sandbox of ${h.pods} pods, one virtual hour: ${h.d1Statements} D1 statements, ${h.rowsWritten} rows written, alarm armed: ${h.alarmArmed}`);
    const cold = await coldLoad(Number(process.env.BENCH_COLD_OBJECTS ?? 1000));
    console.log(`\ncold start: first read of a ${cold.objects}-object sandbox after a restart ${cold.coldFirstReadMs} ms (warm read ${cold.warmReadMs} ms)`);
    // The same workloads on a peer simulator (bench/peer.ts); alone: `npm run bench:peer`.
    const peer = await peerBench();
    printPeer(peer);

    const outDir = path.join(root, "bench", "results");
    mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `${new Date().toISOString().slice(0, 10)}.json`);
    writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), rounds: ROUNDS, node: process.version, api: rows, console: web, engine, coldStart: cold, peer }, null, 2) + "\n");
    console.log(`\nwritten ${path.relative(root, file)}`);
  } finally {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}

await main();
