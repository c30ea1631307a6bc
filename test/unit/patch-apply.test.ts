import { describe, expect, it } from "vitest";
import { KubeError } from "../../worker/api/status";
import type { KubeObject } from "../../worker/resources/types";
import { recordUpdateManager, serverSideApply } from "../../worker/api/patch";

type Obj = Record<string, any>;
const T1 = "2024-01-01T00:00:00Z";
const T2 = "2024-01-01T00:01:00Z";
const T3 = "2024-01-01T00:02:00Z";
const opts = (manager: string, now: string, force = false) => ({ manager, now, force, gvkKey: "apps/Deployment" });

function deployment(extra: { replicas?: number; labels?: Record<string, string>; image?: string; env?: Obj[] } = {}): KubeObject {
  const container: Obj = { name: "nginx", image: extra.image ?? "nginx:1.25", ports: [{ containerPort: 80 }] };
  if (extra.env) container.env = extra.env;
  const spec: Obj = {
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [container] } },
  };
  if (extra.replicas !== undefined) spec.replicas = extra.replicas;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", labels: extra.labels ?? { app: "web" } },
    spec,
  };
}

/** Simulates the store: system fields the server adds on create. */
function persisted(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, uid: "u1", resourceVersion: "1", creationTimestamp: T1 } };
}

function managers(obj: KubeObject): Obj[] {
  return (obj.metadata.managedFields ?? []) as Obj[];
}

function errorOf(fn: () => unknown): KubeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KubeError);
    return e as KubeError;
  }
  throw new Error("expected an error");
}

describe("serverSideApply", () => {
  it("creates the object and records the applier's fields in FieldsV1", () => {
    const created = serverSideApply(undefined, deployment({ replicas: 2 }), opts("kubectl", T1));
    expect(created.spec).toMatchObject({ replicas: 2 });
    const [entry] = managers(created);
    expect(entry).toMatchObject({ manager: "kubectl", operation: "Apply", apiVersion: "apps/v1", time: T1, fieldsType: "FieldsV1" });
    expect(entry.fieldsV1).toEqual({
      "f:metadata": { "f:labels": { "f:app": {} } },
      "f:spec": {
        "f:replicas": {},
        "f:selector": {},
        "f:template": {
          "f:metadata": { "f:labels": { "f:app": {} } },
          "f:spec": {
            "f:containers": {
              'k:{"name":"nginx"}': {
                ".": {},
                "f:image": {},
                "f:name": {},
                "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} } },
              },
            },
          },
        },
      },
    });
  });

  it("re-applying without a field removes it", () => {
    const live = persisted(serverSideApply(undefined, deployment({ replicas: 2, labels: { app: "web", tier: "fe" } }), opts("kubectl", T1)));
    const next = serverSideApply(live, deployment({ labels: { app: "web" } }), opts("kubectl", T2));
    expect((next as Obj).spec.replicas).toBeUndefined();
    expect(next.metadata.labels).toEqual({ app: "web" });
    expect(next.metadata.uid).toBe("u1");
    const fields = managers(next)[0].fieldsV1;
    expect(fields["f:spec"]["f:replicas"]).toBeUndefined();
    expect(managers(next)[0].time).toBe(T2);
  });

  it("keeps a dropped field that another manager also owns", () => {
    const live = persisted(serverSideApply(undefined, deployment({ replicas: 2 }), opts("kubectl", T1)));
    const shared = serverSideApply(live, deployment({ replicas: 2 }), opts("other", T2));
    const next = serverSideApply(shared, deployment(), opts("kubectl", T3));
    expect((next as Obj).spec.replicas).toBe(2);
  });

  it("removes a list item the manager stops applying and merges others by key", () => {
    const env = [
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ];
    const live = persisted(serverSideApply(undefined, deployment({ env }), opts("kubectl", T1)));
    const next = serverSideApply(live, deployment({ env: [{ name: "B", value: "3" }] }), opts("kubectl", T2));
    expect((next as Obj).spec.template.spec.containers[0].env).toEqual([{ name: "B", value: "3" }]);
    expect((next as Obj).spec.template.spec.containers[0].ports).toEqual([{ containerPort: 80 }]);
  });

  it("conflicts with another manager's field unless forced", () => {
    let live = persisted(deployment({ replicas: 3 }));
    recordUpdateManager(undefined, live, { manager: "kubectl-client-side-apply", now: T1 });
    const err = errorOf(() => serverSideApply(live, deployment({ replicas: 5 }), opts("kubectl", T2)));
    expect(err.code).toBe(409);
    expect(err.reason).toBe("Conflict");
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    expect(err.details?.causes).toEqual([
      { reason: "FieldManagerConflict", message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: ".spec.replicas" },
    ]);

    live = serverSideApply(live, deployment({ replicas: 5 }), opts("kubectl", T2, true));
    expect((live as Obj).spec.replicas).toBe(5);
    const csa = managers(live).find((m) => m.manager === "kubectl-client-side-apply")!;
    expect(csa.fieldsV1["f:spec"]["f:replicas"]).toBeUndefined();
    const applier = managers(live).find((m) => m.manager === "kubectl")!;
    expect(applier.fieldsV1["f:spec"]["f:replicas"]).toEqual({});
    // Apply entries sort before Update entries.
    expect(managers(live).map((m) => m.operation)).toEqual(["Apply", "Update"]);
  });

  it("applying the same value as another manager shares the field without conflict", () => {
    const live = persisted(deployment({ replicas: 3 }));
    recordUpdateManager(undefined, live, { manager: "kubectl-create", now: T1 });
    const next = serverSideApply(live, deployment({ replicas: 3 }), opts("kubectl", T2));
    expect((next as Obj).spec.replicas).toBe(3);
    const creator = managers(next).find((m) => m.manager === "kubectl-create")!;
    expect(creator.fieldsV1["f:spec"]["f:replicas"]).toEqual({});
  });

  it("lists every conflict, grouped by manager", () => {
    const live = persisted(deployment({ replicas: 3 }));
    recordUpdateManager(undefined, live, { manager: "kubectl-edit", now: T1 });
    const err = errorOf(() => serverSideApply(live, deployment({ replicas: 4, image: "nginx:2" }), opts("kubectl", T2)));
    expect(err.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "kubectl-edit" using apps/v1:\n' +
        "- .spec.replicas\n" +
        '- .spec.template.spec.containers[name="nginx"].image',
    );
  });

  it("names another applier without an API version", () => {
    const live = persisted(serverSideApply(undefined, deployment({ replicas: 2 }), opts("helm", T1)));
    const err = errorOf(() => serverSideApply(live, deployment({ replicas: 7 }), opts("kubectl", T2)));
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "helm": .spec.replicas');
  });

  it("treats an untracked live object as owned by before-first-apply", () => {
    const live = persisted(deployment({ replicas: 3 }));
    const err = errorOf(() => serverSideApply(live, deployment({ replicas: 1 }), opts("kubectl", T2)));
    expect(err.message).toContain('"before-first-apply" using apps/v1: .spec.replicas');
  });

  it("rejects managedFields in the applied configuration", () => {
    const applied = deployment();
    applied.metadata.managedFields = [];
    expect(errorOf(() => serverSideApply(undefined, applied, opts("kubectl", T1))).message).toBe("metadata.managedFields must be nil");
  });

  it("leaves the time alone when nothing changes", () => {
    const live = persisted(serverSideApply(undefined, deployment(), opts("kubectl", T1)));
    const again = serverSideApply(live, deployment(), opts("kubectl", T2));
    expect(managers(again)[0].time).toBe(T1);
  });
});

describe("recordUpdateManager", () => {
  it("records every field on create, except identity and status", () => {
    const obj = persisted(deployment({ replicas: 1 }));
    (obj as Obj).status = { replicas: 0 };
    recordUpdateManager(undefined, obj, { manager: "kubectl-create", now: T1 });
    const [entry] = managers(obj);
    expect(entry).toMatchObject({ manager: "kubectl-create", operation: "Update", apiVersion: "apps/v1", time: T1 });
    expect(entry.fieldsV1["f:metadata"]).toEqual({ "f:labels": { ".": {}, "f:app": {} } });
    expect(entry.fieldsV1["f:status"]).toBeUndefined();
    expect(entry.fieldsV1["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"nginx"}']["f:ports"]).toEqual({
      ".": {},
      'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} },
    });
  });

  it("moves changed fields from their previous owner to the writer", () => {
    const old = persisted(deployment({ replicas: 1 }));
    recordUpdateManager(undefined, old, { manager: "kubectl-create", now: T1 });
    const next = structuredClone(old) as KubeObject;
    (next.spec as Obj).replicas = 4;
    recordUpdateManager(old, next, { manager: "kubectl-scale", now: T2 });
    const byName = Object.fromEntries(managers(next).map((m) => [m.manager, m]));
    expect(byName["kubectl-scale"].fieldsV1).toEqual({ "f:spec": { "f:replicas": {} } });
    expect(byName["kubectl-create"].fieldsV1["f:spec"]["f:replicas"]).toBeUndefined();
    expect(byName["kubectl-create"].time).toBe(T1);
  });

  it("records status writes under the subresource", () => {
    const old = persisted(deployment());
    recordUpdateManager(undefined, old, { manager: "kubectl-create", now: T1 });
    const next = structuredClone(old) as Obj;
    next.status = { replicas: 1, readyReplicas: 1 };
    next.spec.replicas = 9; // ignored by a status write
    recordUpdateManager(old, next as KubeObject, { manager: "kube-controller-manager", now: T2, subresource: "status" });
    const ctrl = managers(next as KubeObject).find((m) => m.manager === "kube-controller-manager")!;
    expect(ctrl).toMatchObject({ subresource: "status", operation: "Update" });
    expect(ctrl.fieldsV1).toEqual({ "f:status": { "f:readyReplicas": {}, "f:replicas": {} } });
  });

  it("records scale writes against spec fields under the subresource", () => {
    const old = persisted(deployment({ replicas: 1 }));
    recordUpdateManager(undefined, old, { manager: "kubectl-create", now: T1 });
    const next = structuredClone(old) as Obj;
    next.spec.replicas = 3;
    next.status = { replicas: 3 };
    recordUpdateManager(old, next as KubeObject, { manager: "kubectl", now: T2, subresource: "scale" });
    const scaler = managers(next as KubeObject).find((m) => m.subresource === "scale")!;
    expect(scaler.fieldsV1).toEqual({ "f:spec": { "f:replicas": {} } });
  });

  it("keeps stored managedFields when the client drops them, and no-op writes change nothing", () => {
    const old = persisted(deployment());
    recordUpdateManager(undefined, old, { manager: "kubectl-create", now: T1 });
    const next = structuredClone(old) as KubeObject;
    delete next.metadata.managedFields;
    recordUpdateManager(old, next, { manager: "kubectl-edit", now: T2 });
    expect(managers(next)).toEqual(managers(old));
  });

  it("clears managedFields when sent a single empty entry", () => {
    const old = persisted(deployment());
    recordUpdateManager(undefined, old, { manager: "kubectl-create", now: T1 });
    const next = structuredClone(old) as KubeObject;
    next.metadata.managedFields = [{}];
    recordUpdateManager(old, next, { manager: "kubectl-edit", now: T2 });
    expect(next.metadata.managedFields).toBeUndefined();
  });
});
