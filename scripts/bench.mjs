// `npm run bench`: API latency through `wrangler dev` on loopback, each figure next to the floor
// (a trivial Worker → Durable Object → D1 read) measured in the same run; the console in headless
// Chromium; the engine in-process; cold loads of large sandboxes; a peer simulator on the same
// workloads. Writes bench/results/<date>.json (BENCH_RESULTS elsewhere) and, when scripts/bench-chart.mjs
// is there, docs/bench.svg (BENCH_CHART elsewhere, 0 for none).
//
// Parts: BENCH_ONLY=api,console,tutorials,engine,cold,peer (default all); a partial run merges its parts into
// the results file. Sizes: BENCH_ROUNDS, BENCH_REPEATS, BENCH_LIST_PODS, BENCH_LIST_ROUNDS,
// BENCH_WATCHERS, BENCH_WATCH_ROUNDS (scripts/bench-api.mjs), BENCH_COLD_SIZES (1000,10000),
// BENCH_COLD_REPEATS, BENCH_CONSOLE_ROUNDS; BENCH_PORT (and the next port, for the cold start).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { startServer } from "./dev-server.mjs";
import { consoleBench } from "./bench-console.mjs";
import { peerBench, printPeer } from "./bench-peer.mjs";
import { printTutorials, tutorialBench } from "./bench-tutorials.mjs";
import { writeChart } from "./bench-chart.mjs";
import { apiBench, BENCH_VARS, coldStartBench, printApi, printColdStart, REPEATS, ROUNDS } from "./bench-api.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PORT = Number(process.env.BENCH_PORT ?? 8797);
const PARTS = ["api", "console", "tutorials", "engine", "cold", "peer"];
const ONLY = new Set((process.env.BENCH_ONLY ?? PARTS.join(",")).split(",").map((p) => p.trim()).filter(Boolean));
for (const p of ONLY) if (!PARTS.includes(p)) throw new Error(`BENCH_ONLY: unknown part "${p}" (parts: ${PARTS.join(", ")})`);

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

function printConsole(web) {
  if (web.skipped) return console.log(`\nconsole: skipped, ${web.skipped}`);
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`\nconsole (headless Chromium, median of ${web.rounds})`);
  console.log(`  first load: landing ${kib(web.landing.bytes)} (${kib(web.landing.gzip)} gzip), sandbox page ${kib(web.sandboxPage.pageBytes)} (${kib(web.sandboxPage.pageGzip)} gzip) before xterm.js`);
  console.log(`  cluster on screen: ${web.clusterOnScreenMs} ms, ${web.clusterOnScreenRatio}× a bare page (${web.barePageMs} ms)`);
  console.log(`  terminal interactive: ${web.terminalInteractiveMs} ms, ${web.terminalInteractiveRatio}× a bare page; xterm.js ${kib(web.sandboxPage.terminalBytes)} (${kib(web.sandboxPage.terminalGzip)} gzip); ${kib(web.wireBytesToInteractive)} on the wire in ${web.sandboxPage.requestsToInteractive} requests until then`);
  console.log(`  terminal command → pod in the view: ${web.commandToViewMs} ms, ${web.commandToViewRatio}× an API write seen by a watch (${web.writeToWatchMs} ms)`);
}

function printEngine(engine) {
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
  if (h.alarms !== undefined) console.log(`    alarms in that hour: ${h.alarms}`);
  const lr = engine.podLifecycleRunning;
  if (lr) console.log(`  one pod's whole life (create → Ready → deleted → gone, Events expired): ${lr.rowsWritten} D1 rows (${lr.rowsWrittenToReady} to Ready)`);
  const dl = engine.deploymentPodLifecycle;
  if (dl) console.log(`  one pod's whole life in a Deployment (scale up to Ready, scale down to gone, Events expired): ${dl.rowsWrittenPerPod} D1 rows per pod`);
  const secs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms} ms`);
  for (const r of engine.deployments ?? [])
    console.log(`  ${r.replicas}-replica deployment with probes on ${r.workerNodes} workers, apply → all Ready (${r.virtualSeconds} virtual s, median of ${r.rounds}): ${secs(r.cpuMs)} CPU (${secs(r.wallMs)} wall), ${r.rowsWritten} D1 rows, ${r.d1Statements} statements`);
  const fd = engine.firstDeployment1000;
  if (fd) console.log(`    (the first 1,000-replica deployment of a fresh process, JIT and heap still growing, not in the median: ${secs(fd.cpuMs)} CPU)`);
  const ru = engine.rollingUpdate1000;
  if (ru) console.log(`  rolling update of ${ru.replicas} pods (${ru.virtualSeconds} virtual s, median of ${ru.rounds}): ${secs(ru.cpuMs)} CPU (${secs(ru.wallMs)} wall), ${ru.rowsWritten} D1 rows`);
  const mem = engine.memory;
  if (mem) {
    console.log(`  heap against the ${mem.isolateLimitMiB} MiB isolate (Worker code ${mem.workerCodeMiB} MiB, ${mem.requestHeadroomMiB} MiB kept for requests):`);
    for (const [label, rows] of [["ConfigMaps", mem.configMaps], ["Ready pods with their Events and runtime records", mem.pods]])
      for (const r of rows) console.log(`    ${String(r.objects).padStart(6)} objects, ${label}: ${r.liveMiB} MiB live, ${r.coldLoadPeakMiB} MiB at cold load (${r.liveBytesPerObject} B/object live), ${(r.isolateShare * 100).toFixed(0)}% of the isolate`);
    for (const [label, f] of [["ConfigMaps", mem.largestFit.configMaps], ["pods mix", mem.largestFit.pods]])
      console.log(`    largest that fits, ${label}: ${f.objects ?? "—"} objects${label === "pods mix" && f.pods ? ` (${f.pods} pods)` : ""}, ${f.isolateMiB ?? "—"} MiB with the Worker's code (extrapolated ${f.extrapolatedObjects}; ${f.verified === undefined ? "not built" : f.verified ? "built and verified" : "did not fit"})`);
  }
}

const shown = (file) => (path.relative(root, file).startsWith("..") ? file : path.relative(root, file));

async function main() {
  const results = {};
  const seconds = {};
  const timedPart = async (name, fn) => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      seconds[name] = +((performance.now() - t0) / 1000).toFixed(1);
    }
  };

  if (ONLY.has("api") || ONLY.has("console") || ONLY.has("tutorials")) {
    const persistTo = mkdtempSync(path.join(tmpdir(), "kubeplay-bench-"));
    const server = await startServer({ port: PORT, persistTo, vars: BENCH_VARS, inspector: false });
    try {
      if (ONLY.has("api")) {
        const api = await timedPart("api", () => apiBench({ url: server.url }));
        printApi(api);
        results.api = api.rows;
        results.apiSetup = api.setup;
      }
      if (ONLY.has("console")) {
        results.console = await timedPart("console", () => consoleBench(server.url, Number(process.env.BENCH_CONSOLE_ROUNDS ?? 5)));
        printConsole(results.console);
      }
      if (ONLY.has("tutorials")) {
        // The seed tutorials replayed with the real kubectl: what each costs (scripts/bench-tutorials.mjs).
        results.tutorials = await timedPart("tutorials", () => tutorialBench(server.url));
        printTutorials(results.tutorials);
      }
    } finally {
      await server.stop();
      rmSync(persistTo, { recursive: true, force: true });
    }
  }
  if (ONLY.has("engine")) {
    results.engine = await timedPart("engine", async () => engineBench());
    printEngine(results.engine);
  }
  if (ONLY.has("cold")) {
    const sizes = (process.env.BENCH_COLD_SIZES ?? "1000,10000").split(",").map(Number);
    results.coldStart = await timedPart("cold", () => coldStartBench(sizes, { port: PORT + 1 }));
    printColdStart(results.coldStart);
  }
  if (ONLY.has("peer")) {
    // The same workloads on a peer simulator (bench/peer.ts); alone: `npm run bench:peer`.
    results.peer = await timedPart("peer", () => peerBench());
    printPeer(results.peer);
  }
  console.log(`\ntime per part: ${Object.entries(seconds).map(([k, v]) => `${k} ${v} s`).join(", ")}`);

  const file = process.env.BENCH_RESULTS ? path.resolve(process.env.BENCH_RESULTS) : path.join(root, "bench", "results", `${new Date().toISOString().slice(0, 10)}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  // A partial run keeps the other parts of the file (as `npm run bench:peer` does).
  const partial = PARTS.some((p) => !ONLY.has(p));
  const before = partial && existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  const out = { ...before, date: new Date().toISOString(), rounds: ROUNDS, repeats: REPEATS, node: process.version, ...results, seconds: { ...before.seconds, ...seconds } };
  writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
  console.log(`\nwritten ${shown(file)}${partial ? ` (${[...ONLY].join(", ")})` : ""}`);

  const chart = process.env.BENCH_CHART ?? path.join(root, "docs", "bench.svg");
  if (chart !== "0") {
    await writeChart(out, path.resolve(chart));
    console.log(`chart written to ${shown(path.resolve(chart))}`);
  }
}

await main();
