import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../worker/resources/types";
import { applyDefaults, validateCreate, validateUpdate } from "../../worker/resources/validation";

type Obj = Record<string, unknown>;

function pod(spec: Obj, meta: Obj = {}): KubeObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default", ...meta }, spec };
}

function create(obj: KubeObject): string[] {
  applyDefaults("/Pod", obj);
  return validateCreate("/Pod", obj).map((e) => `${e.field}: ${e.message}`);
}

const nginx = () => ({ name: "web", image: "nginx:1.25" });

describe("pod defaults", () => {
  it("fills the pod spec like the apiserver and default admission", () => {
    const p = pod({ containers: [{ name: "web", image: "nginx", ports: [{ containerPort: 80 }] }] });
    applyDefaults("/Pod", p);
    expect(p.spec).toEqual({
      containers: [
        {
          name: "web",
          image: "nginx",
          imagePullPolicy: "Always",
          ports: [{ containerPort: 80, protocol: "TCP" }],
          resources: {},
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
        },
      ],
      dnsPolicy: "ClusterFirst",
      enableServiceLinks: true,
      preemptionPolicy: "PreemptLowerPriority",
      priority: 0,
      restartPolicy: "Always",
      schedulerName: "default-scheduler",
      securityContext: {},
      serviceAccount: "default",
      serviceAccountName: "default",
      terminationGracePeriodSeconds: 30,
      tolerations: [
        { effect: "NoExecute", key: "node.kubernetes.io/not-ready", operator: "Exists", tolerationSeconds: 300 },
        { effect: "NoExecute", key: "node.kubernetes.io/unreachable", operator: "Exists", tolerationSeconds: 300 },
      ],
    });
  });

  const pullPolicies: [string, string][] = [
    ["nginx", "Always"],
    ["nginx:latest", "Always"],
    ["nginx:1.25", "IfNotPresent"],
    ["registry:5000/team/app", "Always"],
    ["registry:5000/team/app:v2", "IfNotPresent"],
    ["nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent"],
  ];
  it.each(pullPolicies)("imagePullPolicy for %s is %s", (image, want) => {
    const p = pod({ containers: [{ name: "c", image }] });
    applyDefaults("/Pod", p);
    expect((p.spec as { containers: Obj[] }).containers[0].imagePullPolicy).toBe(want);
  });

  it("defaults probes, requests from limits and volumes", () => {
    const p = pod({
      containers: [
        {
          name: "c",
          image: "i:1",
          livenessProbe: { httpGet: { port: 8080 } },
          readinessProbe: { grpc: { port: 9090 }, periodSeconds: 5 },
          resources: { limits: { cpu: "1000m", memory: "1024Mi" } },
          env: [{ name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
        },
      ],
      volumes: [{ name: "scratch" }, { name: "cfg", configMap: { name: "c" } }],
    });
    applyDefaults("/Pod", p);
    const spec = p.spec as { containers: Obj[]; volumes: Obj[] };
    expect(spec.containers[0].livenessProbe).toEqual({
      httpGet: { port: 8080, path: "/", scheme: "HTTP" },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(spec.containers[0].readinessProbe).toEqual({ grpc: { port: 9090, service: "" }, timeoutSeconds: 1, periodSeconds: 5, successThreshold: 1, failureThreshold: 3 });
    expect(spec.containers[0].resources).toEqual({ limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "1", memory: "1Gi" } });
    expect(spec.containers[0].env).toEqual([{ name: "NODE", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.nodeName" } } }]);
    expect(spec.volumes).toEqual([
      { name: "scratch", emptyDir: {} },
      { name: "cfg", configMap: { name: "c", defaultMode: 420 } },
    ]);
  });

  it("keeps user tolerations that already cover the taints", () => {
    const p = pod({ containers: [nginx()], tolerations: [{ operator: "Exists" }] });
    applyDefaults("/Pod", p);
    expect((p.spec as Obj).tolerations).toEqual([{ operator: "Exists" }]);
  });

  it("maps the deprecated serviceAccount field", () => {
    const p = pod({ containers: [nginx()], serviceAccount: "builder" });
    applyDefaults("/Pod", p);
    expect((p.spec as Obj).serviceAccountName).toBe("builder");
  });
});

describe("pod validation", () => {
  const cases: [string, Obj, string][] = [
    ["containers required", { containers: [] }, "spec.containers: Required value"],
    ["image required", { containers: [{ name: "web" }] }, "spec.containers[0].image: Required value"],
    ["container name required", { containers: [{ image: "i" }] }, "spec.containers[0].name: Required value"],
    [
      "container name format",
      { containers: [{ name: "Web", image: "i" }] },
      `spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ],
    ["duplicate container", { containers: [nginx(), nginx()] }, 'spec.containers[1].name: Duplicate value: "web"'],
    ["init container name clash", { containers: [nginx()], initContainers: [nginx()] }, 'spec.initContainers[0].name: Duplicate value: "web"'],
    ["port range", { containers: [{ ...nginx(), ports: [{ containerPort: 70000 }] }] }, "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"],
    ["port required", { containers: [{ ...nginx(), ports: [{ name: "http" }] }] }, "spec.containers[0].ports[0].containerPort: Required value"],
    [
      "port protocol",
      { containers: [{ ...nginx(), ports: [{ containerPort: 80, protocol: "HTTP" }] }] },
      'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
    ],
    [
      "port name",
      { containers: [{ ...nginx(), ports: [{ containerPort: 80, name: "web-http-port-name" }] }] },
      'spec.containers[0].ports[0].name: Invalid value: "web-http-port-name": must be no more than 15 characters',
    ],
    [
      "restart policy",
      { containers: [nginx()], restartPolicy: "Sometimes" },
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ],
    [
      "dns policy",
      { containers: [nginx()], dnsPolicy: "Cluster" },
      'spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    ],
    [
      "requests over limits",
      { containers: [{ ...nginx(), resources: { requests: { cpu: "2" }, limits: { cpu: "1" } } }] },
      'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    ],
    [
      "negative limit",
      { containers: [{ ...nginx(), resources: { limits: { memory: "-1Gi" } } }] },
      'spec.containers[0].resources.limits[memory]: Invalid value: "-1Gi": must be greater than or equal to 0',
    ],
    [
      "unknown resource",
      { containers: [{ ...nginx(), resources: { limits: { gpu: "1" } } }] },
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers',
    ],
    ["probe without handler", { containers: [{ ...nginx(), livenessProbe: { periodSeconds: 5 } }] }, "spec.containers[0].livenessProbe: Required value: must specify a handler type"],
    [
      "probe with two handlers",
      { containers: [{ ...nginx(), readinessProbe: { exec: { command: ["true"] }, tcpSocket: { port: 80 } } }] },
      "spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type",
    ],
    [
      "liveness success threshold",
      { containers: [{ ...nginx(), livenessProbe: { tcpSocket: { port: 80 }, successThreshold: 2 } }] },
      "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
    ],
    [
      "probe port",
      { containers: [{ ...nginx(), livenessProbe: { httpGet: { port: 0 } } }] },
      "spec.containers[0].livenessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive",
    ],
    ["mount of unknown volume", { containers: [{ ...nginx(), volumeMounts: [{ name: "data", mountPath: "/d" }] }] }, 'spec.containers[0].volumeMounts[0].name: Not found: "data"'],
    ["volume needs a source field", { containers: [nginx()], volumes: [{ name: "s", secret: {} }] }, "spec.volumes[0].secret.secretName: Required value"],
    [
      "two volume sources",
      { containers: [nginx()], volumes: [{ name: "v", emptyDir: {}, hostPath: { path: "/x" } }] },
      "spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type",
    ],
    ["env name", { containers: [{ ...nginx(), env: [{ value: "x" }] }] }, "spec.containers[0].env[0].name: Required value"],
    [
      "toleration operator",
      { containers: [nginx()], tolerations: [{ key: "k", operator: "Like" }] },
      'spec.tolerations[0].operator: Unsupported value: "Like": supported values: "Equal", "Exists"',
    ],
    [
      "toleration seconds without NoExecute",
      { containers: [nginx()], tolerations: [{ key: "k", operator: "Exists", effect: "NoSchedule", tolerationSeconds: 5 }] },
      "spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
    ],
    ["active deadline", { containers: [nginx()], activeDeadlineSeconds: 0 }, "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"],
  ];
  it.each(cases)("%s", (_, spec, want) => {
    expect(create(pod(spec))).toContain(want);
  });

  it("accepts a minimal pod", () => {
    expect(create(pod({ containers: [nginx()] }))).toEqual([]);
  });
});

describe("pod update", () => {
  function created(spec: Obj): KubeObject {
    const p = pod(spec, { uid: "u1", resourceVersion: "1" });
    applyDefaults("/Pod", p);
    return p;
  }
  function update(old: KubeObject, change: (spec: Obj) => void): string[] {
    const next = structuredClone(old);
    change(next.spec as Obj);
    applyDefaults("/Pod", next);
    return validateUpdate("/Pod", next, old).map((e) => `${e.field}: ${e.message}`);
  }

  it("allows image changes", () => {
    const old = created({ containers: [nginx()] });
    expect(update(old, (s) => ((s.containers as Obj[])[0].image = "nginx:1.26"))).toEqual([]);
  });

  it("allows adding tolerations and lowering activeDeadlineSeconds", () => {
    const old = created({ containers: [nginx()], activeDeadlineSeconds: 100 });
    expect(
      update(old, (s) => {
        s.activeDeadlineSeconds = 50;
        (s.tolerations as Obj[]).push({ key: "k", operator: "Exists" });
      }),
    ).toEqual([]);
  });

  it("forbids other spec changes with the upstream message", () => {
    const old = created({ containers: [{ ...nginx(), ports: [{ containerPort: 80 }] }] });
    const got = update(old, (s) => ((s.containers as Obj[])[0].ports = [{ containerPort: 81 }]));
    expect(got).toHaveLength(1);
    expect(got[0].split("\n")[0]).toBe(
      "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
    );
  });

  it("forbids adding containers", () => {
    const old = created({ containers: [nginx()] });
    expect(update(old, (s) => (s.containers as Obj[]).push({ name: "b", image: "b" }))).toEqual(["spec.containers: Forbidden: pod updates may not add or remove containers"]);
  });

  it("forbids removing tolerations", () => {
    const old = created({ containers: [nginx()], tolerations: [{ key: "k", operator: "Exists" }] });
    expect(update(old, (s) => (s.tolerations = (s.tolerations as Obj[]).slice(1)))).toContain(
      "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds",
    );
  });

  it("forbids raising activeDeadlineSeconds", () => {
    const old = created({ containers: [nginx()], activeDeadlineSeconds: 10 });
    expect(update(old, (s) => (s.activeDeadlineSeconds = 20))).toEqual(["spec.activeDeadlineSeconds: Invalid value: 20: must be less than or equal to previous value"]);
  });
});
