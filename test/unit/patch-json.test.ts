import { describe, expect, it } from "vitest";
import { KubeError } from "../../worker/api/status";
import { applyJsonPatch, applyMergePatch } from "../../worker/api/patch";

const pod = () => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", labels: { app: "web", "a/b": "slash", "t~x": "tilde" } },
  spec: { containers: [{ name: "nginx", image: "nginx:1.25" }], tolerations: [] as unknown[] },
});

function errorOf(fn: () => unknown): KubeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KubeError);
    return e as KubeError;
  }
  throw new Error("expected an error");
}

describe("applyJsonPatch", () => {
  const cases: { name: string; patch: unknown[]; check: (out: ReturnType<typeof pod>) => void }[] = [
    {
      name: "add a label",
      patch: [{ op: "add", path: "/metadata/labels/tier", value: "frontend" }],
      check: (o) => expect(o.metadata.labels).toMatchObject({ tier: "frontend", app: "web" }),
    },
    {
      name: "replace an image inside a list",
      patch: [{ op: "replace", path: "/spec/containers/0/image", value: "nginx:1.26" }],
      check: (o) => expect(o.spec.containers[0].image).toBe("nginx:1.26"),
    },
    {
      name: "append with -",
      patch: [{ op: "add", path: "/spec/containers/-", value: { name: "sidecar", image: "busybox" } }],
      check: (o) => expect(o.spec.containers.map((c) => c.name)).toEqual(["nginx", "sidecar"]),
    },
    {
      name: "insert at an index",
      patch: [{ op: "add", path: "/spec/containers/0", value: { name: "first", image: "busybox" } }],
      check: (o) => expect(o.spec.containers.map((c) => c.name)).toEqual(["first", "nginx"]),
    },
    {
      name: "remove with escaped pointer tokens",
      patch: [
        { op: "remove", path: "/metadata/labels/a~1b" },
        { op: "remove", path: "/metadata/labels/t~0x" },
      ],
      check: (o) => expect(o.metadata.labels).toEqual({ app: "web" }),
    },
    {
      name: "move and copy",
      patch: [
        { op: "copy", from: "/metadata/labels/app", path: "/metadata/labels/copied" },
        { op: "move", from: "/metadata/labels/app", path: "/metadata/labels/moved" },
      ],
      check: (o) => expect(o.metadata.labels).toEqual({ "a/b": "slash", "t~x": "tilde", copied: "web", moved: "web" }),
    },
    {
      name: "test that passes, then replace",
      patch: [
        { op: "test", path: "/metadata/name", value: "web" },
        { op: "replace", path: "/metadata/name", value: "web2" },
      ],
      check: (o) => expect(o.metadata.name).toBe("web2"),
    },
    {
      name: "test of a missing member against null passes",
      patch: [{ op: "test", path: "/metadata/namespace", value: null }],
      check: (o) => expect(o.metadata.name).toBe("web"),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const doc = pod();
      const out = applyJsonPatch(doc, c.patch) as ReturnType<typeof pod>;
      c.check(out);
      expect(doc).toEqual(pod()); // input untouched
    });
  }

  const failures: { name: string; patch: unknown[] }[] = [
    { name: "failed test", patch: [{ op: "test", path: "/metadata/name", value: "other" }] },
    { name: "replace of a missing key", patch: [{ op: "replace", path: "/spec/nodeName", value: "n1" }] },
    { name: "remove of a missing key", patch: [{ op: "remove", path: "/metadata/annotations" }] },
    { name: "add under a missing parent", patch: [{ op: "add", path: "/metadata/annotations/x", value: "y" }] },
    { name: "index out of range", patch: [{ op: "add", path: "/spec/containers/5", value: {} }] },
    { name: "unknown op", patch: [{ op: "frobnicate", path: "/metadata/name" }] },
    { name: "missing path", patch: [{ op: "add", value: 1 }] },
    { name: "whole document", patch: [{ op: "replace", path: "", value: {} }] },
  ];
  for (const f of failures) {
    it(`rejects ${f.name} with the apiserver's generic 422`, () => {
      const err = errorOf(() => applyJsonPatch(pod(), f.patch));
      expect(err.code).toBe(422);
      expect(err.reason).toBe("Invalid");
      expect(err.message).toBe("the server rejected our request due to an error in our request");
    });
  }

  it("is atomic: a failing operation leaves nothing applied", () => {
    const doc = pod();
    expect(() =>
      applyJsonPatch(doc, [
        { op: "add", path: "/metadata/labels/x", value: "y" },
        { op: "test", path: "/metadata/name", value: "nope" },
      ]),
    ).toThrow(KubeError);
    expect(doc).toEqual(pod());
  });

  it("rejects a patch that is not a list with 400", () => {
    const err = errorOf(() => applyJsonPatch(pod(), { op: "add" }));
    expect(err.code).toBe(400);
    expect(err.message).toBe("error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp");
  });

  it("rejects an operation of the wrong shape with 400", () => {
    expect(errorOf(() => applyJsonPatch(pod(), ["add"])).code).toBe(400);
    expect(errorOf(() => applyJsonPatch(pod(), [{ op: 1, path: "/x" }])).message).toBe(
      "error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.op of type string",
    );
  });

  it("rejects too many operations with 413", () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: "test", path: "/kind", value: "Pod" }));
    expect(errorOf(() => applyJsonPatch(pod(), ops)).code).toBe(413);
  });
});

describe("applyMergePatch", () => {
  it("merges maps, deletes with null and replaces lists", () => {
    const out = applyMergePatch(pod(), {
      metadata: { labels: { app: null, tier: "web" } },
      spec: { containers: [{ name: "only", image: "x" }] },
    }) as ReturnType<typeof pod>;
    expect(out.metadata.labels).toEqual({ "a/b": "slash", "t~x": "tilde", tier: "web" });
    expect(out.spec.containers).toEqual([{ name: "only", image: "x" }]);
  });

  it("prunes nulls inside added values (RFC 7386)", () => {
    const out = applyMergePatch({ a: 1 }, { b: { c: null, d: 2 } });
    expect(out).toEqual({ a: 1, b: { d: 2 } });
  });

  it("replaces a scalar with an object", () => {
    expect(applyMergePatch({ a: "x" }, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
  });

  it("rejects non-object patches with 400", () => {
    expect(errorOf(() => applyMergePatch(pod(), null)).message).toBe("Invalid JSON Patch");
    const err = errorOf(() => applyMergePatch(pod(), [1]));
    expect(err.code).toBe(400);
    expect(err.message).toBe("error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}");
  });
});
