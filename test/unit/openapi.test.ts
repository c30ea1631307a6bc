import { describe, expect, it } from "vitest";
import {
  openapiDocument,
  openapiDocumentJSON,
  openapiHash,
  openapiIndex,
  openapiV2,
  unknownFields,
} from "../../worker/api/openapi/index";
import { groupVersions } from "../../worker/resources/registry";

type Doc = {
  paths: Record<string, Record<string, { parameters?: { name: string }[]; "x-kubernetes-group-version-kind"?: unknown; requestBody?: { content: Record<string, unknown> } }>>;
  components: { schemas: Record<string, Record<string, unknown> & { properties?: Record<string, { description?: string; allOf?: unknown[] }> }> };
};

const doc = (gv: string) => openapiDocument(gv) as Doc;

describe("openapi index", () => {
  it("lists every served group-version with a hash URL", () => {
    const index = openapiIndex() as { paths: Record<string, { serverRelativeURL: string }> };
    const expected = groupVersions().map((gv) => (gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`));
    expect(Object.keys(index.paths).sort()).toEqual(expected.sort());
    for (const gv of expected) {
      const hash = openapiHash(gv);
      expect(hash).toMatch(/^[0-9A-F]{32}$/);
      expect(index.paths[gv].serverRelativeURL).toBe(`/openapi/v3/${gv}?hash=${hash}`);
    }
    expect(index.paths["api/v1"]).toBeDefined();
    expect(index.paths["apis/apps/v1"]).toBeDefined();
  });

  it("gives different documents different hashes and stable ones the same", () => {
    expect(openapiHash("apis/apps/v1")).not.toBe(openapiHash("apis/batch/v1"));
    expect(openapiHash("apis/apps/v1")).toBe(openapiHash("/apis/apps/v1/"));
    expect(openapiHash("apis/nope/v1")).toBeUndefined();
    expect(openapiDocument("apis/autoscaling/v2beta2")).toBeUndefined();
  });
});

describe("openapi documents", () => {
  it("carries the Deployment schema with upstream names and descriptions", () => {
    const d = doc("apis/apps/v1");
    const deployment = d.components.schemas["io.k8s.api.apps.v1.Deployment"];
    expect(deployment["x-kubernetes-group-version-kind"]).toEqual([{ group: "apps", kind: "Deployment", version: "v1" }]);
    const strategy = d.components.schemas["io.k8s.api.apps.v1.DeploymentSpec"].properties!.strategy;
    expect(strategy.description).toBe("The deployment strategy to use to replace existing pods with new ones.");
    expect(strategy.allOf).toEqual([{ $ref: "#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy" }]);
    expect(d.components.schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]).toBeDefined();
    expect(d.components.schemas["io.k8s.api.core.v1.PodSpec"].required).toEqual(["containers"]);
    // Every $ref resolves inside the same document.
    const json = openapiDocumentJSON("apis/apps/v1")!;
    for (const m of json.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) expect(d.components.schemas[m[1]]).toBeDefined();
  });

  it("has PATCH operations kubectl accepts for server-side field validation", () => {
    const d = doc("apis/apps/v1");
    const item = d.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"];
    expect(Object.keys(item).sort()).toEqual(["delete", "get", "parameters", "patch", "put"]);
    const patch = item.patch;
    expect(patch["x-kubernetes-group-version-kind"]).toEqual({ group: "apps", kind: "Deployment", version: "v1" });
    expect(patch.parameters!.map((p) => p.name)).toEqual(expect.arrayContaining(["fieldValidation", "dryRun", "fieldManager"]));
    expect(Object.keys(patch.requestBody!.content)).not.toContain("application/strategic-merge-patch+json");
    const coll = d.paths["/apis/apps/v1/namespaces/{namespace}/deployments"];
    expect(coll.post.parameters!.map((p) => p.name)).toContain("fieldValidation");
    expect(coll.get["x-kubernetes-group-version-kind"]).toBeDefined();
    const scale = d.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"];
    expect(scale.patch["x-kubernetes-group-version-kind"]).toEqual({ group: "autoscaling", kind: "Scale", version: "v1" });
    expect(d.components.schemas["io.k8s.api.autoscaling.v1.Scale"]).toBeDefined();

    const core = doc("api/v1");
    expect(core.paths["/api/v1/namespaces/{name}"].patch.parameters!.map((p) => p.name)).toContain("fieldValidation");
    expect(core.paths["/api/v1/nodes/{name}"]).toBeDefined();
    expect(core.paths["/api/v1/namespaces/{namespace}/pods/{name}/eviction"].post).toBeDefined();
  });

  it("serves an empty /openapi/v2 for the kubectl versions that insist on loading it", () => {
    expect(openapiV2("application/com.github.proto-openapi.spec.v2@v1.0+protobuf")).toEqual({
      contentType: "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
      body: "",
    });
    expect(JSON.parse(openapiV2("application/json").body).swagger).toBe("2.0");
  });
});

describe("unknownFields", () => {
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", labels: { app: "web", "example.com/any": "x" }, annotations: { "a.b/c": "{}" } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [
            { name: "a", image: "nginx", resources: { limits: { cpu: "1", memory: "1Gi" } }, env: [{ name: "X", value: "1" }] },
            { name: "b", imagee: "nginx", ports: [{ containerPort: 80, protocoll: "TCP" }] },
          ],
          nodeSelector: { "kubernetes.io/os": "linux" },
        },
      },
      foo: true,
    },
    status: { replicas: 1 },
  };

  it("reports nested unknown fields like the apiserver's strict decoder", () => {
    expect(unknownFields("apis/apps/v1", "Deployment", deployment)).toEqual([
      'unknown field "spec.template.spec.containers[1].imagee"',
      'unknown field "spec.template.spec.containers[1].ports[0].protocoll"',
      'unknown field "spec.foo"',
    ]);
    expect(unknownFields("api/v1", "Pod", { metadata: { name: "p", nmae: "x" }, spec: { containers: [] }, extra: 1 })).toEqual([
      'unknown field "metadata.nmae"',
      'unknown field "extra"',
    ]);
  });

  it("accepts free-form maps and raw objects", () => {
    const fixed = structuredClone(deployment) as Record<string, any>;
    delete fixed.spec.foo;
    fixed.spec.template.spec.containers[1] = { name: "b", image: "nginx" };
    expect(unknownFields("apis/apps/v1", "Deployment", fixed)).toEqual([]);
    expect(
      unknownFields("api/v1", "ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { "any.key": "v", "x-y_z": "w" } }),
    ).toEqual([]);
    expect(unknownFields("api/v1", "Secret", { metadata: { name: "s" }, data: { k: "dg==" }, stringData: { k: "v" }, type: "Opaque" })).toEqual([]);
    expect(unknownFields("apis/apps/v1", "ControllerRevision", { metadata: { name: "r" }, revision: 1, data: { anything: { goes: [1] } } })).toEqual([]);
    expect(
      unknownFields("api/v1", "Pod", {
        metadata: { name: "p", managedFields: [{ manager: "m", fieldsV1: { "f:spec": { "f:x": {} } } }], creationTimestamp: null },
        spec: { containers: [{ name: "c", image: "i" }] },
      }),
    ).toEqual([]);
  });

  it("knows nothing about unknown kinds or group-versions", () => {
    expect(unknownFields("apis/apps/v1", "Nope", { foo: 1 })).toEqual([]);
    expect(unknownFields("apis/nope/v1", "Deployment", { foo: 1 })).toEqual([]);
  });
});
