import { describe, expect, it } from "vitest";
import {
  checkFieldSelector,
  fieldsOf,
  formatFieldSelector,
  formatLabelSelector,
  labelSelectorFromSpec,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from "../../worker/api/selectors";
import { KubeError } from "../../worker/api/status";
import type { KubeObject } from "../../worker/resources/types";

function badRequestMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KubeError);
    expect((err as KubeError).code).toBe(400);
    return (err as KubeError).message;
  }
  throw new Error("expected a BadRequest");
}

// Tables after staging/src/k8s.io/apimachinery/pkg/labels/selector_test.go.
describe("parseLabelSelector", () => {
  const valid: [string, string][] = [
    ["", ""],
    ["x=a,y=b,z=c", "x=a,y=b,z=c"],
    ["x = a, y = b", "x=a,y=b"],
    ["x in (a),y=b", "x in (a),y=b"],
    ["z in (c,b,a),y=b", "y=b,z in (a,b,c)"],
    ["x notin (c,a)", "x notin (a,c)"],
    ["x==a", "x==a"],
    ["x!=a,y!=b", "x!=a,y!=b"],
    ["x=,z= ", "x=,z="],
    ["x= ,z= ", "x=,z="],
    ["!x", "!x"],
    ["x>1", "x>1"],
    ["x<1", "x<1"],
    ["x,y", "x,y"],
    ["x in (),y", "x in (),y"],
    ["x in (a,,b)", "x in (,a,b)"],
    ["x in (,)", "x in ()"],
    ["w in (notin),x notin (in)", "w in (notin),x notin (in)"],
    ["in in (in),notin notin (notin)", "in in (in),notin notin (notin)"],
    ["example.com/key=value-1.2_3", "example.com/key=value-1.2_3"],
    ["b=1,a=2,a!=3", "a=2,a!=3,b=1"],
  ];
  for (const [input, canonical] of valid) {
    it(`parses ${JSON.stringify(input)}`, () => {
      expect(formatLabelSelector(parseLabelSelector(input))).toBe(canonical);
    });
  }

  const invalid: [string, string][] = [
    // '|' is not special, so "a||y" is one (invalid) value.
    ["x=a||y=b", 'unable to parse requirement: values[0][x]: Invalid value: "a||y"'],
    ["x==a==b", "found '==', expected: ',' or 'end of string'"],
    ["!x=a", "found '=', expected: ',' or 'end of string'"],
    ["x=a,", "found '', expected: identifier after ','"],
    [",x=a", "found ',', expected: !, identifier, or 'end of string'"],
    ["x in a", "unable to parse requirement: found 'a' expected: '('"],
    ["x in (a", "unable to parse requirement: found '', expected: ',' or ')'"],
    ["x in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ["x in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ["x ~ a", "unable to parse requirement: found '~', expected: in, notin, =, ==, !=, gt, lt"],
    ["x a", "unable to parse requirement: found 'a', expected: in, notin, =, ==, !=, gt, lt"],
    ["!", "unable to parse requirement: found '', expected: identifier"],
    ["x=(", "unable to parse requirement: found '(', expected: identifier"],
    [
      "x>a",
      `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    ["x=a b", "found 'b', expected: ',' or 'end of string'"],
    // gt/lt values must be integers and valid label values too.
    ["x>-1", 'unable to parse requirement: values[0][x]: Invalid value: "-1"'],
    [
      "Foo_=bar",
      `unable to parse requirement: <nil>: Invalid value: "Foo_": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    ],
    [
      "x=-a",
      `unable to parse requirement: values[0][x]: Invalid value: "-a": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
    ["a/b/c", 'unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of'],
    ["/a", 'unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty'],
    ["Example.com/a", "prefix part a lowercase RFC 1123 subdomain must consist of"],
  ];
  for (const [input, message] of invalid) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      expect(badRequestMessage(() => parseLabelSelector(input))).toContain(message);
    });
  }
});

describe("matchesLabels", () => {
  const table: [string, Record<string, string>, boolean][] = [
    ["", { x: "y" }, true],
    ["x=y", { x: "y" }, true],
    ["x=y,z=w", { x: "y", z: "w" }, true],
    ["x!=y,z!=w", { x: "z", z: "a" }, true],
    ["notin=in", { notin: "in" }, true],
    ["x", { x: "z" }, true],
    ["!x", { y: "z" }, true],
    ["x>1", { x: "2" }, true],
    ["x<1", { x: "0" }, true],
    ["x in (a,b)", { x: "b" }, true],
    ["x notin (a,b)", { x: "c" }, true],
    ["x notin (a,b)", {}, true],
    ["x!=y", {}, true],
    ["x=", { x: "" }, true],
    ["x in ()", { x: "" }, true],
    ["x=z", {}, false],
    ["x=y", { x: "z" }, false],
    ["x=y,z=w", { x: "w", z: "w" }, false],
    ["x!=y,z!=w", { x: "z", z: "w" }, false],
    ["x", { y: "z" }, false],
    ["!x", { x: "z" }, false],
    ["x>1", { x: "0" }, false],
    ["x<1", { x: "2" }, false],
    ["x>1", { x: "abc" }, false],
    ["x>1", {}, false],
    ["x in (a,b)", { x: "c" }, false],
    ["x in (a,b)", {}, false],
    ["x notin (a,b)", { x: "a" }, false],
    ["x=", {}, false],
  ];
  for (const [sel, labels, want] of table) {
    it(`${JSON.stringify(sel)} on ${JSON.stringify(labels)} → ${want}`, () => {
      expect(matchesLabels(parseLabelSelector(sel), labels)).toBe(want);
    });
  }
  it("treats missing labels as empty", () => {
    expect(matchesLabels(parseLabelSelector("x"), undefined)).toBe(false);
    expect(matchesLabels(parseLabelSelector("!x"), undefined)).toBe(true);
  });
});

describe("labelSelectorFromSpec", () => {
  it("nil selects nothing, {} selects everything", () => {
    expect(matchesLabels(labelSelectorFromSpec(null), {})).toBe(false);
    expect(matchesLabels(labelSelectorFromSpec(undefined), { a: "b" })).toBe(false);
    expect(matchesLabels(labelSelectorFromSpec({}), { a: "b" })).toBe(true);
    expect(matchesLabels(labelSelectorFromSpec({ matchLabels: {}, matchExpressions: [] }), {})).toBe(true);
    expect(formatLabelSelector(labelSelectorFromSpec(null))).toBe("");
    expect(formatLabelSelector(labelSelectorFromSpec({}))).toBe("");
  });

  it("converts matchLabels and every expression operator, sorted by key", () => {
    const sel = labelSelectorFromSpec({
      matchLabels: { tier: "web", app: "shop" },
      matchExpressions: [
        { key: "env", operator: "In", values: ["prod", "canary"] },
        { key: "zone", operator: "NotIn", values: ["b"] },
        { key: "gpu", operator: "Exists" },
        { key: "legacy", operator: "DoesNotExist" },
      ],
    });
    expect(formatLabelSelector(sel)).toBe("app=shop,env in (canary,prod),gpu,!legacy,tier=web,zone notin (b)");
    expect(matchesLabels(sel, { app: "shop", tier: "web", env: "prod", gpu: "1" })).toBe(true);
    expect(matchesLabels(sel, { app: "shop", tier: "web", env: "prod", gpu: "1", zone: "b" })).toBe(false);
    expect(matchesLabels(sel, { app: "shop", tier: "web", env: "prod", gpu: "1", legacy: "" })).toBe(false);
    expect(matchesLabels(sel, { app: "shop", tier: "web", env: "dev", gpu: "1" })).toBe(false);
  });

  it("rejects bad operators and values as upstream does", () => {
    expect(badRequestMessage(() => labelSelectorFromSpec({ matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }] }))).toBe(
      '"Gt" is not a valid label selector operator',
    );
    expect(badRequestMessage(() => labelSelectorFromSpec({ matchExpressions: [{ key: "a", operator: "In", values: [] }] }))).toBe(
      "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    );
    expect(badRequestMessage(() => labelSelectorFromSpec({ matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] }))).toBe(
      'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
    );
    expect(badRequestMessage(() => labelSelectorFromSpec({ matchLabels: { "a b": "c" } }))).toContain('key: Invalid value: "a b"');
  });
});

describe("parseFieldSelector", () => {
  const table: [string, string][] = [
    ["", ""],
    ["a=b", "a=b"],
    ["a==b", "a=b"],
    ["a!=b", "a!=b"],
    ["b=c,a=b", "a=b,b=c"],
    ["a=b,", "a=b"],
    ["metadata.name=x\\,y", "metadata.name=x\\,y"],
    ["a=x\\=y\\\\z", "a=x\\=y\\\\z"],
    ["a=", "a="],
  ];
  for (const [input, canonical] of table) {
    it(`parses ${JSON.stringify(input)}`, () => {
      expect(formatFieldSelector(parseFieldSelector(input))).toBe(canonical);
    });
  }

  it("unescapes values", () => {
    expect(parseFieldSelector("a=x\\,y\\=z\\\\").requirements).toEqual([{ field: "a", operator: "=", value: "x,y=z\\" }]);
  });

  const invalid: [string, string][] = [
    ["a", "invalid selector: 'a'; can't understand 'a'"],
    ["a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"],
    ["a=b=c", "invalid field selector: unescaped character in value: 61"],
    ["a=b\\x", "invalid field selector: invalid escape sequence: \\x"],
    ["a=b\\", "invalid field selector: invalid escape sequence: \\"],
  ];
  for (const [input, message] of invalid) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      expect(badRequestMessage(() => parseFieldSelector(input))).toBe(message);
    });
  }
});

const pod: KubeObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web-1", namespace: "prod" },
  spec: { nodeName: "node-a", restartPolicy: "Always", schedulerName: "default-scheduler", serviceAccountName: "default", containers: [] },
  status: { phase: "Running", podIP: "10.0.0.5", podIPs: [{ ip: "10.0.0.5" }, { ip: "fd00::5" }] },
};

describe("fieldsOf", () => {
  it("pods", () => {
    expect(fieldsOf("/Pod", pod)).toEqual({
      "metadata.name": "web-1",
      "metadata.namespace": "prod",
      "spec.nodeName": "node-a",
      "spec.restartPolicy": "Always",
      "spec.schedulerName": "default-scheduler",
      "spec.serviceAccountName": "default",
      "spec.hostNetwork": "false",
      "status.phase": "Running",
      "status.podIP": "10.0.0.5",
      "status.nominatedNodeName": "",
    });
  });

  it("events, both groups", () => {
    const ev: KubeObject = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "web-1.abc", namespace: "prod" },
      involvedObject: { kind: "Pod", name: "web-1", namespace: "prod", uid: "u1", apiVersion: "v1", resourceVersion: "7", fieldPath: "spec.containers{web}" },
      reason: "Pulled",
      type: "Normal",
      source: { component: "kubelet" },
      reportingComponent: "kubelet",
    };
    expect(fieldsOf("/Event", ev)).toMatchObject({
      "involvedObject.uid": "u1",
      "involvedObject.fieldPath": "spec.containers{web}",
      reason: "Pulled",
      source: "kubelet",
      reportingComponent: "kubelet",
      type: "Normal",
    });
    const ev2: KubeObject = {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { name: "e", namespace: "prod" },
      regarding: { kind: "Node", name: "node-a" },
      reportingController: "kubelet",
      reason: "Ready",
      type: "Normal",
    };
    expect(fieldsOf("events.k8s.io/Event", ev2)).toMatchObject({ "regarding.kind": "Node", "regarding.name": "node-a", source: "kubelet", reportingController: "kubelet" });
  });

  it("other kinds", () => {
    const meta = { name: "x", namespace: "ns" };
    expect(fieldsOf("/Secret", { apiVersion: "v1", kind: "Secret", metadata: meta, type: "Opaque" }).type).toBe("Opaque");
    expect(fieldsOf("/Node", { apiVersion: "v1", kind: "Node", metadata: { name: "n" }, spec: { unschedulable: true } })).toEqual({
      "metadata.name": "n",
      "spec.unschedulable": "true",
    });
    expect(fieldsOf("/Namespace", { apiVersion: "v1", kind: "Namespace", metadata: { name: "n" }, status: { phase: "Active" } })).toEqual({
      "metadata.name": "n",
      "status.phase": "Active",
    });
    expect(fieldsOf("/ReplicationController", { apiVersion: "v1", kind: "ReplicationController", metadata: meta, status: { replicas: 3 } })["status.replicas"]).toBe("3");
    expect(fieldsOf("batch/Job", { apiVersion: "batch/v1", kind: "Job", metadata: meta, status: {} })["status.successful"]).toBe("0");
    expect(fieldsOf("/Service", { apiVersion: "v1", kind: "Service", metadata: meta, spec: { clusterIP: "None", type: "ClusterIP" } })).toMatchObject({
      "spec.clusterIP": "None",
      "spec.type": "ClusterIP",
    });
    expect(fieldsOf("apps/Deployment", { apiVersion: "apps/v1", kind: "Deployment", metadata: meta })).toEqual({
      "metadata.name": "x",
      "metadata.namespace": "ns",
    });
  });
});

describe("matchesFields", () => {
  const table: [string, boolean][] = [
    ["", true],
    ["metadata.name=web-1", true],
    ["metadata.name==web-1,metadata.namespace=prod", true],
    ["metadata.name!=web-2", true],
    ["spec.nodeName=node-a,status.phase!=Succeeded,status.phase!=Failed", true],
    ["spec.host=node-a", true],
    ["spec.hostNetwork=false", true],
    ["status.podIP=10.0.0.5", true],
    ["status.podIPs=", true],
    ["status.nominatedNodeName=", true],
    ["metadata.name=web-2", false],
    ["spec.nodeName=node-b", false],
    ["status.phase!=Running", false],
  ];
  for (const [sel, want] of table) {
    it(`pod ${JSON.stringify(sel)} → ${want}`, () => {
      expect(matchesFields(parseFieldSelector(sel), "/Pod", pod)).toBe(want);
    });
  }

  it("rejects labels the kind does not support, worded per kind", () => {
    const sel = parseFieldSelector("spec.foo=x");
    expect(badRequestMessage(() => matchesFields(sel, "/Pod", pod))).toBe("field label not supported: spec.foo");
    expect(badRequestMessage(() => checkFieldSelector(sel, "apps/Deployment"))).toBe(
      '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
    expect(badRequestMessage(() => checkFieldSelector(parseFieldSelector("status.replicas=1"), "apps/ReplicaSet"))).toBe(
      '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
    expect(badRequestMessage(() => checkFieldSelector(sel, "batch/Job"))).toBe('field label "spec.foo" not supported for Job');
    expect(badRequestMessage(() => checkFieldSelector(parseFieldSelector("metadata.namespace=x"), "/Node"))).toBe(
      "field label not supported: metadata.namespace",
    );
    expect(badRequestMessage(() => checkFieldSelector(parseFieldSelector("involvedObject.kind=Pod"), "events.k8s.io/Event"))).toBe(
      "field label not supported: involvedObject.kind",
    );
  });

  it("matches events by their involved object", () => {
    const ev: KubeObject = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "e", namespace: "prod" },
      involvedObject: { kind: "Pod", name: "web-1", namespace: "prod", uid: "u1" },
    };
    const sel = parseFieldSelector("involvedObject.uid=u1,involvedObject.name=web-1,involvedObject.namespace=prod");
    expect(matchesFields(sel, "/Event", ev)).toBe(true);
    expect(matchesFields(parseFieldSelector("involvedObject.uid=u2"), "/Event", ev)).toBe(false);
  });
});
