// VolumeRestrictions: a ReadWriteOncePod claim has one user in the whole cluster; preemption may free it.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../worker/resources/types";
import { fitErrorMessage, schedulePod } from "../../../worker/scheduler/framework";
import { preempt } from "../../../worker/scheduler/preemption";
import { ERR_READ_WRITE_ONCE_POD_CONFLICT, volumeRestrictions } from "../../../worker/scheduler/plugins/volume-restrictions";
import { newPodInfo } from "../../../worker/scheduler/snapshot";
import { filterAll, node, on, pod, snapshotOf } from "./helpers";

const claim = (name: string, modes: string[]): KubeObject => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name, namespace: "default", uid: `pvc-${name}` },
  spec: { accessModes: modes, resources: { requests: { storage: "1Gi" } }, volumeName: `pv-${name}` },
  status: { phase: "Bound" },
});
const volume = (name: string, modes: string[]): KubeObject => ({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name: `pv-${name}` }, spec: { capacity: { storage: "1Gi" }, accessModes: modes, claimRef: { name, namespace: "default" } }, status: { phase: "Bound" } });
const storage = (modes: string[]) => ({ "/persistentvolumeclaims": [claim("data", modes)], "/persistentvolumes": [volume("data", modes)] });
const user = (name: string, priority = 0) => pod(name, { volumes: [{ name: "v", persistentVolumeClaim: { claimName: "data" } }], priority });
const nodes = () => [node("a"), node("b")];

describe("VolumeRestrictions", () => {
  it.each<{ name: string; modes: string[]; existing: KubeObject[]; want: Record<string, string> }>([
    { name: "a ReadWriteOncePod claim nobody uses", modes: ["ReadWriteOncePod"], existing: [], want: { a: "ok", b: "ok" } },
    { name: "a ReadWriteOncePod claim used on node b", modes: ["ReadWriteOncePod"], existing: [on("b", user("first"))], want: { a: ERR_READ_WRITE_ONCE_POD_CONFLICT, b: ERR_READ_WRITE_ONCE_POD_CONFLICT } },
    { name: "a ReadWriteOnce claim used on node b", modes: ["ReadWriteOnce"], existing: [on("b", user("first"))], want: { a: "ok", b: "ok" } },
    { name: "another claim's user", modes: ["ReadWriteOncePod"], existing: [on("b", pod("other", { volumes: [{ name: "v", persistentVolumeClaim: { claimName: "logs" } }] }))], want: { a: "ok", b: "ok" } },
  ])("$name", ({ modes, existing, want }) => {
    expect(filterAll(volumeRestrictions, snapshotOf(nodes(), existing, storage(modes)), user("second"))).toEqual(want);
  });

  it("words the FitError like upstream, and preemption evicts the lower-priority user where it runs", () => {
    const snap = snapshotOf(nodes(), [on("b", user("first", 0))], storage(["ReadWriteOncePod"]));
    const r = schedulePod(snap, newPodInfo(user("second", 1000)));
    expect("diagnosis" in r).toBe(true);
    if (!("diagnosis" in r)) return;
    expect(fitErrorMessage(2, r.diagnosis)).toBe(`0/2 nodes are available: 2 ${ERR_READ_WRITE_ONCE_POD_CONFLICT}.`);
    const pre = preempt(r.state, r.diagnosis, []);
    expect(pre.candidate?.node).toBe("b");
    expect(pre.candidate?.victims.map((v) => v.name)).toEqual(["first"]);
  });

  it("a user of equal priority is not preempted", () => {
    const snap = snapshotOf(nodes(), [on("b", user("first", 0))], storage(["ReadWriteOncePod"]));
    const r = schedulePod(snap, newPodInfo(user("second", 0)));
    if (!("diagnosis" in r)) throw new Error("scheduled");
    const pre = preempt(r.state, r.diagnosis, []);
    expect(pre.candidate).toBeUndefined();
    expect(fitErrorMessage(2, r.diagnosis, pre.message)).toBe(`0/2 nodes are available: 2 ${ERR_READ_WRITE_ONCE_POD_CONFLICT}. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.`);
  });
});
