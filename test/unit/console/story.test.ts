// The page's pod story (web/src/story.ts): why the other nodes were passed over, computed from the
// cached nodes by the scheduler's common filters (web/src/fit.ts) when the pod was scheduled on the
// first try, and the deletion steps' times.
import { describe, expect, it } from "vitest";
import type { Event as CoreV1Event, Node, Pod } from "kubernetes-types/core/v1";
import { whyNotFit } from "../../../web/src/fit";
import { podStory } from "../../../web/src/story";

const CP_TAINT = { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" };

function node(name: string, extra: { labels?: Record<string, string>; taints?: { key: string; value?: string; effect: string }[]; unschedulable?: boolean } = {}): Node {
  return { metadata: { name, labels: { "kubernetes.io/hostname": name, ...extra.labels } }, spec: { taints: extra.taints, unschedulable: extra.unschedulable } };
}

const NODES = [node("k8s-master", { taints: [CP_TAINT], labels: { "node-role.kubernetes.io/control-plane": "" } }), node("k8s-node1", { labels: { disk: "hdd" } }), node("k8s-node2", { labels: { disk: "ssd" } })];

const pod = (spec: Pod["spec"] = { containers: [{ name: "c", image: "nginx" }] }): Pod => ({ metadata: { name: "web", namespace: "default", uid: "u1" }, spec });

describe("whyNotFit", () => {
  it.each<[string, Pod["spec"], Node, string | null]>([
    ["an untolerated NoSchedule taint", { containers: [] }, NODES[0], "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"],
    ["a tolerated taint", { containers: [], tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }] }, NODES[0], null],
    ["a taint with a value, tolerated by another value", { containers: [], tolerations: [{ key: "gpu", value: "no", effect: "NoExecute" }] }, node("n", { taints: [{ key: "gpu", value: "yes", effect: "NoExecute" }] }), "node(s) had untolerated taint {gpu: yes}"],
    ["a PreferNoSchedule taint only scores", { containers: [] }, node("n", { taints: [{ key: "soft", effect: "PreferNoSchedule" }] }), null],
    ["a cordoned node, before its taint", { containers: [] }, node("n", { unschedulable: true, taints: [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }] }), "node(s) were unschedulable"],
    ["a nodeSelector", { containers: [], nodeSelector: { disk: "ssd" } }, NODES[1], "node(s) didn't match Pod's node affinity/selector"],
    ["a nodeSelector that matches", { containers: [], nodeSelector: { disk: "ssd" } }, NODES[2], null],
    [
      "required node affinity (NotIn)",
      { containers: [], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "disk", operator: "NotIn", values: ["ssd"] }] }] } } } },
      NODES[2],
      "node(s) didn't match Pod's node affinity/selector",
    ],
    [
      "required node affinity by field (ORed terms)",
      { containers: [], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["k8s-node1"] }] }, { matchExpressions: [{ key: "disk", operator: "Exists" }] }] } } } },
      NODES[2],
      null,
    ],
  ])("%s", (_name, spec, n, want) => {
    expect(whyNotFit(pod(spec), n)).toBe(want);
  });
});

const scheduledEvent: CoreV1Event = {
  metadata: { name: "web.1", namespace: "default" },
  involvedObject: { kind: "Pod", name: "web", namespace: "default", uid: "u1" },
  reason: "Scheduled",
  message: "Successfully assigned default/web to k8s-node2",
  firstTimestamp: "2026-01-01T00:00:01Z",
  source: { component: "default-scheduler" },
};

describe("podStory", () => {
  it("says why the other nodes were passed over when the pod was scheduled on the first try", () => {
    const p = { ...pod(), spec: { ...pod().spec!, nodeName: "k8s-node2" }, metadata: { ...pod().metadata, creationTimestamp: "2026-01-01T00:00:00Z" } };
    const steps = podStory(p as never, { events: [scheduledEvent], owner: () => undefined, endpointSlices: [], services: [], gone: false, nodes: NODES });
    const scheduled = steps.find((s) => s.key === "scheduled")!;
    expect(scheduled.title).toBe("Scheduled to k8s-node2");
    expect(scheduled.detail).toEqual([
      "Successfully assigned default/web to k8s-node2",
      "bound through pods/binding: spec.nodeName set",
      "k8s-master: node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }",
      "k8s-node1: fits too; k8s-node2 scored higher",
    ]);
  });

  it("gives the deletion steps their times: the request, the kubelet killing, the object gone", () => {
    const p: Pod = {
      metadata: { name: "web", namespace: "default", uid: "u1", creationTimestamp: "2026-01-01T00:00:00Z", deletionTimestamp: "2026-01-01T00:10:30Z", deletionGracePeriodSeconds: 30 },
      spec: { nodeName: "k8s-node2", containers: [{ name: "c", image: "nginx" }] },
      status: { containerStatuses: [{ name: "c", image: "nginx", imageID: "", ready: false, restartCount: 0, state: { terminated: { exitCode: 0, finishedAt: "2026-01-01T00:10:02Z" } } }] },
    };
    const killing: CoreV1Event = { ...scheduledEvent, metadata: { name: "web.2" }, reason: "Killing", message: "Stopping container c", firstTimestamp: "2026-01-01T00:10:00Z", source: { component: "kubelet", host: "k8s-node2" } };
    const slice = {
      metadata: { name: "svc-abc", namespace: "default", labels: { "kubernetes.io/service-name": "svc" } },
      addressType: "IPv4",
      endpoints: [{ addresses: ["10.244.2.5"], conditions: { ready: false, terminating: true }, targetRef: { kind: "Pod", uid: "u1", name: "web", namespace: "default" } }],
    };
    const steps = podStory(p as never, { events: [scheduledEvent, killing], owner: () => undefined, endpointSlices: [slice as never], services: [], gone: true, nodes: NODES });
    const deletion = steps.filter((s) => s.phase === "delete").map((s) => [s.key, s.time]);
    expect(deletion).toEqual([
      ["requested", "2026-01-01T00:10:00Z"],
      ["endpoints-removed", "2026-01-01T00:10:00Z"],
      ["Killing", "2026-01-01T00:10:00Z"],
      ["removed", "2026-01-01T00:10:02Z"],
    ]);
  });
});
