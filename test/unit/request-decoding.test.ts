// Request decoding and negotiation details that kubectl and curl users see: Go's JSON syntax errors,
// the apiserver's decode error wording, empty ObjectMeta maps, and aggregated discovery versions.
import { describe, expect, it } from "vitest";
import { decodeObject } from "../../worker/api/body";
import { wantsAggregated } from "../../worker/api/discovery";
import { goJsonSyntaxError } from "../../worker/api/json-syntax";
import { KubeError } from "../../worker/api/status";
import { applyDefaults, normalizeForStorage } from "../../worker/resources/validation";
import type { KubeObject } from "../../worker/resources/types";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("goJsonSyntaxError", () => {
  it.each([
    ['{"a":1}', undefined],
    [' [1, 2.5e-3, true, null, "x\\u00e9"] ', undefined],
    ["", "unexpected end of JSON input"],
    ['{"apiVersion":', "unexpected end of JSON input"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', "invalid character '\"' after object key:value pair"],
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
    ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
    ["[1,]", "invalid character ']' looking for beginning of value"],
    ["[1 2]", "invalid character '2' after array element"],
    ['{"a":1}x', "invalid character 'x' after top-level value"],
    ['{"a":tru}', "invalid character '}' in literal true (expecting 'e')"],
    ['{"a":-x}', "invalid character 'x' in numeric literal"],
    ['{"a":1.}', "invalid character '}' after decimal point in numeric literal"],
    ['{"a":1e}', "invalid character '}' in exponent of numeric literal"],
    ['{"a":"\\q"}', "invalid character 'q' in string escape code"],
    ['{"a":"\n"}', "invalid character '\\n' in string literal"],
  ])("%j → %s", (text, want) => {
    expect(goJsonSyntaxError(bytes(text))).toBe(want);
  });
});

describe("decodeObject errors", () => {
  const fail = (type: string, body: string) => {
    try {
      decodeObject(type, bytes(body), { apiVersion: "v1", kind: "ConfigMap" });
    } catch (e) {
      expect(e).toBeInstanceOf(KubeError);
      return (e as KubeError).toStatus();
    }
    throw new Error("decoded");
  };

  it("words malformed JSON as transformDecodeError does", () => {
    expect(fail("application/json", '{"apiVersion":')).toMatchObject({
      code: 400,
      reason: "BadRequest",
      message: 'the object provided is unrecognized (must be of type ConfigMap): couldn\'t get version/kind; json parse error: unexpected end of JSON input ({"apiVersion":)',
    });
    expect(fail("application/json", "").message).toMatch(/unexpected end of JSON input \(<empty>\)$/);
    expect(fail("application/json", "not json").message).toMatch(/invalid character 'o' in literal null \(expecting 'u'\) \(6e6f74206a736f6e\)$/);
  });

  it("refuses other media types with a 415 that carries no details", () => {
    const status = fail("text/plain", "x");
    expect(status).toMatchObject({
      code: 415,
      reason: "UnsupportedMediaType",
      message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf",
    });
    expect(status.details).toBeUndefined();
  });
});

describe("empty ObjectMeta maps", () => {
  it("are dropped once validated, as Go's omitempty drops them", () => {
    const obj: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: {}, annotations: {}, finalizers: [] } };
    normalizeForStorage(obj);
    expect(obj.metadata).toEqual({ name: "c" });
  });

  it("keep a pod template's creationTimestamp: null and drop its empty annotations", () => {
    const obj = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", annotations: null },
      spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" }, annotations: {} }, spec: { containers: [{ name: "c", image: "i" }] } } },
    } as unknown as KubeObject;
    applyDefaults("apps/Deployment", obj);
    // Validation still sees what was sent (upstream prints map[string]string{} for an empty map).
    expect((obj.spec as { template: { metadata: unknown } }).template.metadata).toEqual({ creationTimestamp: null, labels: { a: "b" }, annotations: {} });
    normalizeForStorage(obj);
    expect(obj.metadata).toEqual({ name: "d" });
    expect((obj.spec as { template: { metadata: unknown } }).template.metadata).toEqual({ creationTimestamp: null, labels: { a: "b" } });
  });
});

describe("aggregated discovery negotiation", () => {
  it.each([
    ["application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json", "v2"],
    // kubectl 1.27–1.29
    ["application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json", "v2beta1"],
    ["application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json", undefined],
    ["application/json", undefined],
    ["application/json, */*", undefined],
    [null, undefined],
  ])("%s → %s", (accept, want) => {
    expect(wantsAggregated(accept)).toBe(want);
  });
});
