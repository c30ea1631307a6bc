// The usage model: when metrics-server has a reading for a container, what CPU and memory it
// reads (idle baselines, served requests, limits, seeded jitter), nodes as the sum of their pods
// plus their own processes, and the quantity strings the Metrics API carries.
import { describe, expect, it } from "vitest";
import { formatBytes, formatMilli, formatNanoCores } from "../../../worker/metrics/quantity";
import { containerWindow, MetricsSnapshot, RESOLUTION_MS, statsTime } from "../../../worker/metrics/usage";
import { MACHINES } from "../../../worker/sandbox/machines";
import { FakeView, iso, loadGenerator, phpApache, START } from "./fake-view";

/** A scrape-aligned time well after START. */
const T = Math.ceil((START + 3_600_000) / RESOLUTION_MS) * RESOLUTION_MS;
const milli = (nano: number) => nano / 1e6;
const mi = (bytes: number) => bytes / 2 ** 20;

describe("metrics availability (metrics-server needs two points)", () => {
  const last = 100_000;
  const prev = 85_000;
  it.each([
    ["seen at the previous scrape", 50_000, 15_000],
    ["started 12 s before: one point and its start", last - 12_000, 12_000],
    ["started 10 s before", last - 10_000, 10_000],
    ["started 9 s before: nothing yet", last - 9_000, undefined],
    ["started after the scrape", last + 1_000, undefined],
  ])("%s", (_, startedAt, window) => {
    expect(containerWindow(startedAt, last, prev)).toBe(window);
  });

  it("the kubelet's stats are taken up to 2.5 s before each 15 s scrape", () => {
    for (let k = 1000; k < 1100; k++) {
      const t = statsTime("node1", k);
      expect(t).toBeLessThanOrEqual(k * RESOLUTION_MS);
      expect(t).toBeGreaterThan(k * RESOLUTION_MS - 2_500);
    }
  });
});

describe("pod usage", () => {
  function cluster(started = START) {
    const view = new FakeView();
    view.node("node1");
    view.node("master", { controlPlane: true, cpu: "2" });
    view.pod("idle", [phpApache()], { labels: { run: "php-apache" }, started });
    view.pod("nginx", [{ name: "nginx", image: "nginx:1.25" }], { started });
    return view;
  }

  it("a pod with no reading yet is absent; it appears once two points of it exist", () => {
    const view = cluster(T + 2_000);
    const pod = view.get("/pods", "default", "idle")!;
    expect(new MetricsSnapshot(view, T + 2_000).pod(pod)).toBeUndefined();
    // The next scrape finds it 10.5–13 s old: its start is the earlier point.
    const first = new MetricsSnapshot(view, T + RESOLUTION_MS).pod(pod)!;
    expect(first.windowMs).toBeGreaterThan(10_000);
    expect(first.windowMs).toBeLessThan(13_000);
    expect(new MetricsSnapshot(view, T + 2 * RESOLUTION_MS).pod(pod)!.windowMs).toBeGreaterThan(12_500);
  });

  it("idle: the image's baseline, in the same whole millicores every scrape; memory from the process model", () => {
    const view = cluster();
    const pod = view.get("/pods", "default", "idle")!;
    for (let i = 0; i < 20; i++) {
      const s = new MetricsSnapshot(view, T + i * RESOLUTION_MS).pod(pod)!;
      expect(Math.ceil(milli(s.containers[0].cpuNano))).toBe(1);
      expect(mi(s.containers[0].memoryBytes)).toBeGreaterThan(11.8);
      expect(mi(s.containers[0].memoryBytes)).toBeLessThan(12.2);
      expect(s.containers[0].memoryBytes % 4096).toBe(0);
    }
    const nginx = new MetricsSnapshot(view, T).pod(view.get("/pods", "default", "nginx")!)!;
    expect(nginx.containers[0].cpuNano).toBe(0);
  });

  it("reading twice gives the same numbers; the next scrape differs a little", () => {
    const view = cluster();
    const pod = view.get("/pods", "default", "idle")!;
    const a = new MetricsSnapshot(view, T + 1_000).pod(pod)!;
    expect(new MetricsSnapshot(view, T + 14_000).pod(pod)).toEqual(a);
    const c = new MetricsSnapshot(view, T + RESOLUTION_MS).pod(pod)!;
    expect(c.containers[0].cpuNano).not.toBe(a.containers[0].cpuNano);
    expect(c.timestamp - a.timestamp).toBeCloseTo(RESOLUTION_MS, -4);
  });

  it("under load a pod cannot use more than its CPU limit", () => {
    const view = cluster();
    view.service("php-apache", { run: "php-apache" }, [{ port: 80, protocol: "TCP", targetPort: 80 }]);
    view.pod("load-generator", [loadGenerator()]);
    for (let i = 0; i < 10; i++) {
      const s = new MetricsSnapshot(view, T + i * RESOLUTION_MS).pod(view.get("/pods", "default", "idle")!)!;
      expect(milli(s.containers[0].cpuNano)).toBeGreaterThan(475);
      expect(milli(s.containers[0].cpuNano)).toBeLessThanOrEqual(500);
    }
  });

  it("a CPU burner keeps its cores busy, up to its limit", () => {
    const view = cluster();
    view.pod("cpu-demo", [{ name: "cpu-demo-ctr", image: "vish/stress", args: ["-cpus", "2"], resources: { limits: { cpu: "1" }, requests: { cpu: "500m" } } }]);
    view.pod("stress", [{ name: "stress", image: "polinux/stress", command: ["stress"], args: ["--cpu", "1"] }]);
    const snap = new MetricsSnapshot(view, T);
    expect(milli(snap.pod(view.get("/pods", "default", "cpu-demo")!)!.containers[0].cpuNano)).toBe(1000);
    expect(milli(snap.pod(view.get("/pods", "default", "stress")!)!.containers[0].cpuNano)).toBeCloseTo(1000, -2);
  });

  it("pods that are not running have no metrics", () => {
    const view = cluster();
    view.pod("pending", [phpApache()], { phase: "Pending" });
    expect(new MetricsSnapshot(view, T).pod(view.get("/pods", "default", "pending")!)).toBeUndefined();
  });
});

describe("node usage", () => {
  it("is its pods plus the node's own processes; a stopped kubelet or a new node has none", () => {
    const view = new FakeView();
    const node = view.node("node1");
    view.pod("a", [phpApache()]);
    view.pod("b", [phpApache()]);
    const snap = new MetricsSnapshot(view, T);
    const s = snap.node(node)!;
    const pods = ["a", "b"].map((n) => snap.pod(view.get("/pods", "default", n)!)!.containers[0]);
    const podCpu = pods.reduce((sum, c) => sum + c.cpuNano, 0);
    const podMem = pods.reduce((sum, c) => sum + c.memoryBytes, 0);
    expect(milli(s.cpuNano - podCpu)).toBeGreaterThan(25);
    expect(milli(s.cpuNano - podCpu)).toBeLessThan(35);
    expect(mi(s.memoryBytes - podMem)).toBeCloseTo(410, -1);
    expect(s.windowMs).toBeGreaterThan(12_000);
    expect(s.windowMs).toBeLessThan(18_000);

    view.add(MACHINES, { apiVersion: "kubeplay.internal/v1", kind: "Machine", metadata: { name: "node1" }, kubelet: "stopped", stoppedAt: iso(T - 60_000) });
    expect(new MetricsSnapshot(view, T).node(node)).toBeUndefined();
    const fresh = view.node("node2", { created: T - 5_000 });
    expect(new MetricsSnapshot(view, T).node(fresh)).toBeUndefined();
    expect(new MetricsSnapshot(view, T + 2 * RESOLUTION_MS).node(fresh)).toBeDefined();
  });
});

describe("quantities as the API prints them", () => {
  it.each([
    [0, "0"],
    [1_234_567, "1234567n"],
    [500_000_000, "500m"],
    [2_000_000_000, "2"],
    [1_500_000, "1500u"],
  ])("cpu %i nanocores is %s", (n, s) => expect(formatNanoCores(n)).toBe(s));

  it.each([
    [12_345_678, "12345678"],
    [12_640_256, "12344Ki"],
    [12 * 2 ** 20, "12Mi"],
    [3 * 2 ** 30, "3Gi"],
  ])("memory %i bytes is %s", (b, s) => expect(formatBytes(b)).toBe(s));

  it.each([
    [97, "97m"],
    [1000, "1"],
    [12_640_256_000, "12640256"],
    [0, "0"],
  ])("an HPA average of %i milli is %s", (m, s) => expect(formatMilli(m)).toBe(s));
});
