// The API at the HTTP level, as curl users meet it: limits, bad bodies, media types and unknown paths.
import { beforeAll, describe, expect, it } from "vitest";
import { createSandbox, fetchRetry, type Sandbox } from "./harness";

describe("the API over plain HTTP", () => {
  let sb: Sandbox;
  const CONFIGMAPS = "/api/v1/namespaces/default/configmaps";
  const call = async (method: string, path: string, body?: BodyInit, contentType?: string) => {
    const headers: Record<string, string> = {};
    if (contentType) headers["content-type"] = contentType;
    const res = await fetchRetry(`${sb.url}${path}`, { method, headers, body });
    return { status: res.status, type: res.headers.get("content-type"), body: await res.json() };
  };

  beforeAll(async () => {
    sb = await createSandbox();
  });

  it("refuses a body over 3 MiB with 413 RequestEntityTooLarge", async () => {
    const big = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "big" }, data: { k: "x".repeat(3 * 1024 * 1024) } });
    const res = await call("POST", CONFIGMAPS, big, "application/json");
    expect(res.status).toBe(413);
    expect(res.type).toBe("application/json");
    expect(res.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Request entity too large: limit is 3145728",
      reason: "RequestEntityTooLarge",
      code: 413,
    });
    expect((await call("GET", `${CONFIGMAPS}/big`)).status).toBe(404);
  });

  it("answers malformed JSON with 400 BadRequest in the decoder's words", async () => {
    const res = await call("POST", CONFIGMAPS, '{"apiVersion":"v1","kind":"ConfigMap",', "application/json");
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      kind: "Status",
      status: "Failure",
      reason: "BadRequest",
      code: 400,
      message:
        'the object provided is unrecognized (must be of type ConfigMap): couldn\'t get version/kind; json parse error: unexpected end of JSON input ({"apiVersion":"v1","kind":"Con ...)',
    });
    const bad = await call("POST", CONFIGMAPS, "{'a': 1}", "application/json");
    expect(bad.body.message).toContain("json parse error: invalid character '\\'' looking for beginning of object key string");
  });

  it("answers a PATCH in a media type it cannot patch with 415", async () => {
    await call("POST", CONFIGMAPS, JSON.stringify({ metadata: { name: "patchme" } }), "application/json");
    const res = await call("PATCH", `${CONFIGMAPS}/patchme`, '{"data":{"a":"b"}}', "application/json");
    expect(res.status).toBe(415);
    expect(res.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message:
        "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml",
      reason: "UnsupportedMediaType",
      code: 415,
    });
    const merged = await call("PATCH", `${CONFIGMAPS}/patchme`, '{"data":{"a":"b"}}', "application/merge-patch+json");
    expect(merged.status).toBe(200);
    expect(merged.body.data).toEqual({ a: "b" });
  });

  it("answers unknown resources and paths with 404 NotFound", async () => {
    const notFound = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "the server could not find the requested resource",
      reason: "NotFound",
      details: {},
      code: 404,
    };
    for (const path of ["/api/v1/namespaces/default/widgets", "/apis/example.com/v1/widgets", "/apis/apps/v9/deployments", "/nope"]) {
      const res = await call("GET", path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.body).toEqual(notFound);
    }
    const missing = await call("GET", `${CONFIGMAPS}/nope`);
    expect(missing.body).toMatchObject({ message: 'configmaps "nope" not found', reason: "NotFound", details: { name: "nope", kind: "configmaps" }, code: 404 });
  });

  it("accepts a YAML body on POST with Content-Type application/yaml", async () => {
    const yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\n  labels:\n    via: yaml\ndata:\n  greeting: hello\n  count: '3'\n";
    const res = await call("POST", CONFIGMAPS, yaml, "application/yaml");
    expect(res.status).toBe(201);
    expect(res.type).toBe("application/json");
    expect(res.body).toMatchObject({ kind: "ConfigMap", metadata: { name: "from-yaml", namespace: "default", labels: { via: "yaml" } }, data: { greeting: "hello", count: "3" } });
    expect(res.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    const got = await call("GET", `${CONFIGMAPS}/from-yaml`);
    expect(got.body.data).toEqual({ greeting: "hello", count: "3" });

    const broken = await call("POST", CONFIGMAPS, "metadata:\n  name: [unclosed\n", "application/yaml");
    expect(broken.status).toBe(400);
    expect(broken.body.message).toMatch(/^the object provided is unrecognized \(must be of type ConfigMap\): error converting YAML to JSON: /);
  });
});
