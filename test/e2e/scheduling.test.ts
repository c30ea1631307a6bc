// Scheduling and nodes with the real kubectl: taints, nodeSelector and labels, anti-affinity, a pod
// too big for any node, cordon and drain against a PodDisruptionBudget, adding and deleting a node,
// and a node whose kubelet stops.
import { beforeAll, describe, expect, it } from "vitest";
import { createSandbox, kubectl, kubectlOk, sandboxPost, squash, writeFile, type Sandbox } from "./harness";

const service = sandboxPost;

const advance = (sb: Sandbox, seconds: number) => service(sb, "clock", { advanceSeconds: seconds });

function deployment(name: string, replicas: number, spec: Record<string, unknown> = {}, template: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "nginx", image: "nginx:1.25" }], ...template } },
      ...spec,
    },
  });
}

const antiAffinity = (app: string) => ({
  affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app } }, topologyKey: "kubernetes.io/hostname" }] } },
});

/** `name node` per pod of an app, sorted; unbound pods show `<none>`. */
function placement(sb: Sandbox, app: string): string[] {
  const out = kubectlOk(sb, ["get", "pods", "-l", `app=${app}`, "-o", "custom-columns=NAME:.metadata.name,NODE:.spec.nodeName,DELETED:.metadata.deletionTimestamp", "--no-headers"]);
  return squash(out).split("\n").filter(Boolean).sort();
}

async function eventually(check: () => void, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

describe("scheduling", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await createSandbox();
  });

  it("keeps workloads off the tainted control plane", () => {
    kubectlOk(sb, ["apply", "-f", writeFile(sb, "spread.json", deployment("spread", 4))]);
    const nodes = placement(sb, "spread").map((l) => l.split(" ")[1]);
    expect(nodes).toHaveLength(4);
    expect(nodes.every((n) => n === "k8s-node1" || n === "k8s-node2")).toBe(true);
  });

  it("leaves a pod with an unmatched nodeSelector Pending until a node gets the label", async () => {
    kubectlOk(sb, ["run", "picky", "--image=nginx:1.25", '--overrides={"apiVersion":"v1","spec":{"nodeSelector":{"disk":"ssd"}}}']);
    const describe = squash(kubectlOk(sb, ["describe", "pod", "picky"]));
    expect(describe).toContain("Status: Pending");
    expect(describe).toContain(
      "Warning FailedScheduling",
    );
    expect(describe).toContain(
      "default-scheduler 0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
    kubectlOk(sb, ["label", "node", "k8s-node2", "disk=ssd"]);
    await advance(sb, 2);
    await eventually(() => expect(kubectlOk(sb, ["get", "pod", "picky", "-o", "jsonpath={.spec.nodeName}"])).toBe("k8s-node2"));
    expect(squash(kubectlOk(sb, ["describe", "pod", "picky"]))).toContain("Normal Scheduled");
  });

  it("spreads replicas with required anti-affinity and leaves the third Pending", () => {
    kubectlOk(sb, ["apply", "-f", writeFile(sb, "solo.json", deployment("solo", 3, {}, antiAffinity("solo")))]);
    const nodes = placement(sb, "solo").map((l) => l.split(" ")[1]).sort();
    expect(nodes).toEqual(["<none>", "k8s-node1", "k8s-node2"]);
    const pending = kubectlOk(sb, ["get", "pods", "-l", "app=solo", "--field-selector", "spec.nodeName=", "-o", "jsonpath={.items[0].metadata.name}"]);
    expect(kubectlOk(sb, ["get", "pod", pending, "-o", "jsonpath={.status.conditions[0].message}"])).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
    );
  });

  it("says Insufficient cpu for a pod no node can hold, in its event and its PodScheduled condition", () => {
    kubectlOk(sb, ["run", "huge", "--image=nginx:1.25", '--overrides={"apiVersion":"v1","spec":{"containers":[{"name":"huge","image":"nginx:1.25","resources":{"requests":{"cpu":"64"}}}]}}']);
    expect(kubectlOk(sb, ["get", "pod", "huge", "-o", "jsonpath={.status.phase} {.spec.nodeName}"]).trim()).toBe("Pending");
    const message =
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.";
    const events = squash(kubectlOk(sb, ["get", "events", "--field-selector", "involvedObject.name=huge,reason=FailedScheduling"]));
    expect(events).toContain(`Warning FailedScheduling pod/huge ${message}`);
    const condition = kubectlOk(sb, ["get", "pod", "huge", "-o", 'jsonpath={.status.conditions[?(@.type=="PodScheduled")]}']);
    expect(JSON.parse(condition)).toMatchObject({ type: "PodScheduled", status: "False", reason: "Unschedulable", message });
  });

  it("gives a ReadWriteOncePod claim to one pod at a time, and the next once the first is gone", async () => {
    const claim = { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "solo" }, spec: { accessModes: ["ReadWriteOncePod"], resources: { requests: { storage: "1Gi" } } } };
    const user = (name: string) => ({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image: "busybox:1.36", command: ["sleep", "3600"] }], volumes: [{ name: "v", persistentVolumeClaim: { claimName: "solo" } }] } });
    kubectlOk(sb, ["apply", "-f", writeFile(sb, "solo.json", JSON.stringify({ apiVersion: "v1", kind: "List", items: [claim, user("solo-1")] }))]);
    await advance(sb, 30);
    expect(squash(kubectlOk(sb, ["get", "pvc", "solo", "--no-headers", "-o", "custom-columns=S:.status.phase,M:.spec.accessModes[0]"]))).toBe("Bound ReadWriteOncePod");
    expect(kubectlOk(sb, ["get", "pod", "solo-1", "-o", "jsonpath={.status.phase}"])).toBe("Running");
    kubectlOk(sb, ["apply", "-f", writeFile(sb, "solo-2.json", JSON.stringify(user("solo-2")))]);
    await advance(sb, 5);
    expect(kubectlOk(sb, ["get", "pod", "solo-2", "-o", "jsonpath={.status.phase} {.spec.nodeName}"]).trim()).toBe("Pending");
    const events = squash(kubectlOk(sb, ["get", "events", "--field-selector", "involvedObject.name=solo-2,reason=FailedScheduling"]));
    expect(events).toContain(
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
    );
    kubectlOk(sb, ["delete", "pod", "solo-1", "--wait=false"]);
    await advance(sb, 60);
    expect(kubectlOk(sb, ["get", "pod", "solo-2", "-o", "jsonpath={.status.phase}"])).toBe("Running");
  });
});

describe("nodes", () => {
  it("taints a node with kubectl taint and keeps new pods off it until the taint is removed", async () => {
    const sb = await createSandbox();
    expect(kubectlOk(sb, ["taint", "node", "k8s-node1", "dedicated=db:NoSchedule"])).toBe("node/k8s-node1 tainted\n");
    expect(squash(kubectlOk(sb, ["describe", "node", "k8s-node1"]))).toContain("Taints: dedicated=db:NoSchedule");
    kubectlOk(sb, ["apply", "-f", writeFile(sb, "avoid.json", deployment("avoid", 3))]);
    expect(placement(sb, "avoid").map((l) => l.split(" ")[1])).toEqual(["k8s-node2", "k8s-node2", "k8s-node2"]);
    expect(kubectlOk(sb, ["taint", "node", "k8s-node1", "dedicated=db:NoSchedule-"])).toBe("node/k8s-node1 untainted\n");
    kubectlOk(sb, ["scale", "deployment", "avoid", "--replicas=6"]);
    await eventually(() => expect(placement(sb, "avoid").filter((l) => l.split(" ")[1] === "k8s-node1").length).toBeGreaterThan(0));
  });

  it("cordons, and drains through the Eviction API respecting a PodDisruptionBudget", async () => {
    const sb = await createSandbox();
    kubectlOk(sb, ["apply", "-f", writeFile(sb, "guarded.json", deployment("guarded", 2, {}, antiAffinity("guarded")))]);
    // Let the kubelets pull the image and start the pods.
    await advance(sb, 30);
    kubectlOk(sb, ["create", "poddisruptionbudget", "guarded", "--selector=app=guarded", "--min-available=2"]);
    await eventually(() => expect(kubectlOk(sb, ["get", "pdb", "guarded", "-o", "jsonpath={.status.currentHealthy}/{.status.disruptionsAllowed}"])).toBe("2/0"));

    expect(kubectlOk(sb, ["cordon", "k8s-node1"])).toContain("node/k8s-node1 cordoned");
    expect(squash(kubectlOk(sb, ["get", "nodes"]))).toMatch(/k8s-node1 Ready,SchedulingDisabled <none>/);
    expect(kubectlOk(sb, ["get", "node", "k8s-node1", "-o", "jsonpath={.spec.taints[*].key}"])).toBe("node.kubernetes.io/unschedulable");

    const blocked = kubectl(sb, ["drain", "k8s-node1", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=8s"]);
    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr + blocked.stdout).toContain("(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.");

    kubectlOk(sb, ["patch", "pdb", "guarded", "--type=merge", "-p", '{"spec":{"minAvailable":1}}']);
    await eventually(() => expect(kubectlOk(sb, ["get", "pdb", "guarded", "-o", "jsonpath={.status.disruptionsAllowed}"])).toBe("1"));
    const drained = kubectlOk(sb, ["drain", "k8s-node1", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=30s"]);
    expect(drained).toContain("node/k8s-node1 drained");
    expect(placement(sb, "guarded").filter((l) => l.includes("k8s-node1"))).toEqual([]);

    kubectlOk(sb, ["uncordon", "k8s-node1"]);
    expect(squash(kubectlOk(sb, ["get", "nodes"]))).toMatch(/k8s-node1 Ready <none>/);
  });

  it("drains with --disable-eviction: pods deleted directly (kubectl sends DeleteOptions as protobuf)", async () => {
    const sb = await createSandbox();
    kubectlOk(sb, ["apply", "-f", writeFile(sb, "direct.json", deployment("direct", 2))]);
    await eventually(() => expect(placement(sb, "direct").filter((l) => l.split(" ")[1] === "k8s-node1").length).toBe(1));
    const r = kubectl(sb, ["drain", "k8s-node1", "--disable-eviction", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=60s"]);
    expect(r.stderr).not.toContain("parse error");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("node/k8s-node1 drained");
    await eventually(() => expect(placement(sb, "direct").filter((l) => l.split(" ")[2] === "<none>").every((l) => l.split(" ")[1] === "k8s-node2")).toBe(true));
  });

  it("adds a node from a manifest, schedules onto it, and deletes it with its pods", async () => {
    const sb = await createSandbox();
    kubectlOk(sb, ["apply", "-f", writeFile(sb, "node.yaml", "apiVersion: v1\nkind: Node\nmetadata:\n  name: k8s-node3\n  labels:\n    disk: nvme\n")]);
    await eventually(() => expect(squash(kubectlOk(sb, ["get", "nodes"]))).toMatch(/k8s-node3 Ready <none>/));
    kubectlOk(sb, ["run", "fast", "--image=nginx:1.25", '--overrides={"apiVersion":"v1","spec":{"nodeSelector":{"disk":"nvme"}}}']);
    expect(kubectlOk(sb, ["get", "pod", "fast", "-o", "jsonpath={.spec.nodeName}"])).toBe("k8s-node3");
    kubectlOk(sb, ["delete", "node", "k8s-node3"]);
    // Pod GC waits out a 40 s quarantine before it deletes the pods of a node that is gone.
    expect(kubectlOk(sb, ["get", "pod", "fast", "-o", "jsonpath={.spec.nodeName}"])).toBe("k8s-node3");
    await advance(sb, 40);
    await eventually(() => expect(kubectl(sb, ["get", "pod", "fast"]).code).not.toBe(0));
  });

  it("marks a node whose kubelet stopped NotReady, then moves its pods away", async () => {
    const sb = await createSandbox();
    kubectlOk(sb, ["apply", "-f", writeFile(sb, "web.json", deployment("web", 2))]);
    const before = placement(sb, "web");
    const victims = before.filter((l) => l.split(" ")[1] === "k8s-node1").map((l) => l.split(" ")[0]);
    expect(victims.length).toBeGreaterThan(0);

    // Stopped from the node's own shell; started again through the sandbox API below.
    expect(await service(sb, "shell", { node: "k8s-node1", command: "systemctl stop kubelet" })).toEqual({ stdout: "", stderr: "", exitCode: 0 });
    await advance(sb, 49);
    expect(squash(kubectlOk(sb, ["get", "nodes"]))).toMatch(/k8s-node1 Ready <none>/);
    await advance(sb, 1);
    expect(squash(kubectlOk(sb, ["get", "nodes"]))).toMatch(/k8s-node1 NotReady <none>/);
    expect(kubectlOk(sb, ["get", "node", "k8s-node1", "-o", "jsonpath={.spec.taints[*].key}"])).toBe("node.kubernetes.io/unreachable node.kubernetes.io/unreachable");

    await advance(sb, 300);
    const after = placement(sb, "web");
    const live = after.filter((l) => l.split(" ")[2] === "<none>");
    expect(live).toHaveLength(2);
    expect(live.every((l) => l.split(" ")[1] === "k8s-node2")).toBe(true);
    const events = squash(kubectlOk(sb, ["get", "events", "--field-selector", `involvedObject.name=${victims[0]}`]));
    expect(events).toContain(`TaintManagerEviction pod/${victims[0]} Marking for deletion Pod default/${victims[0]}`);

    await service(sb, "nodes/k8s-node1/kubelet", { running: true });
    expect(squash(kubectlOk(sb, ["get", "nodes"]))).toMatch(/k8s-node1 Ready <none>/);
    await eventually(() => expect(placement(sb, "web").filter((l) => l.includes("k8s-node1"))).toEqual([]));
  });
});
