// Access-log lines for requests sent through the network by commands (curl, wget in kubectl exec):
// the serving container logs each in its image's format, from the address it saw, with the client's
// User-Agent, at the virtual time it was answered; the newest MAX_SERVED are kept, with the command.
import type { Pod } from "kubernetes-types/core/v1";
import { describe, expect, it } from "vitest";
import { ControllerRuntime } from "../../../worker/controllers/runtime";
import type { Runner } from "../../../worker/kubelet/exec";
import { ExecSession, type SessionEnd } from "../../../worker/kubelet/exec-session";
import { formatEntries, logContainerID, openContainerLog, readLog, readOnlyContext } from "../../../worker/kubelet/logs";
import { MAX_SERVED, servedChanges } from "../../../worker/kubelet/served";
import { CONTAINERS, type PodRuntime } from "../../../worker/kubelet/record";
import { journalServed } from "../../../worker/network/memory";
import { TestCluster } from "../../cluster";
import { container, get, pod } from "./helpers";

/** Steps as the exec endpoint runs them: the journal open for the step, its records committed with it. */
function runner(cluster: TestCluster, journal = true): Runner {
  return async (step) => {
    const rt = new ControllerRuntime(cluster.store, cluster.clock, cluster.rng);
    const j = journal ? journalServed(cluster.rng) : undefined;
    let r;
    try {
      r = step(rt);
    } finally {
      j?.close();
    }
    for (const change of servedChanges(rt, rt.now(), j?.served ?? [])) rt.emit(change);
    if (rt.changes.length) {
      await cluster.store.commit(rt.changes);
      await cluster.settle();
    }
    return r;
  };
}

async function exec(cluster: TestCluster, podName: string, script: string, journal = true, container = "c"): Promise<{ out: string; end?: SessionEnd }> {
  const r: { out: string; end?: SessionEnd } = { out: "" };
  const io = { write: (s: "stdout" | "stderr", t: string) => void (s === "stdout" && (r.out += t)), end: (e: SessionEnd) => void (r.end = e) };
  const target = { namespace: "default", pod: podName, container };
  await new ExecSession({ target, command: ["sh", "-c", script], stdin: false, tty: false }, runner(cluster, journal), io).start();
  return r;
}

function logs(cluster: TestCluster, name: string, previous = false, maxFileBytes?: number): string[] {
  const p = get(cluster, name)!;
  const c = p.spec!.containers[0].name;
  const target = logContainerID(p, c, previous);
  if ("error" in target) return [`error: ${target.error}`];
  const node = cluster.store.get("/nodes", "", p.spec!.nodeName!)!;
  const log = openContainerLog(readOnlyContext(cluster.store, cluster.clock.now()), p as never, node, c, target.id)!;
  return formatEntries(readLog(log, cluster.clock.now(), { maxFileBytes }).entries, false)
    .split("\n")
    .filter((l) => (l.includes('"GET') || l.includes('"HEAD') || l.includes('"POST')) && !l.includes("kube-probe"));
}

const SERVICE = { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "default" }, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } };

async function cluster(): Promise<{ cluster: TestCluster; client: string; web: string }> {
  const cluster = await TestCluster.create();
  const web = pod("web", { containers: [container("web", "nginx:1.25.1", { ports: [{ containerPort: 80 }] })] }, "k8s-node2");
  web.metadata.labels = { app: "web" };
  await cluster.apply(web);
  await cluster.apply(SERVICE);
  await cluster.apply(pod("client", { containers: [container("c", "busybox:1.36", { command: ["sleep", "3600"] })] }));
  await cluster.apply(pod("curler", { containers: [container("c", "curlimages/curl:8.5.0", { command: ["sleep", "3600"] })] }));
  await cluster.advance(30);
  return { cluster, client: get(cluster, "client")!.status!.podIP!, web: get(cluster, "web")!.status!.podIP! };
}

describe("requests commands send appear in the serving container's log", () => {
  it("wget from a pod through a Service: nginx's main format, the client pod's address, BusyBox's User-Agent", async () => {
    const { cluster: c, client } = await cluster();
    expect(logs(c, "web")).toEqual([]);
    const r = await exec(c, "client", "wget -qO- http://web >/dev/null; wget -qO- http://web/missing");
    expect(r.end).toEqual({ code: 1 });
    const stamp = /\[(\d\d\/Jan\/2026:\d\d:\d\d:\d\d) \+0000\]/.exec(logs(c, "web")[0])![1];
    expect(logs(c, "web")).toEqual([
      `${client} - - [${stamp} +0000] "GET / HTTP/1.1" 200 615 "-" "Wget" "-"`,
      `${client} - - [${stamp} +0000] "GET /missing HTTP/1.1" 404 153 "-" "Wget" "-"`,
    ]);
  });

  it("curl's own User-Agent and method; a HEAD's answer has no body", async () => {
    const { cluster: c } = await cluster();
    const curler = get(c, "curler")!.status!.podIP!;
    await exec(c, "curler", "curl -s http://web.default.svc.cluster.local/ >/dev/null; curl -sI http://web/ >/dev/null");
    expect(logs(c, "web").map((l) => l.replace(/\[.*?\]/, "[t]"))).toEqual([
      `${curler} - - [t] "GET / HTTP/1.1" 200 615 "-" "curl/8.5.0" "-"`,
      `${curler} - - [t] "HEAD / HTTP/1.1" 200 0 "-" "curl/8.5.0" "-"`,
    ]);
  });

  it("stamped at the virtual time the request was answered, shown once the clock gets there", async () => {
    const { cluster: c } = await cluster();
    const before = c.clock.now();
    await exec(c, "client", "sleep 20; wget -qO- http://web >/dev/null");
    expect(logs(c, "web")).toEqual([]);
    await c.advance(21);
    const line = logs(c, "web")[0];
    const at = new Date(before + 20_000);
    expect(line).toContain(`[01/Jan/2026:00:${String(at.getUTCMinutes()).padStart(2, "0")}:${String(at.getUTCSeconds()).padStart(2, "0")} +0000]`);
  });

  it("only the newest MAX_SERVED are kept, in one write with the command", async () => {
    const { cluster: c } = await cluster();
    await exec(c, "client", `i=0; while [ $i -lt ${MAX_SERVED + 20} ]; do wget -qO- http://web/?n=$i >/dev/null; i=$((i+1)); done`);
    const served = logs(c, "web");
    expect(served).toHaveLength(MAX_SERVED);
    expect(served[0]).toContain(`"GET /?n=20 HTTP/1.1"`);
    expect(served[MAX_SERVED - 1]).toContain(`"GET /?n=${MAX_SERVED + 19} HTTP/1.1"`);
    const rec = c.store.get(CONTAINERS, "default", "web") as PodRuntime;
    expect(rec.containers[0].served).toHaveLength(MAX_SERVED);
    // They count towards the log file's size: past the limit, the log manager's next check rotates them away.
    await c.advance(20);
    expect(logs(c, "web", false, 1_000_000)).toHaveLength(MAX_SERVED);
    expect(logs(c, "web", false, 8_000)).toEqual([]);
  });

  it("nothing is written when no journal is open, and a pass of the cluster writes nothing more", async () => {
    const { cluster: c } = await cluster();
    const record = c.store.get(CONTAINERS, "default", "web");
    await exec(c, "client", "wget -qO- http://web >/dev/null", false);
    expect(c.store.get(CONTAINERS, "default", "web")).toBe(record);
    expect(logs(c, "web")).toEqual([]);
    await exec(c, "client", "wget -qO- http://web >/dev/null");
    const kept = c.store.get(CONTAINERS, "default", "web");
    await c.advance(3600);
    expect(c.store.get(CONTAINERS, "default", "web")).toBe(kept);
    expect(logs(c, "web")).toHaveLength(1);
  });

  it("a server that keeps no access log (kubernetes-bootcamp) costs no write", async () => {
    const { cluster: c } = await cluster();
    await c.apply(pod("bootcamp", { containers: [container("app", "gcr.io/google-samples/kubernetes-bootcamp:v1", { ports: [{ containerPort: 8080 }] })] }));
    await c.advance(30);
    const ip = get(c, "bootcamp")!.status!.podIP!;
    const record = c.store.get(CONTAINERS, "default", "bootcamp");
    const r = await exec(c, "client", `wget -qO- http://${ip}:8080/`);
    expect(r.out).toContain("Hello Kubernetes bootcamp!");
    expect(c.store.get(CONTAINERS, "default", "bootcamp")).toBe(record);
  });

  it("after a restart they stay with the instance that answered them: kubectl logs -p shows them", async () => {
    const { cluster: c, client } = await cluster();
    const live = pod("live", { containers: [container("web", "nginx:1.25.1", { livenessProbe: { exec: { command: ["sh", "-c", "test ! -e /tmp/die"] }, periodSeconds: 1, failureThreshold: 1 } })] }, "k8s-node2");
    await c.apply(live);
    await c.advance(30);
    const liveIP = get(c, "live")!.status!.podIP!;
    await exec(c, "client", `wget -qO- http://${liveIP}/before >/dev/null`);
    await exec(c, "live", "touch /tmp/die", true, "web");
    await c.advance(40);
    expect(get(c, "live")!.status!.containerStatuses![0].restartCount).toBe(1);
    expect(logs(c, "live")).toEqual([]);
    expect(logs(c, "live", true).map((l) => l.replace(/\[.*?\]/, "[t]"))).toEqual([`${client} - - [t] "GET /before HTTP/1.1" 404 153 "-" "Wget" "-"`]);
    await exec(c, "client", `wget -qO- http://${liveIP}/after >/dev/null`);
    expect(logs(c, "live").map((l) => l.replace(/\[.*?\]/, "[t]"))).toEqual([`${client} - - [t] "GET /after HTTP/1.1" 404 153 "-" "Wget" "-"`]);
    expect(logs(c, "live", true)).toHaveLength(1);
  });

  it("each is kept for the container instance that answered it", async () => {
    const { cluster: c } = await cluster();
    await exec(c, "client", "wget -qO- http://web >/dev/null");
    const rec = c.store.get(CONTAINERS, "default", "web") as PodRuntime;
    expect(rec.containers[0].served?.[0].id).toBe(rec.containers[0].current!.id);
    expect((get(c, "web") as Pod).status!.containerStatuses![0].containerID).toContain(rec.containers[0].current!.id);
  });
});

describe("requests from in-cluster load loops appear in the server's log, from their pace", () => {
  const PHP = { name: "php-apache", image: "registry.k8s.io/hpa-example", ports: [{ containerPort: 80 }], resources: { limits: { cpu: "500m" }, requests: { cpu: "200m" } } };
  const LOAD = ["/bin/sh", "-c", "while sleep 0.01; do wget -q -O- http://php-apache; done"];

  async function walkthrough(): Promise<TestCluster> {
    const c = await TestCluster.create();
    const php = pod("php", { containers: [PHP] }, "k8s-node2");
    php.metadata.labels = { run: "php-apache" };
    await c.apply(php);
    await c.apply({ apiVersion: "v1", kind: "Service", metadata: { name: "php-apache", namespace: "default" }, spec: { selector: { run: "php-apache" }, ports: [{ port: 80 }] } });
    await c.advance(20);
    await c.apply(pod("load-generator", { containers: [container("c", "busybox:1.28", { command: LOAD })] }));
    await c.advance(10);
    return c;
  }

  it("the HPA walkthrough's load generator: php-apache logs its wget requests, as many as it can serve", async () => {
    const c = await walkthrough();
    const client = get(c, "load-generator")!.status!.podIP!;
    const first = logs(c, "php");
    expect(first.length).toBeGreaterThan(0);
    expect(first[0]).toMatch(new RegExp(`^${client.replace(/\./g, "\\.")} - - \\[01/Jan/2026:00:00:\\d\\d \\+0000\\] "GET / HTTP/1\\.1" 200 \\d+ "-" "Wget"$`));
    // Limited to 500m at 25 ms a request, one pod serves 20 requests a second: a minute more adds about 1,200 lines.
    await c.advance(60);
    const later = logs(c, "php").length;
    expect(later - first.length).toBeGreaterThan(1100);
    expect(later - first.length).toBeLessThan(1300);
    // Earlier lines stay as they were.
    expect(logs(c, "php").slice(0, first.length)).toEqual(first);
  });

  it("a second endpoint takes half the requests from when it is Ready; the lines before stay", async () => {
    const c = await walkthrough();
    const before = logs(c, "php");
    const php2 = pod("php2", { containers: [PHP] }, "k8s-node1");
    php2.metadata.labels = { run: "php-apache" };
    await c.apply(php2);
    await c.advance(10);
    const t = c.clock.now();
    await c.advance(60);
    expect(logs(c, "php").slice(0, before.length)).toEqual(before);
    // The loop wants 27 a second (37 ms a turn); split over two pods each serves about 13.5.
    const stamp = (ms: number) => new Date(ms).toISOString().slice(11, 19);
    const inMinute = (lines: string[]) => lines.filter((l) => { const s = /:(\d\d:\d\d:\d\d) \+0000/.exec(l)![1]; return s >= stamp(t) && s < stamp(t + 60_000); }).length;
    expect(inMinute(logs(c, "php"))).toBeGreaterThan(750);
    expect(inMinute(logs(c, "php"))).toBeLessThan(870);
    expect(Math.abs(inMinute(logs(c, "php2")) - inMinute(logs(c, "php")))).toBeLessThanOrEqual(2);
  });

  it("a loop's turn takes every server's time: nginx fetched after php-apache sees the slower pace", async () => {
    const c = await TestCluster.create();
    const php = pod("php", { containers: [{ ...PHP, resources: {} }] }, "k8s-node2");
    php.metadata.labels = { run: "php-apache" };
    const web = pod("web", { containers: [container("web", "nginx:1.25.1", { ports: [{ containerPort: 80 }] })] }, "k8s-node1");
    web.metadata.labels = { app: "web" };
    for (const o of [php, web, { ...SERVICE }, { apiVersion: "v1", kind: "Service", metadata: { name: "php-apache", namespace: "default" }, spec: { selector: { run: "php-apache" }, ports: [{ port: 80 }] } }]) await c.apply(o);
    await c.advance(20);
    await c.apply(pod("both", { containers: [container("c", "busybox:1.28", { command: ["/bin/sh", "-c", "while sleep 0.01; do wget -q -O- http://php-apache; wget -q -O- http://web; done"] })] }));
    await c.advance(10);
    const before = logs(c, "web").length;
    await c.advance(60);
    // 10 ms of sleep, three commands, two round trips, php-apache's 25 ms and nginx's 0.15 ms: about 38.7 ms a turn, 26 a second.
    const added = logs(c, "web").length - before;
    expect(added).toBeGreaterThan(1450);
    expect(added).toBeLessThan(1650);
  });

  it("derived from the schedule: an hour of load writes nothing", async () => {
    const c = await walkthrough();
    const record = c.store.get(CONTAINERS, "default", "php");
    await c.advance(3600);
    expect(c.store.get(CONTAINERS, "default", "php")).toBe(record);
    expect(logs(c, "php").length).toBeGreaterThan(60_000);
  });
});
