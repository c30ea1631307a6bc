// Persistent volumes through their claims: content kept per volume, shared by every pod that mounts
// it on any node, outliving the pods; a claim that is missing or unbound holds the pod back.
import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import { ControllerRuntime } from "../../../worker/controllers/runtime";
import type { Runner } from "../../../worker/kubelet/exec";
import { ExecSession } from "../../../worker/kubelet/exec-session";
import { VOLUME_CONTENT } from "../../../worker/kubelet/pv-content";
import { container, get, pod, podEvents, status } from "./helpers";

const PVC = { apiVersion: "v1", kind: "PersistentVolumeClaim" };

async function boundClaim(cluster: TestCluster, name: string, volume: string) {
  await cluster.apply({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name: volume }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteMany"], nfs: { server: "nfs.example.com", path: `/exports/${volume}` }, claimRef: { namespace: "default", name } } });
  await cluster.apply({ ...PVC, metadata: { name, namespace: "default" }, spec: { accessModes: ["ReadWriteMany"], resources: { requests: { storage: "1Gi" } }, volumeName: volume } });
  await cluster.modify(PVC, "default", name, (o) => void (o.status = { phase: "Bound", accessModes: ["ReadWriteMany"], capacity: { storage: "1Gi" } }), "status");
}

const mount = (claim: string) => ({ volumes: [{ name: "data", persistentVolumeClaim: { claimName: claim } }] });
const onData = { volumeMounts: [{ name: "data", mountPath: "/data" }] };

describe("persistentVolumeClaim volumes", () => {
  it("keeps what one pod wrote for the next pod, on another node", async () => {
    const cluster = await TestCluster.create();
    await boundClaim(cluster, "shared", "pv-1");
    await cluster.apply(pod("writer", { ...mount("shared"), restartPolicy: "Never", containers: [container("w", "busybox:1.36", { ...onData, command: ["sh", "-c", "echo hello from writer > /data/index.html"] })] }));
    await cluster.advance(10);
    expect(status(cluster, "writer")).toBe("Completed");
    expect((cluster.store.get(VOLUME_CONTENT, "", "pv-1") as unknown as { files: Record<string, string> }).files).toEqual({ "index.html": "hello from writer\n" });
    await cluster.delete(get(cluster, "writer") as never);
    await cluster.advance(5);
    await cluster.apply(pod("reader", { ...mount("shared"), restartPolicy: "Never", containers: [container("r", "busybox:1.36", { ...onData, command: ["sh", "-c", "test \"$(cat /data/index.html)\" = 'hello from writer'"] })] }, "k8s-node2"));
    await cluster.advance(10);
    expect(status(cluster, "reader")).toBe("Completed");
  });

  it("holds a pod whose claim is missing or unbound, and starts it once the claim is bound", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("waiting", { ...mount("later"), containers: [container("web", "nginx:1.25", onData)] }));
    await cluster.advance(120);
    expect(status(cluster, "waiting")).toBe("ContainerCreating");
    // The pod worker reports only when its wait for the volumes times out (2m2s).
    expect(podEvents(cluster, "waiting").filter((e) => e.startsWith("FailedMount"))).toEqual([]);
    await cluster.advance(5);
    expect(podEvents(cluster, "waiting").filter((e) => e.startsWith("FailedMount"))).toEqual([
      'FailedMount: Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[], failed to process volumes=[data]: error processing PVC default/later: failed to fetch PVC from API server: persistentvolumeclaims "later" not found',
    ]);
    // Binding the claim lets the pod go on at once, without waiting for the next timeout.
    await boundClaim(cluster, "later", "pv-2");
    await cluster.advance(5);
    expect(status(cluster, "waiting")).toBe("Running");
  });
});

describe("a claim deleted while in use", () => {
  it("keeps serving the pods already using it", async () => {
    const cluster = await TestCluster.create();
    await boundClaim(cluster, "inuse", "pv-3");
    await cluster.apply(pod("writer", { ...mount("inuse"), restartPolicy: "Never", containers: [container("w", "busybox:1.36", { ...onData, command: ["sh", "-c", "echo kept > /data/f"] })] }));
    await cluster.advance(10);
    await cluster.apply(pod("reader", { ...mount("inuse"), containers: [container("r", "busybox:1.36", { ...onData, command: ["sh", "-c", "sleep 3600"] })] }));
    await cluster.advance(10);
    expect(status(cluster, "reader")).toBe("Running");
    // The claim is marked for deletion; its protection finalizer keeps it while pods use it.
    await cluster.modify(PVC, "default", "inuse", (o) => void (o.metadata.finalizers = ["kubernetes.io/pvc-protection"]));
    await cluster.delete(cluster.get(PVC, "default", "inuse") as never);
    expect(cluster.get(PVC, "default", "inuse")?.metadata.deletionTimestamp).toBeTruthy();
    let out = "";
    const run: Runner = async (step) => step(new ControllerRuntime(cluster.store, cluster.clock, cluster.rng));
    const session = new ExecSession({ target: { namespace: "default", pod: "reader", container: "r" }, command: ["cat", "/data/f"], stdin: false, tty: false }, run, { write: (_s, t) => (out += t), end: () => undefined });
    await session.start();
    expect(out).toBe("kept\n");
  });
});
