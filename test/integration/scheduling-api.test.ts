// The scheduling surface through the Worker: pods/binding, pods/eviction against a
// PodDisruptionBudget, and the sandbox service's node operations (add a node, stop its kubelet).
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, clock, createSandbox, ORIGIN, pod } from "./helpers";

const PODS = "/api/v1/namespaces/default/pods";

async function service(path: string, body: unknown) {
  const res = await SELF.fetch(`${ORIGIN}/api/sandboxes/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as any };
}

/** Runs the controllers to rest (the clock endpoint reconciles under the write lock). */
const settle = (id: string) => clock(id, { advanceSeconds: 0 });

async function runningPod(id: string, name: string, node: string) {
  await api(id, "POST", PODS, pod(name, { metadata: { name, labels: { app: "web" } }, spec: { nodeName: node, containers: [{ name: "c", image: "nginx" }] } }));
}

describe("pods/binding", () => {
  it("binds a pod to a node, once", async () => {
    const sb = await createSandbox();
    await api(sb.id, "POST", PODS, pod("manual", { spec: { schedulerName: "manual", containers: [{ name: "c", image: "nginx" }] } }));
    const binding = { apiVersion: "v1", kind: "Binding", metadata: { name: "manual" }, target: { apiVersion: "v1", kind: "Node", name: "k8s-node1" } };
    const res = await api(sb.id, "POST", `${PODS}/manual/binding`, binding);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ kind: "Status", status: "Success", code: 201 });
    const bound = (await api(sb.id, "GET", `${PODS}/manual`)).json;
    expect(bound.spec.nodeName).toBe("k8s-node1");
    expect(bound.status.conditions).toContainEqual(expect.objectContaining({ type: "PodScheduled", status: "True" }));
    const again = await api(sb.id, "POST", `${PODS}/manual/binding`, { ...binding, target: { kind: "Node", name: "k8s-node2" } });
    expect(again.status).toBe(409);
    expect(again.json.message).toBe('Operation cannot be fulfilled on pods/binding "manual": pod manual is already assigned to node "k8s-node1"');
    expect((await api(sb.id, "GET", `${PODS}/manual/binding`)).status).toBe(405);
  });
});

describe("pods/eviction", () => {
  it("refuses while the budget allows no disruption, then evicts", async () => {
    const sb = await createSandbox();
    await runningPod(sb.id, "web-1", "k8s-node1");
    await runningPod(sb.id, "web-2", "k8s-node2");
    // The kubelets pull, start and report the pods Ready.
    await clock(sb.id, { advanceSeconds: 30 });
    expect((await api(sb.id, "GET", `${PODS}/web-1`)).json.status.phase).toBe("Running");
    const pdb = { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "web" }, spec: { minAvailable: 2, selector: { matchLabels: { app: "web" } } } };
    await api(sb.id, "POST", "/apis/policy/v1/namespaces/default/poddisruptionbudgets", pdb);
    await settle(sb.id);
    const eviction = { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "web-1", namespace: "default" } };
    const refused = await api(sb.id, "POST", `${PODS}/web-1/eviction`, eviction);
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({
      reason: "TooManyRequests",
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: { causes: [{ reason: "DisruptionBudget", message: "The disruption budget web needs 2 healthy pods and has 2 currently" }] },
    });

    const patched = await api(sb.id, "PATCH", "/apis/policy/v1/namespaces/default/poddisruptionbudgets/web", { spec: { minAvailable: 1 } }, { "content-type": "application/merge-patch+json" });
    expect(patched.status).toBe(200);
    await settle(sb.id);
    const ok = await api(sb.id, "POST", `${PODS}/web-1/eviction`, eviction);
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ kind: "Status", status: "Success" });
    const budget = (await api(sb.id, "GET", "/apis/policy/v1/namespaces/default/poddisruptionbudgets/web")).json;
    expect(budget.status.disruptionsAllowed).toBe(0);
    // The kubelet stops the containers and removes the pod.
    await clock(sb.id, { advanceSeconds: 30 });
    expect((await api(sb.id, "GET", `${PODS}/web-1`)).status).toBe(404);
    expect((await api(sb.id, "POST", `${PODS}/web-2/eviction`, { ...eviction, metadata: { name: "web-2" } })).status).toBe(429);
  });

  it("deletes a pod that is not running yet without asking the budget", async () => {
    const sb = await createSandbox();
    await api(sb.id, "POST", PODS, pod("waiting", { metadata: { name: "waiting", labels: { app: "web" } }, spec: { nodeSelector: { nowhere: "true" }, containers: [{ name: "c", image: "nginx" }] } }));
    await api(sb.id, "POST", "/apis/policy/v1/namespaces/default/poddisruptionbudgets", { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "web" }, spec: { minAvailable: 5, selector: { matchLabels: { app: "web" } } } });
    await settle(sb.id);
    expect((await api(sb.id, "POST", `${PODS}/waiting/eviction`, { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "waiting" } })).status).toBe(201);
    expect((await api(sb.id, "GET", `${PODS}/waiting`)).status).toBe(404);
    expect((await api(sb.id, "POST", `${PODS}/waiting/eviction`, { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "waiting" } })).status).toBe(404);
  });
});

describe("sandbox node operations", () => {
  it("adds a node and stops and starts its kubelet", async () => {
    const sb = await createSandbox();
    expect((await service(`${sb.id}/nodes`, { name: "k8s-node3", labels: { disk: "ssd" } })).status).toBe(201);
    const node = (await api(sb.id, "GET", "/api/v1/nodes/k8s-node3")).json;
    expect(node.status.conditions.find((c: any) => c.type === "Ready").status).toBe("True");
    expect(node.metadata.labels.disk).toBe("ssd");

    const stopped = await service(`${sb.id}/nodes/k8s-node3/kubelet`, { running: false });
    expect(stopped).toMatchObject({ status: 200, json: { node: "k8s-node3", kubelet: "stopped" } });
    await clock(sb.id, { advanceSeconds: 50 });
    const down = (await api(sb.id, "GET", "/api/v1/nodes/k8s-node3")).json;
    expect(down.status.conditions.find((c: any) => c.type === "Ready").status).toBe("Unknown");
    expect((await service(`${sb.id}/nodes/k8s-node3/kubelet`, { running: true })).json.kubelet).toBe("running");
    const up = (await api(sb.id, "GET", "/api/v1/nodes/k8s-node3")).json;
    expect(up.status.conditions.find((c: any) => c.type === "Ready").status).toBe("True");
  });

  it("refuses unknown nodes, bad bodies and read-only links", async () => {
    const sb = await createSandbox();
    expect((await service(`${sb.id}/nodes/nope/kubelet`, { running: false })).status).toBe(404);
    expect((await service(`${sb.id}/nodes/k8s-node1/kubelet`, { running: "no" })).status).toBe(400);
    expect((await service(`${sb.id}/nodes`, { name: "k8s-node1" })).status).toBe(409);
    expect((await service(`${sb.readOnlyId}/nodes/k8s-node1/kubelet`, { running: false })).status).toBe(403);
  });
});
