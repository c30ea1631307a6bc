import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../worker/resources/types";
import { applyDefaults, finalizeJobSelector, validateCreate, validateUpdate } from "../../worker/resources/validation";

type Obj = Record<string, unknown>;

function obj(apiVersion: string, kind: string, body: Obj, meta: Obj = {}): KubeObject {
  return { apiVersion, kind, metadata: { name: "x", namespace: "default", ...meta }, ...body };
}

const template = (labels: Obj = { app: "x" }, spec: Obj = {}) => ({ metadata: { labels }, spec: { containers: [{ name: "c", image: "nginx:1.25" }], ...spec } });
const deploy = (spec: Obj) => obj("apps/v1", "Deployment", { spec });

function lines(errs: { field: string; message: string }[]): string[] {
  return errs.map((e) => `${e.field}: ${e.message}`);
}

function create(key: string, o: KubeObject): string[] {
  applyDefaults(key, o);
  if (key === "batch/Job") finalizeJobSelector(o);
  return lines(validateCreate(key, o));
}

/** The pod template defaults every controller gets. */
const templateSpecDefaults = {
  containers: [
    {
      name: "c",
      image: "nginx:1.25",
      imagePullPolicy: "IfNotPresent",
      resources: {},
      terminationMessagePath: "/dev/termination-log",
      terminationMessagePolicy: "File",
    },
  ],
  dnsPolicy: "ClusterFirst",
  restartPolicy: "Always",
  schedulerName: "default-scheduler",
  securityContext: {},
  terminationGracePeriodSeconds: 30,
};

describe("Deployment", () => {
  it("defaults like apps/v1", () => {
    const d = deploy({ selector: { matchLabels: { app: "x" } }, template: template() });
    applyDefaults("apps/Deployment", d);
    expect(d.spec).toEqual({
      replicas: 1,
      selector: { matchLabels: { app: "x" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      // A template's zero creationTimestamp reads null, as Go encodes it.
      template: { metadata: { creationTimestamp: null, labels: { app: "x" } }, spec: templateSpecDefaults },
    });
  });

  const strategies: [Obj, Obj][] = [
    [{}, { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } }],
    [{ type: "RollingUpdate" }, { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } }],
    [{ type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } }, { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: "25%" } }],
    [{ type: "Recreate" }, { type: "Recreate" }],
  ];
  it.each(strategies)("strategy %j", (strategy, want) => {
    const d = deploy({ strategy, selector: { matchLabels: { app: "x" } }, template: template() });
    applyDefaults("apps/Deployment", d);
    expect((d.spec as Obj).strategy).toEqual(want);
  });

  const cases: [string, Obj, string][] = [
    ["selector required", { template: template() }, "spec.selector: Required value"],
    [
      "selector mismatch",
      { selector: { matchLabels: { app: "y" } }, template: template() },
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`',
    ],
    [
      "missing selector also reports the template",
      { template: template() },
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`',
    ],
    [
      "empty selector",
      { selector: {}, template: template() },
      "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment",
    ],
    ["negative replicas", { replicas: -1, selector: { matchLabels: { app: "x" } }, template: template() }, "spec.replicas: Invalid value: -1: must be greater than or equal to 0"],
    [
      "both zero",
      { selector: { matchLabels: { app: "x" } }, template: template(), strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } },
      "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0",
    ],
    [
      "bad percent",
      { selector: { matchLabels: { app: "x" } }, template: template(), strategy: { rollingUpdate: { maxSurge: "abc" } } },
      "spec.strategy.rollingUpdate.maxSurge: Invalid value: abc: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    ],
    [
      "over 100%",
      { selector: { matchLabels: { app: "x" } }, template: template(), strategy: { rollingUpdate: { maxUnavailable: "150%" } } },
      "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 150%: must not be greater than 100%",
    ],
    [
      "recreate with rollingUpdate",
      { selector: { matchLabels: { app: "x" } }, template: template(), strategy: { type: "Recreate", rollingUpdate: {} } },
      "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
    ],
    [
      "template restart policy",
      { selector: { matchLabels: { app: "x" } }, template: template({ app: "x" }, { restartPolicy: "Never" }) },
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ],
    [
      "template label syntax",
      { selector: { matchLabels: { app: "x" } }, template: template({ app: "x", "bad key": "v" }) },
      "spec.template.labels: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ],
    [
      "template container image",
      { selector: { matchLabels: { app: "x" } }, template: { metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "c" }] } } },
      "spec.template.spec.containers[0].image: Required value",
    ],
    [
      "bad selector operator",
      { selector: { matchExpressions: [{ key: "app", operator: "Equals", values: ["x"] }] }, template: template() },
      'spec.selector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator',
    ],
  ];
  it.each(cases)("%s", (_, spec, want) => {
    expect(create("apps/Deployment", deploy(spec))).toContain(want);
  });

  it("accepts a matchExpressions selector", () => {
    expect(create("apps/Deployment", deploy({ selector: { matchExpressions: [{ key: "app", operator: "In", values: ["x", "y"] }] }, template: template() }))).toEqual([]);
  });

  it("keeps the selector immutable", () => {
    const old = deploy({ selector: { matchLabels: { app: "x" } }, template: template() });
    old.metadata.resourceVersion = "1";
    applyDefaults("apps/Deployment", old);
    const next = structuredClone(old);
    (next.spec as Obj).selector = { matchLabels: { app: "x", tier: "web" } };
    ((next.spec as Obj).template as { metadata: Obj }).metadata.labels = { app: "x", tier: "web" };
    expect(lines(validateUpdate("apps/Deployment", next, old))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x", "tier":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });
});

describe("ReplicaSet, DaemonSet, ReplicationController", () => {
  it("defaults a ReplicaSet", () => {
    const rs = obj("apps/v1", "ReplicaSet", { spec: { selector: { matchLabels: { app: "x" } }, template: template() } });
    expect(create("apps/ReplicaSet", rs)).toEqual([]);
    expect((rs.spec as Obj).replicas).toBe(1);
  });

  it("defaults a DaemonSet", () => {
    const ds = obj("apps/v1", "DaemonSet", { spec: { selector: { matchLabels: { app: "x" } }, template: template() } });
    expect(create("apps/DaemonSet", ds)).toEqual([]);
    expect((ds.spec as Obj).updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect((ds.spec as Obj).revisionHistoryLimit).toBe(10);
  });

  const dsCases: [string, Obj, string][] = [
    [
      "both surge and unavailable",
      { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } },
      "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero",
    ],
    [
      "neither",
      { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } },
      "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0",
    ],
  ];
  it.each(dsCases)("DaemonSet %s", (_, extra, want) => {
    const ds = obj("apps/v1", "DaemonSet", { spec: { selector: { matchLabels: { app: "x" } }, template: template(), ...extra } });
    expect(create("apps/DaemonSet", ds)).toContain(want);
  });

  it("defaults an RC selector and labels from its template", () => {
    const rc = obj("v1", "ReplicationController", { spec: { template: template({ app: "web" }) } });
    expect(create("/ReplicationController", rc)).toEqual([]);
    expect((rc.spec as Obj).selector).toEqual({ app: "web" });
    expect(rc.metadata.labels).toEqual({ app: "web" });
    expect((rc.spec as Obj).replicas).toBe(1);
  });

  it("checks an RC selector against its template", () => {
    const rc = obj("v1", "ReplicationController", { spec: { selector: { app: "other" }, template: template({ app: "web" }) } });
    expect(create("/ReplicationController", rc)).toEqual([
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ]);
  });
});

describe("StatefulSet", () => {
  const sts = (extra: Obj = {}) => obj("apps/v1", "StatefulSet", { spec: { selector: { matchLabels: { app: "x" } }, template: template(), ...extra } });

  it("defaults like apps/v1 and does not require serviceName", () => {
    const s = sts({ volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1024Mi" } } } }] });
    expect(create("apps/StatefulSet", s)).toEqual([]);
    const spec = s.spec as Obj;
    expect(spec.replicas).toBe(1);
    expect(spec.podManagementPolicy).toBe("OrderedReady");
    expect(spec.updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { partition: 0 } });
    expect(spec.revisionHistoryLimit).toBe(10);
    expect(spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: "Retain", whenScaled: "Retain" });
    expect(spec.volumeClaimTemplates).toEqual([
      {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: "data" },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, volumeMode: "Filesystem" },
        status: { phase: "Pending" },
      },
    ]);
  });

  it("validates the pod management policy", () => {
    expect(create("apps/StatefulSet", sts({ podManagementPolicy: "Random" }))).toContain(
      "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
    );
  });

  it("allows only some fields to change", () => {
    const old = sts({ serviceName: "a" });
    old.metadata.resourceVersion = "1";
    applyDefaults("apps/StatefulSet", old);
    const scaled = structuredClone(old);
    (scaled.spec as Obj).replicas = 3;
    expect(lines(validateUpdate("apps/StatefulSet", scaled, old))).toEqual([]);
    const renamed = structuredClone(old);
    (renamed.spec as Obj).serviceName = "b";
    expect(lines(validateUpdate("apps/StatefulSet", renamed, old))).toEqual([
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });
});

describe("Job", () => {
  const job = (spec: Obj, meta: Obj = {}) => obj("batch/v1", "Job", { spec }, { name: "pi", uid: "u-1", ...meta });

  it("defaults and generates the selector", () => {
    const j = job({ template: template({}, { restartPolicy: "Never" }) });
    expect(create("batch/Job", j)).toEqual([]);
    const spec = j.spec as Obj;
    expect(spec).toMatchObject({
      parallelism: 1,
      completions: 1,
      backoffLimit: 6,
      completionMode: "NonIndexed",
      suspend: false,
      podReplacementPolicy: "TerminatingOrFailed",
      selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "u-1" } },
    });
    expect(spec.manualSelector).toBeUndefined();
    const labels = { "batch.kubernetes.io/controller-uid": "u-1", "batch.kubernetes.io/job-name": "pi", "controller-uid": "u-1", "job-name": "pi" };
    expect((spec.template as { metadata: Obj }).metadata.labels).toEqual(labels);
    expect(j.metadata.labels).toEqual(labels);
  });

  it("leaves completions unset when only parallelism is given", () => {
    const j = job({ parallelism: 3, template: template({}, { restartPolicy: "Never" }) });
    applyDefaults("batch/Job", j);
    expect((j.spec as Obj).completions).toBeUndefined();
    expect((j.spec as Obj).parallelism).toBe(3);
  });

  const cases: [string, Obj, string][] = [
    ["restart policy defaulted to Always", { template: template({}) }, 'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
    ["negative backoff", { backoffLimit: -1, template: template({}, { restartPolicy: "Never" }) }, "spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0"],
    [
      "bad completion mode",
      { completionMode: "Sometimes", template: template({}, { restartPolicy: "Never" }) },
      'spec.completionMode: Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"',
    ],
  ];
  it.each(cases)("%s", (_, spec, want) => {
    expect(create("batch/Job", job(spec))).toContain(want);
  });

  it("requires a selector with manualSelector", () => {
    expect(create("batch/Job", job({ manualSelector: true, template: template({}, { restartPolicy: "Never" }) }))).toEqual([
      "spec.selector: Required value",
      "spec.template.metadata.labels: Invalid value: map[string]string{}: `selector` does not match template `labels`",
    ]);
  });

  it("keeps the template immutable", () => {
    const old = job({ template: template({}, { restartPolicy: "Never" }) }, { resourceVersion: "1" });
    applyDefaults("batch/Job", old);
    finalizeJobSelector(old);
    const next = structuredClone(old);
    ((next.spec as Obj).template as { spec: { containers: Obj[] } }).spec.containers[0].image = "busybox";
    expect(lines(validateUpdate("batch/Job", next, old))).toEqual([
      "spec.template: Invalid value: core.PodTemplateSpec{ObjectMeta:v1.ObjectMeta{...}, Spec:core.PodSpec{...}}: field is immutable",
    ]);
    const more = structuredClone(old);
    (more.spec as Obj).completions = 3;
    expect(lines(validateUpdate("batch/Job", more, old))).toEqual(["spec.completions: Invalid value: 3: field is immutable"]);
  });
});

describe("CronJob", () => {
  const cron = (spec: Obj, name = "hello") =>
    obj("batch/v1", "CronJob", { spec: { jobTemplate: { spec: { template: template({}, { restartPolicy: "OnFailure" }) } }, ...spec } }, { name });

  it("defaults", () => {
    const c = cron({ schedule: "*/1 * * * *" });
    expect(create("batch/CronJob", c)).toEqual([]);
    expect(c.spec).toMatchObject({ concurrencyPolicy: "Allow", suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    const jobSpec = ((c.spec as Obj).jobTemplate as { spec: Obj }).spec;
    expect(jobSpec.backoffLimit).toBeUndefined();
    expect((jobSpec.template as { spec: Obj }).spec.dnsPolicy).toBe("ClusterFirst");
  });

  const cases: [string, Obj, string, string?][] = [
    ["schedule required", {}, "spec.schedule: Required value"],
    ["bad schedule", { schedule: "bad" }, 'spec.schedule: Invalid value: "bad": expected exactly 5 fields, found 1: [bad]'],
    ["TZ in schedule", { schedule: "TZ=UTC 0 * * * *" }, 'spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead'],
    ["time zone", { schedule: "@daily", timeZone: "Mars/Olympus" }, 'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus'],
    [
      "concurrency policy",
      { schedule: "@daily", concurrencyPolicy: "Sometimes" },
      'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    ],
    [
      "job restart policy",
      { schedule: "@daily", jobTemplate: { spec: { template: template({}) } } },
      'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    ],
    ["long name", { schedule: "@daily" }, `metadata.name: Invalid value: "${"a".repeat(53)}": must be no more than 52 characters`, "a".repeat(53)],
  ];
  it.each(cases)("%s", (_, spec, want, name) => {
    expect(create("batch/CronJob", cron(spec, name))).toContain(want);
  });

  it("accepts a valid time zone", () => {
    expect(create("batch/CronJob", cron({ schedule: "@daily", timeZone: "Europe/Paris" }))).toEqual([]);
  });
});
