// Process models follow the network: a process that calls the network gets, at each call's virtual
// time, the answer of the network as it was then — so the docs' init containers finish once their
// Services exist, and a polling loop's log changes when its Service starts answering, while what
// it printed before stays as it was. A settled sandbox still costs nothing, and containers that
// never call the network are never simulated again.
import type { Pod } from "kubernetes-types/core/v1";
import { afterEach, describe, expect, it } from "vitest";
import { formatEntries, logContainerID, openContainerLog, readLog, readOnlyContext } from "../../../worker/kubelet/logs";
import { forgetModels, modelHooks } from "../../../worker/kubelet/models";
import { CONTAINERS } from "../../../worker/kubelet/record";
import type { KubeObject } from "../../../worker/resources/types";
import { START, TestCluster } from "../../cluster";
import { container, get, pod, row, statusTimeline } from "./helpers";

// The example of https://kubernetes.io/docs/concepts/workloads/pods/init-containers/, as given.
const NS = "$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace)";
const MYAPP: KubeObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "myapp-pod", labels: { "app.kubernetes.io/name": "MyApp" } },
  spec: {
    containers: [{ name: "myapp-container", image: "busybox:1.28", command: ["sh", "-c", "echo The app is running! && sleep 3600"] }],
    initContainers: [
      { name: "init-myservice", image: "busybox:1.28", command: ["sh", "-c", `until nslookup myservice.${NS}.svc.cluster.local; do echo waiting for myservice; sleep 2; done`] },
      { name: "init-mydb", image: "busybox:1.28", command: ["sh", "-c", `until nslookup mydb.${NS}.svc.cluster.local; do echo waiting for mydb; sleep 2; done`] },
    ],
  },
};
const service = (name: string, targetPort: number, selector?: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name },
  spec: { ...(selector ? { selector } : {}), ports: [{ protocol: "TCP", port: 80, targetPort }] },
});

/** What `kubectl logs` prints now for one container. */
function logs(cluster: TestCluster, name: string, c: string): string {
  const p = get(cluster, name)!;
  const target = logContainerID(p, c, false);
  if ("error" in target) return `error: ${target.error}`;
  const node = cluster.store.get("/nodes", "", p.spec!.nodeName!)!;
  const log = openContainerLog(readOnlyContext(cluster.store, cluster.clock.now()), p as unknown as KubeObject, node, c, target.id)!;
  return formatEntries(readLog(log, cluster.clock.now(), {}).entries, true);
}

const lines = (s: string) => s.split("\n").filter((l) => l !== "");
const stamp = (line: string) => Date.parse(line.slice(0, 23) + "Z") - START;
const initStatus = (cluster: TestCluster, c: string) => (get(cluster, "myapp-pod") as Pod).status?.initContainerStatuses?.find((s) => s.name === c)?.state;

/** Counts simulations of each container's process: `name:build` and `name:network`. */
function countSimulations(): Map<string, number> {
  const counts = new Map<string, number>();
  modelHooks.onSimulate = (w, c, why) => {
    const k = `${w.pod.metadata.name}/${c.name}:${why}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  };
  return counts;
}

afterEach(() => {
  modelHooks.onSimulate = undefined;
});

describe("init containers waiting for Services", () => {
  it("the docs' myapp-pod: Init:0/2 while neither Service exists, Init:1/2 with myservice, Running with mydb", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(MYAPP);
    expect(await statusTimeline(cluster, "myapp-pod", 60, 5)).toEqual(["0/1 Init:0/2 0@0"]);
    await cluster.apply(service("myservice", 9376));
    expect(await statusTimeline(cluster, "myapp-pod", 60, 1)).toEqual(["0/1 Init:0/2 0@0", "0/1 Init:1/2 0@2"]);
    expect(initStatus(cluster, "init-myservice")?.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
    await cluster.apply(service("mydb", 9377));
    expect(await statusTimeline(cluster, "myapp-pod", 10, 1)).toEqual(["0/1 Init:1/2 0@0", "0/1 PodInitializing 0@1", "1/1 Running 0@2"]);
    expect(logs(cluster, "myapp-pod", "myapp-container")).toMatch(/^\S+ The app is running!\n$/);
  }, 30_000);

  it("init-myservice's log: 'waiting for myservice' every 2 s until the Service exists, then the answer; earlier lines unchanged", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(MYAPP);
    await cluster.advance(20);
    const before = logs(cluster, "myapp-pod", "init-myservice");
    // Started 1.454 s in (sandbox, then the image is present): a turn every 2 s from then.
    const waiting = lines(before).filter((l) => l.endsWith(" waiting for myservice"));
    expect(waiting.map(stamp)).toEqual(Array.from({ length: 10 }, (_, i) => 1_454 + 2_000 * i));
    expect(before).toContain("nslookup: can't resolve 'myservice.default.svc.cluster.local'");
    await cluster.apply(service("myservice", 9376));
    const created = cluster.clock.now() - START;
    await cluster.advance(30);
    const after = logs(cluster, "myapp-pod", "init-myservice");
    // History does not change: what was printed before the Service existed is printed the same.
    expect(after.startsWith(before)).toBe(true);
    const all = lines(after);
    const lastWait = all.filter((l) => l.endsWith(" waiting for myservice")).map(stamp).pop()!;
    expect(lastWait).toBeLessThan(created);
    const tail = all.slice(all.findIndex((l, i) => i > 0 && stamp(l) >= created));
    expect(tail.map((l) => l.replace(/^\S+ /, ""))).toEqual([
      "Server:    10.96.0.10",
      "Address 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local",
      "",
      expect.stringMatching(/^Name:      myservice\.default\.svc\.cluster\.local$/),
      expect.stringMatching(/^Address 1: 10\.\d+\.\d+\.\d+ myservice\.default\.svc\.cluster\.local$/),
    ]);
    expect(initStatus(cluster, "init-myservice")?.terminated?.finishedAt).toBe(new Date(stamp(tail[0]) + START).toISOString().replace(/\.\d+Z$/, "Z"));
  }, 30_000);

  it("after the models were forgotten (a restart), the waiting init container is rebuilt from the network as it is now", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(MYAPP);
    await cluster.advance(30);
    forgetModels();
    const counts = countSimulations();
    await cluster.apply(service("myservice", 9376));
    await cluster.advance(2);
    expect(row(cluster, "myapp-pod").status).toBe("Init:1/2");
    // Rebuilt against the network as it is now, its first lookup succeeds; an exit in the past
    // cannot be: it finishes when the kubelet rebuilt its model, as the Service was created.
    expect(initStatus(cluster, "init-myservice")?.terminated?.finishedAt).toBe("2026-01-01T00:00:30Z");
    expect(counts.get("myapp-pod/init-myservice:build")).toBe(1);
  }, 30_000);
});

describe("a loop polling a Service", () => {
  const client = pod("client", { containers: [container("c", "busybox:1.36", { command: ["sh", "-c", "while true; do wget -qO- http://web || echo down; sleep 5; done"] })] });
  const web = pod("web-1", { containers: [container("nginx", "nginx:1.25")] }, "k8s-node2");
  web.metadata.labels = { app: "web" };

  it("prints `down` until the web Service has a ready endpoint, then nginx's page; what it printed before stays", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(client);
    await cluster.advance(20);
    const counts = countSimulations();
    const record = () => cluster.store.get(CONTAINERS, "default", "client")?.metadata.resourceVersion;
    const recorded = record();
    const noService = logs(cluster, "client", "c");
    const turns = lines(noService).length / 2;
    expect(turns).toBeGreaterThanOrEqual(3);
    expect(lines(noService).map((l) => l.replace(/^\S+ /, ""))).toEqual(Array(turns).fill(["wget: bad address 'web'", "down"]).flat());
    await cluster.apply(service("web", 80, { app: "web" }));
    await cluster.advance(10);
    const noEndpoint = logs(cluster, "client", "c");
    expect(noEndpoint.startsWith(noService)).toBe(true);
    expect(lines(noEndpoint.slice(noService.length)).map((l) => l.replace(/^\S+ /, ""))).toEqual(Array(2).fill([expect.stringMatching(/^wget: can't connect to remote host \(10\.\d+\.\d+\.\d+\): Connection refused$/), "down"]).flat());
    await cluster.apply(web);
    const deployed = cluster.clock.now() - START;
    await cluster.advance(10);
    expect(row(cluster, "web-1").status).toBe("Running");
    const ready = (cluster.list({ apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice" }, "default").find((s) => s.metadata.labels?.["kubernetes.io/service-name"] === "web") as unknown as { endpoints: { conditions: { ready: boolean } }[] }).endpoints;
    expect(ready.map((e) => e.conditions.ready)).toEqual([true]);
    await cluster.advance(20);
    const served = logs(cluster, "client", "c");
    expect(served.startsWith(noEndpoint)).toBe(true);
    const texts = lines(served).map((l) => l.replace(/^\S+ /, ""));
    const firstPage = stamp(lines(served)[texts.indexOf("<!DOCTYPE html>")]);
    const lastDown = stamp(lines(served)[texts.lastIndexOf("down")]);
    expect(lastDown).toBeLessThan(firstPage);
    expect(firstPage).toBeGreaterThan(deployed);
    expect(firstPage - lastDown).toBe(5_000);
    expect(texts.filter((l) => l === "<title>Welcome to nginx!</title>").length).toBeGreaterThanOrEqual(3);
    expect(texts[texts.length - 1]).toBe("</html>");
    // Simulated again at each change it sees, without a write: nothing the kubelet decided changed.
    expect(counts.get("client/c:network")).toBeGreaterThanOrEqual(2);
    expect(record()).toBe(recorded);
  }, 30_000);

  it("a settled sandbox with it running (and a pod waiting on a Service) writes nothing per virtual hour and arms no wake-up", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(service("web", 80, { app: "web" }));
    await cluster.apply(web);
    await cluster.apply(client);
    await cluster.apply(MYAPP);
    await cluster.advance(60);
    expect(row(cluster, "client").status).toBe("Running");
    expect(row(cluster, "myapp-pod").status).toBe("Init:0/2");
    // Let the event TTL controller expire the start-up events first.
    await cluster.advance(7200);
    const counts = countSimulations();
    const before = cluster.store.stats.rowsWritten;
    await cluster.advance(3600);
    expect(cluster.store.stats.rowsWritten - before).toBe(0);
    expect(cluster.engine.nextWakeup()).toBeUndefined();
    expect([...counts.keys()].filter((k) => k.endsWith(":network"))).toEqual([]);
  }, 60_000);
});

describe("the service account's files", () => {
  it("every container reads its namespace, token and CA where the projected volume would put them, unless the pod opts out", async () => {
    const cluster = await TestCluster.create();
    const script = "ls /var/run/secrets/kubernetes.io/serviceaccount; cat /var/run/secrets/kubernetes.io/serviceaccount/namespace";
    await cluster.apply(pod("sa", { containers: [container("c", "busybox:1.36", { command: ["sh", "-c", script] })] }));
    await cluster.apply(pod("no-sa", { automountServiceAccountToken: false, containers: [container("c", "busybox:1.36", { command: ["sh", "-c", script] })] }));
    await cluster.advance(5);
    expect(lines(logs(cluster, "sa", "c")).map((l) => l.replace(/^\S+ /, ""))).toEqual(["ca.crt", "namespace", "token", "default"]);
    expect(lines(logs(cluster, "no-sa", "c")).map((l) => l.replace(/^\S+ /, ""))[0]).toMatch(/^ls: \/var\/run\/secrets\/kubernetes\.io\/serviceaccount: No such file or directory$/);
  });
});

describe("what a re-simulation keeps", () => {
  it("the environment the container started with: a Service created later adds no variables to it", async () => {
    const cluster = await TestCluster.create();
    const script = 'until nslookup myservice >/dev/null 2>&1; do sleep 2; done; echo "found, MYSERVICE_SERVICE_HOST=${MYSERVICE_SERVICE_HOST:-unset}"; sleep 3600';
    await cluster.apply(pod("env", { containers: [container("c", "busybox:1.28", { command: ["sh", "-c", script] })] }));
    await cluster.advance(10);
    await cluster.apply(service("myservice", 9376));
    await cluster.advance(5);
    expect(lines(logs(cluster, "env", "c")).map((l) => l.replace(/^\S+ /, ""))).toEqual(["found, MYSERVICE_SERVICE_HOST=unset"]);
  });
});

describe("who is simulated again", () => {
  it("a container that never called the network is not; one whose calls get the same answers is not either", async () => {
    const cluster = await TestCluster.create();
    const counts = countSimulations();
    await cluster.apply(pod("quiet", { containers: [container("c", "busybox:1.36", { command: ["sh", "-c", "while true; do echo hi; sleep 5; done"] })] }));
    await cluster.apply(pod("poller", { containers: [container("c", "busybox:1.28", { command: ["sh", "-c", "while true; do nslookup other >/dev/null || echo missing; sleep 5; done"] })] }));
    await cluster.advance(10);
    await cluster.apply(service("web", 80, { app: "web" }));
    const web = pod("web-1", { containers: [container("nginx", "nginx:1.25")] });
    web.metadata.labels = { app: "web" };
    await cluster.apply(web);
    await cluster.advance(30);
    expect(row(cluster, "web-1").status).toBe("Running");
    expect(counts.get("quiet/c:build")).toBe(1);
    expect(counts.get("poller/c:build")).toBe(1);
    expect(counts.get("quiet/c:network")).toBeUndefined();
    expect(counts.get("poller/c:network")).toBeUndefined();
    // The Service it asks about appears: it is simulated again, once, and stops printing `missing`.
    await cluster.apply(service("other", 80));
    const created = cluster.clock.now() - START;
    await cluster.advance(30);
    expect(counts.get("poller/c:network")).toBe(1);
    expect(counts.get("quiet/c:network")).toBeUndefined();
    const missing = lines(logs(cluster, "poller", "c")).map(stamp);
    expect(missing.length).toBeGreaterThanOrEqual(8);
    expect(missing[missing.length - 1]).toBeLessThan(created);
    expect(missing[missing.length - 1]).toBeGreaterThan(created - 5_000);
  }, 30_000);
});
