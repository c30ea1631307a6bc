import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, createSandbox, ORIGIN } from "./helpers";

async function create(body: unknown): Promise<{ status: number; json: any }> {
  const res = await SELF.fetch(`${ORIGIN}/api/sandboxes`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

describe("sandbox templates and manifests at create", () => {
  it("lists the templates", async () => {
    const res = await SELF.fetch(`${ORIGIN}/api/sandboxes/templates`);
    expect(res.status).toBe(200);
    const { templates } = (await res.json()) as { templates: { name: string; title: string }[] };
    expect(templates.map((t) => t.name)).toEqual(["empty", "nginx", "probes"]);
    expect(templates.every((t) => t.title.length > 0)).toBe(true);
  });

  it("creates the nginx template's Deployment and Service, which the controllers then run", async () => {
    const sb = await createSandbox({ template: "nginx" });
    expect((sb as any).applied).toEqual([
      { kind: "Deployment", name: "nginx", namespace: "default" },
      { kind: "Service", name: "nginx", namespace: "default" },
    ]);
    const deploy = await api(sb.id, "GET", "/apis/apps/v1/namespaces/default/deployments/nginx");
    expect(deploy.status).toBe(200);
    expect(deploy.json.metadata.managedFields[0].manager).toBe("kubeplay-template");
    const svc = await api(sb.id, "GET", "/api/v1/namespaces/default/services/nginx");
    expect(svc.json.spec.clusterIP).toMatch(/^10\.\d+\.\d+\.\d+$/);
    // The deployment controller reacted to the created object like to any other.
    let pods: any[] = [];
    for (let i = 0; i < 50 && pods.length < 2; i++) {
      pods = (await api(sb.id, "GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dnginx")).json.items;
      if (pods.length < 2) await new Promise((r) => setTimeout(r, 20));
    }
    expect(pods).toHaveLength(2);
  });

  it("creates the probes tutorial's pods", async () => {
    const sb = await createSandbox({ template: "probes" });
    const pods = await api(sb.id, "GET", "/api/v1/namespaces/default/pods/liveness-exec");
    expect(pods.json.spec.containers[0].livenessProbe.exec.command).toEqual(["cat", "/tmp/healthy"]);
  });

  it("an empty template is an ordinary cluster", async () => {
    const sb = await createSandbox({ template: "empty" });
    expect((sb as any).applied).toBeUndefined();
    const deploys = await api(sb.id, "GET", "/apis/apps/v1/namespaces/default/deployments");
    expect(deploys.json.items).toEqual([]);
  });

  it("creates the request's own manifests in order, a namespace before what goes in it, a List as its items", async () => {
    const manifests = [
      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  color: blue",
      JSON.stringify({ apiVersion: "v1", kind: "List", items: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } }] }),
    ].join("\n---\n");
    const sb = await createSandbox({ template: "nginx", manifests });
    expect((sb as any).applied.map((a: any) => `${a.kind}/${a.namespace ?? ""}/${a.name}`)).toEqual([
      "Deployment/default/nginx",
      "Service/default/nginx",
      "Namespace//shop",
      "ConfigMap/shop/settings",
      "ConfigMap/default/a",
    ]);
    expect((await api(sb.id, "GET", "/api/v1/namespaces/shop/configmaps/settings")).json.data).toEqual({ color: "blue" });
  });

  it("reports an object the API refuses, with the API's message, and creates the others", async () => {
    const manifests = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good";
    const { status, json } = await create({ manifests });
    expect(status).toBe(201);
    expect(json.applied[0]).toMatchObject({ kind: "ConfigMap", name: "Bad_Name", code: 422 });
    expect(json.applied[0].error).toContain('ConfigMap "Bad_Name" is invalid');
    expect(json.applied[1]).toEqual({ kind: "ConfigMap", name: "good", namespace: "default" });
  });

  it("refuses, before creating anything, a request whose manifests cannot be created at all", async () => {
    const cases: [unknown, string][] = [
      [{ template: "nope" }, 'unknown template "nope"'],
      [{ template: 3 }, "template must be a string"],
      [{ manifests: { kind: "Pod" } }, "manifests must be a string"],
      [{ manifests: "kind: [unclosed" }, "document 1"],
      [{ manifests: "- a\n- b" }, "is not an object"],
      [{ manifests: "apiVersion: v1\nkind: Gadget\nmetadata:\n  name: x" }, 'no matches for kind "Gadget" in version "v1"'],
      [{ manifests: "apiVersion: v1\nkind: ConfigMap\nmetadata: {}" }, "metadata.name is required"],
      [{ manifests: "kind: ConfigMap\nmetadata:\n  name: x" }, "apiVersion and kind are required"],
    ];
    for (const [body, message] of cases) {
      const { status, json } = await create(body);
      expect(status, JSON.stringify(body)).toBe(400);
      expect(json.error).toContain(message);
    }
  });
});
