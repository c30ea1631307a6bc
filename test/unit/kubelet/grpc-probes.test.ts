// gRPC probes pass only against a server that implements grpc.health.v1.Health (etcd's client port,
// agnhost grpc-health-checking), for the service it knows; anything else fails in the words of
// pkg/probe/grpc/grpc.go.
import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import { container, get, pod, podEvents, row } from "./helpers";

const AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.40";

function grpcProbe(port: number, extra: Record<string, unknown> = {}) {
  return { grpc: { port }, periodSeconds: 1, failureThreshold: 3, timeoutSeconds: 1, ...extra };
}

describe("gRPC probes", () => {
  it("the docs' etcd with a gRPC liveness probe on 2379 stays healthy", async () => {
    const cluster = await TestCluster.create();
    const command = ["/usr/local/bin/etcd", "--data-dir", "/var/lib/etcd", "--listen-client-urls", "http://0.0.0.0:2379", "--advertise-client-urls", "http://127.0.0.1:2379", "--log-level", "debug"];
    await cluster.apply(pod("etcd-with-grpc", { containers: [container("etcd", "registry.k8s.io/etcd:3.5.1-0", { command, ports: [{ containerPort: 2379 }], livenessProbe: grpcProbe(2379, { initialDelaySeconds: 10, periodSeconds: 10 }) })] }));
    await cluster.advance(60);
    expect(row(cluster, "etcd-with-grpc")).toEqual({ ready: "1/1", status: "Running", restarts: "0" });
    expect(podEvents(cluster, "etcd-with-grpc").filter((e) => e.startsWith("Unhealthy"))).toEqual([]);
  });

  it("against an HTTP server the dial never completes: the probe times out", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("web", { containers: [container("web", "nginx:1.25", { readinessProbe: grpcProbe(80) })] }));
    await cluster.advance(10);
    expect(row(cluster, "web").ready).toBe("0/1");
    const ip = get(cluster, "web")!.status!.podIP;
    expect(podEvents(cluster, "web")).toContainEqual(expect.stringMatching(new RegExp(`^Unhealthy: Readiness probe failed: timeout: failed to connect service "${ip!.replace(/\./g, "\\.")}:80" within 1s: context deadline exceeded \\(x\\d+\\)$`)));
  });

  it("agnhost grpc-health-checking: serving, an unknown service, and NOT_SERVING after its delay", async () => {
    const cluster = await TestCluster.create();
    const args = (extra: string[]) => ({ args: ["grpc-health-checking", ...extra] });
    await cluster.apply(pod("ok", { containers: [container("agnhost", AGNHOST, { ...args([]), readinessProbe: grpcProbe(5000) })] }));
    await cluster.apply(pod("svc", { containers: [container("agnhost", AGNHOST, { ...args(["--service", "backend"]), readinessProbe: grpcProbe(5000, { grpc: { port: 5000, service: "frontend" } }) })] }));
    await cluster.apply(pod("named", { containers: [container("agnhost", AGNHOST, { ...args(["--service", "backend"]), readinessProbe: grpcProbe(5000, { grpc: { port: 5000, service: "backend" } }) })] }));
    await cluster.apply(pod("delay", { containers: [container("agnhost", AGNHOST, { ...args(["--delay-unhealthy-sec", "20"]), livenessProbe: grpcProbe(5000, { periodSeconds: 5 }) })] }));
    await cluster.advance(10);
    expect(row(cluster, "ok").ready).toBe("1/1");
    expect(row(cluster, "named").ready).toBe("1/1");
    expect(row(cluster, "svc").ready).toBe("0/1");
    expect(podEvents(cluster, "svc")).toContainEqual(expect.stringMatching(/^Unhealthy: Readiness probe failed: error: health rpc probe failed: rpc error: code = NotFound desc = unknown service/));
    expect(row(cluster, "delay")).toEqual({ ready: "1/1", status: "Running", restarts: "0" });
    await cluster.advance(40);
    expect(podEvents(cluster, "delay")).toContain('Unhealthy: Liveness probe failed: service unhealthy (responded with "NOT_SERVING") (x3)');
    expect(podEvents(cluster, "delay")).toContain("Killing: Container agnhost failed liveness probe, will be restarted");
    expect(row(cluster, "delay").restarts).toMatch(/^1/);
  });
});
