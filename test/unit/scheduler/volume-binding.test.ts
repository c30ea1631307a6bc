// VolumeBinding: missing and unbound claims, bound volumes' node affinity, WaitForFirstConsumer
// with static volumes or provisioning, and what the scheduler writes for delayed claims.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../worker/resources/types";
import { fitErrorMessage, schedulePod } from "../../../worker/scheduler/framework";
import { volumeBinding, volumeDecisions } from "../../../worker/scheduler/plugins/volume-binding";
import { newPodInfo } from "../../../worker/scheduler/snapshot";
import type { CycleState } from "../../../worker/scheduler/types";
import { filterAll, node, pod, prepared, snapshotOf } from "./helpers";

const claimPod = (claim = "data") => pod("db", { volumes: [{ name: "v", persistentVolumeClaim: { claimName: claim } }] });
const pvc = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name, namespace: "default", uid: `pvc-${name}` },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...spec },
  status: { phase: spec.volumeName ? "Bound" : "Pending" },
});
const sc = (name: string, mode: string, provisioner = "rancher.io/local-path"): KubeObject => ({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name }, provisioner, volumeBindingMode: mode });
const pv = (name: string, spec: Record<string, unknown>, phase = "Available"): KubeObject => ({
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: { name },
  spec: { capacity: { storage: "5Gi" }, accessModes: ["ReadWriteOnce"], ...spec },
  status: { phase },
});
const onlyOn = (host: string) => ({ nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [host] }] }] } } });
const nodes = () => [node("a"), node("b")];

describe("VolumeBinding", () => {
  it.each<{ name: string; objects: Record<string, KubeObject[]>; want: string }>([
    { name: "a missing claim", objects: {}, want: 'prefilter: persistentvolumeclaim "data" not found' },
    { name: "an unbound Immediate claim", objects: { "/persistentvolumeclaims": [pvc("data", { storageClassName: "fast" })], "storage.k8s.io/storageclasses": [sc("fast", "Immediate")] }, want: "prefilter: pod has unbound immediate PersistentVolumeClaims" },
    { name: "an unbound claim without a class", objects: { "/persistentvolumeclaims": [pvc("data", { storageClassName: "" })] }, want: "prefilter: pod has unbound immediate PersistentVolumeClaims" },
  ])("$name keeps the pod Pending", ({ objects, want }) => {
    const got = filterAll(volumeBinding, snapshotOf(nodes(), [], objects), claimPod());
    expect(got.a).toBe(want);
  });

  it("words the FitError like upstream", () => {
    const snap = snapshotOf(nodes(), [], { "/persistentvolumeclaims": [pvc("data", { storageClassName: "" })] });
    const r = schedulePod(snap, newPodInfo(claimPod()));
    expect("diagnosis" in r && fitErrorMessage(2, r.diagnosis)).toBe("0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims.");
  });

  it("follows a bound volume's node affinity", () => {
    const objects = { "/persistentvolumeclaims": [pvc("data", { volumeName: "pv1" })], "/persistentvolumes": [pv("pv1", onlyOn("b"), "Bound")] };
    expect(filterAll(volumeBinding, snapshotOf(nodes(), [], objects), claimPod())).toEqual({ a: "unresolvable: node(s) had volume node affinity conflict", b: "ok" });
    const gone = { "/persistentvolumeclaims": [pvc("data", { volumeName: "pv9" })] };
    expect(filterAll(volumeBinding, snapshotOf(nodes(), [], gone), claimPod()).a).toBe("unresolvable: node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)");
  });

  it("WaitForFirstConsumer: a static volume only where it can be reached", () => {
    const objects = {
      "/persistentvolumeclaims": [pvc("data", { storageClassName: "local" })],
      "storage.k8s.io/storageclasses": [sc("local", "WaitForFirstConsumer", "kubernetes.io/no-provisioner")],
      "/persistentvolumes": [pv("local-b", { storageClassName: "local", ...onlyOn("b") })],
    };
    expect(filterAll(volumeBinding, snapshotOf(nodes(), [], objects), claimPod())).toEqual({ a: "unresolvable: node(s) didn't find available persistent volumes to bind", b: "ok" });
  });

  it("WaitForFirstConsumer: a provisioner can provision anywhere, and the claim learns the chosen node", () => {
    const objects = { "/persistentvolumeclaims": [pvc("data", { storageClassName: "standard" })], "storage.k8s.io/storageclasses": [sc("standard", "WaitForFirstConsumer")] };
    const snap = snapshotOf(nodes(), [], objects);
    expect(filterAll(volumeBinding, snap, claimPod())).toEqual({ a: "ok", b: "ok" });
    const state = prepared(snap, claimPod()) as CycleState;
    expect(volumeDecisions(state, snap.byName.get("b")!).map((d) => ({ type: d.type, pvc: d.pvc.metadata.name }))).toEqual([{ type: "select-node", pvc: "data" }]);
  });

  it("pods without claims are not its business", () => {
    expect(filterAll(volumeBinding, snapshotOf(nodes()), pod("plain"))).toEqual({ a: "ok", b: "ok" });
  });
});
