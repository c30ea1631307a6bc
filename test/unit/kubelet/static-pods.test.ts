// Static pods: the control plane's manifests in /etc/kubernetes/manifests run as mirror pods
// `<name>-<node>`; a mirror deleted through the API comes back; manifests added or removed on the
// node start or stop pods.
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import { MACHINES } from "../../../worker/sandbox/machines";
import { POD, row } from "./helpers";

async function writeNodeFile(cluster: TestCluster, node: string, path: string, content: string | null) {
  const m = structuredClone(cluster.store.get(MACHINES, "", node) ?? { apiVersion: "kubeplay.internal/v1", kind: "Machine", metadata: { name: node }, kubelet: "running" }) as { files?: Record<string, string | null> } & Record<string, unknown>;
  m.files = { ...(m.files ?? {}), [path]: content };
  await cluster.store.commit([{ type: "put", resource: MACHINES, object: m as never }]);
  await cluster.settle();
}

describe("static pods", () => {
  it("adopts the bootstrap's mirror pods without writing anything", async () => {
    const cluster = await TestCluster.create();
    const { writes } = await cluster.settle();
    expect(writes).toBe(0);
    expect(cluster.list(POD, "kube-system").map((p) => p.metadata.name).filter((n) => n!.endsWith("-k8s-master"))).toEqual([
      "etcd-k8s-master",
      "kube-apiserver-k8s-master",
      "kube-controller-manager-k8s-master",
      "kube-scheduler-k8s-master",
    ]);
  });

  it("recreates a mirror pod deleted through the API; its containers kept running", async () => {
    const cluster = await TestCluster.create();
    await cluster.advance(60);
    const before = cluster.get(POD, "kube-system", "kube-apiserver-k8s-master")!;
    await cluster.delete(before);
    const after = cluster.get(POD, "kube-system", "kube-apiserver-k8s-master")!;
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
    expect(after.metadata.creationTimestamp).toBe("2026-01-01T00:01:00Z");
    expect(after.metadata.annotations?.["kubernetes.io/config.mirror"]).toBe(before.metadata.annotations?.["kubernetes.io/config.mirror"]);
    expect(row(cluster, "kube-apiserver-k8s-master", "kube-system")).toEqual({ ready: "1/1", status: "Running", restarts: "0" });
    const cs = (after.status as { containerStatuses: { state: { running?: { startedAt: string } } }[] }).containerStatuses[0];
    expect(cs.state.running?.startedAt).toBe("2026-01-01T00:00:00Z");
  });

  it("runs a manifest dropped into a node's /etc/kubernetes/manifests, and stops it when removed", async () => {
    const cluster = await TestCluster.create();
    const manifest = { apiVersion: "v1", kind: "Pod", metadata: { name: "static-web", labels: { role: "myrole" } }, spec: { containers: [{ name: "web", image: "nginx:1.25", ports: [{ containerPort: 80 }] }] } };
    await writeNodeFile(cluster, "k8s-node1", "/etc/kubernetes/manifests/static-web.yaml", stringify(manifest));
    const mirror = cluster.get(POD, "default", "static-web-k8s-node1");
    expect(mirror?.metadata.annotations?.["kubernetes.io/config.source"]).toBe("file");
    expect(mirror?.metadata.ownerReferences?.[0]).toMatchObject({ kind: "Node", name: "k8s-node1" });
    await cluster.advance(5);
    expect(row(cluster, "static-web-k8s-node1")).toEqual({ ready: "1/1", status: "Running", restarts: "0" });

    await writeNodeFile(cluster, "k8s-node1", "/etc/kubernetes/manifests/static-web.yaml", null);
    expect(cluster.get(POD, "default", "static-web-k8s-node1")).toBeUndefined();
  });

  it("moving kube-apiserver.yaml out and back restarts the API server's pod", async () => {
    const cluster = await TestCluster.create();
    const path = "/etc/kubernetes/manifests/kube-apiserver.yaml";
    await writeNodeFile(cluster, "k8s-master", path, null);
    expect(cluster.get(POD, "kube-system", "kube-apiserver-k8s-master")).toBeUndefined();
    const manifest = { apiVersion: "v1", kind: "Pod", metadata: { name: "kube-apiserver", namespace: "kube-system" }, spec: { hostNetwork: true, containers: [{ name: "kube-apiserver", image: "registry.k8s.io/kube-apiserver:v1.32.3", command: ["kube-apiserver", "--service-node-port-range=3000-50000"] }] } };
    await writeNodeFile(cluster, "k8s-master", path, stringify(manifest));
    await cluster.advance(10);
    const p = cluster.get(POD, "kube-system", "kube-apiserver-k8s-master")!;
    expect((p.spec as { containers: { command: string[] }[] }).containers[0].command).toContain("--service-node-port-range=3000-50000");
    expect(row(cluster, "kube-apiserver-k8s-master", "kube-system").status).toBe("Running");
    expect((p.status as { podIP?: string }).podIP).toBe("192.168.1.10");
  });

  it("ignores manifests that are not valid pods, as the kubelet does, and runs the rest", async () => {
    const cluster = await TestCluster.create();
    const dir = "/etc/kubernetes/manifests";
    // Once, `spec: 7` threw in every pass of the controllers: the whole sandbox stopped reconciling.
    await writeNodeFile(cluster, "k8s-node1", `${dir}/bad-spec.yaml`, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad-spec\nspec: 7\n");
    await writeNodeFile(cluster, "k8s-node1", `${dir}/bad-name.yaml`, stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "Bad_Name" }, spec: { containers: [{ name: "c", image: "nginx" }] } }));
    await writeNodeFile(cluster, "k8s-node1", `${dir}/bad-type.yaml`, stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "bad-type" }, spec: { containers: [{ name: "c", image: "nginx", ports: [{ containerPort: "80" }] }] } }));
    await writeNodeFile(cluster, "k8s-node1", `${dir}/good.yaml`, stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "good" }, spec: { containers: [{ name: "web", image: "nginx:1.25" }] } }));
    await cluster.advance(5);
    expect(cluster.list(POD, "default").map((p) => p.metadata.name)).toEqual(["good-k8s-node1"]);
    expect(row(cluster, "good-k8s-node1")).toEqual({ ready: "1/1", status: "Running", restarts: "0" });
  });
});

