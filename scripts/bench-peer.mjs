// The peer share of `npm run bench`: bench/peer.ts, kubeplay's engine and @ngrok/webernetes on the
// same workloads, each round in a fresh Node process. Bundled with esbuild first: webernetes
// publishes ESM with extensionless imports (made for bundlers), which Node does not resolve alone.
// Alone: `npm run bench:peer` — prints the table and stores the figures under "peer" in today's
// bench/results/<date>.json. For a quick look: PEER_SIZES=20 PEER_ROUNDS=1; one side only:
// PEER_SIDES=kubeplay. Takes about 10 CPU minutes in full, nearly all of it webernetes at 1,000 pods.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Runs bench/peer.ts and returns its figures. Extra Node flags (e.g. --cpu-prof) go in `nodeArgs`; every round's process gets them. */
export async function peerBench({ nodeArgs = [] } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "kubeplay-bench-peer-"));
  try {
    const bundle = path.join(dir, "peer.mjs");
    await build({
      entryPoints: [path.join(root, "bench", "peer.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile: bundle,
      logLevel: "error",
      // CommonJS dependencies (yaml) require Node built-ins, which an ESM bundle needs a require for.
      banner: { js: 'import { createRequire as __peerRequire } from "node:module"; const require = __peerRequire(import.meta.url);' },
    });
    const out = path.join(dir, "peer.json");
    const version = JSON.parse(readFileSync(path.join(root, "node_modules", "@ngrok", "webernetes", "package.json"), "utf8")).version;
    const r = spawnSync(process.execPath, ["--expose-gc", ...nodeArgs, bundle], {
      cwd: root,
      env: { ...process.env, PEER_OUT: out, PEER_VERSION: version },
      stdio: ["ignore", "inherit", "inherit"],
    });
    if (r.status !== 0) throw new Error(`peer benchmark failed (exit ${r.status ?? r.signal})`);
    return JSON.parse(readFileSync(out, "utf8"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printPeer(peer) {
  console.log(`\npeer: the same workloads on ${peer.peer} ${peer.version} (in-process, Node; CPU time, median over rounds; ratio = kubeplay / webernetes)`);
  console.log(["workload".padEnd(50), "kubeplay".padStart(12), "webernetes".padStart(12), "ratio".padStart(7)].join(" "));
  const row = (label, k, p, ratio) => console.log([label.padEnd(50), (k ?? "—").padStart(12), (p ?? "—").padStart(12), String(ratio ?? "—").padStart(7)].join(" "));
  for (const w of peer.workloads) {
    const k = w.kubeplay, p = w.webernetes;
    const ms = (s) => s && `${s.cpuMs >= 1000 ? (s.cpuMs / 1000).toFixed(2) + " s" : s.cpuMs + " ms"}`;
    row(`${w.workload} (${w.rounds} round${w.rounds === 1 ? "" : "s"})`, ms(k), ms(p), w.ratio?.cpu);
    if (k?.heapMiB !== undefined || p?.heapMiB !== undefined) row("  heap, cluster with it Ready", k && `${k.heapMiB} MiB`, p && `${p.heapMiB} MiB`, w.ratio?.heap);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const peer = await peerBench();
  printPeer(peer);
  const outDir = path.join(root, "bench", "results");
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${new Date().toISOString().slice(0, 10)}.json`);
  const results = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : { date: new Date().toISOString() };
  writeFileSync(file, JSON.stringify({ ...results, peer }, null, 2) + "\n");
  console.log(`\nwritten ${path.relative(root, file)} (peer)`);
}
