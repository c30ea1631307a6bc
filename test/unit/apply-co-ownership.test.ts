// Server-side apply of values that are already there: the applier becomes a co-owner, which the
// apiserver persists even though no field value changed.
import { SELF } from "cloudflare:test";
import { expect, it } from "vitest";

const ORIGIN = "http://kubeplay.test";

async function call(id: string, method: string, path: string, body: string, contentType: string) {
  const res = await SELF.fetch(`${ORIGIN}/s/${id}${path}`, { method, headers: { "content-type": contentType }, body });
  return { status: res.status, json: (await res.json()) as any };
}

it("records a new apply manager even when the object's values do not change", async () => {
  const created = await SELF.fetch(`${ORIGIN}/api/sandboxes`, { method: "POST" });
  const { id } = (await created.json()) as { id: string };
  const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1" } };
  const path = "/api/v1/namespaces/default/configmaps";
  const first = await call(id, "POST", `${path}?fieldManager=editor`, JSON.stringify(cm), "application/json");
  expect(first.status).toBe(201);

  const applied = await call(id, "PATCH", `${path}/c?fieldManager=kubectl&force=false`, JSON.stringify(cm), "application/apply-patch+yaml");
  expect(applied.status).toBe(200);
  expect(applied.json.metadata.managedFields.map((m: { manager: string; operation: string }) => `${m.manager}/${m.operation}`)).toEqual([
    "kubectl/Apply",
    "editor/Update",
  ]);
  expect(Number(applied.json.metadata.resourceVersion)).toBeGreaterThan(Number(first.json.metadata.resourceVersion));

  // Applying the same again changes nothing at all.
  const again = await call(id, "PATCH", `${path}/c?fieldManager=kubectl&force=false`, JSON.stringify(cm), "application/apply-patch+yaml");
  expect(again.json.metadata.resourceVersion).toBe(applied.json.metadata.resourceVersion);
  expect(again.json.metadata.managedFields).toEqual(applied.json.metadata.managedFields);
});
