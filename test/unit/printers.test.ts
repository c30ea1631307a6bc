import { describe, expect, it } from "vitest";
import { defaultPrinter, humanDuration, printerFor, printers, translateTimestampSince } from "../../worker/resources/printers";
import type { KubeObject, ObjectMeta, PrintContext, Printer, TableCell } from "../../worker/resources/types";

const NOW = Date.parse("2025-01-01T12:00:00Z");
const ctx: PrintContext = { now: NOW };
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** RFC 3339 timestamp `ms` before NOW. */
function ago(ms: number): string {
  return new Date(NOW - ms).toISOString().replace(/\.000Z$/, "Z");
}

const CREATED = ago(5 * DAY + 3 * HOUR);
const AGE = "5d3h";

function mk(apiVersion: string, kind: string, name: string, body: Record<string, unknown> = {}, meta: Partial<ObjectMeta> = {}): KubeObject {
  return { apiVersion, kind, metadata: { name, namespace: "default", creationTimestamp: CREATED, ...meta }, ...body };
}

function row(key: string, o: KubeObject): TableCell[] {
  const p = printers[key];
  if (!p) throw new Error(`no printer ${key}`);
  const cells = p.row(o, ctx);
  expect(cells).toHaveLength(p.columns.length);
  return cells;
}

function columnNames(p: Printer): string[] {
  return p.columns.map((c) => (c.priority ? `${c.name}*` : c.name));
}

describe("humanDuration", () => {
  // Cases follow apimachinery's duration_test.go plus the boundaries of each branch.
  const cases: [number, string][] = [
    [-2 * SEC, "<invalid>"],
    [-1999, "0s"],
    [-1 * SEC, "0s"],
    [0, "0s"],
    [SEC, "1s"],
    [45 * SEC, "45s"],
    [70 * SEC, "70s"],
    [119 * SEC, "119s"],
    [120 * SEC, "2m"],
    [190 * SEC, "3m10s"],
    [200 * SEC, "3m20s"],
    [5 * MIN, "5m"],
    [9 * MIN + 59 * SEC, "9m59s"],
    [10 * MIN, "10m"],
    [10 * MIN + 30 * SEC, "10m"],
    [70 * MIN, "70m"],
    [179 * MIN, "179m"],
    [180 * MIN, "3h"],
    [3 * HOUR + 20 * MIN, "3h20m"],
    [7 * HOUR + 59 * MIN, "7h59m"],
    [8 * HOUR, "8h"],
    [47 * HOUR, "47h"],
    [48 * HOUR, "2d"],
    [49 * HOUR, "2d1h"],
    [2 * DAY + 3 * HOUR, "2d3h"],
    [7 * DAY + 23 * HOUR, "7d23h"],
    [8 * DAY, "8d"],
    [(8 * 24 + 2) * HOUR, "8d"],
    [367 * DAY, "367d"],
    [729 * DAY, "729d"],
    [730 * DAY, "2y"],
    [(365 * 2 * 24 + 25) * HOUR, "2y1d"],
    [(365 * 8 * 24 - 1) * HOUR, "7y364d"],
    [(365 * 8 * 24 + 2) * HOUR, "8y"],
    [(365 * 10 * 24 + 100) * HOUR, "10y"],
  ];
  it.each(cases)("%d ms -> %s", (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });

  it("translateTimestampSince", () => {
    expect(translateTimestampSince(undefined, NOW)).toBe("<unknown>");
    expect(translateTimestampSince("", NOW)).toBe("<unknown>");
    expect(translateTimestampSince("0001-01-01T00:00:00Z", NOW)).toBe("<unknown>");
    expect(translateTimestampSince(ago(5 * MIN), NOW)).toBe("5m");
    expect(translateTimestampSince(ago(-10 * SEC), NOW)).toBe("<invalid>");
  });
});

describe("every printer", () => {
  const keys = Object.keys(printers);

  it("covers every kind the task lists", () => {
    for (const k of [
      "/Namespace", "/Node", "/Pod", "/Service", "/Endpoints", "/ConfigMap", "/Secret", "/ServiceAccount", "/Event",
      "/PersistentVolume", "/PersistentVolumeClaim", "/ReplicationController", "/ResourceQuota", "/ComponentStatus",
      "events.k8s.io/Event", "apps/Deployment", "apps/ReplicaSet", "apps/DaemonSet", "apps/StatefulSet",
      "apps/ControllerRevision", "batch/Job", "batch/CronJob", "discovery.k8s.io/EndpointSlice",
      "networking.k8s.io/Ingress", "networking.k8s.io/IngressClass", "networking.k8s.io/NetworkPolicy",
      "storage.k8s.io/StorageClass", "coordination.k8s.io/Lease", "scheduling.k8s.io/PriorityClass",
      "policy/PodDisruptionBudget", "autoscaling/HorizontalPodAutoscaler", "rbac.authorization.k8s.io/RoleBinding",
      "rbac.authorization.k8s.io/ClusterRoleBinding",
    ]) {
      expect(printers[k], k).toBeDefined();
    }
    expect(printerFor("rbac.authorization.k8s.io", "Role")).toBe(defaultPrinter);
    expect(printerFor("rbac.authorization.k8s.io", "ClusterRole")).toBe(defaultPrinter);
    expect(printerFor("", "LimitRange")).toBe(defaultPrinter);
    expect(printerFor("", "Pod")).toBe(printers["/Pod"]);
  });

  it.each(keys)("%s prints a bare object with one cell per column", (key) => {
    const p = printers[key]!;
    for (const c of p.columns) expect(c.description.length, `${key} ${c.name}`).toBeGreaterThan(0);
    const cells = p.row(mk("v1", "X", "bare"), ctx);
    expect(cells).toHaveLength(p.columns.length);
  });

  it("default printer is NAME + CREATED AT", () => {
    expect(defaultPrinter.columns.map((c) => [c.name, c.type, c.format])).toEqual([
      ["Name", "string", "name"],
      ["Created At", "date", undefined],
    ]);
    expect(defaultPrinter.row(mk("rbac.authorization.k8s.io/v1", "Role", "reader"), ctx)).toEqual(["reader", CREATED]);
    expect(defaultPrinter.row({ apiVersion: "v1", kind: "LimitRange", metadata: { name: "l" } }, ctx)).toEqual([
      "l",
      "0001-01-01T00:00:00Z",
    ]);
  });
});

// --- Pods -------------------------------------------------------------------------------------

function pod(status: Record<string, unknown>, spec: Record<string, unknown> = {}, meta: Partial<ObjectMeta> = {}): KubeObject {
  return mk("v1", "Pod", "p", { spec: { containers: [{ name: "app", image: "nginx" }], ...spec }, status }, meta);
}
const running = { running: { startedAt: ago(HOUR) } };
const cs = (state: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name: "app",
  ready: false,
  restartCount: 0,
  image: "nginx",
  imageID: "",
  state,
  ...extra,
});
const twoInits = { initContainers: [{ name: "i1", image: "busybox" }, { name: "i2", image: "busybox" }] };
const initDone = (name: string) => ({ ...cs({ terminated: { exitCode: 0, reason: "Completed" } }), name });

describe("pod printer", () => {
  it("columns", () => {
    expect(columnNames(printers["/Pod"]!)).toEqual([
      "Name", "Ready", "Status", "Restarts", "Age", "IP*", "Node*", "Nominated Node*", "Readiness Gates*",
    ]);
  });

  const cases: [string, KubeObject, [string, string, string]][] = [
    ["Running", pod({ phase: "Running", containerStatuses: [cs(running, { ready: true })] }), ["1/1", "Running", "0"]],
    ["Pending", pod({ phase: "Pending" }), ["0/1", "Pending", "0"]],
    ["ContainerCreating", pod({ phase: "Pending", containerStatuses: [cs({ waiting: { reason: "ContainerCreating" } })] }), ["0/1", "ContainerCreating", "0"]],
    [
      "CrashLoopBackOff",
      pod({
        phase: "Running",
        containerStatuses: [
          cs({ waiting: { reason: "CrashLoopBackOff" } }, { restartCount: 4, lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * MIN + 5 * SEC) } } }),
        ],
      }),
      ["0/1", "CrashLoopBackOff", "4 (2m5s ago)"],
    ],
    ["ImagePullBackOff", pod({ phase: "Pending", containerStatuses: [cs({ waiting: { reason: "ImagePullBackOff" } })] }), ["0/1", "ImagePullBackOff", "0"]],
    ["ErrImagePull", pod({ phase: "Pending", containerStatuses: [cs({ waiting: { reason: "ErrImagePull" } })] }), ["0/1", "ErrImagePull", "0"]],
    ["Completed", pod({ phase: "Succeeded", containerStatuses: [cs({ terminated: { exitCode: 0, reason: "Completed" } })] }), ["0/1", "Completed", "0"]],
    ["Error", pod({ phase: "Failed", containerStatuses: [cs({ terminated: { exitCode: 1, reason: "Error" } })] }), ["0/1", "Error", "0"]],
    ["OOMKilled", pod({ phase: "Running", containerStatuses: [cs({ terminated: { exitCode: 137, reason: "OOMKilled" } })] }), ["0/1", "OOMKilled", "0"]],
    ["ExitCode", pod({ phase: "Failed", containerStatuses: [cs({ terminated: { exitCode: 2 } })] }), ["0/1", "ExitCode:2", "0"]],
    ["Signal", pod({ phase: "Failed", containerStatuses: [cs({ terminated: { exitCode: 137, signal: 9 } })] }), ["0/1", "Signal:9", "0"]],
    ["Evicted", pod({ phase: "Failed", reason: "Evicted" }), ["0/1", "Evicted", "0"]],
    ["Init:0/2", pod({ phase: "Pending", initContainerStatuses: [{ ...cs(running), name: "i1" }] }, twoInits), ["0/1", "Init:0/2", "0"]],
    [
      "Init:1/2",
      pod({ phase: "Pending", initContainerStatuses: [initDone("i1"), { ...cs({ waiting: { reason: "PodInitializing" } }), name: "i2" }] }, twoInits),
      ["0/1", "Init:1/2", "0"],
    ],
    [
      "Init:CrashLoopBackOff",
      pod(
        { phase: "Pending", initContainerStatuses: [{ ...cs({ waiting: { reason: "CrashLoopBackOff" } }, { restartCount: 3, lastState: { terminated: { exitCode: 1, finishedAt: ago(30 * SEC) } } }), name: "i1" }] },
        twoInits,
      ),
      ["0/1", "Init:CrashLoopBackOff", "3 (30s ago)"],
    ],
    ["Init:Error", pod({ phase: "Pending", initContainerStatuses: [{ ...cs({ terminated: { exitCode: 1, reason: "Error" } }), name: "i1" }] }, twoInits), ["0/1", "Init:Error", "0"]],
    ["Init:ExitCode", pod({ phase: "Pending", initContainerStatuses: [{ ...cs({ terminated: { exitCode: 3 } }), name: "i1" }] }, twoInits), ["0/1", "Init:ExitCode:3", "0"]],
    ["Init:Signal", pod({ phase: "Pending", initContainerStatuses: [{ ...cs({ terminated: { exitCode: 1, signal: 15 } }), name: "i1" }] }, twoInits), ["0/1", "Init:Signal:15", "0"]],
    [
      "PodInitializing",
      pod(
        {
          phase: "Pending",
          initContainerStatuses: [initDone("i1"), initDone("i2")],
          containerStatuses: [cs({ waiting: { reason: "PodInitializing" } })],
        },
        twoInits,
      ),
      ["0/1", "PodInitializing", "0"],
    ],
    ["Terminating", pod({ phase: "Running", containerStatuses: [cs(running, { ready: true })] }, {}, { deletionTimestamp: ago(5 * SEC) }), ["1/1", "Terminating", "0"]],
    [
      "Terminating keeps a terminal phase's reason",
      pod({ phase: "Succeeded", containerStatuses: [cs({ terminated: { exitCode: 0, reason: "Completed" } })] }, {}, { deletionTimestamp: ago(5 * SEC) }),
      ["0/1", "Completed", "0"],
    ],
    [
      "Unknown (deleted on a lost node)",
      pod({ phase: "Running", reason: "NodeLost", containerStatuses: [cs(running, { ready: true })] }, {}, { deletionTimestamp: ago(5 * SEC) }),
      ["1/1", "Unknown", "0"],
    ],
    ["NodeLost", pod({ phase: "Running", reason: "NodeLost", containerStatuses: [cs(running, { ready: true })] }), ["1/1", "NodeLost", "0"]],
    [
      "SchedulingGated",
      pod({ phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "SchedulingGated" }] }),
      ["0/1", "SchedulingGated", "0"],
    ],
    [
      "Completed with a running sibling and Ready",
      pod(
        {
          phase: "Running",
          conditions: [{ type: "Ready", status: "True" }],
          containerStatuses: [cs({ terminated: { exitCode: 0, reason: "Completed" } }), { ...cs(running, { ready: true }), name: "b" }],
        },
        { containers: [{ name: "app" }, { name: "b" }] },
      ),
      ["1/2", "Running", "0"],
    ],
    [
      "Completed with a running sibling, not Ready",
      pod(
        { phase: "Running", containerStatuses: [cs({ terminated: { exitCode: 0, reason: "Completed" } }), { ...cs(running, { ready: true }), name: "b" }] },
        { containers: [{ name: "app" }, { name: "b" }] },
      ),
      ["1/2", "NotReady", "0"],
    ],
    [
      "sidecar init container counts as a container",
      pod(
        {
          phase: "Running",
          conditions: [{ type: "Initialized", status: "True" }],
          initContainerStatuses: [
            { ...cs(running, { ready: true, started: true, restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(10 * MIN) } } }), name: "proxy" },
          ],
          containerStatuses: [cs(running, { ready: true })],
        },
        { initContainers: [{ name: "proxy", image: "envoy", restartPolicy: "Always" }] },
      ),
      ["2/2", "Running", "1 (10m ago)"],
    ],
    [
      "restarts sum containers and use the latest termination",
      pod(
        {
          phase: "Running",
          containerStatuses: [
            cs(running, { ready: true, restartCount: 2, lastState: { terminated: { exitCode: 1, finishedAt: ago(HOUR) } } }),
            { ...cs(running, { ready: true, restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(3 * MIN) } } }), name: "b" },
          ],
        },
        { containers: [{ name: "app" }, { name: "b" }] },
      ),
      ["2/2", "Running", "3 (3m ago)"],
    ],
  ];
  it.each(cases)("%s", (_name, o, [ready, status, restarts]) => {
    const cells = row("/Pod", o);
    expect(cells.slice(1, 4)).toEqual([ready, status, restarts]);
  });

  it("full row including wide columns", () => {
    const o = pod(
      {
        phase: "Running",
        podIP: "10.244.1.5",
        podIPs: [{ ip: "10.244.1.5" }, { ip: "fd00::5" }],
        nominatedNodeName: "",
        conditions: [{ type: "Ready", status: "True" }, { type: "example.com/gate", status: "True" }],
        containerStatuses: [cs(running, { ready: true })],
      },
      { nodeName: "node-1", readinessGates: [{ conditionType: "example.com/gate" }, { conditionType: "example.com/other" }] },
    );
    expect(row("/Pod", o)).toEqual(["p", "1/1", "Running", "0", AGE, "10.244.1.5", "node-1", "<none>", "1/2"]);
    expect(row("/Pod", pod({ phase: "Pending" }))).toEqual(["p", "0/1", "Pending", "0", AGE, "<none>", "<none>", "<none>", "<none>"]);
  });
});

// --- Other core kinds ---------------------------------------------------------------------------

describe("core printers", () => {
  it("Node", () => {
    expect(columnNames(printers["/Node"]!)).toEqual([
      "Name", "Status", "Roles", "Age", "Version", "Internal-IP*", "External-IP*", "OS-Image*", "Kernel-Version*", "Container-Runtime*",
    ]);
    const cp = mk("v1", "Node", "kind-control-plane", {
      spec: {},
      status: {
        conditions: [{ type: "MemoryPressure", status: "False" }, { type: "Ready", status: "True" }],
        addresses: [{ type: "InternalIP", address: "172.18.0.2" }, { type: "Hostname", address: "kind-control-plane" }],
        nodeInfo: { kubeletVersion: "v1.32.0", osImage: "Debian GNU/Linux 12 (bookworm)", kernelVersion: "6.1.0", containerRuntimeVersion: "containerd://1.7.24" },
      },
    }, { namespace: undefined, labels: { "node-role.kubernetes.io/control-plane": "", "kubernetes.io/os": "linux" } });
    expect(row("/Node", cp)).toEqual([
      "kind-control-plane", "Ready", "control-plane", AGE, "v1.32.0", "172.18.0.2", "<none>", "Debian GNU/Linux 12 (bookworm)", "6.1.0", "containerd://1.7.24",
    ]);
    const cordoned = mk("v1", "Node", "w", { spec: { unschedulable: true }, status: { conditions: [{ type: "Ready", status: "True" }] } });
    expect(row("/Node", cordoned).slice(1, 3)).toEqual(["Ready,SchedulingDisabled", "<none>"]);
    const notReady = mk("v1", "Node", "w", { status: { conditions: [{ type: "Ready", status: "Unknown" }] } }, { labels: { "kubernetes.io/role": "worker" } });
    expect(row("/Node", notReady).slice(1, 3)).toEqual(["NotReady", "worker"]);
    const unknown = mk("v1", "Node", "w", { spec: { unschedulable: true } }, {
      labels: { "node-role.kubernetes.io/master": "", "node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/": "" },
    });
    expect(row("/Node", unknown)).toEqual(["w", "Unknown,SchedulingDisabled", "control-plane,master", AGE, "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"]);
  });

  it("Service", () => {
    expect(columnNames(printers["/Service"]!)).toEqual(["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector*"]);
    const svc = (spec: Record<string, unknown>, status: Record<string, unknown> = {}) => mk("v1", "Service", "s", { spec, status });
    expect(row("/Service", svc({
      type: "ClusterIP", clusterIP: "10.96.0.10", clusterIPs: ["10.96.0.10"],
      ports: [{ name: "dns", port: 53, protocol: "UDP" }, { name: "dns-tcp", port: 53, protocol: "TCP" }],
      selector: { "k8s-app": "kube-dns" },
    }))).toEqual(["s", "ClusterIP", "10.96.0.10", "<none>", "53/UDP,53/TCP", AGE, "k8s-app=kube-dns"]);
    expect(row("/Service", svc({ type: "ClusterIP", clusterIP: "None", clusterIPs: ["None"], ports: [{ port: 80, protocol: "TCP" }], selector: { b: "2", a: "1" } })))
      .toEqual(["s", "ClusterIP", "None", "<none>", "80/TCP", AGE, "a=1,b=2"]);
    expect(row("/Service", svc({ type: "NodePort", clusterIPs: ["10.96.1.1"], externalIPs: ["198.51.100.7"], ports: [{ port: 80, nodePort: 30080, protocol: "TCP" }, { port: 443, nodePort: 30443, protocol: "TCP" }] })))
      .toEqual(["s", "NodePort", "10.96.1.1", "198.51.100.7", "80:30080/TCP,443:30443/TCP", AGE, "<none>"]);
    expect(row("/Service", svc({ type: "LoadBalancer", clusterIPs: ["10.96.1.2"], ports: [{ port: 80, nodePort: 31000, protocol: "TCP" }] })).slice(3, 5))
      .toEqual(["<pending>", "80:31000/TCP"]);
    expect(row("/Service", svc({ type: "LoadBalancer", clusterIPs: ["10.96.1.2"] }, { loadBalancer: { ingress: [{ hostname: "lb.example.com" }, { ip: "203.0.113.10" }, { ip: "203.0.113.10" }] } }))[3])
      .toBe("203.0.113.10,lb.example.com");
    expect(row("/Service", svc({ type: "LoadBalancer", externalIPs: ["1.2.3.4"] }, { loadBalancer: { ingress: [{ ip: "203.0.113.10" }] } }))[3])
      .toBe("203.0.113.10,1.2.3.4");
    expect(row("/Service", svc({ type: "ExternalName", externalName: "db.example.com" })))
      .toEqual(["s", "ExternalName", "<none>", "db.example.com", "<none>", AGE, "<none>"]);
  });

  it("Endpoints", () => {
    const ep = (subsets?: unknown[]) => mk("v1", "Endpoints", "web", subsets ? { subsets } : {});
    expect(row("/Endpoints", ep())).toEqual(["web", "<none>", AGE]);
    expect(row("/Endpoints", ep([{ addresses: [{ ip: "10.244.1.5" }, { ip: "10.244.1.6" }], ports: [{ port: 80 }, { port: 443 }] }]))[1])
      .toBe("10.244.1.5:80,10.244.1.6:80,10.244.1.5:443 + 1 more...");
    expect(row("/Endpoints", ep([{ addresses: [{ ip: "10.0.0.1" }] }, { addresses: [{ ip: "fd00::1" }], ports: [{ port: 8080 }] }]))[1])
      .toBe("10.0.0.1,[fd00::1]:8080");
  });

  it("Namespace, ConfigMap, Secret, ServiceAccount, ComponentStatus, PodTemplate", () => {
    expect(row("/Namespace", mk("v1", "Namespace", "default", { status: { phase: "Active" } }))).toEqual(["default", "Active", AGE]);
    expect(row("/ConfigMap", mk("v1", "ConfigMap", "cfg", { data: { a: "1", b: "2" }, binaryData: { c: "AA==" } }))).toEqual(["cfg", 3, AGE]);
    expect(row("/Secret", mk("v1", "Secret", "tls", { type: "kubernetes.io/tls", data: { "tls.crt": "", "tls.key": "" } }))).toEqual(["tls", "kubernetes.io/tls", 2, AGE]);
    expect(row("/ServiceAccount", mk("v1", "ServiceAccount", "default"))).toEqual(["default", 0, AGE]);
    expect(row("/ComponentStatus", mk("v1", "ComponentStatus", "etcd-0", { conditions: [{ type: "Healthy", status: "True", message: "ok" }] })))
      .toEqual(["etcd-0", "Healthy", "ok", ""]);
    expect(row("/ComponentStatus", mk("v1", "ComponentStatus", "x"))).toEqual(["x", "Unknown", "", ""]);
    expect(row("/PodTemplate", mk("v1", "PodTemplate", "t", { template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "a", image: "i" }] } } })))
      .toEqual(["t", "a", "i", "app=web"]);
  });

  it("ReplicationController", () => {
    const rc = mk("v1", "ReplicationController", "nginx", {
      spec: { replicas: 3, selector: { app: "nginx" }, template: { spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } } },
      status: { replicas: 3, readyReplicas: 2 },
    });
    expect(row("/ReplicationController", rc)).toEqual(["nginx", 3, 3, 2, AGE, "nginx", "nginx:1.27", "app=nginx"]);
  });

  it("ResourceQuota (1.32 column order)", () => {
    expect(columnNames(printers["/ResourceQuota"]!)).toEqual(["Name", "Age", "Request", "Limit"]);
    const rq = mk("v1", "ResourceQuota", "compute", {
      status: {
        hard: { pods: "10", "requests.cpu": "1", "limits.memory": "2Gi", "requests.memory": "1Gi" },
        used: { pods: "2", "requests.cpu": "500m" },
      },
    });
    expect(row("/ResourceQuota", rq)).toEqual(["compute", AGE, "pods: 2/10, requests.cpu: 500m/1, requests.memory: 0/1Gi", "limits.memory: 0/2Gi"]);
  });

  it("PersistentVolume and PersistentVolumeClaim", () => {
    expect(columnNames(printers["/PersistentVolume"]!)).toEqual([
      "Name", "Capacity", "Access Modes", "Reclaim Policy", "Status", "Claim", "StorageClass", "VolumeAttributesClass", "Reason", "Age", "VolumeMode*",
    ]);
    expect(columnNames(printers["/PersistentVolumeClaim"]!)).toEqual([
      "Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass", "VolumeAttributesClass", "Age", "VolumeMode*",
    ]);
    const pv = mk("v1", "PersistentVolume", "pv1", {
      spec: {
        capacity: { storage: "10Gi" },
        accessModes: ["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        claimRef: { namespace: "default", name: "data" },
        storageClassName: "standard",
        volumeMode: "Filesystem",
      },
      status: { phase: "Bound" },
    });
    expect(row("/PersistentVolume", pv)).toEqual(["pv1", "10Gi", "RWO,RWX", "Retain", "Bound", "default/data", "standard", "<unset>", "", AGE, "Filesystem"]);
    const released = mk("v1", "PersistentVolume", "pv2", { spec: { accessModes: ["ReadWriteOncePod"] }, status: { phase: "Failed", reason: "Recycler" } }, {
      deletionTimestamp: ago(SEC),
      annotations: { "volume.beta.kubernetes.io/storage-class": "legacy" },
    });
    expect(row("/PersistentVolume", released)).toEqual(["pv2", "0", "RWOP", "", "Terminating", "", "legacy", "<unset>", "Recycler", AGE, "<unset>"]);

    const bound = mk("v1", "PersistentVolumeClaim", "data", {
      spec: { volumeName: "pv1", storageClassName: "standard", volumeMode: "Filesystem", volumeAttributesClassName: "gold", resources: { requests: { storage: "5Gi" } } },
      status: { phase: "Bound", capacity: { storage: "10Gi" }, accessModes: ["ReadWriteOnce"] },
    });
    expect(row("/PersistentVolumeClaim", bound)).toEqual(["data", "Bound", "pv1", "10Gi", "RWO", "standard", "gold", AGE, "Filesystem"]);
    const pending = mk("v1", "PersistentVolumeClaim", "data", { spec: { storageClassName: "standard", accessModes: ["ReadWriteOnce"] }, status: { phase: "Pending" } });
    expect(row("/PersistentVolumeClaim", pending)).toEqual(["data", "Pending", "", "", "", "standard", "<unset>", AGE, "<unset>"]);
  });
});

describe("events", () => {
  it("columns", () => {
    expect(columnNames(printers["/Event"]!)).toEqual([
      "Last Seen", "Type", "Reason", "Object", "Subobject*", "Source*", "Message", "First Seen*", "Count*", "Name*",
    ]);
    expect(printers["events.k8s.io/Event"]!.columns).toEqual(printers["/Event"]!.columns);
  });

  it("core/v1 Event", () => {
    const ev = mk("v1", "Event", "web-1.181a", {
      involvedObject: { kind: "Pod", name: "web-1", fieldPath: "spec.containers{web}" },
      reason: "Pulled",
      message: "  Successfully pulled image \"nginx\"\n",
      type: "Normal",
      source: { component: "kubelet", host: "node-1" },
      firstTimestamp: ago(10 * MIN),
      lastTimestamp: ago(3 * MIN),
      count: 4,
    });
    expect(row("/Event", ev)).toEqual(["3m", "Normal", "Pulled", "pod/web-1", "spec.containers{web}", "kubelet, node-1", "Successfully pulled image \"nginx\"", "10m", 4, "web-1.181a"]);

    const scheduled = mk("v1", "Event", "e2", {
      involvedObject: { kind: "Pod", name: "web-1" },
      reason: "Scheduled",
      message: "Successfully assigned default/web-1 to node-1",
      type: "Normal",
      eventTime: ago(30 * SEC),
      reportingComponent: "default-scheduler",
      reportingInstance: "",
    });
    expect(row("/Event", scheduled)).toEqual(["30s", "Normal", "Scheduled", "pod/web-1", "", "default-scheduler", "Successfully assigned default/web-1 to node-1", "30s", 1, "e2"]);

    const series = mk("v1", "Event", "e3", {
      involvedObject: { kind: "Node" },
      reason: "Rebooted",
      type: "Warning",
      eventTime: ago(10 * MIN),
      series: { count: 5, lastObservedTime: ago(MIN) },
    });
    expect(row("/Event", series)).toEqual(["60s", "Warning", "Rebooted", "node", "", "", "", "10m", 5, "e3"]);
  });

  it("events.k8s.io/v1 Event", () => {
    const ev = mk("events.k8s.io/v1", "Event", "web.1", {
      regarding: { kind: "Deployment", name: "web", namespace: "default" },
      note: "Scaled up replica set web-abc to 3",
      reason: "ScalingReplicaSet",
      type: "Normal",
      reportingController: "deployment-controller",
      reportingInstance: "",
      eventTime: ago(2 * MIN),
    });
    expect(row("events.k8s.io/Event", ev)).toEqual([
      "2m", "Normal", "ScalingReplicaSet", "deployment/web", "", "deployment-controller", "Scaled up replica set web-abc to 3", "2m", 1, "web.1",
    ]);
    const legacy = mk("events.k8s.io/v1", "Event", "x", {
      regarding: { kind: "Pod", name: "p" },
      deprecatedSource: { component: "kubelet", host: "node-2" },
      deprecatedFirstTimestamp: ago(HOUR),
      deprecatedLastTimestamp: ago(5 * MIN),
      deprecatedCount: 7,
      type: "Warning",
      reason: "BackOff",
      note: "Back-off restarting failed container",
    });
    expect(row("events.k8s.io/Event", legacy)).toEqual(["5m", "Warning", "BackOff", "pod/p", "", "kubelet, node-2", "Back-off restarting failed container", "60m", 7, "x"]);
  });
});

describe("apps printers", () => {
  const tmpl = { spec: { containers: [{ name: "web", image: "nginx:1.27" }, { name: "sidecar", image: "busybox" }] } };

  it("Deployment", () => {
    expect(columnNames(printers["apps/Deployment"]!)).toEqual(["Name", "Ready", "Up-to-date", "Available", "Age", "Containers*", "Images*", "Selector*"]);
    const d = mk("apps/v1", "Deployment", "web", {
      spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template: tmpl },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    });
    expect(row("apps/Deployment", d)).toEqual(["web", "2/3", 3, 2, AGE, "web,sidecar", "nginx:1.27,busybox", "app=web"]);
    const expr = mk("apps/v1", "Deployment", "x", {
      spec: {
        replicas: 0,
        selector: {
          matchLabels: { tier: "fe" },
          matchExpressions: [{ key: "env", operator: "In", values: ["prod", "dev"] }, { key: "canary", operator: "DoesNotExist" }, { key: "zone", operator: "NotIn", values: ["b", "a"] }, { key: "gpu", operator: "Exists" }],
        },
      },
    });
    expect(row("apps/Deployment", expr)).toEqual(["x", "0/0", 0, 0, AGE, "", "", "!canary,env in (dev,prod),gpu,tier=fe,zone notin (a,b)"]);
    expect(row("apps/Deployment", mk("apps/v1", "Deployment", "y", { spec: {} }))[7]).toBe("");
  });

  it("ReplicaSet, DaemonSet, StatefulSet", () => {
    expect(columnNames(printers["apps/ReplicaSet"]!)).toEqual(["Name", "Desired", "Current", "Ready", "Age", "Containers*", "Images*", "Selector*"]);
    const rs = mk("apps/v1", "ReplicaSet", "web-abc", {
      spec: { replicas: 3, selector: { matchLabels: { app: "web", "pod-template-hash": "abc" } }, template: tmpl },
      status: { replicas: 3, readyReplicas: 3 },
    });
    expect(row("apps/ReplicaSet", rs)).toEqual(["web-abc", 3, 3, 3, AGE, "web,sidecar", "nginx:1.27,busybox", "app=web,pod-template-hash=abc"]);

    expect(columnNames(printers["apps/DaemonSet"]!)).toEqual([
      "Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector", "Age", "Containers*", "Images*", "Selector*",
    ]);
    const ds = mk("apps/v1", "DaemonSet", "kube-proxy", {
      spec: { selector: { matchLabels: { "k8s-app": "kube-proxy" } }, template: { spec: { nodeSelector: { "kubernetes.io/os": "linux" }, containers: [{ name: "kube-proxy", image: "registry.k8s.io/kube-proxy:v1.32.0" }] } } },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    });
    expect(row("apps/DaemonSet", ds)).toEqual(["kube-proxy", 3, 3, 2, 3, 2, "kubernetes.io/os=linux", AGE, "kube-proxy", "registry.k8s.io/kube-proxy:v1.32.0", "k8s-app=kube-proxy"]);

    expect(columnNames(printers["apps/StatefulSet"]!)).toEqual(["Name", "Ready", "Age", "Containers*", "Images*"]);
    const sts = mk("apps/v1", "StatefulSet", "db", { spec: { replicas: 3, template: tmpl }, status: { readyReplicas: 1 } });
    expect(row("apps/StatefulSet", sts)).toEqual(["db", "1/3", AGE, "web,sidecar", "nginx:1.27,busybox"]);
  });

  it("ControllerRevision", () => {
    const owned = mk("apps/v1", "ControllerRevision", "db-7d9f", { revision: 2 }, {
      ownerReferences: [
        { apiVersion: "v1", kind: "Pod", name: "not-controller", uid: "1" },
        { apiVersion: "apps/v1", kind: "StatefulSet", name: "db", uid: "2", controller: true },
      ],
    });
    expect(row("apps/ControllerRevision", owned)).toEqual(["db-7d9f", "statefulset.apps/db", 2, AGE]);
    const core = mk("apps/v1", "ControllerRevision", "r", { revision: 1 }, { ownerReferences: [{ apiVersion: "v1", kind: "Pod", name: "p", uid: "1", controller: true }] });
    expect(row("apps/ControllerRevision", core)[1]).toBe("pod/p");
    expect(row("apps/ControllerRevision", mk("apps/v1", "ControllerRevision", "r", { revision: 1 }))[1]).toBe("<none>");
  });
});

describe("batch printers", () => {
  const template = { spec: { containers: [{ name: "pi", image: "perl:5.34" }] } };
  const job = (spec: Record<string, unknown>, status: Record<string, unknown>, meta: Partial<ObjectMeta> = {}) =>
    mk("batch/v1", "Job", "pi", { spec: { template, selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "abc" } }, ...spec }, status }, meta);

  it("Job", () => {
    expect(columnNames(printers["batch/Job"]!)).toEqual(["Name", "Status", "Completions", "Duration", "Age", "Containers*", "Images*", "Selector*"]);
    const done = job({ completions: 1 }, { succeeded: 1, startTime: ago(5 * MIN), completionTime: ago(4 * MIN + 25 * SEC), conditions: [{ type: "SuccessCriteriaMet", status: "True" }, { type: "Complete", status: "True" }] });
    expect(row("batch/Job", done)).toEqual(["pi", "Complete", "1/1", "35s", AGE, "pi", "perl:5.34", "batch.kubernetes.io/controller-uid=abc"]);
    const status = (spec: Record<string, unknown>, st: Record<string, unknown>, meta: Partial<ObjectMeta> = {}) => row("batch/Job", job(spec, st, meta)).slice(1, 4);
    expect(status({ parallelism: 3 }, { succeeded: 1, startTime: ago(200 * SEC) })).toEqual(["Running", "1/1 of 3", "3m20s"]);
    expect(status({ parallelism: 1 }, {})).toEqual(["Running", "0/1", ""]);
    expect(status({ completions: 5 }, { succeeded: 2, conditions: [{ type: "Failed", status: "True" }] })).toEqual(["Failed", "2/5", ""]);
    expect(status({ completions: 5 }, { conditions: [{ type: "Suspended", status: "True" }] })).toEqual(["Suspended", "0/5", ""]);
    expect(status({ completions: 5 }, { conditions: [{ type: "FailureTarget", status: "True" }] })).toEqual(["FailureTarget", "0/5", ""]);
    expect(status({ completions: 5 }, { conditions: [{ type: "Suspended", status: "False" }] }, { deletionTimestamp: ago(SEC) })).toEqual(["Terminating", "0/5", ""]);
  });

  it("CronJob", () => {
    expect(columnNames(printers["batch/CronJob"]!)).toEqual([
      "Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age", "Containers*", "Images*", "Selector*",
    ]);
    const cj = mk("batch/v1", "CronJob", "hello", {
      spec: { schedule: "*/5 * * * *", suspend: false, jobTemplate: { spec: { template: { spec: { containers: [{ name: "hello", image: "busybox:1.28" }] } } } } },
      status: { active: [{ kind: "Job", name: "hello-1" }], lastScheduleTime: ago(3 * MIN) },
    });
    expect(row("batch/CronJob", cj)).toEqual(["hello", "*/5 * * * *", "<none>", "False", 1, "3m", AGE, "hello", "busybox:1.28", "<none>"]);
    const tz = mk("batch/v1", "CronJob", "tz", { spec: { schedule: "@hourly", timeZone: "Etc/UTC", jobTemplate: { spec: {} } } });
    expect(row("batch/CronJob", tz)).toEqual(["tz", "@hourly", "Etc/UTC", "<unset>", 0, "<none>", AGE, "", "", "<none>"]);
  });
});

describe("networking and discovery printers", () => {
  it("EndpointSlice", () => {
    expect(columnNames(printers["discovery.k8s.io/EndpointSlice"]!)).toEqual(["Name", "AddressType", "Ports", "Endpoints", "Age"]);
    const slice = (ports: unknown[] | undefined, endpoints: unknown[] | undefined) =>
      mk("discovery.k8s.io/v1", "EndpointSlice", "web-abc", { addressType: "IPv4", ports, endpoints });
    expect(row("discovery.k8s.io/EndpointSlice", slice([{ name: "http", port: 80, protocol: "TCP" }], [{ addresses: ["10.244.1.5"] }, { addresses: ["10.244.1.6"] }])))
      .toEqual(["web-abc", "IPv4", "80", "10.244.1.5,10.244.1.6", AGE]);
    expect(row("discovery.k8s.io/EndpointSlice", slice(undefined, undefined)).slice(2, 4)).toEqual(["<unset>", "<unset>"]);
    expect(row("discovery.k8s.io/EndpointSlice", slice(
      [{ name: "a" }, {}, { port: 1 }, { port: 2 }, { port: 3 }],
      [{ addresses: ["10.0.0.1", "10.0.0.2"] }, { addresses: ["10.0.0.3"] }, { addresses: ["10.0.0.4", "10.0.0.5"] }],
    )).slice(2, 4)).toEqual(["a,*,1 + 2 more...", "10.0.0.1,10.0.0.2,10.0.0.3 + 2 more..."]);
  });

  it("Ingress", () => {
    expect(columnNames(printers["networking.k8s.io/Ingress"]!)).toEqual(["Name", "Class", "Hosts", "Address", "Ports", "Age"]);
    const ing = mk("networking.k8s.io/v1", "Ingress", "web", {
      spec: { ingressClassName: "nginx", rules: [{ host: "a.example.com" }, { host: "b.example.com" }], tls: [{ hosts: ["a.example.com"] }] },
      status: { loadBalancer: { ingress: [{ ip: "172.18.0.2" }] } },
    });
    expect(row("networking.k8s.io/Ingress", ing)).toEqual(["web", "nginx", "a.example.com,b.example.com", "172.18.0.2", "80, 443", AGE]);
    expect(row("networking.k8s.io/Ingress", mk("networking.k8s.io/v1", "Ingress", "x", { spec: {} }))).toEqual(["x", "<none>", "*", "", "80", AGE]);
    const many = mk("networking.k8s.io/v1", "Ingress", "m", { spec: { rules: [{}, { host: "h1" }, { host: "h2" }, { host: "h3" }, { host: "h4" }] } });
    expect(row("networking.k8s.io/Ingress", many)[2]).toBe("h1,h2,h3 + 2 more...");
  });

  it("IngressClass and NetworkPolicy", () => {
    const ic = mk("networking.k8s.io/v1", "IngressClass", "external-lb", {
      spec: { controller: "example.com/ingress-controller", parameters: { apiGroup: "k8s.example.com", kind: "IngressParameters", name: "external-lb" } },
    });
    expect(row("networking.k8s.io/IngressClass", ic)).toEqual(["external-lb", "example.com/ingress-controller", "IngressParameters.k8s.example.com/external-lb", AGE]);
    expect(row("networking.k8s.io/IngressClass", mk("networking.k8s.io/v1", "IngressClass", "n", { spec: { controller: "k8s.io/ingress-nginx" } }))[2]).toBe("<none>");
    expect(row("networking.k8s.io/NetworkPolicy", mk("networking.k8s.io/v1", "NetworkPolicy", "deny", { spec: { podSelector: {} } }))).toEqual(["deny", "<none>", AGE]);
    expect(row("networking.k8s.io/NetworkPolicy", mk("networking.k8s.io/v1", "NetworkPolicy", "db", { spec: { podSelector: { matchLabels: { role: "db" } } } }))[1]).toBe("role=db");
  });
});

describe("storage, rbac and misc printers", () => {
  it("StorageClass", () => {
    expect(columnNames(printers["storage.k8s.io/StorageClass"]!)).toEqual(["Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode", "AllowVolumeExpansion", "Age"]);
    const sc = mk("storage.k8s.io/v1", "StorageClass", "standard", { provisioner: "rancher.io/local-path", reclaimPolicy: "Delete", volumeBindingMode: "WaitForFirstConsumer" }, {
      annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
    });
    expect(row("storage.k8s.io/StorageClass", sc)).toEqual(["standard (default)", "rancher.io/local-path", "Delete", "WaitForFirstConsumer", false, AGE]);
    expect(row("storage.k8s.io/StorageClass", mk("storage.k8s.io/v1", "StorageClass", "fast", { provisioner: "csi.example.com", allowVolumeExpansion: true })))
      .toEqual(["fast", "csi.example.com", "Delete", "Immediate", true, AGE]);
  });

  it("RoleBinding and ClusterRoleBinding", () => {
    expect(columnNames(printers["rbac.authorization.k8s.io/RoleBinding"]!)).toEqual(["Name", "Role", "Age", "Users*", "Groups*", "ServiceAccounts*"]);
    const rb = mk("rbac.authorization.k8s.io/v1", "RoleBinding", "rb", {
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [
        { kind: "User", name: "jane" },
        { kind: "Group", name: "devs" },
        { kind: "ServiceAccount", name: "sa1", namespace: "default" },
        { kind: "User", name: "bob" },
      ],
    });
    expect(row("rbac.authorization.k8s.io/RoleBinding", rb)).toEqual(["rb", "ClusterRole/view", AGE, "jane, bob", "devs", "default/sa1"]);
    const crb = mk("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "cluster-admin", {
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ kind: "Group", name: "system:masters" }],
    });
    expect(row("rbac.authorization.k8s.io/ClusterRoleBinding", crb)).toEqual(["cluster-admin", "ClusterRole/cluster-admin", AGE, "", "system:masters", ""]);
  });

  it("Lease, PriorityClass, PodDisruptionBudget", () => {
    expect(row("coordination.k8s.io/Lease", mk("coordination.k8s.io/v1", "Lease", "node-1", { spec: { holderIdentity: "node-1" } }))).toEqual(["node-1", "node-1", AGE]);
    expect(row("coordination.k8s.io/Lease", mk("coordination.k8s.io/v1", "Lease", "l", { spec: {} }))[1]).toBe("");
    expect(columnNames(printers["scheduling.k8s.io/PriorityClass"]!)).toEqual(["Name", "Value", "Global-Default", "Age", "PreemptionPolicy"]);
    expect(row("scheduling.k8s.io/PriorityClass", mk("scheduling.k8s.io/v1", "PriorityClass", "system-cluster-critical", { value: 2000000000, preemptionPolicy: "PreemptLowerPriority" })))
      .toEqual(["system-cluster-critical", 2000000000, false, AGE, "PreemptLowerPriority"]);
    expect(columnNames(printers["policy/PodDisruptionBudget"]!)).toEqual(["Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age"]);
    expect(row("policy/PodDisruptionBudget", mk("policy/v1", "PodDisruptionBudget", "web", { spec: { minAvailable: 2 }, status: { disruptionsAllowed: 1 } })))
      .toEqual(["web", "2", "N/A", 1, AGE]);
    expect(row("policy/PodDisruptionBudget", mk("policy/v1", "PodDisruptionBudget", "w", { spec: { maxUnavailable: "25%" } })).slice(1, 4)).toEqual(["N/A", "25%", 0]);
  });

  it("HorizontalPodAutoscaler", () => {
    expect(columnNames(printers["autoscaling/HorizontalPodAutoscaler"]!)).toEqual(["Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"]);
    const cpu = { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } };
    const mem = { type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "500Mi" } } };
    const pods = { type: "Pods", pods: { metric: { name: "pps" }, target: { type: "AverageValue", averageValue: "1k" } } };
    const hpa = (metrics: unknown[] | undefined, status: Record<string, unknown> = {}) =>
      mk("autoscaling/v2", "HorizontalPodAutoscaler", "web", { spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, minReplicas: 1, maxReplicas: 10, metrics }, status });
    expect(row("autoscaling/HorizontalPodAutoscaler", hpa([cpu], { currentReplicas: 2, currentMetrics: [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 23, averageValue: "120m" } } }] })))
      .toEqual(["web", "Deployment/web", "cpu: 23%/50%", "1", 10, 2, AGE]);
    expect(row("autoscaling/HorizontalPodAutoscaler", hpa([cpu]))[2]).toBe("cpu: <unknown>/50%");
    expect(row("autoscaling/HorizontalPodAutoscaler", hpa(undefined))[2]).toBe("<none>");
    expect(row("autoscaling/HorizontalPodAutoscaler", hpa([mem, pods]))[2]).toBe("memory: <unknown>/500Mi, <unknown>/1k");
    expect(row("autoscaling/HorizontalPodAutoscaler", hpa([cpu, mem, pods]))[2]).toBe("cpu: <unknown>/50%, memory: <unknown>/500Mi + 1 more...");
  });
});
