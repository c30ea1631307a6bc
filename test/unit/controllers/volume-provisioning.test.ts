// Dynamic provisioning: the default class's local-path provisioner with WaitForFirstConsumer (the
// scheduler's handshake), a class whose provisioner nobody runs, and the NFS CSI driver that
// provisions only while its controller pod runs, with volumes on the NFS server node.
import { describe, expect, it } from "vitest";
import { runNodeShell } from "../../../worker/sandbox/node-shell";
import { TestCluster } from "../../cluster";
import { claim, claimPod, csiNfsController, eventsOf, expectSettled, getClaim, getVolume, phase, POD, PV, storageClass, volumeName, type Obj } from "./volume-helpers";

const nodeOf = (c: TestCluster, pod: string) => (c.get(POD, "default", pod)?.spec as { nodeName?: string } | undefined)?.nodeName;
const podPhase = (c: TestCluster, pod: string) => (c.get(POD, "default", pod)?.status as Obj | undefined)?.phase;

async function shell(c: TestCluster, node: string, command: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const res = await runNodeShell({ store: c.store, rng: c.rng, clock: c.clock }, { node, command });
  await c.settle();
  return (await res.json()) as { stdout: string; stderr: string; exitCode: number };
}

const nfsClass = (reclaimPolicy = "Delete", extra: Obj = {}) =>
  storageClass("nfs-csi", "nfs.csi.k8s.io", { parameters: { server: "k8s-node1", share: "/nfs-share" }, reclaimPolicy, volumeBindingMode: "Immediate", mountOptions: ["nfsvers=4.1"], ...extra });

describe("the default class: local-path, WaitForFirstConsumer", () => {
  it("waits for a consumer, provisions on the node the scheduler chose, and the pod runs there", async () => {
    const c = await TestCluster.create();
    await c.apply(claim("data"));
    let pvc = getClaim(c, "data");
    expect(phase(pvc)).toBe("Pending");
    expect(eventsOf(c, pvc, true)).toEqual(["WaitForFirstConsumer: waiting for first consumer to be created before binding [persistentvolume-controller]"]);
    expect(pvc.metadata.finalizers).toEqual(["kubernetes.io/pvc-protection"]);
    expect((await c.settle()).writes).toBe(0);

    await c.apply(claimPod("db", "data"));
    pvc = getClaim(c, "data");
    const node = pvc.metadata.annotations?.["volume.kubernetes.io/selected-node"];
    expect(["k8s-node1", "k8s-node2"]).toContain(node);
    expect(pvc.metadata.annotations?.["volume.kubernetes.io/storage-provisioner"]).toBe("rancher.io/local-path");
    expect(nodeOf(c, "db")).toBeUndefined();
    // The helper pod takes a couple of seconds.
    await c.advance(1);
    expect(phase(getClaim(c, "data"))).toBe("Pending");
    await c.advance(1);
    pvc = getClaim(c, "data");
    expect(phase(pvc)).toBe("Bound");
    const pvName = `pvc-${pvc.metadata.uid}`;
    expect(volumeName(pvc)).toBe(pvName);
    const pv = getVolume(c, pvName)!;
    expect(pv.metadata.annotations).toEqual({ "local.path.provisioner/selected-node": node, "pv.kubernetes.io/provisioned-by": "rancher.io/local-path" });
    expect(pv.metadata.finalizers).toEqual(["kubernetes.io/pv-protection"]);
    expect(pv.spec).toMatchObject({
      accessModes: ["ReadWriteOnce"],
      capacity: { storage: "1Gi" },
      hostPath: { path: `/var/local-path-provisioner/${pvName}_default_data`, type: "DirectoryOrCreate" },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }] }] } },
      persistentVolumeReclaimPolicy: "Delete",
      storageClassName: "standard",
      volumeMode: "Filesystem",
    });
    const identity = eventsOf(c, pvc, true)[2].replace(/^.*\[(.*)\]$/, "$1");
    expect(identity).toMatch(/^rancher\.io\/local-path_local-path-provisioner_[0-9a-f-]{36}$/);
    expect(eventsOf(c, pvc)).toEqual([
      "WaitForFirstConsumer: waiting for first consumer to be created before binding",
      "ExternalProvisioning: Waiting for a volume to be created either by the external provisioner 'rancher.io/local-path' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
      'Provisioning: External provisioner is provisioning volume for claim "default/data"',
      `ProvisioningSucceeded: Successfully provisioned volume ${pvName}`,
    ]);
    await c.advance(5);
    expect(nodeOf(c, "db")).toBe(node);
    expect(podPhase(c, "db")).toBe("Running");
    // The volume is a directory on that node.
    expect((await shell(c, node!, "ls /var/local-path-provisioner")).stdout).toBe(`${pvName}_default_data\n`);
    await expectSettled(c);
  });

  it("ReadWriteOnce: every pod of the claim goes to the volume's node; one pinned elsewhere cannot be scheduled", async () => {
    const c = await TestCluster.create();
    await c.apply(claim("shared"));
    for (const p of ["a", "b", "c"]) await c.apply(claimPod(p, "shared"));
    await c.advance(10);
    const node = nodeOf(c, "a");
    expect(node).toBeDefined();
    expect([nodeOf(c, "b"), nodeOf(c, "c")]).toEqual([node, node]);
    const other = node === "k8s-node1" ? "k8s-node2" : "k8s-node1";
    await c.apply(claimPod("elsewhere", "shared", { nodeSelector: { "kubernetes.io/hostname": other } }));
    await c.advance(5);
    const cond = ((c.get(POD, "default", "elsewhere")!.status as Obj).conditions as Obj[]).find((x) => x.type === "PodScheduled");
    expect(cond?.message).toBe("0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 1 node(s) had volume node affinity conflict. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
  });

  it("a consumer the scheduler cannot place is named in WaitForPodScheduled", async () => {
    const c = await TestCluster.create();
    await c.apply(claim("data"));
    await c.apply(claimPod("stuck", "data", { nodeSelector: { disk: "ssd" } }));
    const pvc = getClaim(c, "data");
    expect(pvc.metadata.annotations?.["volume.kubernetes.io/selected-node"]).toBeUndefined();
    expect(eventsOf(c, pvc)).toEqual(["WaitForFirstConsumer: waiting for first consumer to be created before binding", "WaitForPodScheduled: waiting for pod stuck to be scheduled"]);
    // The scheduler retries the pod; the claim's report is not repeated.
    await c.advance(60);
    expect(eventsOf(c, getClaim(c, "data"))).toHaveLength(2);
  });

  it("refuses ReadWriteMany as local-path does, reported once", async () => {
    const c = await TestCluster.create();
    await c.apply(claim("rwx", { accessModes: ["ReadWriteMany"] }));
    await c.apply(claimPod("user", "rwx"));
    await c.advance(10);
    const pvc = getClaim(c, "rwx");
    expect(phase(pvc)).toBe("Pending");
    expect(eventsOf(c, pvc).slice(-1)).toEqual(['ProvisioningFailed: failed to provision volume with StorageClass "standard": NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes']);
    expect((await c.settle()).writes).toBe(0);
  });

  it("Delete: the volume and its directory go with the claim", async () => {
    const c = await TestCluster.create();
    await c.apply(claim("tmp"));
    await c.apply(claimPod("user", "tmp", { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1.36", command: ["sh", "-c", "echo hi > /data/f"], volumeMounts: [{ name: "data", mountPath: "/data" }] }] }));
    await c.advance(10);
    const pvName = volumeName(getClaim(c, "tmp"));
    const node = nodeOf(c, "user")!;
    expect((await shell(c, node, `cat /var/local-path-provisioner/${pvName}_default_tmp/f`)).stdout).toBe("hi\n");
    await c.delete(c.get(POD, "default", "user")!);
    await c.advance(5);
    await c.delete(getClaim(c, "tmp"));
    expect(getVolume(c, pvName)).toBeUndefined();
    expect((await shell(c, node, "ls /var/local-path-provisioner")).stdout).toBe("");
  });
});

describe("a provisioner nobody runs", () => {
  it("leaves the claim Pending with ExternalProvisioning, costing nothing while it waits", async () => {
    const c = await TestCluster.create();
    await c.apply(storageClass("ebs", "ebs.csi.aws.com", { volumeBindingMode: "Immediate" }));
    await c.apply(claim("cloud", { storageClassName: "ebs" }));
    const pvc = getClaim(c, "cloud");
    expect(phase(pvc)).toBe("Pending");
    expect(eventsOf(c, pvc)).toEqual([
      "ExternalProvisioning: Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
    ]);
    await expectSettled(c);
  });

  it("reports a missing class and kubernetes.io/no-provisioner as upstream does", async () => {
    const c = await TestCluster.create();
    await c.apply(claim("nowhere", { storageClassName: "missing" }));
    expect(eventsOf(c, getClaim(c, "nowhere"))).toEqual(['ProvisioningFailed: storageclass.storage.k8s.io "missing" not found']);
    await c.apply(storageClass("local-storage", "kubernetes.io/no-provisioner", { volumeBindingMode: "Immediate" }));
    await c.apply(claim("local", { storageClassName: "local-storage" }));
    expect(eventsOf(c, getClaim(c, "local"))).toEqual(["ProvisioningFailed: no volume plugin matched name: kubernetes.io/no-provisioner"]);
  });
});

describe("csi-driver-nfs", () => {
  it("provisions once its controller pod runs: a pvc-<uid> directory on the NFS server node, RWX, shared by pods on every node", async () => {
    const c = await TestCluster.create();
    expect((await shell(c, "k8s-node1", "mkdir /nfs-share && systemctl start nfs-server")).exitCode).toBe(0);
    await c.apply(nfsClass());
    await c.apply(claim("pvc-nfs-dynamic", { accessModes: ["ReadWriteMany"], storageClassName: "nfs-csi" }));
    expect(phase(getClaim(c, "pvc-nfs-dynamic"))).toBe("Pending");
    await c.advance(30);
    expect(phase(getClaim(c, "pvc-nfs-dynamic"))).toBe("Pending");

    await c.apply(csiNfsController());
    await c.advance(15);
    const pvc = getClaim(c, "pvc-nfs-dynamic");
    expect(phase(pvc)).toBe("Bound");
    const pvName = `pvc-${pvc.metadata.uid}`;
    const pv = getVolume(c, pvName)!;
    expect(pv.metadata.annotations).toEqual({
      "pv.kubernetes.io/provisioned-by": "nfs.csi.k8s.io",
      "volume.kubernetes.io/provisioner-deletion-secret-name": "",
      "volume.kubernetes.io/provisioner-deletion-secret-namespace": "",
    });
    expect(pv.spec).toMatchObject({
      accessModes: ["ReadWriteMany"],
      capacity: { storage: "1Gi" },
      csi: { driver: "nfs.csi.k8s.io", volumeHandle: `k8s-node1#nfs-share#${pvName}##`, volumeAttributes: { server: "k8s-node1", share: "/nfs-share", subdir: pvName, "csi.storage.k8s.io/pvc/name": "pvc-nfs-dynamic" } },
      mountOptions: ["nfsvers=4.1"],
      persistentVolumeReclaimPolicy: "Delete",
      storageClassName: "nfs-csi",
    });
    // The controller runs with the host's network: its events name the node it runs on.
    const controllerNode = (c.list(POD, "kube-system").find((p) => p.metadata.name?.startsWith("csi-nfs-controller-"))!.spec as Obj).nodeName;
    expect(eventsOf(c, pvc, true).find((e) => e.startsWith("ProvisioningSucceeded"))).toMatch(new RegExp(`^ProvisioningSucceeded: Successfully provisioned volume ${pvName} \\[nfs\\.csi\\.k8s\\.io_${controllerNode}_[0-9a-f-]{36}\\]$`));

    // What the NFS server's disk holds is what every pod reads.
    expect((await shell(c, "k8s-node1", "ls /nfs-share/")).stdout).toBe(`${pvName}\n`);
    await shell(c, "k8s-node1", `echo "content save on nfsserver" >> /nfs-share/${pvName}/index.html`);
    for (const [name, node] of [["web-1", "k8s-node1"], ["web-2", "k8s-node2"], ["web-3", "k8s-node2"]]) {
      await c.apply(
        claimPod(name, "pvc-nfs-dynamic", {
          nodeName: node,
          containers: [{ name: "web", image: "nginx:1.25", volumeMounts: [{ name: "data", mountPath: "/usr/share/nginx/html" }], readinessProbe: { httpGet: { path: "/index.html", port: 80 } } }],
        }),
      );
    }
    await c.advance(10);
    for (const name of ["web-1", "web-2", "web-3"]) {
      const ready = ((c.get(POD, "default", name)!.status as Obj).conditions as Obj[]).find((x) => x.type === "Ready");
      expect(ready?.status, name).toBe("True");
    }
  });

  it("refuses a share the server node does not have, and provisions once it exists", async () => {
    const c = await TestCluster.create();
    await c.apply(csiNfsController());
    await c.advance(10);
    await c.apply(nfsClass());
    await c.apply(claim("early", { accessModes: ["ReadWriteMany"], storageClassName: "nfs-csi" }));
    await c.advance(2);
    const pvc = getClaim(c, "early");
    expect(phase(pvc)).toBe("Pending");
    expect(eventsOf(c, pvc).slice(-1)[0]).toBe(
      `ProvisioningFailed: failed to provision volume with StorageClass "nfs-csi": rpc error: code = Internal desc = failed to mount nfs server: rpc error: code = Internal desc = mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t nfs -o nfsvers=4.1 k8s-node1:/nfs-share /tmp/pvc-${pvc.metadata.uid}\nOutput: mount.nfs: access denied by server while mounting k8s-node1:/nfs-share\n`,
    );
    await shell(c, "k8s-node1", "mkdir -p /nfs-share");
    expect(phase(getClaim(c, "early"))).toBe("Bound");
  });

  it("Retain: deleting the claim leaves a Released volume with its files; Delete removes both", async () => {
    const c = await TestCluster.create();
    await shell(c, "k8s-node1", "mkdir /nfs-share");
    await c.apply(csiNfsController());
    await c.apply(nfsClass("Retain"));
    await c.advance(15);
    await c.apply(claim("kept", { accessModes: ["ReadWriteMany"], storageClassName: "nfs-csi" }));
    await c.advance(2);
    const kept = volumeName(getClaim(c, "kept"));
    await shell(c, "k8s-node1", `echo data > /nfs-share/${kept}/file`);
    await c.delete(getClaim(c, "kept"));
    const pv = getVolume(c, kept)!;
    expect(phase(pv)).toBe("Released");
    expect((pv.spec as Obj).claimRef).toMatchObject({ namespace: "default", name: "kept" });
    expect((await shell(c, "k8s-node1", `cat /nfs-share/${kept}/file`)).stdout).toBe("data\n");

    await c.delete(c.get({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass" }, "", "nfs-csi")!);
    await c.apply(nfsClass("Delete"));
    await c.apply(claim("gone", { accessModes: ["ReadWriteMany"], storageClassName: "nfs-csi" }));
    await c.advance(2);
    const gone = volumeName(getClaim(c, "gone"));
    await c.delete(getClaim(c, "gone"));
    expect(c.get(PV, "", gone)).toBeUndefined();
    expect((await shell(c, "k8s-node1", "ls /nfs-share")).stdout).toBe(`${kept}\n`);
  });

  it("nfs-subdir-external-provisioner: a <namespace>-<claim>-<pv> directory, archived on delete", async () => {
    const c = await TestCluster.create();
    await shell(c, "k8s-node2", "mkdir -p /srv/nfs");
    await c.apply({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "nfs-client-provisioner", namespace: "default" },
      spec: {
        replicas: 1,
        strategy: { type: "Recreate" },
        selector: { matchLabels: { app: "nfs-client-provisioner" } },
        template: {
          metadata: { labels: { app: "nfs-client-provisioner" } },
          spec: {
            containers: [
              {
                name: "nfs-client-provisioner",
                image: "registry.k8s.io/sig-storage/nfs-subdir-external-provisioner:v4.0.2",
                env: [
                  { name: "PROVISIONER_NAME", value: "k8s-sigs.io/nfs-subdir-external-provisioner" },
                  { name: "NFS_SERVER", value: "192.168.1.12" },
                  { name: "NFS_PATH", value: "/srv/nfs" },
                ],
                volumeMounts: [{ name: "nfs-client-root", mountPath: "/persistentvolumes" }],
              },
            ],
            volumes: [{ name: "nfs-client-root", nfs: { server: "192.168.1.12", path: "/srv/nfs" } }],
          },
        },
      },
    } as never);
    await c.apply(storageClass("nfs-client", "k8s-sigs.io/nfs-subdir-external-provisioner", { volumeBindingMode: "Immediate" }));
    await c.advance(10);
    await c.apply(claim("test-claim", { accessModes: ["ReadWriteMany"], storageClassName: "nfs-client" }));
    await c.advance(2);
    const pvName = volumeName(getClaim(c, "test-claim"));
    expect((getVolume(c, pvName)!.spec as Obj).nfs).toEqual({ server: "192.168.1.12", path: `/srv/nfs/default-test-claim-${pvName}` });
    expect((await shell(c, "k8s-node2", "ls /srv/nfs")).stdout).toBe(`default-test-claim-${pvName}\n`);
    await c.delete(getClaim(c, "test-claim"));
    expect(getVolume(c, pvName)).toBeUndefined();
    expect((await shell(c, "k8s-node2", "ls /srv/nfs")).stdout).toBe(`archived-default-test-claim-${pvName}\n`);
  });
});
