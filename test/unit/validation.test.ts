import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../worker/resources/types";
import {
  applyDefaults,
  canonicalQuantity,
  cronError,
  decodeError,
  validateCreate,
  validateName,
  validateUpdate,
} from "../../worker/resources/validation";

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED_NAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

function mk(apiVersion: string, kind: string, name: string | undefined, body: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KubeObject {
  return { apiVersion, kind, metadata: { ...(name === undefined ? {} : { name }), namespace: "default", ...meta }, ...body };
}

/** Defaults then validates, returning `field: message` lines. */
function create(key: string, obj: KubeObject): string[] {
  applyDefaults(key, obj);
  return validateCreate(key, obj).map((e) => `${e.field}: ${e.message}`);
}

const cm = (name: string | undefined, meta: Record<string, unknown> = {}, body: Record<string, unknown> = {}) => mk("v1", "ConfigMap", name, body, meta);

describe("names", () => {
  const cases: [string, string, string[]][] = [
    ["/ConfigMap", "good.name-1", []],
    ["/ConfigMap", "Foo", [SUBDOMAIN_MSG]],
    ["/Namespace", "a.b", ["must not contain dots"]],
    ["/Namespace", "Bad", [LABEL_MSG]],
    ["/Service", "1abc", [DNS1035_MSG]],
    ["/Service", "abc", []],
    ["/Pod", "x".repeat(254), ["must be no more than 253 characters"]],
    ["/Namespace", "x".repeat(64), ["must be no more than 63 characters"]],
    ["rbac.authorization.k8s.io/Role", "system:controller:foo", []],
    ["rbac.authorization.k8s.io/ClusterRole", "a/b", ["may not contain '/'"]],
    ["rbac.authorization.k8s.io/ClusterRole", "..", ["may not be '..'"]],
    ["example.com/Widget", "Foo", [SUBDOMAIN_MSG]],
  ];
  it.each(cases)("%s %s", (key, name, want) => {
    expect(validateName(key, name)).toEqual(want);
  });
});

describe("object metadata", () => {
  const cases: [string, KubeObject, string][] = [
    ["name required", cm(undefined), "metadata.name: Required value: name or generateName is required"],
    ["bad name", cm("Foo"), `metadata.name: Invalid value: "Foo": ${SUBDOMAIN_MSG}`],
    ["bad generateName", cm("ok", { generateName: "Bad-" }), `metadata.generateName: Invalid value: "Bad-": ${SUBDOMAIN_MSG}`],
    ["namespace required", cm("ok", { namespace: undefined }), "metadata.namespace: Required value"],
    ["bad namespace", cm("ok", { namespace: "Prod" }), `metadata.namespace: Invalid value: "Prod": ${LABEL_MSG}`],
    ["label key", cm("ok", { labels: { "bad key": "v" } }), `metadata.labels: Invalid value: "bad key": ${QUALIFIED_NAME_MSG}`],
    ["label prefix", cm("ok", { labels: { "Example.com/a": "v" } }), `metadata.labels: Invalid value: "Example.com/a": prefix part ${SUBDOMAIN_MSG}`],
    ["label value", cm("ok", { labels: { app: "-bad" } }), `metadata.labels: Invalid value: "-bad": ${LABEL_VALUE_MSG}`],
    ["label value length", cm("ok", { labels: { app: "v".repeat(64) } }), `metadata.labels: Invalid value: "${"v".repeat(64)}": must be no more than 63 characters`],
    [
      "too many slashes",
      cm("ok", { labels: { "a/b/c": "v" } }),
      `metadata.labels: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ],
    ["annotation key", cm("ok", { annotations: { "a b": "v" } }), `metadata.annotations: Invalid value: "a b": ${QUALIFIED_NAME_MSG}`],
    ["annotation size", cm("ok", { annotations: { big: "x".repeat(262145) } }), "metadata.annotations: Too long: must have at most 262144 bytes"],
    ["cluster-scoped", mk("v1", "Namespace", "ok"), ""],
  ];
  it.each(cases)("%s", (_, obj, want) => {
    const key = `/${obj.kind}`;
    const got = create(key, obj);
    if (want) expect(got).toContain(want);
    else expect(got).toEqual([]);
  });

  it("accepts upper-case annotation keys", () => {
    expect(create("/ConfigMap", cm("ok", { annotations: { "Example.com/Key": "v" } }))).toEqual([]);
  });

  it("drops the namespace of cluster-scoped kinds", () => {
    const ns = mk("v1", "Namespace", "team");
    applyDefaults("/Namespace", ns);
    expect(ns.metadata.namespace).toBeUndefined();
  });

  it("keeps name, namespace and uid immutable", () => {
    const old = cm("a", { uid: "1", resourceVersion: "5" });
    const next = cm("b", { uid: "2", resourceVersion: "5" });
    expect(validateUpdate("/ConfigMap", next, old).map((e) => `${e.field}: ${e.message}`)).toEqual([
      'metadata.name: Invalid value: "b": field is immutable',
      'metadata.uid: Invalid value: "2": field is immutable',
    ]);
  });

  it("validates only metadata of unknown kinds", () => {
    expect(create("example.com/Widget", mk("example.com/v1", "Widget", "w", { spec: { anything: 1 } }))).toEqual([]);
    expect(create("example.com/Widget", mk("example.com/v1", "Widget", "W"))).toEqual([`metadata.name: Invalid value: "W": ${SUBDOMAIN_MSG}`]);
  });
});

describe("ConfigMap and Secret", () => {
  it("checks config keys", () => {
    expect(create("/ConfigMap", cm("c", {}, { data: { "bad key": "v", good: "v" } }))).toEqual([
      `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    ]);
    expect(create("/ConfigMap", cm("c", {}, { data: { "..x": "v" } }))).toEqual([`data[..x]: Invalid value: "..x": must not start with '..'`]);
  });

  it("defaults the Secret type and checks base64", () => {
    const s = mk("v1", "Secret", "s", { data: { ok: "aGVsbG8=", bad: "not base64!" } });
    expect(create("/Secret", s)).toEqual([`data[bad]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 3`]);
    expect(s.type).toBe("Opaque");
    expect(decodeError("/Secret", s)).toBe("illegal base64 data at input byte 3");
  });

  it("folds stringData into data", () => {
    const s = mk("v1", "Secret", "s", { data: { a: "YQ==", b: "Yg==" }, stringData: { b: "héllo" } });
    expect(create("/Secret", s)).toEqual([]);
    expect(s.data).toEqual({ a: "YQ==", b: "aMOpbGxv" });
    expect(s.stringData).toBeUndefined();
  });

  const typed: [string, Record<string, string>, string[]][] = [
    ["kubernetes.io/tls", {}, ["data[tls.crt]: Required value", "data[tls.key]: Required value"]],
    ["kubernetes.io/dockerconfigjson", {}, ["data[.dockerconfigjson]: Required value"]],
    ["kubernetes.io/basic-auth", {}, ["data[username]: Required value", "data[password]: Required value"]],
    ["kubernetes.io/basic-auth", { username: "dQ==" }, []],
  ];
  it.each(typed)("secret type %s", (type, data, want) => {
    expect(create("/Secret", mk("v1", "Secret", "s", { type, data }))).toEqual(want);
  });

  it("freezes immutable data and the Secret type", () => {
    const old = mk("v1", "Secret", "s", { type: "Opaque", immutable: true, data: { a: "YQ==" } }, { resourceVersion: "1" });
    const next = mk("v1", "Secret", "s", { type: "kubernetes.io/tls", immutable: true, data: { a: "Yg==" } }, { resourceVersion: "1" });
    const got = validateUpdate("/Secret", next, old).map((e) => `${e.field}: ${e.message}`);
    expect(got).toEqual([
      "data[tls.crt]: Required value",
      "data[tls.key]: Required value",
      'type: Invalid value: "kubernetes.io/tls": field is immutable',
      "data: Forbidden: field is immutable when `immutable` is set",
    ]);
  });
});

describe("quantities", () => {
  const cases: [unknown, string][] = [
    ["1000m", "1"],
    ["1500m", "1500m"],
    ["0.5", "500m"],
    [1, "1"],
    ["1024Mi", "1Gi"],
    ["1536Mi", "1536Mi"],
    ["0.5Gi", "512Mi"],
    ["128974848", "128974848"],
    ["1000", "1k"],
    ["100M", "100M"],
    ["1e3", "1e3"],
    ["0.0001", "1m"],
    ["512Ki", "512Ki"],
    ["1000Ki", "1000Ki"],
    ["0", "0"],
  ];
  it.each(cases)("%s -> %s", (input, want) => {
    expect(canonicalQuantity(input, true)).toBe(want);
  });

  it("rejects malformed quantities at decode time", () => {
    const pod = mk("v1", "Pod", "p", { spec: { containers: [{ name: "c", image: "i", resources: { limits: { cpu: "1x" } } }] } });
    expect(decodeError("/Pod", pod)).toBe("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  });
});

describe("cron schedules", () => {
  const cases: [string, string | undefined][] = [
    ["*/5 * * * *", undefined],
    ["0 0 * * MON-FRI", undefined],
    ["@hourly", undefined],
    ["@every 1h30m", undefined],
    ["bad", "expected exactly 5 fields, found 1: [bad]"],
    ["* * * *", "expected exactly 5 fields, found 4: [* * * *]"],
    ["61 * * * *", "end of range (61) above maximum (59): 61"],
    ["* 24 * * *", "end of range (24) above maximum (23): 24"],
    ["* * 0 * *", "beginning of range (0) below minimum (1): 0"],
    ["a * * * *", 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax'],
    ["*/0 * * * *", "step of range should be a positive number: */0"],
    ["5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"],
    ["@fortnightly", "unrecognized descriptor: @fortnightly"],
  ];
  it.each(cases)("%s", (spec, want) => {
    expect(cronError(spec)).toBe(want);
  });
});
