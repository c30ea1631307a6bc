// Container logs as the kubelet reads them: the process model's output up to virtual now (every
// turn of an endless loop), access-log lines for the probes a web server answered, tail/since/
// timestamps, previous instances rebuilt from their terminated state, the kubelet's refusals in
// upstream wording, and log rotation at 10 MiB.
import type { Pod } from "kubernetes-types/core/v1";
import { describe, expect, it } from "vitest";
import { fileStart, formatEntries, logContainerID, openContainerLog, readLog, readOnlyContext, type ContainerLog, type ReadOptions } from "../../../worker/kubelet/logs";
import { CONTAINERS } from "../../../worker/kubelet/record";
import { onSettled } from "../../../worker/sandbox/engine";
import { START, TestCluster } from "../../cluster";
import { container, get, pod, row } from "./helpers";

type LogOptions = ReadOptions & { container?: string; previous?: boolean; timestamps?: boolean };

function open(cluster: TestCluster, name: string, opts: LogOptions = {}, namespace = "default"): ContainerLog | string {
  const p = get(cluster, name, namespace)!;
  const c = opts.container ?? p.spec!.containers[0].name;
  const target = logContainerID(p, c, opts.previous ?? false);
  if ("error" in target) return target.error;
  const node = cluster.store.get("/nodes", "", p.spec!.nodeName!)!;
  return openContainerLog(readOnlyContext(cluster.store, cluster.clock.now()), p as never, node, c, target.id)!;
}

/** What `kubectl logs` prints now, or the kubelet's refusal. */
function logs(cluster: TestCluster, name: string, opts: LogOptions = {}, namespace = "default"): string {
  const log = open(cluster, name, opts, namespace);
  if (typeof log === "string") return `error: ${log}`;
  return formatEntries(readLog(log, cluster.clock.now(), opts).entries, opts.timestamps ?? false);
}

const lines = (s: string) => s.split("\n").filter((l) => l !== "");
const at = (seconds: number) => START + seconds * 1000;
const sh = (script: string) => ({ command: ["sh", "-c", script] });

const NGINX_START = [
  "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
  "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
  "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
  "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
  "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
  "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
  "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
  "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
  "/docker-entrypoint.sh: Configuration complete; ready for start up",
];

describe("container logs: what the process printed", () => {
  it("stdout and stderr in time order, up to virtual now", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("talk", { containers: [container("c", "busybox:1.36", sh("echo one; sleep 2; echo two >&2; sleep 2; echo three"))] }));
    await cluster.advance(4);
    expect(logs(cluster, "talk")).toBe("one\ntwo\n");
    await cluster.advance(2);
    expect(logs(cluster, "talk")).toBe("one\ntwo\nthree\n");
  });

  it("nginx: the entrypoint's lines on stdout, then nginx's notices on stderr", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("web", { containers: [container("web", "nginx")] }));
    await cluster.advance(5);
    const out = lines(logs(cluster, "web"));
    expect(out.slice(0, 9)).toEqual(NGINX_START);
    expect(out.slice(9)).toEqual([
      '2026/01/01 00:00:03 [notice] 1#1: using the "epoll" event method',
      "2026/01/01 00:00:03 [notice] 1#1: nginx/1.27.3",
      "2026/01/01 00:00:03 [notice] 1#1: built by gcc 12.2.0 (Debian 12.2.0-14)",
      "2026/01/01 00:00:03 [notice] 1#1: OS: Linux 5.15.0-119-generic",
      "2026/01/01 00:00:03 [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576",
      "2026/01/01 00:00:03 [notice] 1#1: start worker processes",
      "2026/01/01 00:00:03 [notice] 1#1: start worker process 29",
      "2026/01/01 00:00:03 [notice] 1#1: start worker process 30",
    ]);
  });

  it("an endless loop prints every turn, not just the first", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("counter", { containers: [container("count", "busybox:1.36", sh('i=0; while true; do echo "$i: $(date)"; i=$((i+1)); sleep 1; done'))] }));
    await cluster.advance(12);
    const out = lines(logs(cluster, "counter"));
    expect(out.length).toBeGreaterThanOrEqual(9);
    expect(out.slice(0, 3)).toEqual(["0: Thu Jan  1 00:00:01 UTC 2026", "1: Thu Jan  1 00:00:02 UTC 2026", "2: Thu Jan  1 00:00:03 UTC 2026"]);
    // A follower is told when to look again: the next line, or where the re-run stopped.
    const log = open(cluster, "counter") as ContainerLog;
    expect(log.nextAfter(at(12))).toBe(at(12.454));
    expect(log.nextAfter(at(3600))).toBeDefined();
    await cluster.advance(3600);
    const later = lines(logs(cluster, "counter", { tailLines: 2 }));
    const n = Number(later[1].split(":")[0]);
    expect(n).toBeGreaterThan(3600);
    expect(later[0]).toMatch(new RegExp(`^${n - 1}: Thu Jan  1 01:00:`));
  });

  it("the log of a container that ended stops at its exit", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("job", { restartPolicy: "Never", containers: [container("c", "busybox:1.36", sh("echo start; sleep 3; echo done"))] }));
    await cluster.advance(30);
    expect(row(cluster, "job").status).toBe("Completed");
    expect(logs(cluster, "job")).toBe("start\ndone\n");
    const log = open(cluster, "job") as ContainerLog;
    expect(log.end).toBeLessThan(at(30));
  });

  it("init containers have logs of their own", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("app", { initContainers: [container("setup", "busybox:1.36", sh("echo preparing; echo ready"))], containers: [container("web", "nginx")] }));
    await cluster.advance(10);
    expect(logs(cluster, "app", { container: "setup" })).toBe("preparing\nready\n");
  });

  it("a pod found running at bootstrap shows what its container printed at its start", async () => {
    const cluster = await TestCluster.create();
    const dns = cluster.pods("kube-system").find((p) => p.metadata.name?.startsWith("coredns-"))!;
    expect(lines(logs(cluster, dns.metadata.name!, {}, "kube-system")).slice(0, 3)).toEqual([
      ".:53",
      "[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908",
      "CoreDNS-1.11.3",
    ]);
  });
});

describe("container logs: tail, since, timestamps", () => {
  async function counter(): Promise<TestCluster> {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("counter", { containers: [container("count", "busybox:1.36", sh('i=0; while true; do echo "line $i"; i=$((i+1)); sleep 1; done'))] }));
    await cluster.advance(10.5);
    return cluster;
  }

  it("a loop printing every second still has every line after three virtual hours", async () => {
    const cluster = await counter();
    await cluster.advance(3 * 3600);
    const all = lines(logs(cluster, "counter"));
    expect(all).toHaveLength(10 + 3 * 3600);
    expect(all.at(-1)).toBe(`line ${10 + 3 * 3600 - 1}`);
  });

  it("tailLines keeps the last lines; 0 keeps none", async () => {
    const cluster = await counter();
    const all = lines(logs(cluster, "counter"));
    expect(all).toHaveLength(10);
    expect(logs(cluster, "counter", { tailLines: 3 })).toBe("line 7\nline 8\nline 9\n");
    expect(logs(cluster, "counter", { tailLines: 0 })).toBe("");
    expect(lines(logs(cluster, "counter", { tailLines: 100 }))).toEqual(all);
  });

  it("since drops earlier lines, after the tail was taken from the file", async () => {
    const cluster = await counter();
    // "line 0" is printed at 1.45 s (busybox pulled and started), one line a second after.
    expect(logs(cluster, "counter", { since: at(8) })).toBe("line 7\nline 8\nline 9\n");
    expect(logs(cluster, "counter", { since: at(4), tailLines: 2 })).toBe("line 8\nline 9\n");
    expect(logs(cluster, "counter", { since: at(9), tailLines: 5 })).toBe("line 8\nline 9\n");
  });

  it("timestamps: RFC 3339 with nine fractional digits, at the virtual time each line was written", async () => {
    const cluster = await counter();
    const out = lines(logs(cluster, "counter", { timestamps: true }));
    const first = /^(2026-01-01T00:00:(\d\d)\.(\d{9})Z) line 0$/.exec(out[0]);
    expect(first).not.toBeNull();
    const stamps = out.map((l) => l.split(" ")[0]);
    for (let i = 0; i < stamps.length; i++) {
      const ms = Date.parse(stamps[i]);
      expect(ms - Date.parse(stamps[0])).toBe(i * 1000);
    }
    // Reading again gives the very same stamps.
    expect(lines(logs(cluster, "counter", { timestamps: true }))).toEqual(out);
  });

  it("lines printed at once keep their order, with increasing nanoseconds", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("web", { containers: [container("web", "nginx")] }));
    await cluster.advance(5);
    const out = lines(logs(cluster, "web", { timestamps: true }));
    expect(out.map((l) => l.slice(l.indexOf(" ") + 1)).slice(0, 9)).toEqual(NGINX_START);
    const stamps = out.map((l) => l.split(" ")[0]);
    expect([...stamps].sort()).toEqual(stamps);
    expect(new Set(stamps).size).toBe(stamps.length);
  });
});

describe("container logs: requests the server answered", () => {
  it("nginx logs each readiness probe in its main format, from the node's bridge address", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("web", { containers: [container("web", "nginx", { readinessProbe: { httpGet: { path: "/", port: 80 }, periodSeconds: 5 } })] }));
    await cluster.advance(20);
    const access = lines(logs(cluster, "web", { timestamps: true })).filter((l) => l.includes("kube-probe"));
    // Started at 3.202 s; the prober's first tick a second later, then every 5 s.
    expect(access.map((l) => l.replace(/^(\S+?)\.\d{9}Z /, "$1 "))).toEqual([
      '2026-01-01T00:00:04 10.244.1.1 - - [01/Jan/2026:00:00:04 +0000] "GET / HTTP/1.1" 200 615 "-" "kube-probe/1.32" "-"',
      '2026-01-01T00:00:09 10.244.1.1 - - [01/Jan/2026:00:00:09 +0000] "GET / HTTP/1.1" 200 615 "-" "kube-probe/1.32" "-"',
      '2026-01-01T00:00:14 10.244.1.1 - - [01/Jan/2026:00:00:14 +0000] "GET / HTTP/1.1" 200 615 "-" "kube-probe/1.32" "-"',
      '2026-01-01T00:00:19 10.244.1.1 - - [01/Jan/2026:00:00:19 +0000] "GET / HTTP/1.1" 200 615 "-" "kube-probe/1.32" "-"',
    ]);
    // A probe that keeps passing costs no write: the lines come from the schedule.
    const record = cluster.store.get(CONTAINERS, "default", "web");
    await cluster.advance(3600);
    expect(cluster.store.get(CONTAINERS, "default", "web")).toBe(record);
    expect(lines(logs(cluster, "web")).filter((l) => l.includes("kube-probe"))).toHaveLength(724);
  });

  it("each server in its own format: httpd common, python's http.server, hello-app", async () => {
    const cluster = await TestCluster.create();
    const probe = (port: number, path = "/") => ({ readinessProbe: { httpGet: { path, port }, periodSeconds: 10 } });
    await cluster.apply(pod("httpd", { containers: [container("c", "httpd:2.4", probe(80))] }));
    await cluster.apply(pod("py", { containers: [container("c", "python:3.13", { command: ["python", "-m", "http.server", "8000"], ...probe(8000, "/missing") })] }));
    await cluster.apply(pod("hello", { containers: [container("c", "us-docker.pkg.dev/google-samples/containers/gke/hello-app:1.0", probe(8080, "/healthz?x=1"))] }));
    await cluster.advance(40);
    const last = (name: string, n = 1) => lines(logs(cluster, name)).slice(-n);
    expect(last("httpd")[0]).toMatch(/^10\.244\.1\.\d+ - - \[01\/Jan\/2026:00:00:\d\d \+0000\] "GET \/ HTTP\/1\.1" 200 45$/);
    expect(last("py", 2)[0]).toMatch(/^10\.244\.1\.1 - - \[01\/Jan\/2026 00:00:\d\d\] code 404, message File not found$/);
    expect(last("py", 2)[1]).toMatch(/^10\.244\.1\.1 - - \[01\/Jan\/2026 00:00:\d\d\] "GET \/missing HTTP\/1\.1" 404 -$/);
    expect(last("hello")[0]).toMatch(/^2026\/01\/01 00:00:\d\d Serving request: \/healthz$/);
  });

  it("a hostNetwork pod is probed from the node's own address", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("hn", { hostNetwork: true, containers: [container("web", "nginx", { readinessProbe: { httpGet: { port: 80 }, periodSeconds: 10 } })] }));
    await cluster.advance(10);
    expect(lines(logs(cluster, "hn")).at(-1)).toMatch(/^192\.168\.1\.11 - - .* "GET \/ HTTP\/1\.1" 200 615 "-" "kube-probe\/1\.32" "-"$/);
  });

  it("no request reaches a server that is not listening yet, and tcp/exec probes log nothing", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("slow", { containers: [container("web", "nginx", { readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 1 }, livenessProbe: { exec: { command: ["true"] } } })] }));
    await cluster.advance(30);
    expect(lines(logs(cluster, "slow"))).toHaveLength(17);
  });
});

describe("container logs: previous instances and the kubelet's refusals", () => {
  it("a liveness probe failing on 404: three access lines, the kill, and -p rebuilds the same log", async () => {
    const cluster = await TestCluster.create();
    const liveness = { httpGet: { path: "/healthz", port: 80 }, periodSeconds: 5 };
    await cluster.apply(pod("web", { containers: [container("web", "nginx", { livenessProbe: liveness })] }));
    // Started at 3.202 s; probed at 4.2, 9.2 and 14.2 s; killed then, nginx exits 100 ms later.
    await cluster.advance(15);
    expect(row(cluster, "web").restarts).toBe("0");
    const before = logs(cluster, "web", { timestamps: true });
    const access = lines(before).filter((l) => l.includes("kube-probe"));
    expect(access).toHaveLength(3);
    expect(access[2]).toMatch(/ 10\.244\.1\.1 - - \[01\/Jan\/2026:00:00:14 \+0000\] "GET \/healthz HTTP\/1\.1" 404 153 "-" "kube-probe\/1\.32" "-"$/);
    expect(logs(cluster, "web", { previous: true })).toBe('error: previous terminated container "web" in pod "web" not found');
    await cluster.advance(5);
    expect(row(cluster, "web").restarts).toMatch(/^1/);
    expect(logs(cluster, "web", { previous: true, timestamps: true })).toBe(before);
    expect(lines(logs(cluster, "web")).slice(0, 9)).toEqual(NGINX_START);
    // The second instance's own first probe.
    await cluster.advance(10);
    expect(lines(logs(cluster, "web")).filter((l) => l.includes("kube-probe")).length).toBeGreaterThanOrEqual(1);
  });

  it("-p replays the previous instance's probes: postStart, then startup, then liveness", async () => {
    const cluster = await TestCluster.create();
    const spec = {
      lifecycle: { postStart: { exec: { command: ["sh", "-c", "sleep 2"] } } },
      startupProbe: { httpGet: { path: "/", port: 80 }, periodSeconds: 2 },
      livenessProbe: { httpGet: { path: "/healthz", port: 80 }, periodSeconds: 5 },
    };
    await cluster.apply(pod("web", { containers: [container("web", "nginx", spec)] }));
    // Started at 3.202 s, postStart until 5.202; startup passes at 6.202; liveness fails at 7.2, 12.2
    // and 17.2 s, which kills it; it restarts at 18.3 s.
    await cluster.advance(18);
    const before = logs(cluster, "web", { timestamps: true });
    const access = lines(before).filter((l) => l.includes("kube-probe")).map((l) => l.replace(/^.*\[(\S+) \+0000\] "GET (\S+) .*" (\d+) \d+ .*$/, "$1 $2 $3"));
    expect(access).toEqual(["01/Jan/2026:00:00:06 / 200", "01/Jan/2026:00:00:07 /healthz 404", "01/Jan/2026:00:00:12 /healthz 404", "01/Jan/2026:00:00:17 /healthz 404"]);
    await cluster.advance(4);
    expect(row(cluster, "web").restarts).toMatch(/^1/);
    expect(logs(cluster, "web", { previous: true, timestamps: true })).toBe(before);
  });

  it("CrashLoopBackOff: logs shows the last run; -p the one before", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("crash", { containers: [container("c", "busybox:1.36", sh('echo "run at $(date +%S)"; exit 3'))] }));
    await cluster.advance(5);
    expect(row(cluster, "crash").status).toBe("CrashLoopBackOff");
    const first = logs(cluster, "crash");
    expect(first).toMatch(/^run at \d\d\n$/);
    expect(logs(cluster, "crash", { previous: true })).toBe(first);
    await cluster.advance(15);
    const second = logs(cluster, "crash");
    expect(second).not.toBe(first);
    expect(logs(cluster, "crash", { previous: true })).toBe(second);
  });

  it("a container not started yet: the waiting reason", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("web", { containers: [container("web", "nginx")] }));
    await cluster.advance(1);
    expect(logs(cluster, "web")).toBe('error: container "web" in pod "web" is waiting to start: ContainerCreating');
    await cluster.apply(pod("bad", { containers: [container("web", "nginx:1.999")] }));
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      await cluster.advance(1);
      seen.add(logs(cluster, "bad"));
    }
    expect([...seen]).toEqual(
      expect.arrayContaining([
        'error: container "web" in pod "bad" is waiting to start: image can\'t be pulled',
        'error: container "web" in pod "bad" is waiting to start: trying and failing to pull image',
      ]),
    );
  });

  it("a container the kubelet has not reported yet is not available", () => {
    const p = { metadata: { name: "web" }, spec: { containers: [{ name: "web" }] }, status: {} } as Pod;
    expect(logContainerID(p, "web", false)).toEqual({ error: 'container "web" in pod "web" is not available' });
  });
});

describe("the settled hook followed logs wake on", () => {
  it("runs after every settled reconcile, at each stop of an advance, until unsubscribed", async () => {
    const cluster = await TestCluster.create();
    const seen: number[] = [];
    const off = onSettled(cluster.store, () => seen.push(cluster.clock.now() - START));
    await cluster.apply(pod("web", { containers: [container("web", "nginx")] }));
    expect(seen).toEqual([0]);
    await cluster.advance(5);
    // The pull and the start are wake-ups on the way; the advance ends at 5 s.
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.at(-1)).toBe(5000);
    off();
    await cluster.advance(5);
    expect(seen.at(-1)).toBe(5000);
  });
});

describe("container logs: rotation", () => {
  it("the log manager rotates at 10 MiB: only lines since the last rotation are read", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("web", { containers: [container("web", "nginx", { readinessProbe: { httpGet: { path: "/", port: 80 }, periodSeconds: 1 } })] }));
    await cluster.advance(30 * 3600);
    const log = open(cluster, "web") as ContainerLog;
    const now = cluster.clock.now();
    const read = readLog(log, now, {}).entries;
    // 17 start-up lines, then an access line every second from 4.202 s; a file line is the text plus 41 bytes.
    const accessBytes = read[0].text.length + 41;
    const startBytes = log.bytesUpTo(at(4));
    const ticks = Math.ceil((10 * 1024 * 1024 - startBytes) / accessBytes);
    const full = at(4.202) + (ticks - 1) * 1000;
    // The next check of the log manager (every 10 s) rotates the file.
    const rotated = Math.ceil(full / 10_000) * 10_000;
    expect(rotated).toBeGreaterThan(at(20 * 3600));
    expect(fileStart(log, now)).toBe(rotated);
    expect(read[0].at).toBe(rotated + 202);
    expect(read.every((e) => e.text.includes("kube-probe"))).toBe(true);
    expect(read).toHaveLength(Math.floor((now - read[0].at) / 1000) + 1);
  });
});
