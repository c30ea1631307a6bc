// What the seed tutorials (shared seeds 000–004) cost when replayed as their readers would: each in
// a fresh sandbox, the commands the tutorial has users type, in order, run through `sh` with the real
// kubectl (so pipes and backticks behave as typed), node commands through the sandbox's node shell,
// manifests written to a temporary directory, and the virtual clock advanced where the tutorial
// waits. Reports per tutorial the kubectl commands run, D1 statements and rows written, alarms, the
// wall time of the replay, then what the next virtual hour and the settled hour after it cost.
// A failing command does not stop the replay: it is listed, since the failure is the finding.
//
// Alone: `node scripts/bench-tutorials.mjs [--json]` starts its own server (port 8840–8859).
// KUBECTL_VERSION (default 1.32) picks the kubectl binary; TUTORIALS=000,003 runs a subset;
// BENCH_TUTORIALS_LOG=<file> appends every command and its output there.
//
// Commands left out, because a sandbox has no such thing (listed again per tutorial in `skipped`):
// - 001: `yum -y install conntrack-tools ipvsadm`, writing /etc/sysconfig/modules/ipvs.modules,
//   `modprobe`/`lsmod` — packages and kernel modules; the sandbox's nodes have ipvsadm already.
// - 001: `cat` of the manifests 34/35 (postStart/preStop) — shown but never applied in the tutorial.
// - 003: `lsblk`, `vgcreate`, `lvcreate`, `mkfs.xfs`, `mount`, `df`, `vim /etc/fstab` — a spare disk
//   for the NFS export; `mkdir /nfs-share` stands in. `yum -y install nfs-utils` — packages.
// - 003: `unzip csi-driver-nfs-master.zip`, `ls`/`grep`/`sed` inside it — a file the reader
//   downloaded; `./deploy/install-driver.sh v4.6.0 local` becomes the four `kubectl apply -f` it runs.
// - 004: the article types no command besides `kubectl describe pod`; its flow runs what it
//   describes (restart policies, a failed pull, back-off, a pod re-created by its Deployment).
// Where a tutorial edits with vim, `sed` or `KUBE_EDITOR` makes the same change; where it shows a
// manifest without a file name or omits one (001's 02/03-rc-nginx.yaml), the file is rebuilt from
// its output. Values that differ per cluster (pod IPs, node IPs, generated names, NodePorts) are read
// from the output of the command before, as a reader would.
import { execSync, spawn } from "node:child_process";
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { TUTORIALS } from "./bench-tutorials-flows.mjs";


// ---------------------------------------------------------------------------------------------
// Replay.

const KUBECTL_VERSION = process.env.KUBECTL_VERSION ?? "1.32";

function kubectlBinary() {
  const which = execSync("command -v kubectl", { encoding: "utf8", shell: "/bin/sh" }).trim();
  return path.join(path.dirname(realpathSync(which)), `kubectl.${KUBECTL_VERSION}`);
}

async function api(url, init) {
  // One retry: the dev server sometimes closes a pooled keep-alive connection as it is reused.
  let res;
  try {
    res = await fetch(url, init);
  } catch {
    res = await fetch(url, init);
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

const post = (url, body) => api(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/**
 * The counters a replay is charged with: D1 statements, rows written, alarms armed and fired, and
 * the wake-ups clock advances stopped at (each one an alarm, had the time passed for real).
 */
function cost(stats) {
  return { statements: stats.store.queries, rows: stats.store.rowsWritten, armed: stats.alarms.armed, fired: stats.alarms.fired, wakeups: stats.engine.stops, skippedMs: stats.engine.skippedMs };
}
function delta(a, b) {
  const d = Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - a[k]]));
  // Counters live in the Durable Object's memory: a restart in between starts them at 0 again.
  return Object.values(d).some((x) => x < 0) ? { ...b, reset: true } : d;
}

const subst = (s, vars, missing) =>
  s.replace(/\$\{(\w+)\}/g, (m, k) => {
    if (vars[k] === undefined) missing.add(k);
    return vars[k] ?? m;
  });

function matches(expect, out) {
  if (expect === undefined) return true;
  return expect instanceof RegExp ? expect.test(out) : out.includes(expect);
}

/** Runs a command line as typed, through sh, with kubectl on PATH counting its own invocations. */
function runLine(line, ctx, { input, env = {}, stopAfterMs, background } = {}) {
  const child = spawn("sh", ["-c", line], {
    cwd: ctx.dir,
    env: { PATH: `${ctx.bin}:${process.env.PATH}`, HOME: ctx.dir, KUBECONFIG: ctx.kubeconfig, KUBECACHEDIR: path.join(ctx.dir, ".kube", "cache"), KUBEPLAY_BENCH_COUNT: ctx.countFile, ...env },
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  if (input !== undefined) child.stdin.end(input);
  else if (!background) child.stdin.end();
  let stopped = false;
  const kill = (sig) => {
    try {
      process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  const done = new Promise((resolve) => child.on("close", (code, signal) => resolve({ code: code ?? (stopped ? 130 : -1), signal, stdout, stderr, stopped })));
  if (stopAfterMs) setTimeout(() => ((stopped = true), kill("SIGINT")), stopAfterMs);
  const timeout = setTimeout(() => kill("SIGKILL"), background ? 300_000 : 90_000);
  done.finally(() => clearTimeout(timeout));
  return { done, stop: () => ((stopped = true), kill("SIGINT")), output: () => ({ stdout, stderr }) };
}

function kubectlCount(file) {
  try {
    return readFileSync(file, "utf8").length;
  } catch {
    return 0;
  }
}

/** Replays one tutorial in a fresh sandbox; answers its cost and every failure and mismatch. */
export async function replayTutorial(baseUrl, t) {
  const body = t.nodes ? { nodes: t.nodes.map((name, i) => ({ name, controlPlane: i === 0 })) } : undefined;
  const sb = await post(`${baseUrl}/api/sandboxes`, body);
  const dir = mkdtempSync(path.join(tmpdir(), `kubeplay-tutorial-${t.id}-`));
  const bin = path.join(dir, ".bin");
  mkdirSync(bin, { recursive: true });
  const countFile = path.join(dir, ".kubectl-count");
  writeFileSync(path.join(bin, "kubectl"), `#!/bin/sh\nprintf x >> "$KUBEPLAY_BENCH_COUNT"\nexec "${kubectlBinary()}" "$@"\n`);
  chmodSync(path.join(bin, "kubectl"), 0o755);
  const kubeconfig = path.join(dir, ".kubeconfig");
  writeFileSync(kubeconfig, await (await fetch(sb.kubeconfigUrl)).text());
  const ctx = { dir, bin, kubeconfig, countFile };
  const svc = `${baseUrl}/api/sandboxes/${sb.id}`;

  // Per-cluster values a reader knows without typing anything: the nodes' addresses.
  const nodes = (await api(`${sb.url}/api/v1/nodes`)).items;
  const vars = {};
  nodes.forEach((n, i) => (vars[`nodeIP${i}`] = n.status.addresses.find((a) => a.type === "InternalIP").address));
  vars.subnet = vars.nodeIP0.replace(/\.\d+$/, ".0/24");

  const failures = [];
  const mismatches = [];
  const background = new Map();
  let shellCommands = 0;
  const before = cost(await api(`${svc}/stats`));
  const t0 = performance.now();
  for (const raw of t.steps) {
    const step = typeof raw === "string" ? { run: raw } : raw;
    const missing = new Set();
    let label;
    let out;
    if (step.write) {
      mkdirSync(path.dirname(path.join(dir, step.write)), { recursive: true });
      writeFileSync(path.join(dir, step.write), step.text);
      continue;
    } else if (step.wait !== undefined) {
      await post(`${svc}/clock`, { advanceSeconds: step.wait });
      continue;
    } else if (step.join) {
      label = `${background.get(step.join)?.label ?? step.join} (ended)`;
      const h = background.get(step.join);
      const r = await Promise.race([h.done, new Promise((res) => setTimeout(() => res(undefined), 5000))]);
      if (!r) {
        h.stop();
        const o = h.output();
        out = { code: "still running 5 s after", stdout: o.stdout, stderr: o.stderr };
        await h.done;
      } else out = r;
    } else if (step.node) {
      label = `[${step.node}] ${subst(step.sh, vars, missing)}`;
      if (missing.size === 0) {
        shellCommands++;
        const r = await post(`${svc}/shell`, { node: step.node, command: subst(step.sh, vars, missing) });
        out = { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
      }
    } else {
      label = subst(step.run, vars, missing);
      if (missing.size === 0) {
        const h = runLine(label, ctx, { input: step.input, env: step.env, stopAfterMs: step.stopAfterMs, background: Boolean(step.background) });
        if (step.background) {
          background.set(step.background, { ...h, label });
          continue;
        }
        out = await h.done;
        // A followed log is stopped as Ctrl-C would; that is how the reader leaves it.
        if (out.stopped && out.signal === "SIGINT") out.code = 0;
      }
    }
    if (missing.size) {
      failures.push({ command: label, code: "not run", output: `needs ${[...missing].join(", ")}, which an earlier step did not yield` });
      continue;
    }
    const text = `${out.stdout}${out.stderr}`;
    if (process.env.BENCH_TUTORIALS_LOG) appendFileSync(process.env.BENCH_TUTORIALS_LOG, `\n### ${t.id} $ ${label}  (exit ${out.code})${step.note ? `  [${step.note}]` : ""}\n${text}`);
    const expect = typeof step.expect === "string" ? subst(step.expect, vars, new Set()) : step.expect;
    const shown = matches(expect, text);
    // A failure counts as the tutorial's own only when it also looks as the tutorial shows it.
    if (out.code !== 0) failures.push({ command: label, code: out.code, output: text.trim().slice(0, 2000), expected: shown ? step.fails : undefined });
    if (!shown) mismatches.push({ command: label, expected: String(expect), output: text.trim().slice(0, 2000) });
    for (const [k, re] of Object.entries(step.capture ?? {})) {
      // Read line by line, as a reader scans a table.
      const m = new RegExp(re.source, re.flags.includes("m") ? re.flags : `${re.flags}m`).exec(out.stdout.replace(/\r/g, ""));
      if (m) vars[k] = m[1];
    }
  }
  for (const [, h] of background) {
    h.stop();
    await h.done;
  }
  const wallMs = performance.now() - t0;
  const after = cost(await api(`${svc}/stats`));
  const hours = await twoHours(svc);
  await api(svc, { method: "DELETE", headers: { authorization: `Bearer ${sb.ownerToken}` } }).catch(() => {});
  const kubectlRuns = kubectlCount(countFile);
  rmSync(dir, { recursive: true, force: true });
  return {
    id: t.id,
    title: t.title,
    kubectl: kubectlRuns,
    shell: shellCommands,
    replay: { ...delta(before, after), wallMs: Math.round(wallMs) },
    ...hours,
    failures,
    mismatches,
    skipped: t.skipped,
  };
}

/**
 * The hour after the flow (events it made expiring, pods still working), then one more: the settled
 * hour. The clock is paused first so that only the advances run the sandbox, not wall time passing
 * while they do; each advance stores the clock, one statement and one row of its own.
 */
async function twoHours(svc) {
  await post(`${svc}/clock`, { paused: true });
  const a = cost(await api(`${svc}/stats`));
  let t0 = performance.now();
  await post(`${svc}/clock`, { advanceSeconds: 3600 });
  const firstMs = Math.round(performance.now() - t0);
  const b = cost(await api(`${svc}/stats`));
  t0 = performance.now();
  const clock = await post(`${svc}/clock`, { advanceSeconds: 3600 });
  const secondMs = Math.round(performance.now() - t0);
  const stats = await api(`${svc}/stats`);
  const nextWakeupInSeconds = stats.nextWakeup == null ? null : Math.round((stats.nextWakeup - Date.parse(clock.now)) / 1000);
  return { nextHour: { ...delta(a, b), advanceMs: firstMs }, settledHour: { ...delta(b, cost(stats)), advanceMs: secondMs, nextWakeupInSeconds, objects: stats.objects } };
}

/** An untouched sandbox over the same two hours: the floor. */
async function idleSandbox(baseUrl) {
  const sb = await post(`${baseUrl}/api/sandboxes`);
  const svc = `${baseUrl}/api/sandboxes/${sb.id}`;
  const hours = await twoHours(svc);
  await api(svc, { method: "DELETE", headers: { authorization: `Bearer ${sb.ownerToken}` } }).catch(() => {});
  return { id: "idle", title: "a fresh sandbox, no commands", kubectl: 0, shell: 0, replay: null, ...hours, failures: [], mismatches: [], skipped: [] };
}

/** Replays every seed tutorial (or those in TUTORIALS=000,003) against a running server. */
export async function tutorialBench(baseUrl) {
  const only = process.env.TUTORIALS?.split(",").map((s) => s.trim());
  const results = [await idleSandbox(baseUrl)];
  for (const t of TUTORIALS) {
    if (only && !only.includes(t.id)) continue;
    results.push(await replayTutorial(baseUrl, t));
  }
  return { kubectlVersion: KUBECTL_VERSION, tutorials: results };
}

export function printTutorials({ kubectlVersion, tutorials }) {
  console.log(`\nseed tutorials replayed with kubectl ${kubectlVersion}, each in a fresh sandbox (clock at wall pace, advanced where the tutorial waits)`);
  const r3 = (x) => `${x.statements}/${x.rows}/${x.wakeups}${x.skippedMs ? "+skip" : ""}${x.reset ? "*" : ""}`;
  const head = ["tutorial", "kubectl", "shell", "failed", "≠ shown", "D1 stmts", "rows", "alarms fired/armed", "wall ms", "next hour", "settled hour", "next wake-up"];
  const rows = tutorials.map((r) => {
    const known = r.failures.filter((f) => f.expected).length;
    return [
      r.id,
      String(r.kubectl),
      String(r.shell),
      `${r.failures.length - known}${known ? ` (+${known})` : ""}`,
      String(r.mismatches.length),
      r.replay ? String(r.replay.statements) : "—",
      r.replay ? String(r.replay.rows) : "—",
      r.replay ? `${r.replay.fired}/${r.replay.armed}` : "—",
      r.replay ? String(r.replay.wallMs) : "—",
      r3(r.nextHour),
      r3(r.settledHour),
      r.settledHour.nextWakeupInSeconds == null ? "none" : `in ${r.settledHour.nextWakeupInSeconds} s`,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join("  ");
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  console.log("hours: D1 statements/rows written/wake-ups, clock paused and advanced 3600 s (each advance stores the clock: 1/1 is the floor); failed (+n): failures the tutorial itself shows; * counters restarted");
  for (const r of tutorials) {
    for (const f of r.failures) {
      const m = r.mismatches.find((x) => x.command === f.command);
      console.log(`\n${r.id} ${f.expected ? "fails as in the tutorial" : "FAILED"} (exit ${f.code}): ${f.command}${f.expected ? ` — ${f.expected}` : ""}${m ? `\n  the tutorial shows ${m.expected}` : ""}\n${indent(f.output)}`);
    }
    for (const m of r.mismatches) {
      if (r.failures.some((f) => f.command === m.command)) continue;
      console.log(`\n${r.id} output differs from the tutorial: ${m.command}\n  expected ${m.expected}\n${indent(m.output)}`);
    }
  }
}

const indent = (s) =>
  s
    .split("\n")
    .slice(0, 25)
    .map((l) => `    ${l}`)
    .join("\n");

/** A free port in 8840–8859 on loopback. */
async function freePort() {
  for (let port = 8840; port <= 8859; port++) {
    const free = await new Promise((resolve) => {
      const s = net.createServer();
      s.once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port in 8840–8859");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { startServer } = await import("./dev-server.mjs");
  // The benchmark vars of scripts/bench.mjs: no rate limits or object counts in the way.
  const vars = { RATE_SANDBOX_RPS: "0", RATE_CLIENT_RPS: "0", MAX_OBJECTS: "0", MAX_PODS: "0" };
  const persistTo = mkdtempSync(path.join(tmpdir(), "kubeplay-bench-tutorials-"));
  const server = await startServer({ port: await freePort(), persistTo, vars, inspector: false });
  try {
    const results = await tutorialBench(server.url);
    if (process.argv.includes("--json")) console.log(JSON.stringify(results, null, 2));
    else printTutorials(results);
  } finally {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}
