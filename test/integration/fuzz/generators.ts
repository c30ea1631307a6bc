// The fuzz test's request generators, one per category. Every generator draws only from its
// generator, never from a response, so a seed always yields the same requests (up to the ids a
// sandbox draws for itself, which patches carry along from the fixtures they start from).
//
// Two sandboxes take the requests. "A" must end exactly as it started: it gets requests that are
// wrong by construction, and any write that might be valid carries dryRun=All. "B", a fork of A,
// gets the same possibly-valid writes for real, so whatever hostile object the API accepts then
// meets the controllers, the scheduler, the kubelet and the printers.
import { RESOURCE_TYPES, type ResourceType } from "../../../worker/resources/registry";
import { CAPTURES } from "../../fixtures/protobuf/captures";
import { HOSTILE_PATHS, podWithVolumePath, validObject, VOLUME_PATH_PLACES } from "./objects";
import type { Prng } from "./prng";
import { breakBytes, breakText, deepNestText, HOSTILE_NUMBERS, HOSTILE_STRINGS, hostileString, hostileValue, hostileYaml, hugeString, mutate } from "./values";

export type Target = "A" | "B" | "RO" | "none";

/** What an error answer must look like: a Kubernetes Status, the service's `{"error"}`, or a gateway's text. */
export type Shape = "kube" | "service" | "console" | "gateway";

export interface WsPlan {
  kind: "exec" | "terminal";
  /** Frames sent once the socket is open (strings as text frames). */
  frames: (string | Uint8Array)[];
  /** How long to listen before closing from this side (wall ms). */
  waitMs: number;
}

export interface FuzzRequest {
  category: string;
  target: Target;
  method: string;
  /** From the origin; `$ID` stands for the target sandbox's id. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  shape: Shape;
  /** Wrong by construction: must be answered with a 4xx. */
  refuse?: boolean;
  /** A stream (watch, log follow): only the head is awaited. */
  stream?: boolean;
  ws?: WsPlan;
}

// ---------------------------------------------------------------- fixtures both sandboxes hold

/** Objects the test creates before the run, by resource, as `namespace/name` (cluster-scoped: `/name`). */
export const FIXTURES: Record<string, string[]> = {
  namespaces: ["/default", "/kube-system", "/fuzz"],
  nodes: ["/k8s-master", "/k8s-node1"],
  pods: ["default/fuzz-pod", "kube-system/etcd-k8s-master"],
  services: ["default/kubernetes", "default/fuzz-web"],
  endpoints: ["default/kubernetes"],
  configmaps: ["default/fuzz-cm", "kube-system/kube-proxy"],
  secrets: ["default/fuzz-secret"],
  serviceaccounts: ["default/default"],
  deployments: ["default/fuzz-web", "kube-system/coredns"],
  daemonsets: ["kube-system/kube-proxy"],
  statefulsets: ["default/fuzz-db"],
  jobs: ["default/fuzz-job"],
  cronjobs: ["default/fuzz-cron"],
  ingresses: ["default/fuzz-ing"],
  ingressclasses: ["/nginx"],
  networkpolicies: ["default/fuzz-np"],
  storageclasses: ["/standard"],
  priorityclasses: ["/system-cluster-critical"],
  poddisruptionbudgets: ["default/fuzz-pdb"],
  horizontalpodautoscalers: ["default/fuzz-hpa"],
  roles: ["default/fuzz-role"],
  rolebindings: ["default/fuzz-rb"],
  clusterroles: ["/fuzz-cr"],
  clusterrolebindings: ["/fuzz-crb"],
  persistentvolumes: ["/fuzz-pv"],
  persistentvolumeclaims: ["default/fuzz-pvc"],
  leases: ["kube-node-lease/k8s-master"],
};

/** The fixture objects, created in this order before the run. */
export function fixtureObjects(): { path: string; body: Record<string, unknown> }[] {
  const byKind = (group: string, kind: string) => RESOURCE_TYPES.find((t) => t.group === group && t.kind === kind && t.version !== "v1beta1" && !(kind === "HorizontalPodAutoscaler" && t.version === "v1"))!;
  const out: { path: string; body: Record<string, unknown> }[] = [];
  const add = (group: string, kind: string, ns: string | undefined, name: string, patch: (o: Record<string, unknown>) => void = () => undefined) => {
    const t = byKind(group, kind);
    const o = validObject(t, name);
    patch(o);
    out.push({ path: collection(t, ns), body: o });
  };
  add("", "Namespace", undefined, "fuzz");
  add("", "Pod", "default", "fuzz-pod", (o) => {
    const spec = o.spec as Record<string, unknown>;
    delete spec.schedulerName;
    (spec.containers as Record<string, unknown>[])[0].readinessProbe = undefined;
  });
  add("apps", "Deployment", "default", "fuzz-web", (o) => {
    (o.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers = [{ name: "web", image: "nginx:1.25", ports: [{ containerPort: 80, name: "http" }] }];
  });
  add("", "Service", "default", "fuzz-web", (o) => {
    (o.spec as Record<string, unknown>).type = "NodePort";
    (o.spec as { ports: Record<string, unknown>[] }).ports = [{ name: "http", port: 80, targetPort: 80, nodePort: 30080 }];
  });
  add("", "ConfigMap", "default", "fuzz-cm");
  add("", "Secret", "default", "fuzz-secret");
  add("apps", "StatefulSet", "default", "fuzz-db", (o) => {
    delete (o.spec as Record<string, unknown>).volumeClaimTemplates;
  });
  add("batch", "Job", "default", "fuzz-job", (o) => {
    delete (o.spec as Record<string, unknown>).activeDeadlineSeconds;
  });
  add("batch", "CronJob", "default", "fuzz-cron", (o) => {
    Object.assign(o.spec as Record<string, unknown>, { suspend: true, schedule: "0 0 1 1 *" });
  });
  add("networking.k8s.io", "Ingress", "default", "fuzz-ing", (o) => {
    (o.spec as Record<string, unknown>).rules = [{ host: "fuzz.example", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "fuzz-web", port: { number: 80 } } } }] } }];
    delete (o.spec as Record<string, unknown>).tls;
  });
  add("networking.k8s.io", "NetworkPolicy", "default", "fuzz-np", (o) => {
    (o.spec as Record<string, unknown>).podSelector = { matchLabels: { app: "nobody" } };
  });
  add("policy", "PodDisruptionBudget", "default", "fuzz-pdb", (o) => {
    (o.spec as Record<string, unknown>).selector = { matchLabels: { app: "nobody" } };
  });
  add("autoscaling", "HorizontalPodAutoscaler", "default", "fuzz-hpa", (o) => {
    ((o.spec as Record<string, unknown>).scaleTargetRef as Record<string, unknown>).name = "fuzz-web";
  });
  add("rbac.authorization.k8s.io", "Role", "default", "fuzz-role");
  add("rbac.authorization.k8s.io", "RoleBinding", "default", "fuzz-rb");
  add("rbac.authorization.k8s.io", "ClusterRole", undefined, "fuzz-cr");
  add("rbac.authorization.k8s.io", "ClusterRoleBinding", undefined, "fuzz-crb");
  add("", "PersistentVolume", undefined, "fuzz-pv");
  add("", "PersistentVolumeClaim", "default", "fuzz-pvc", (o) => {
    (o.spec as Record<string, unknown>).volumeName = "fuzz-pv";
  });
  return out;
}

// ---------------------------------------------------------------- paths

const SERVED = RESOURCE_TYPES;

function gvPath(t: ResourceType): string {
  return t.group ? `apis/${t.group}/${t.version}` : `api/${t.version}`;
}

export function collection(t: ResourceType, ns?: string): string {
  return `/s/$ID/${gvPath(t)}${t.namespaced ? `/namespaces/${ns ?? "default"}` : ""}/${t.resource}`;
}

function itemPath(t: ResourceType, ns: string | undefined, name: string): string {
  return `${collection(t, ns)}/${enc(name)}`;
}

/** An existing object of this resource (a fixture), or a name nothing has. */
function existing(rng: Prng, t: ResourceType): { ns: string | undefined; name: string; exists: boolean } {
  const names = FIXTURES[t.resource];
  if (!names || rng.chance(0.1)) return { ns: t.namespaced ? "default" : undefined, name: "fuzz-missing", exists: false };
  const [ns, name] = rng.pick(names).split("/");
  return { ns: t.namespaced ? ns : undefined, name, exists: true };
}

/** encodeURIComponent that also takes lone surrogates (as their replacement character). */
function enc(s: string): string {
  return encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd"));
}

function withQuery(path: string, q: Record<string, string | string[]>): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) for (const x of Array.isArray(v) ? v : [v]) s.append(k, x);
  const qs = s.toString();
  return qs ? `${path}${path.includes("?") ? "&" : "?"}${qs}` : path;
}

const JSON_CT = { "content-type": "application/json" };
const DRY = { dryRun: "All" };

function jsonText(v: unknown): string {
  return JSON.stringify(v);
}

/** The same possibly-valid write to A (dry run) and to B (for real). */
function both(req: Omit<FuzzRequest, "target">): FuzzRequest[] {
  return [
    { ...req, target: "A", path: withQuery(req.path, DRY) },
    { ...req, target: "B" },
  ];
}

/** Numbers a mutation may leave in a workload that would make the controllers create thousands of pods. */
function scalesUp(v: unknown): boolean {
  if (v === null || typeof v !== "object") return false;
  for (const [k, x] of Object.entries(v)) {
    if (/^(replicas|parallelism|completions|minReplicas|maxReplicas)$/.test(k) && typeof x === "number" && x > 20) return true;
    if (scalesUp(x)) return true;
  }
  return false;
}

/** Broken JSON that stays broken: a mutation that happens to leave valid JSON gets a NUL appended. */
function unparseable(text: string): string {
  try {
    // (A byte-order mark is not what makes it broken: the service's JSON reader skips one.)
    JSON.parse(text.replace(/^\ufeff/, ""));
    return `${text}\u0000`;
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------- 1. the sandbox service

export function serviceRoute(rng: Prng): FuzzRequest[] {
  const badId = () =>
    rng.pick([
      hostileString(rng).slice(0, 2000),
      "..",
      "%2e%2e",
      "..%2f..%2fetc",
      "ro-",
      "ro-" + "a".repeat(26),
      "A".repeat(26),
      "a".repeat(26),
      "0".repeat(26),
      "ro-../../x",
      "%00",
      "%zz",
      "%",
      "😀",
    ]);
  const id = () => (rng.chance(0.6) ? "$ID" : enc(badId()).replace(/%25(?=[0-9a-fA-F]{0,1}[^0-9a-fA-F])/g, "%"));
  const rawId = () => (rng.chance(0.5) ? "$ID" : rng.pick(["%zz", "%", "..", "%2e%2e", "%00", "a%2fb", "%E0%A4%A", "ro-%ZZ"]));
  const jsonBody = (): string =>
    rng.pick([
      () => jsonText(hostileValue(rng)),
      () => breakText(rng, jsonText({ nodes: [{ name: "a" }] })),
      () => deepNestText(rng.pick([600, 20000]), "[", "]"),
      () => deepNestText(rng.pick([600, 20000]), '{"a":', "}", "1"),
      () => hugeString(rng),
      () => "",
      () => "null",
      () => "\u0000",
    ])();
  // Every create body here is wrong (a valid one would build a whole sandbox): JSON that does not
  // parse or is not an object, or an object with a bad `nodes`, `template` or `manifests`.
  const createBody = (): string =>
    rng.pick([
      () => unparseable(breakText(rng, jsonText({ nodes: [{ name: "a" }] }))),
      () => unparseable(rng.pick([deepNestText(20000, "[", "]").slice(1), "{", "\u0000", hugeString(rng).slice(0, 70_000)])),
      () => jsonText(rng.pick([[], [1], "x", 1, true, hostileString(rng)])),
      () => jsonText({ nodes: rng.pick([[], "x", [null], [{}], [1], [{ name: hostileString(rng) || "A" }], [{ name: "a" }, { name: "a" }], Array.from({ length: 51 }, (_, i) => ({ name: `n${i}` })), [{ name: "a", labels: rng.pick([[], "x", { a: 1 }, { b: null }]) }]]) }),
      () => jsonText({ template: rng.pick(["nope", "", "../nginx", 1, null, [], {}, "nginx\u0000", `${hostileString(rng)}!`]) }),
      () => jsonText({ manifests: rng.pick([1, [], {}, "kind: Pod\n", "---\n- a\n", "apiVersion: v1\nkind: Widget\nmetadata:\n  name: x\n", `${hostileYaml(rng, "apiVersion: v1\nmetadata:\n  name: x\n")}\n---\nkind: Pod\n`]) }),
      () => jsonText({ nodes: "x", manifests: "kind: ConfigMap\n" }),
    ])();
  const variants: (() => FuzzRequest)[] = [
    () => ({ category: "service", target: "none", method: "POST", path: "/api/sandboxes", headers: JSON_CT, body: createBody(), shape: "service", refuse: true }),
    () => ({ category: "service", target: "none", method: rng.pick(["GET", "HEAD", "DELETE", "POST"]), path: `/api/sandboxes/${id()}`, headers: { authorization: rng.pick(["", "Bearer", "Bearer ", "Bearer x", `Bearer ${hostileString(rng).slice(0, 5000)}`, "Basic YTpi", "bearer abc"]) }, shape: "service" }),
    () => ({ category: "service", target: "none", method: "GET", path: `/api/sandboxes/${rawId()}${rng.pick(["", "/stats", "/ping", "/fork", "/clock", "/nodes", "/shell", "/x/y/z", "/../../etc/passwd", "/%2e%2e/%2e%2e"])}`, shape: "service" }),
    () => ({ category: "service", target: "none", method: "GET", path: `/api/sandboxes/${id()}/${rng.pick(["stats", "ping"])}`, shape: "service" }),
    () => ({ category: "service", target: "none", method: "POST", path: `/api/sandboxes/${id()}/fork`, headers: JSON_CT, body: jsonBody(), shape: "service" }),
    () => ({
      category: "service",
      target: "none",
      method: "POST",
      path: `/api/sandboxes/${id()}/clock`,
      headers: rng.chance(0.8) ? JSON_CT : { "content-type": rng.pick(["text/plain", "application/yaml", "", "multipart/form-data; boundary=x"]) },
      body: rng.chance(0.5)
        ? jsonText(
            rng.pick([
              { advanceSeconds: rng.pick([-1, 1e308, "60", null, [], {}, 31622401, -0.0001, "NaN"]) },
              { timeScale: rng.pick([0, -1, 3601, "2", null, 1e-320, [], true]) },
              { paused: rng.pick(["true", 1, 0, null, "false", [], {}]) },
              { advanceSeconds: rng.pick(HOSTILE_STRINGS) },
              hostileValue(rng),
            ]),
          )
        : jsonBody(),
      shape: "service",
    }),
    () => ({
      category: "service",
      target: "none",
      method: "POST",
      path: `/api/sandboxes/${id()}/nodes`,
      headers: JSON_CT,
      // Never a valid node: a name no node can have, or a valid name with a field that cannot be.
      body: rng.chance(0.6)
        ? jsonText(rng.pick([{ name: `${hostileString(rng)}_` }, { name: "k8s-master" }, { name: "x", cpu: rng.pick(["-1", "0", "abc", 4, "", "1x"]) }, { name: "x", memory: rng.pick(["-1Gi", "0", "x", 8, ""]) }, { name: "x", labels: rng.pick(["x", { a: 1 }, { "bad key": "v" }, { a: "bad value!" }, { [`${hostileString(rng).slice(0, 300)}/`]: "v" }]) }, { name: 1 }, {}, [], null]))
        : unparseable(jsonBody()),
      shape: "service",
      refuse: true,
    }),
    () => ({
      category: "service",
      target: "none",
      method: "POST",
      path: `/api/sandboxes/${id()}/nodes/${enc(rng.pick(["k8s-node1", hostileString(rng).slice(0, 500), "..", "%2e%2e"]))}/kubelet`,
      headers: JSON_CT,
      body: rng.chance(0.7) ? jsonText({ running: rng.pick(["false", 0, 1, null, [], {}, "true", hostileString(rng).slice(0, 100)]) }) : jsonBody(),
      shape: "service",
      refuse: true,
    }),
    () => ({
      category: "service",
      target: "none",
      method: "POST",
      path: `/api/sandboxes/${id()}/shell`,
      headers: JSON_CT,
      body: rng.chance(0.7)
        ? jsonText(rng.pick([{ node: hostileString(rng).slice(0, 500), command: "ls" }, { node: "k8s-master", command: rng.pick([1, null, [], {}, ["ls"], true]) }, { node: "k8s-master" }, { command: "ls" }, { node: 1, command: "ls" }, { node: "k8s-master", command: "x".repeat(64 * 1024 + 1) }, { node: "../k8s-master", command: "ls" }]))
        : jsonBody(),
      shape: "service",
      refuse: true,
    }),
    () => ({ category: "service", target: "none", method: rng.pick(["PUT", "PATCH", "OPTIONS", "PROPFIND", "DELETE"]), path: rng.pick(["/api/sandboxes", "/api/sandboxes/templates", `/api/sandboxes/${id()}/clock`, `/api/sandboxes/${id()}/shell`, `/api/sandboxes/${id()}/nodes`]), body: rng.chance(0.5) ? jsonBody() : undefined, shape: "service" }),
    () => ({ category: "service", target: "none", method: "GET", path: withQuery("/api/sandboxes/templates", { [hostileString(rng).slice(0, 100)]: hostileString(rng).slice(0, 1000) }), shape: "service" }),
    () => ({ category: "service", target: "RO", method: "POST", path: `/api/sandboxes/$ID/${rng.pick(["clock", "nodes", "shell", "nodes/k8s-node1/kubelet"])}`, headers: JSON_CT, body: jsonText(rng.pick([{ paused: false }, { name: "k8s-node9" }, { node: "k8s-master", command: "rm -rf /" }, { running: false }])), shape: "service", refuse: true }),
    () => ({ category: "service", target: "RO", method: "DELETE", path: "/api/sandboxes/$ID", headers: { authorization: "Bearer x" }, shape: "service", refuse: true }),
    // The benchmarks' ping writes: a read-only link may only read them.
    () => ({ category: "service", target: "RO", method: rng.pick(["POST", "PUT"]), path: "/api/sandboxes/$ID/ping", headers: JSON_CT, body: rng.chance(0.5) ? jsonBody() : hugeString(rng).slice(0, 5000), shape: "service", refuse: true }),
    () => ({ category: "service", target: "A", method: "DELETE", path: "/api/sandboxes/$ID", headers: { authorization: rng.pick(["", "Bearer ", `Bearer ${"0".repeat(64)}`, `Bearer ${hostileString(rng).slice(0, 3000)}`, "Bearer ../../"]) }, shape: "service", refuse: true }),
  ];
  // `$ID` in a path stands for A (a path without it names no sandbox of this test).
  const req = rng.pick(variants)();
  return [req.target === "none" && req.path.includes("$ID") ? { ...req, target: "A" } : req];
}

// ---------------------------------------------------------------- 2. hostile API paths and methods

// (CONNECT, TRACE and TRACK are forbidden methods: fetch refuses to send them, as workerd refuses methods it does not know.)
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND", "get", "patch"];

export function apiPath(rng: Prng): FuzzRequest[] {
  const t = rng.pick(SERVED);
  const seg = () =>
    rng.pick([
      enc(hostileString(rng).slice(0, 2000)),
      "..",
      ".",
      "%2e%2e",
      "%2F",
      "%zz",
      "%",
      "%00",
      "%E0%A4%A",
      "%C0%AE%C0%AE",
      "%uFFFF",
      "watch",
      "namespaces",
      "status",
      "scale",
      "proxy",
      "exec",
      "log",
      "finalize",
      "binding",
      "eviction",
      "",
      "x".repeat(rng.pick([254, 5000, 100_000])),
    ]);
  const shapes: (() => string)[] = [
    () => `/s/$ID/${gvPath(t)}/${Array.from({ length: rng.int(1, 8) }, seg).join("/")}`,
    () => `/s/$ID/api/${seg()}/${seg()}`,
    () => `/s/$ID/apis/${seg()}/${seg()}/${seg()}`,
    () => `/s/$ID/apis/${seg()}`,
    () => `${collection(t, seg())}/${seg()}`,
    () => `${collection(t, "default")}/${seg()}/${seg()}/${seg()}`,
    () => `/s/$ID/${gvPath(t)}/watch/${seg()}`,
    () => `/s/$ID/${gvPath(t)}/namespaces/${seg()}/${seg()}/${seg()}`,
    () => `/s/$ID/api/v1/namespaces/${seg()}/${rng.pick(["status", "finalize"])}`,
    () => `/s/$ID/${"../".repeat(rng.int(1, 12))}${rng.pick(["etc/passwd", "api/sandboxes", "s/other/api"])}`,
    () => `/s/$ID/${Array.from({ length: rng.int(50, 3000) }, () => "a").join("/")}`,
    () => `/s/$ID/${rng.pick(["openapi/v3", "openapi/v2", "version", "healthz", "livez", "readyz", "api", "apis", "openapi/v3/apis"])}/${seg()}`,
    () => `/s/$ID//${gvPath(t)}//${t.resource}//`,
  ];
  const method = rng.pick(METHODS);
  const hasBody = method !== "GET" && method !== "HEAD" && rng.chance(0.5);
  const path = rng.pick(shapes)();
  const target: Target = rng.chance(0.15) ? "RO" : "A";
  // A write might hit a real object through a path that happens to be valid: dry run keeps A intact.
  return [{ category: "paths", target, method, path: method === "GET" || method === "HEAD" ? path : withQuery(path, DRY), headers: hasBody ? JSON_CT : undefined, body: hasBody ? jsonText(hostileValue(rng)) : undefined, shape: "kube" }];
}

// ---------------------------------------------------------------- 3. reads: get, list, watch

const ACCEPTS = [
  "application/json",
  "application/json;as=Table;v=v1;g=meta.k8s.io",
  "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
  "application/json;as=Table;v=v9;g=meta.k8s.io",
  "application/json;as=Table;g=meta.k8s.io",
  "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io",
  "application/vnd.kubernetes.protobuf",
  "application/yaml",
  "text/html",
  "*/*",
  ";;;,,,;=;=",
  "application/json;as=Table;v=v1;g=meta.k8s.io;" + "x=y;".repeat(2000),
  "application/apidiscovery.k8s.io;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
  "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
  "\u0000",
];

function selectorString(rng: Prng, field: boolean): string {
  const keys = field ? ["metadata.name", "metadata.namespace", "spec.nodeName", "status.phase", "spec.schedulerName", "involvedObject.name", "type", "spec.unknown", "", "metadata.name.x"] : ["app", "a.b/c", "-bad", "x".repeat(64), "k8s.io/" + "y".repeat(70), "", "a/b/c"];
  const parts = Array.from({ length: rng.int(1, 4) }, () => {
    const k = rng.chance(0.7) ? rng.pick(keys) : hostileString(rng).slice(0, 400);
    const op = rng.pick(field ? ["=", "==", "!=", "in", "", "=~", "<", ">"] : ["=", "==", "!=", " in ", " notin ", "", "!", "<", ">", " exists"]);
    const v = rng.chance(0.5) ? rng.pick(["a", "b", "Running", "", "(a,b)", "(", "()", "(a b)", "x".repeat(64), "k8s-master", "\\,", "\\=", "a\\"]) : hostileString(rng).slice(0, 400);
    return op === "!" ? `!${k}` : `${k}${op}${v}`;
  });
  const joined = parts.join(rng.pick([",", ",,", " , ", ";"]));
  return rng.chance(0.05) ? joined.repeat(rng.pick([500, 5000])) : joined;
}

function listQuery(rng: Prng): Record<string, string | string[]> {
  const q: Record<string, string | string[]> = {};
  const n = rng.int(1, 4);
  for (let i = 0; i < n; i++) {
    switch (rng.int(0, 12)) {
      case 0:
      case 1:
        q.labelSelector = selectorString(rng, false);
        break;
      case 2:
      case 3:
        q.fieldSelector = selectorString(rng, true);
        break;
      case 4:
        q.limit = rng.pick(["-1", "0", "1", "abc", "1e3", "99999999999999999999", "1.5", "", "0x10", " 1"]);
        break;
      case 5:
        q.continue = rng.pick([hostileString(rng).slice(0, 5000), btoa('{"rv":1,"start":"x"}'), btoa('{"rv":"1","start":1}'), btoa("[]"), btoa("null"), btoa('{"v":"meta.k8s.io/v1","rv":-1,"start":"/"}'), btoa('{"rv":1e308,"start":"z"}'), "===", "%%%"]);
        break;
      case 6:
        q.resourceVersion = rng.pick(["-1", "abc", "0", "1", "99999999999999999999", "1.5", "", "1e3", " 1", "18446744073709551615"]);
        break;
      case 7:
        q.resourceVersionMatch = rng.pick(["NotOlderThan", "Exact", "Bogus", ""]);
        break;
      case 8:
        q.timeoutSeconds = rng.pick(["-1", "abc", "1e308", "0", "1", "NaN", "Infinity", "99999999999"]);
        break;
      case 9:
        q.includeObject = rng.pick(["None", "Object", "Metadata", "Bogus", ""]);
        break;
      case 10:
        q.watch = rng.pick(["true", "1", "false", "yes", ""]);
        break;
      case 11:
        q.allowWatchBookmarks = rng.pick(["true", "x"]);
        q.sendInitialEvents = rng.pick(["true", "false", "x"]);
        break;
      default:
        q[hostileString(rng).slice(0, 200)] = hostileString(rng).slice(0, 2000);
    }
  }
  return q;
}

export function read(rng: Prng): FuzzRequest[] {
  const t = rng.pick(SERVED.filter((x) => x.verbs.includes("list")));
  const accept = rng.chance(0.35) ? rng.pick(ACCEPTS) : "application/json";
  const q = listQuery(rng);
  // A watch with a timeout the test cannot wait for is only checked up to its head.
  const isWatch = q.watch === "true" || q.watch === "1" || rng.chance(0.1);
  const ns = rng.chance(0.8) ? rng.pick(["default", "kube-system", "fuzz", "nowhere"]) : enc(hostileString(rng).slice(0, 300));
  const where = rng.int(0, 3);
  let path: string;
  if (where === 0) path = `/s/$ID/${gvPath(t)}/${t.resource}`;
  else if (where === 1) path = collection(t, ns);
  else if (where === 2) {
    const e = existing(rng, t);
    path = itemPath(t, e.ns, rng.chance(0.7) ? e.name : hostileString(rng).slice(0, 300));
  } else path = `/s/$ID/${gvPath(t)}/watch${t.namespaced ? `/namespaces/${ns}` : ""}/${t.resource}`;
  const stream = isWatch || where === 3;
  return [{ category: "reads", target: rng.chance(0.2) ? "RO" : "A", method: rng.chance(0.9) ? "GET" : "HEAD", path: withQuery(path, q), headers: { accept }, shape: "kube", stream }];
}

// ---------------------------------------------------------------- 4. malformed bodies

const CONTENT_TYPES = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf", "application/json; charset=utf-16", "text/plain", "", "application/x-www-form-urlencoded", "application/json-patch+json", "application/xml", "APPLICATION/JSON", "application/json;;;"];

function protobufBody(rng: Prng): Uint8Array {
  const c = rng.pick(CAPTURES);
  const bytes = Uint8Array.from(atob(c.body), (ch) => ch.charCodeAt(0));
  return rng.chance(0.9) ? breakBytes(rng, bytes) : Uint8Array.from({ length: rng.int(0, 64) }, () => rng.int(0, 255));
}

export function malformedBody(rng: Prng): FuzzRequest[] {
  const t = rng.pick(SERVED.filter((x) => x.verbs.includes("create")));
  const valid = validObject(t, "fuzz-body");
  const kind = rng.int(0, 11);
  let body: string | Uint8Array;
  let ct = "application/json";
  switch (kind) {
    case 0:
    case 1:
      body = breakText(rng, jsonText(valid));
      break;
    case 2:
      ct = "application/yaml";
      body = hostileYaml(rng, `apiVersion: ${valid.apiVersion}\nkind: ${valid.kind}\nmetadata:\n  name: fuzz-body\n`);
      break;
    case 3:
      ct = "application/vnd.kubernetes.protobuf";
      body = protobufBody(rng);
      break;
    case 4:
      body = rng.chance(0.5) ? deepNestText(rng.pick([513, 2000, 100_000]), "[", "]") : `{"apiVersion":"${valid.apiVersion}","kind":"${valid.kind}","metadata":{"name":"deep"},"spec":${deepNestText(rng.pick([513, 5000, 100_000]), '{"a":', "}", "1")}}`;
      break;
    case 5:
      body = jsonText({ ...valid, metadata: { name: "fuzz-huge", annotations: { a: hugeString(rng) } } });
      break;
    case 6:
      body = jsonText({ ...valid, metadata: { ...(valid.metadata as object), name: hostileString(rng) } });
      break;
    case 7:
      body = jsonText(hostileValue(rng));
      break;
    case 8:
      ct = rng.pick(CONTENT_TYPES);
      body = rng.chance(0.5) ? jsonText(valid) : protobufBody(rng);
      break;
    case 9:
      // Bytes that are not UTF-8.
      body = Uint8Array.from([0x7b, 0x22, 0x6b, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0x22, 0x7d]);
      break;
    case 10:
      body = jsonText({ ...valid, apiVersion: rng.pick([hostileString(rng), "v2", "apps/v1", "/", "a/b/c", 1, null]), kind: rng.pick([hostileString(rng), "Pod", "", null, 7]) });
      break;
    default:
      body = `${jsonText(valid)}${rng.pick(["x", "{}", " {", "\u0000", "\n---\n{}"])}`;
  }
  const method = rng.pick(["POST", "POST", "PUT"]);
  const e = existing(rng, t);
  const path = method === "POST" ? collection(t, e.ns) : itemPath(t, e.ns, e.name);
  const headers: Record<string, string> = { "content-type": ct };
  if (rng.chance(0.05)) headers["content-length"] = rng.pick(["99999999999", "-1", "abc"]);
  // Most of these cannot be decoded; the ones that can (a foreign content type, a renamed object) run dry.
  return [{ category: "bodies", target: "A", method, path: withQuery(path, DRY), headers, body, shape: "kube" }];
}

// ---------------------------------------------------------------- 5. mutated objects

export function mutant(rng: Prng, n: number): FuzzRequest[] {
  const t = rng.pick(SERVED.filter((x) => x.verbs.includes("create")));
  const name = `fz-${n}`;
  let obj = validObject(t, name);
  obj = mutate(rng, obj, rng.int(1, 3)) as Record<string, unknown>;
  // Keep the name unless the mutation is the name: a fresh name per request never collides.
  const meta = (obj?.metadata ?? {}) as Record<string, unknown>;
  if (meta && typeof meta === "object" && meta.name === undefined && rng.chance(0.8)) meta.name = name;
  const ns = t.namespaced ? rng.pick(["default", "default", "fuzz"]) : undefined;
  const query: Record<string, string> = {};
  if (rng.chance(0.3)) query.fieldValidation = rng.pick(["Strict", "Warn", "Ignore", "strict", "", "Bogus"]);
  if (rng.chance(0.1)) query.fieldManager = rng.pick(["x".repeat(129), "\u0000", "", "a\nb", hostileString(rng).slice(0, 300)]);
  const text = jsonText(obj);
  const out: FuzzRequest[] = [];
  if (rng.chance(0.8)) {
    const reqs = both({ category: "mutants", method: "POST", path: withQuery(collection(t, ns), query), headers: JSON_CT, body: text, shape: "kube" });
    out.push(...(scalesUp(obj) ? reqs.slice(0, 1) : reqs));
  } else {
    // An update of an existing object with a mutated copy of the fixture-like object.
    const e = existing(rng, t);
    if (meta && typeof meta === "object") meta.name = rng.chance(0.9) ? e.name : meta.name;
    const reqs = both({ category: "mutants", method: "PUT", path: withQuery(itemPath(t, e.ns, e.name), query), headers: JSON_CT, body: jsonText(obj), shape: "kube" });
    out.push(...(scalesUp(obj) ? reqs.slice(0, 1) : reqs));
  }
  return out;
}

// ---------------------------------------------------------------- 6. patches

const PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"];

function jsonPointer(rng: Prng): string {
  return rng.pick([
    "",
    "/",
    "/metadata",
    "/metadata/labels/a",
    "/metadata/labels/a~1b",
    "/metadata/name",
    "/metadata/uid",
    "/metadata/resourceVersion",
    "/metadata/finalizers/-",
    "/metadata/finalizers/0",
    "/spec",
    "/spec/replicas",
    "/spec/containers/0/image",
    "/spec/containers/-",
    "/spec/containers/99999999999",
    "/spec/containers/-1",
    "/spec/template/spec/containers/0/image",
    "/spec/ports/0/port",
    "/status",
    "/data/key",
    "/kind",
    "/apiVersion",
    "~",
    "~2",
    "/a/b/c/d/e/f",
    "a/b",
    "/" + "x/".repeat(600),
    "/metadata/labels/" + "~0".repeat(200),
    hostileString(rng).slice(0, 300),
  ]);
}

function patchBody(rng: Prng, type: string, current: Record<string, unknown>): { body: string; bogus: boolean } {
  if (type === "application/json-patch+json") {
    const ops = Array.from({ length: rng.int(0, 5) }, () => {
      const op: Record<string, unknown> = { op: rng.pick(["add", "remove", "replace", "move", "copy", "test", "explode", "", "ADD", null, 1]), path: jsonPointer(rng) };
      if (rng.chance(0.7)) op.value = rng.chance(0.5) ? hostileValue(rng) : rng.pick(["x", 1, { a: "b" }, ["a"], null]);
      if (rng.chance(0.3)) op.from = jsonPointer(rng);
      if (rng.chance(0.1)) delete op.path;
      return op;
    });
    const choice = rng.int(0, 6);
    if (choice === 0) return { body: breakText(rng, jsonText(ops)), bogus: true };
    if (choice === 1) return { body: jsonText(rng.pick([{}, "x", 1, null, [[]], [1, 2], Array.from({ length: 10_001 }, () => ({ op: "test", path: "/kind", value: current.kind }))])), bogus: false };
    if (choice === 2) return { body: jsonText(Array.from({ length: 3000 }, () => ({ op: "add", path: "/metadata/annotations/a", value: "x".repeat(1000) }))), bogus: false };
    return { body: jsonText(ops), bogus: false };
  }
  if (type === "application/apply-patch+yaml") {
    const base = { apiVersion: current.apiVersion, kind: current.kind, metadata: { name: (current.metadata as { name: string }).name } };
    const choice = rng.int(0, 4);
    if (choice === 0) return { body: hostileYaml(rng, `apiVersion: ${String(current.apiVersion)}\nkind: ${String(current.kind)}\n`), bogus: false };
    if (choice === 1) return { body: jsonText(mutate(rng, current, rng.int(1, 3))), bogus: false };
    return { body: jsonText(mutate(rng, base, rng.int(1, 2))), bogus: false };
  }
  const choice = rng.int(0, 5);
  if (choice === 0) return { body: breakText(rng, jsonText({ metadata: { labels: { a: "b" } } })), bogus: true };
  if (choice === 1) return { body: jsonText(hostileValue(rng)), bogus: false };
  if (choice === 2 && type.includes("strategic")) {
    return {
      body: jsonText(
        rng.pick([
          { $patch: rng.pick(["delete", "replace", "merge", "bogus", 1]) },
          { metadata: { labels: { $patch: "replace", a: 1 } } },
          { spec: { containers: [{ $patch: "delete" }] } },
          { spec: { containers: [{ name: "c", $patch: "bogus" }] } },
          { spec: { $setElementOrder: { containers: [{ name: 1 }] } } },
          { spec: { "$setElementOrder/containers": "x" } },
          { spec: { "$deleteFromPrimitiveList/finalizers": 1 } },
          { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } },
          { $retainKeys: ["a"], a: 1 },
          { spec: { template: { spec: { containers: [[1]] } } } },
          { spec: { ports: [{ port: 80 }, { port: "80" }] } },
          { spec: { containers: [{ image: "x" }] } },
          { spec: { volumes: [{ name: "v", hostPath: { path: "../../etc" } }] } },
        ]),
      ),
      bogus: false,
    };
  }
  return { body: jsonText(mutate(rng, current, rng.int(1, 3))), bogus: false };
}

export function patch(rng: Prng, templates: Record<string, Record<string, unknown>>): FuzzRequest[] {
  const t = rng.pick(SERVED.filter((x) => x.verbs.includes("patch") && FIXTURES[x.resource]));
  const e = existing(rng, t);
  const current = templates[`${t.resource}|${e.ns ?? ""}/${e.name}`] ?? validObject(t, e.name);
  const type = rng.chance(0.9) ? rng.pick(PATCH_TYPES) : rng.pick(["application/json", "text/plain", "", "application/merge-patch+json; charset=utf-8", "application/apply-patch+json"]);
  const { body } = patchBody(rng, type, current);
  const sub = t.status && rng.chance(0.15) ? "/status" : "";
  const q: Record<string, string> = {};
  if (type === "application/apply-patch+yaml" || rng.chance(0.1)) q.fieldManager = rng.pick(["fuzz", "fuzz", "", "x".repeat(200), "a\u0000b"]);
  if (rng.chance(0.2)) q.force = rng.pick(["true", "false", "x"]);
  if (rng.chance(0.1)) q.fieldValidation = rng.pick(["Strict", "Bogus"]);
  return both({ category: "patches", method: "PATCH", path: withQuery(`${itemPath(t, e.ns, e.name)}${sub}`, q), headers: { "content-type": type }, body, shape: "kube" });
}

// ---------------------------------------------------------------- 7. deletes

export function deletion(rng: Prng): FuzzRequest[] {
  const t = rng.pick(SERVED.filter((x) => x.verbs.includes("delete")));
  const e = existing(rng, t);
  const q: Record<string, string | string[]> = {};
  if (rng.chance(0.4)) q.gracePeriodSeconds = rng.pick(["-1", "abc", "1e308", "99999999999999999999", "", "0.5"]);
  if (rng.chance(0.4)) q.propagationPolicy = rng.pick(["Sideways", "", "orphan", "Foreground", hostileString(rng).slice(0, 200)]);
  if (rng.chance(0.2)) q.orphanDependents = rng.pick(["maybe", "true"]);
  if (rng.chance(0.2)) q.dryRun = rng.pick(["Bogus", "", "all", ["All", "x"]]);
  const bodyKind = rng.int(0, 6);
  let body: string | undefined;
  let ct = "application/json";
  if (bodyKind === 0) body = breakText(rng, jsonText({ kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 0 }));
  else if (bodyKind === 1) body = jsonText(hostileValue(rng));
  else if (bodyKind === 2) body = jsonText({ kind: "DeleteOptions", apiVersion: "v1", preconditions: { uid: rng.pick(["x", "", 1, null, hostileString(rng).slice(0, 300)]), resourceVersion: rng.pick(["1", "-1", "x", 1, null]) } });
  else if (bodyKind === 3) body = jsonText({ propagationPolicy: rng.pick(["Sideways", 1, null, [], ""]), gracePeriodSeconds: rng.pick(HOSTILE_NUMBERS), orphanDependents: rng.pick(["x", 1, null]) });
  else if (bodyKind === 4) {
    ct = "application/vnd.kubernetes.protobuf";
    body = undefined;
  }
  const collectionDelete = t.verbs.includes("deletecollection") && rng.chance(0.3);
  const path = collectionDelete ? collection(t, e.ns) : itemPath(t, e.ns, rng.chance(0.8) ? e.name : hostileString(rng).slice(0, 300));
  if (collectionDelete) Object.assign(q, listQuery(rng));
  const req: FuzzRequest = { category: "deletes", target: "A", method: "DELETE", path: withQuery(path, { ...q, ...DRY }), headers: { "content-type": ct }, shape: "kube" };
  if (bodyKind === 4) req.body = protobufBody(rng);
  else if (body !== undefined) req.body = body;
  // A valid delete would remove a fixture: these run dry, except a read-only link's, which are refused.
  if (rng.chance(0.1)) return [{ ...req, target: "RO", path: withQuery(path, q), refuse: true }];
  return [req];
}

// ---------------------------------------------------------------- 8. subresources

const POD = RESOURCE_TYPES.find((t) => t.kind === "Pod")!;
const SERVICE = RESOURCE_TYPES.find((t) => t.kind === "Service")!;
const NODE = RESOURCE_TYPES.find((t) => t.kind === "Node")!;

export function subresource(rng: Prng): FuzzRequest[] {
  const podName = () => rng.pick(["fuzz-pod", "fuzz-pod", "etcd-k8s-master", "fuzz-missing", hostileString(rng).slice(0, 300)]);
  const podNs = (name: string) => (name === "etcd-k8s-master" ? "kube-system" : "default");
  const variants: (() => FuzzRequest[])[] = [
    // Scale.
    () => {
      const t = rng.pick(SERVED.filter((x) => x.scale));
      const e = existing(rng, t);
      const m = rng.pick(["GET", "PUT", "PATCH"]);
      const body =
        m === "GET"
          ? undefined
          : rng.chance(0.5)
            ? jsonText({ apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: rng.chance(0.8) ? e.name : hostileString(rng).slice(0, 100), resourceVersion: rng.pick([undefined, "1", "x"]) }, spec: { replicas: rng.pick([...HOSTILE_NUMBERS.filter((n) => n < 0 || !Number.isInteger(n) || n > 2147483647), "3", null, [], {}]) } })
            : m === "PATCH"
              ? rng.pick([jsonText({ spec: { replicas: rng.pick([-1, "x", null, 1e308, 2147483648]) } }), breakText(rng, '{"spec":{"replicas":1}}'), jsonText(hostileValue(rng))])
              : breakText(rng, jsonText({ spec: { replicas: 1 } }));
      const ct = m === "PATCH" ? rng.pick(PATCH_TYPES) : "application/json";
      return both({ category: "subresources", method: m, path: `${itemPath(t, e.ns, e.name)}/scale`, headers: { "content-type": ct }, body, shape: "kube" });
    },
    // Status.
    () => {
      const t = rng.pick(SERVED.filter((x) => x.status));
      const e = existing(rng, t);
      const m = rng.pick(["GET", "PUT", "PATCH", "POST", "DELETE"]);
      const obj = mutate(rng, { ...validObject(t, e.name), status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }], replicas: 1 } }, rng.int(1, 3));
      const ct = m === "PATCH" ? rng.pick(PATCH_TYPES.slice(1, 3)) : "application/json";
      const body = m === "GET" || m === "DELETE" ? undefined : m === "PATCH" ? jsonText({ status: mutate(rng, { phase: "Failed", conditions: [{ type: "Ready", status: "False" }], replicas: 2, observedGeneration: 1 }, 2) }) : jsonText(obj);
      return both({ category: "subresources", method: m, path: `${itemPath(t, e.ns, e.name)}/status`, headers: { "content-type": ct }, body, shape: "kube" });
    },
    // Binding.
    () => {
      const name = podName();
      const body = rng.pick([
        () => jsonText({ apiVersion: "v1", kind: "Binding", metadata: { name }, target: { kind: rng.pick(["Node", "Pod", "", 1]), name: rng.pick(["k8s-node1", "nowhere", "", hostileString(rng).slice(0, 200)]) } }),
        () => jsonText({ apiVersion: "v1", kind: "Binding", metadata: { name: hostileString(rng).slice(0, 200) }, target: { kind: "Node", name: "k8s-node1" } }),
        () => unparseable(breakText(rng, jsonText({ apiVersion: "v1", kind: "Binding", metadata: { name }, target: { kind: "Node", name: "k8s-node1" } }))),
        () => jsonText(hostileValue(rng)),
      ])();
      // fuzz-pod is bound already; binding it again must be refused, as must every other variant here.
      return [{ category: "subresources", target: "A", method: rng.chance(0.9) ? "POST" : "PUT", path: `${itemPath(POD, podNs(name), name)}/binding`, headers: JSON_CT, body, shape: "kube", refuse: true }];
    },
    // Eviction.
    () => {
      const name = podName();
      const body = rng.pick([
        () => jsonText({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name: rng.chance(0.5) ? "other" : hostileString(rng).slice(0, 200) } }),
        () => jsonText({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name }, deleteOptions: { dryRun: ["All"], gracePeriodSeconds: rng.pick(HOSTILE_NUMBERS), preconditions: { uid: "x" } } }),
        () => jsonText({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name }, deleteOptions: { dryRun: rng.pick([["All"], ["Bogus", "All"], "All", [1], {}]), gracePeriodSeconds: rng.pick(HOSTILE_NUMBERS) } }),
        () => unparseable(breakText(rng, jsonText({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name } }))),
        () => jsonText(hostileValue(rng)),
      ])();
      // Some of these bodies are valid evictions: the query's dry run keeps the fixtures where they are.
      return [{ category: "subresources", target: "A", method: "POST", path: withQuery(`${itemPath(POD, podNs(name), name)}/eviction`, DRY), headers: JSON_CT, body, shape: "kube" }];
    },
    // Log.
    () => {
      const name = podName();
      const q: Record<string, string> = {};
      for (const k of ["container", "previous", "follow", "timestamps", "tailLines", "limitBytes", "sinceSeconds", "sinceTime", "insecureSkipTLSVerifyBackend"]) {
        if (!rng.chance(0.3)) continue;
        q[k] = rng.pick(["-1", "0", "1", "abc", "99999999999999999999", "1e3", "", "true", "2024-01-01T00:00:00Z", "9999-99-99T99:99:99Z", "c", "etcd", hostileString(rng).slice(0, 300)]);
      }
      if (q.follow && q.follow !== "0" && q.follow.toLowerCase() !== "false") delete q.follow;
      return [{ category: "subresources", target: rng.chance(0.2) ? "RO" : "A", method: rng.pick(["GET", "GET", "POST"]), path: withQuery(`${itemPath(POD, podNs(name), name)}/log`, q), shape: "kube" }];
    },
    // Proxy.
    () => {
      const t = rng.pick([SERVICE, POD, NODE]);
      const id = rng.pick(["fuzz-web", "fuzz-web:80", "fuzz-web:http", "https:fuzz-web:443", "kubernetes", "fuzz-pod", "fuzz-pod:80", "k8s-master", "k8s-master:10250", "a:b:c:d", ":", "::", "fuzz-web:99999", "fuzz-web:-1", hostileString(rng).slice(0, 300)]);
      const rest = rng.pick(["", "/", "/healthz", "/../../../../etc/passwd", "/%2e%2e/%2e%2e/", "/" + "a/".repeat(500), `/${enc(hostileString(rng).slice(0, 1000))}`, "/?x=%zz", "//", "/index.html?" + "a=b&".repeat(500)]);
      const ns = t === NODE ? undefined : "default";
      const m = rng.pick(["GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "PROPFIND"]);
      // A `%2e%2e` segment is resolved by the URL parser before the route is chosen: a DELETE through
      // `…/proxy/%2e%2e/%2e%2e/` is a DELETE of the collection, so writes here run dry too.
      const proxyPath = `${collection(t, ns)}/${enc(id).replace(/%3A/g, ":")}/proxy${rest}`;
      return [{ category: "subresources", target: rng.chance(0.2) ? "RO" : "A", method: m, path: m === "GET" || m === "HEAD" ? proxyPath : withQuery(proxyPath, DRY), headers: (m === "GET" || m === "HEAD" ? { "x-forwarded-host": hostileString(rng).slice(0, 200).replace(/[^\x20-\x7e]/g, "") } : { "content-type": "application/json" }) as Record<string, string>, body: m === "GET" || m === "HEAD" ? undefined : hostileString(rng), shape: "gateway" }];
    },
    // Port-forward, attach and exec over plain HTTP (no upgrade), and on kinds without them.
    () => {
      const sub = rng.pick(["portforward", "attach", "exec", "finalize", "status", "scale", "binding", "eviction", "log", "proxy", "token", "ephemeralcontainers", "resize"]);
      const t = rng.pick(SERVED);
      const e = existing(rng, t);
      const q: Record<string, string | string[]> = { command: rng.pick([["ls"], [], [hostileString(rng).slice(0, 1000)]]), container: rng.pick(["c", "", "x", hostileString(rng).slice(0, 100)]), stdin: rng.pick(["true", "1", "x"]), tty: rng.pick(["true", "false"]) };
      return [{ category: "subresources", target: "A", method: rng.pick(["GET", "POST", "PUT"]), path: withQuery(`${itemPath(t, e.ns, e.name)}/${sub}`, { ...q, ...DRY }), headers: (rng.chance(0.5) ? { "sec-websocket-protocol": rng.pick(["v5.channel.k8s.io", "SPDY/3.1", "x", ""]) } : {}) as Record<string, string>, shape: sub === "proxy" ? "gateway" : "kube" }];
    },
    // Namespace finalize.
    () => [{ category: "subresources", target: "A", method: rng.pick(["PUT", "POST", "GET"]), path: withQuery(`/s/$ID/api/v1/namespaces/${rng.pick(["fuzz", "default", "nowhere"])}/finalize`, DRY), headers: JSON_CT, body: jsonText(mutate(rng, { apiVersion: "v1", kind: "Namespace", metadata: { name: "fuzz" }, spec: { finalizers: ["kubernetes"] } }, 2)), shape: "kube" }],
  ];
  return rng.pick(variants)();
}

// ---------------------------------------------------------------- 9. volume paths

export function volumePath(rng: Prng, n: number): FuzzRequest[] {
  const where = rng.pick(VOLUME_PATH_PLACES);
  const path = rng.chance(0.85) ? rng.pick(HOSTILE_PATHS) : hostileString(rng).slice(0, 2000);
  const pod = podWithVolumePath(`fz-vol-${n}`, where, path);
  const pv = { apiVersion: "v1", kind: "PersistentVolume", metadata: { name: `fz-pv-${n}` }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], storageClassName: "manual", ...(rng.chance(0.5) ? { hostPath: { path } } : { local: { path }, nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["k8s-node1"] }] }] } } }) } };
  const choice = rng.int(0, 9);
  if (choice === 0) return both({ category: "volumes", method: "POST", path: "/s/$ID/api/v1/persistentvolumes", headers: JSON_CT, body: jsonText(pv), shape: "kube" });
  if (choice === 1) {
    // A Deployment's template carries the same paths to the pods its controller creates.
    const spec = (pod as { spec: unknown }).spec;
    const d = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: `fz-vold-${n}` }, spec: { replicas: 1, selector: { matchLabels: { v: `${n}` } }, template: { metadata: { labels: { v: `${n}` } }, spec } } };
    return both({ category: "volumes", method: "POST", path: "/s/$ID/apis/apps/v1/namespaces/default/deployments", headers: JSON_CT, body: jsonText(d), shape: "kube" });
  }
  return both({ category: "volumes", method: "POST", path: "/s/$ID/api/v1/namespaces/default/pods", headers: JSON_CT, body: jsonText(pod), shape: "kube" });
}

// ---------------------------------------------------------------- 10, 11. shell lines

/** Command lines that attack a shell: parsing, expansion, resources, and the filesystem's edges. */
export function hostileShellLine(rng: Prng, writes: boolean): string {
  const depth = rng.pick([10, 100, 300, 1000]);
  const reads = [
    "cat ../../../../etc/passwd",
    "cat /etc/shadow",
    "cat /proc/self/environ; cat /proc/1/cmdline",
    "cd ../../../../../ && pwd && ls -la",
    "ls -la /../../../..",
    "cat /etc/kubernetes/manifests/../../../etc/hosts",
    "cat $(printf '../%.0s' $(seq 1 200))etc/hostname",
    "cat '/tmp/\u0000/x'",
    "ls /\u0000",
    `echo "abc`,
    "echo 'abc",
    "echo $(echo",
    "echo ${",
    "echo ${a",
    "echo `echo",
    "(((",
    "))",
    "((1+",
    "if then fi",
    "if true; then",
    "for in do done",
    "for i in 1 2; do",
    "while",
    "case x in",
    "case x in a) echo;; esac esac",
    "{ echo",
    "}",
    ";;",
    "| grep x",
    "&& ls",
    "ls |",
    "ls ||| ls",
    "echo >",
    "echo > > x",
    "cat <<",
    "cat <<EOF",
    "cat <<EOF\nno terminator",
    "cat <<'EOF' <<\"E2\" <<-E3\na\nEOF\nb\nE2\n\tc\nE3",
    "cat <<EOF\n" + "line $((1+1)) ${HOME} $(echo x)\n".repeat(rng.pick([1000, 20000])) + "EOF",
    `cat <<EOF | wc -c\n${"y".repeat(rng.pick([100_000, 60_000]))}\nEOF`,
    `echo ${"$(echo ".repeat(depth)}x${")".repeat(depth)}`,
    `echo ${"`echo ".repeat(Math.min(depth, 8))}x${"`".repeat(Math.min(depth, 8))}`,
    `echo $((${"(1+".repeat(depth)}1${")".repeat(depth)}))`,
    `echo ${"${a:-".repeat(depth)}x${"}".repeat(depth)}`,
    `${"(".repeat(depth)}echo x${")".repeat(depth)}`,
    `${"{ ".repeat(depth)}echo x;${" }".repeat(depth)}`,
    `${"if true; then ".repeat(depth)}echo x${"; fi".repeat(depth)}`,
    `${"echo x | ".repeat(depth)}cat`,
    `${"true && ".repeat(depth * 10)}echo x`,
    ":(){ :|:& };:",
    "f(){ f; }; f",
    "f(){ f | f; }; f",
    "f(){ echo $(f); }; f",
    "while true; do echo x; done",
    "while :; do :; done",
    "until false; do :; done",
    "for i in $(seq 1 1000000); do echo $i; done",
    "seq 1 100000000",
    "seq 1 100000000 | wc -l",
    "yes",
    "yes | head -c 100000000 | wc -c",
    "cat /dev/zero | head -c 10000000 | wc -c",
    "cat /dev/urandom | head -c 100",
    "tail -f /dev/null",
    "sleep infinity",
    "sleep 99999999999999999999",
    "sleep -1",
    "x=a; while true; do x=$x$x; done",
    "x=a; for i in $(seq 1 40); do x=$x$x; done; echo ${#x}",
    "eval \"$(printf 'echo x;%.0s' $(seq 1 100000))\"",
    "printf '%*d' 999999999 1",
    "printf '%s%s%s%s%s%n'",
    "printf '\\x00\\x01\\xff'",
    "echo $((1/0))",
    "echo $((1%0))",
    "echo $((2**64)); echo $((2**-1)); echo $((-9223372036854775808 / -1))",
    "echo $((1<<999)); echo $((x[)); echo $((a=))",
    "echo ${x:?boom}",
    "echo ${#}; echo ${!x}; echo ${x:0:-1}; echo ${x/#/y}; echo ${@:99999999999}",
    "x=$(printf 'a%.0s' $(seq 1 10000)); echo ${x//a/bb} | wc -c",
    "set -- $(seq 1 10000); shift 99999; echo $#",
    "echo /*/*/*/*/*/*/*/*/*/*",
    "ls -R / | wc -l",
    "find / -name '*' | wc -l",
    "grep -r root / 2>/dev/null | wc -l",
    "du -a / | tail -1",
    "grep -E '(a*)*b' /etc/passwd",
    `printf '${"a".repeat(60)}!\\n' | grep -E '(a+)+b'; printf '${"a".repeat(60)}!\\n' | sed -E 's/(a|aa)+$/x/'; printf '${"a".repeat(60)}!\\n' | awk '/(a*)*b/'`,
    "grep '(' /etc/hosts",
    "grep -E '[' /etc/hosts",
    "sed -e 's/' /etc/hosts",
    "sed 's/a/b/gggg' /etc/hosts",
    "sed -n '$!{h;d}' /etc/hosts",
    "awk '{' /etc/hosts",
    "awk 'BEGIN{while(1)print}'",
    "awk 'BEGIN{printf \"%*d\", 999999999, 1}'",
    "awk 'BEGIN{x[1]; for(;;) x[length(x)+1]=1}'",
    "sort -k 999 /etc/hosts; cut -c 0 /etc/hosts; cut -d '' -f1 /etc/hosts",
    "awk '{print \"\\q\\x41\\400\"}' /etc/hosts; awk -F '(' '{print $1}' /etc/hosts; awk '/(/' /etc/hosts; awk '$(-1)' /etc/hosts",
    "awk '{print $99999999999}' /etc/hosts; awk '{NF=-1; print}' /etc/hosts; awk 'BEGIN{print substr(\"abc\", -1e308, 1e308)}'",
    "sed -E 's/(/x/' /etc/hosts; sed 's/[/x/' /etc/hosts; sed 'y/abc/d/' /etc/hosts; sed '999999999999999999p' /etc/hosts; sed -n '0~0p' /etc/hosts",
    "grep -E '*' /etc/hosts; grep -P '(?<=' /etc/hosts; grep -e '' -e '[[:bogus:]]' /etc/hosts; grep -A -1 x /etc/hosts; grep -m abc x /etc/hosts",
    "head -n abc /etc/hosts; tail -n +abc /etc/hosts; tail -c 99999999999999999999 /etc/hosts; wc -x /etc/hosts; cut -f 1-0 /etc/hosts; cut -b 99999999999 /etc/hosts",
    "sort -t '' /etc/hosts; sort -k 0 /etc/hosts; uniq -f -1 /etc/hosts; tr -d '[' < /etc/hosts; tr 'z-a' x < /etc/hosts; column -s '' -t /etc/hosts",
    "printf '%d %s %q %z %' 1; printf '%.*f' -5 1; printf '%0999999999d' 1; printf -v x; printf",
    "base64 -w -1 /etc/hosts; base64 -d /etc/hosts; tee; tee /; xargs -n abc echo < /etc/hosts; xargs -I '' echo < /etc/hosts",
    "test; [ ; [ a -bogus b ]; [[ a =~ ( ]]; test 1 -eq abc; let x=1/0; ((x=2**63)); echo $x",
    "read; read -r x y z < /dev/null; read -n -1 x <<< abc; mapfile -t a < /etc/hosts; echo ${a[99999999999]}; declare -A m; m[a]=1; echo ${m[@]}",
    "echo {1..100000000} | wc -c; echo {a..z}{a..z}{a..z}{a..z} | wc -c; echo {1..10..0}; echo {z..a..-1}",
    "x=$(printf '%s' {1..50000}); echo ${#x}; echo ${x:99999999999:5}; echo ${x: -99999999999}",
    "IFS=; set -- a b; echo \"$*\"; IFS=$'\\x00'; read a b <<< 'x y'; unset IFS PATH HOME; cd; pwd",
    "exec > /dev/null; echo hidden; exec 2>&1; exec 1>&-; echo gone",
    "kill -9 $$; kill -STOP $$; wait; wait 99999; jobs; fg; bg; disown; sleep 1 & sleep 2 & wait",
    "source /etc/passwd; . /dev/zero; eval 'echo $((' ; eval ')))'; command -v ls; type cd; hash -r; builtin bogus",
    "ip addr add 1.2.3.4/99 dev eth0; ip link set dev ../../ up; ip route; ip -j -s -d addr; iptables -t bogus -L; iptables -A INPUT -j DROP",
    "curl -o /etc/passwd http://10.96.0.1; curl -X '' http://x; curl --max-time abc x; curl -H \"$(printf 'a%.0s' {1..9000}): b\" http://10.96.0.1; wget -O - --header='x' 'http://[::]:80/'",
    "nslookup -type=bogus kubernetes.default; nslookup kubernetes.default 999.1.1.1; dig; host; getent hosts ''; ping -s 99999999 10.96.0.1; ping -i -1 -c 1 x",
    "crictl ps --state bogus; crictl logs --tail -1 x; crictl exec -it '' sh; crictl rmp -fa; crictl rmi --all; crictl pull ../../x",
    "systemctl stop ''; systemctl start kubelet.service.bogus; systemctl daemon-reload; systemctl enable --now kubelet; journalctl -u kubelet -n -1",
    "tr 'a-z' < /dev/zero | head -c 10",
    "base64 -d <<< '!!!'",
    "head -n -99999999999 /etc/hosts; tail -c +0 /etc/hosts; head -c -1 /etc/hosts",
    "wc -l /dev/zero",
    "xargs < /etc/hosts",
    "cat /etc/hosts | xargs -n 0",
    "tar xf /dev/zero; tar tf /etc/hosts; tar cf - / | tar tf - | wc -l",
    "cat < /nonexistent; exec 3>&-; exec 9<>/dev/null; echo x >&3; echo x 2>&99",
    "kill -9 -1; kill 1; kill -0 0",
    "exit 999",
    "exit -1",
    "exit abc",
    "return",
    "set -e; false; echo unreachable",
    "trap 'echo trapped' EXIT; exit 3",
    "ulimit -a; umask 777; ulimit -n 0",
    "systemctl; systemctl status; systemctl status ../../x; systemctl bogus kubelet",
    "crictl; crictl ps -a --name '('; crictl logs ../../../; crictl exec; crictl inspect ''",
    "curl http://[::1; curl -m 99999999 http://10.0.0.1; curl http://localhost:99999; curl http://10.96.0.1:0",
    `curl http://${"a.".repeat(200)}b`,
    `curl http://$(head -c 5000 /dev/zero | tr '\\0' a)`,
    "curl -H 'Host: $(id)' -X BOGUS --data @/etc/passwd http://10.96.0.1",
    "wget -T 0 x; wget -O /dev/null http://10.0.0.1:-1",
    "nslookup ''; nslookup ..; nslookup " + "x".repeat(300),
    "ping -c 100000 10.96.0.1 | tail -1; ping -c -1 x; ping -c 2 999.999.999.999",
    "iptables-save -t nat | wc -l; ipvsadm -x; ip route add 1.2.3.4 via 5.6.7.8; ip bogus",
    "ssh",
    "ssh '' ls",
    "ssh ../k8s-node1 ls",
    "ssh k8s-node1 ssh k8s-node2 ssh k8s-master hostname",
    "history -c; alias ls='ls ls'; ls",
    "alias a=b b=a; a",
    "cd; cd -; cd ''; cd /nonexistent; cd " + "a/".repeat(300),
    "export PATH=; ls; kubectl get pods",
    "export " + "A".repeat(1000) + "=" + "b".repeat(10000) + "; env | wc -c",
    "echo -e '\\e[31m\\e]0;title\\a\\e[2J'",
    "\u0000",
    "echo a\u0000b",
    "\r\n\r\n",
    "#".repeat(10000),
    ";".repeat(5000),
    "&".repeat(5000),
    "|".repeat(5000),
    "'".repeat(5001),
    "\\".repeat(10001),
    "$".repeat(10000),
    "`".repeat(10001),
    "<".repeat(3000),
    "echo " + "a ".repeat(50_000),
    hugeString(rng).slice(0, 60_000),
    hostileString(rng).slice(0, 60_000),
  ];
  const writing = [
    "echo x > ''",
    "echo x > /dev/full",
    "echo x > /",
    "echo x > /etc",
    "mkdir -p " + "d/".repeat(500) + " && ls -R d | wc -l",
    "yes | head -c 3000000 > /tmp/big; ls -l /tmp/big",
    "for i in $(seq 1 2000); do echo $i > /tmp/f$i; done; ls /tmp | wc -l",
    "ln -s / /tmp/root; cat /tmp/root/etc/hostname; ln -s /tmp/loop /tmp/loop; cat /tmp/loop",
    "cp -r / /tmp/all",
    "rm -rf /",
    "rm -rf /*",
    "rm -rf --no-preserve-root /",
    "mv / /tmp",
    "mv /etc/kubernetes/manifests /tmp/m",
    "chmod -R 000 /",
    "touch '\u0000'; touch ''; touch " + "x".repeat(5000),
    "cat > /etc/kubernetes/manifests/bad.yaml <<EOF\n{{{ not yaml\nEOF",
    "printf 'apiVersion: v1\\nkind: Pod\\nmetadata:\\n  name: Bad_Name\\nspec: 7\\n' > /etc/kubernetes/manifests/bad2.yaml",
    "printf 'kind: Pod\\nspec:\\n  volumes:\\n  - hostPath:\\n      path: ../../etc\\n' > /etc/kubernetes/manifests/bad3.yaml",
    "systemctl stop kubelet; systemctl start kubelet; systemctl restart kubelet",
    "tar xf - < /etc/hosts",
    "dd if=/dev/zero of=/tmp/z bs=1M count=100",
    "echo x > ../../../../tmp/fz",
  ];
  return writes && rng.chance(0.3) ? rng.pick(writing) : rng.pick(reads);
}

const NODES = ["k8s-master", "k8s-node1", "k8s-node2"];

export function nodeShell(rng: Prng): FuzzRequest[] {
  // A gets lines that only read (the sandbox's resourceVersion, which any write to a node's files
  // moves, must not change); B also gets lines that write, move and remove.
  const target: Target = rng.chance(0.6) ? "A" : "B";
  const command = hostileShellLine(rng, target === "B");
  // B's destructive lines all land on one worker node, so the others keep a working cluster.
  return [{ category: "node-shell", target, method: "POST", path: "/api/sandboxes/$ID/shell", headers: JSON_CT, body: jsonText({ node: target === "B" ? "k8s-node2" : rng.pick(NODES), command }), shape: "service" }];
}

function hostileKubectl(rng: Prng): string {
  const name = () => rng.pick(["fuzz-pod", "fuzz-web", "'../../x'", "''", "Bad_Name", "$(id)", "%zz", "-", "--", "x".repeat(300)]);
  const lines = [
    () => `kubectl get pods -l '${selectorString(rng, false).replace(/'/g, "")}'`,
    () => `kubectl get pods --field-selector '${selectorString(rng, true).replace(/'/g, "")}'`,
    () => `kubectl get ${rng.pick(["pods", "deploy", "svc", "nodes", "all", "pods,svc,,", "pods/../../x", "../../../../", "'*'", "po.v1.", "deployments.apps.v9", ""])} ${name()}`,
    () => `kubectl get pods -o ${rng.pick(["jsonpath='{.items[*'", "jsonpath='{range .items[*]}{range .items[*]}{range .items[*]}{.x}{end}{end}{end}'", "jsonpath='{..}'", "jsonpath='{.items[?(@.x==(1)]}'", "jsonpath='{.items[-99999999999]}'", "jsonpath='{.items[0:99999999999:0]}'", "custom-columns=A:{.x[", "custom-columns=", "go-template='{{'", "yaml", "json", "wide", "name", "bogus", "jsonpath-file=/etc/passwd", "custom-columns-file=/etc/shadow"])}`,
    () => `kubectl apply -f - <<'EOF'\n${hostileYaml(rng, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fuzz-cm\n")}\nEOF`,
    () => `kubectl ${rng.pick(["apply", "create", "replace", "delete"])} -f ${rng.pick(["../../../../etc/passwd", "/dev/zero", "/etc/kubernetes/manifests", "''", "-", "http://10.0.0.1/x.yaml", "/proc/self/environ"])} --dry-run=${rng.pick(["client", "server"])}`,
    () => `kubectl describe ${rng.pick(["pod", "node", "svc", "deploy", "x"])} ${name()}`,
    () => `kubectl explain ${rng.pick(["pods.spec.containers.x.y.z", "''", "pods." + "spec.".repeat(300), "bogus", "deploy.spec.template.spec.volumes.hostPath.path", "--recursive pods"])}`,
    () => `kubectl logs ${name()} ${rng.pick(["", "--tail=-5", "--tail=abc", "--since=-1s", "--since-time=bogus", "-c x", "--previous", "--limit-bytes=0"])}`,
    () => `kubectl exec ${name()} -- ${hostileShellLine(rng, false).slice(0, 2000)}`,
    () => `kubectl exec fuzz-pod -- sh -c '${hostileShellLine(rng, false).replace(/'/g, "").slice(0, 5000)}'`,
    () => `kubectl run fz --image='${hostileString(rng).slice(0, 200).replace(/'/g, "")}' --dry-run=client -o yaml -- ${hostileShellLine(rng, false).slice(0, 500)}`,
    () => `kubectl create deployment fz --image=nginx --replicas=${rng.pick(["-1", "abc", "99999999999", "1e3", "2147483648"])} --dry-run=server`,
    () => `kubectl scale deploy/fuzz-web --replicas=${rng.pick(["-1", "abc", "99999999999", "1.5", "2147483648"])}`,
    () => `kubectl label pod fuzz-pod ${rng.pick(["'bad key'=x", "a=$(id)", "a=" + "x".repeat(64), "-", "=", "a-", "kubernetes.io/" + "x".repeat(70) + "=y"])} --dry-run=server`,
    () => `kubectl annotate pod fuzz-pod a='${hugeString(rng).slice(0, 300_000).replace(/'/g, "")}' --dry-run=server`,
    () => `kubectl patch deploy fuzz-web --type=${rng.pick(["json", "merge", "strategic", "bogus"])} -p '${breakText(rng, '{"spec":{"replicas":2}}').replace(/'/g, "")}' --dry-run=server`,
    () => `kubectl rollout ${rng.pick(["undo", "status", "history", "restart", "pause", "bogus"])} deploy/${name()} ${rng.pick(["--to-revision=-1", "--to-revision=abc", "--revision=99999999999", "--timeout=1ms", "--dry-run=server"])}`,
    () => `kubectl wait --for=${rng.pick(["condition=x", "delete", "jsonpath='{.x}'=y", "bogus", "condition=", "jsonpath='{'"])} pod/${name()} --timeout=${rng.pick(["1ms", "-1s", "abc", "0"])}`,
    () => `kubectl get pods -w --request-timeout=${rng.pick(["1ms", "abc", "-1"])}`,
    () => `kubectl ${rng.pick(["drain", "cordon", "uncordon", "taint nodes"])} ${rng.pick(["nowhere", "''", "k8s-node1 --dry-run=server", "k8s-node1 a=b:Bogus --dry-run=server"])}`,
    () => `kubectl ${rng.pick(["top pods", "top nodes", "auth can-i", "api-resources --api-group=x", "api-versions x", "config view --raw", "version --output=bogus", "cluster-info dump --output-directory=/", "certificate approve x", "port-forward fuzz-pod 80", "proxy", "cp fuzz-pod:/etc/passwd /tmp/p", "attach fuzz-pod", "debug fuzz-pod", "kustomize .", "events", "bogus"])}`,
    () => `KUBE_EDITOR='${rng.pick(["rm -rf /", "false", "true", "sed -i s/a/b/", "cat /dev/zero >", ":"])}' kubectl edit cm fuzz-cm --dry-run=server`,
    () => `kubectl ${"-v=9 ".repeat(rng.int(1, 5))}--namespace='${hostileString(rng).slice(0, 300).replace(/'/g, "")}' get pods`,
    () => `kubectl --server=http://10.0.0.1 --kubeconfig=/etc/shadow --token=x --as=system:admin get pods`,
    () => `kubectl ${Array.from({ length: rng.pick([100, 2000]) }, () => "--v=1").join(" ")} get pods`,
    () => `for i in $(seq 1 5000); do kubectl get ns default -o name; done | wc -l`,
    () => `while true; do kubectl get pods -o name; done`,
    () => `echo $(kubectl get $(kubectl get $(kubectl get ns -o name)))`,
    () => `kubectl get pods | ${"grep . | ".repeat(200)}wc -l`,
    () => `kubectl get pods -o name | xargs kubectl get ${"x ".repeat(rng.pick([10, 1000]))}`,
  ];
  return rng.pick(lines)();
}

export function consoleRun(rng: Prng): FuzzRequest[] {
  const target: Target = rng.pick(["A", "A", "RO", "B"]);
  const kubectl = rng.chance(0.5);
  const command = kubectl ? hostileKubectl(rng) : hostileShellLine(rng, target === "B");
  const bodyChoice = rng.int(0, 9);
  let body: string;
  if (bodyChoice === 0) body = rng.pick([breakText(rng, jsonText({ command: "ls" })), jsonText(hostileValue(rng)), "", deepNestText(20000, "[", "]")]);
  else if (bodyChoice === 1) body = jsonText({ command, node: rng.pick([hostileString(rng).slice(0, 300), 1, null, [], "k8s-node1", "../k8s-master"]), stdin: rng.pick([1, null, "x", hugeString(rng).slice(0, 200_000)]), timeoutSeconds: rng.pick([0, -1, 301, "x", null, 1e308, 0.001, 2]) });
  else body = jsonText({ command, timeoutSeconds: 2, ...(rng.chance(0.3) ? { stdin: hostileYaml(rng, "kind: ConfigMap\n") } : {}), ...(target === "B" ? { node: "k8s-node2" } : rng.chance(0.2) ? { node: rng.pick(NODES) } : {}) });
  // Writes from the console on A are either dry runs or refused; the read-only link refuses them all.
  if (target === "A" && kubectl && !/--dry-run|get |describe|explain|logs|exec |wait|top |auth|api-|config|version|cluster-info|port-forward|proxy|cp |attach|debug|kustomize|events|bogus/.test(command)) {
    body = body.replace(/"command":"kubectl /, '"command":"kubectl --dry-run=server ');
  }
  return [{ category: "console", target, method: rng.chance(0.95) ? "POST" : rng.pick(["GET", "PUT"]), path: "/s/$ID/console/run", headers: rng.chance(0.95) ? JSON_CT : { "content-type": "text/plain" }, body, shape: "console" }];
}

// ---------------------------------------------------------------- 12. exec over WebSocket

export function exec(rng: Prng): FuzzRequest[] {
  const pod = rng.pick(["fuzz-pod", "fuzz-pod", "fuzz-pod", "etcd-k8s-master", "fuzz-missing"]);
  const ns = pod === "etcd-k8s-master" ? "kube-system" : "default";
  const shell = hostileShellLine(rng, true);
  const command = rng.pick([["sh", "-c", shell], ["sh", "-c", shell], ["sh"], ["cat", rng.pick(HOSTILE_PATHS)], ["ls", "-la", rng.pick(HOSTILE_PATHS)], [hostileString(rng).slice(0, 3000)], [], ["/bin/../../../bin/sh", "-c", "id"], Array.from({ length: 3000 }, () => "a")]);
  const q: Record<string, string | string[]> = { command, stdout: "true", stderr: rng.pick(["true", "false"]) };
  if (rng.chance(0.4)) q.stdin = "true";
  if (rng.chance(0.2)) q.tty = "true";
  if (rng.chance(0.2)) q.container = rng.pick(["c", "", "nope", hostileString(rng).slice(0, 200)]);
  const frames: (string | Uint8Array)[] = [];
  const n = rng.int(0, 4);
  for (let i = 0; i < n; i++) {
    const kind = rng.int(0, 6);
    if (kind === 0) frames.push(new Uint8Array([0, ...new TextEncoder().encode(`${hostileShellLine(rng, true).slice(0, 5000)}\n`)]));
    else if (kind === 1) frames.push(new Uint8Array([4, ...new TextEncoder().encode(rng.pick(['{"Width":-1,"Height":1e308}', "{", "null", '{"Width":"x"}', hostileString(rng).slice(0, 200)]))]));
    else if (kind === 2) frames.push(new Uint8Array([255, rng.pick([0, 1, 2, 3, 99])]));
    else if (kind === 3) frames.push(new Uint8Array([rng.pick([3, 5, 99, 200])]));
    else if (kind === 4) frames.push(new Uint8Array([]));
    else if (kind === 5) frames.push(rng.pick(["text frame", "\u0000", ""]));
    else frames.push(new Uint8Array([0, ...Array.from({ length: rng.pick([10, 70_000]) }, () => rng.int(0, 255))]));
  }
  // Exec writes into containers (their files, not API objects), so it runs on B.
  return [{ category: "exec", target: "B", method: "GET", path: withQuery(`/s/$ID/api/v1/namespaces/${ns}/pods/${pod}/exec`, q), headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-protocol": rng.chance(0.9) ? "v5.channel.k8s.io" : rng.pick(["v4.channel.k8s.io", "SPDY/3.1", "", "channel.k8s.io"]) }, shape: "kube", ws: { kind: "exec", frames, waitMs: 400 } }];
}

// ---------------------------------------------------------------- 13. the console's terminal

export function terminal(rng: Prng): FuzzRequest[] {
  const frames: string[] = [];
  const n = rng.int(1, 8);
  for (let i = 0; i < n; i++) {
    const kind = rng.int(0, 9);
    if (kind <= 2) frames.push(jsonText({ type: "input", data: `${rng.chance(0.5) ? hostileKubectl(rng) : hostileShellLine(rng, false)}\r` }));
    else if (kind === 3) frames.push(jsonText({ type: "resize", cols: rng.pick([-1, 0, 1e9, "x", null, 1.5, NaN]), rows: rng.pick([-1, 0, 1e9, "x", null]) }));
    else if (kind === 4) frames.push(jsonText({ type: "input", data: rng.pick(["\u0003", "\u0004", "\t\t\t", "\u001b[A".repeat(500), "\u001b[", "\u001b]0;x\u0007", "\u0015\u0017\u000b", "\x7f".repeat(1000), "cat <<EOF\r", "echo 'unterminated\r", "kubectl get pods -w\r\u0003"]) }));
    else if (kind === 5) frames.push(rng.pick(["not json", "{", "null", "[]", '{"type":1}', '{"type":"input","data":7}', '{"type":"bogus"}', deepNestText(20000, "[", "]")]));
    else if (kind === 6) frames.push(jsonText({ type: "input", data: hugeString(rng).slice(0, 300_000) }));
    else if (kind === 7) frames.push(jsonText({ type: "input", data: "kubectl get pods --namespace " + "\t".repeat(50) }));
    else frames.push(jsonText({ type: "input", data: `${hostileShellLine(rng, false).slice(0, 3000)}\r` }));
  }
  const node = rng.chance(0.8) ? "" : `?node=${enc(rng.pick(["k8s-node1", "nowhere", "", hostileString(rng).slice(0, 300)]))}`;
  const target: Target = rng.pick(["A", "RO"]);
  return [{ category: "terminal", target, method: "GET", path: `/s/$ID/console/terminal${node}`, headers: { upgrade: "websocket" }, shape: "console", ws: { kind: "terminal", frames, waitMs: 300 } }];
}

// ---------------------------------------------------------------- 14. discovery, OpenAPI, kubeconfig, outside routes

export function misc(rng: Prng): FuzzRequest[] {
  const variants: (() => FuzzRequest)[] = [
    () => ({ category: "misc", target: rng.pick(["A", "RO"]), method: rng.pick(["GET", "POST", "PUT", "DELETE", "HEAD"]), path: rng.pick(["/s/$ID/api", "/s/$ID/apis", "/s/$ID/api/v1", "/s/$ID/apis/apps", "/s/$ID/apis/apps/v1", "/s/$ID/apis/metrics.k8s.io/v1beta1", "/s/$ID/version", "/s/$ID/openapi/v2", "/s/$ID/openapi/v3"]), headers: { accept: rng.pick(ACCEPTS) }, shape: "kube" }),
    () => ({ category: "misc", target: "A", method: "GET", path: withQuery(`/s/$ID/openapi/v3/${rng.pick(["api/v1", "apis/apps/v1", "apis/x/v1", "../../etc", "api/v1/../../../", "%2e%2e", "apis", enc(hostileString(rng).slice(0, 300))])}`, rng.chance(0.5) ? { hash: rng.pick(["", "x", "0".repeat(128), hostileString(rng).slice(0, 300)]) } : {}), shape: "kube" }),
    () => ({ category: "misc", target: rng.pick(["A", "RO", "none"]), method: rng.pick(["GET", "POST", "DELETE"]), path: rng.pick(["/s/$ID/kubeconfig", "/s/$ID/kubeconfig/", "/s/$ID/kubeconfig/../api", `/s/${rng.pick(["..", "%2e%2e", "%zz", "x", "ro-x", "A".repeat(26)])}/kubeconfig`, `/s/${enc(hostileString(rng).slice(0, 300))}/api/v1/pods`]), shape: "kube" }),
    () => ({ category: "misc", target: rng.pick(["A", "RO"]), method: rng.pick(["GET", "HEAD", "POST", "PUT"]), path: `/s/$ID/${rng.pick([`nodeport/${rng.pick(["30080", "0", "-1", "99999999999999", "abc", "30080x"])}`, `node/${rng.pick(["k8s-node1", "nowhere", "%zz", "..", enc(hostileString(rng).slice(0, 200))])}/${rng.pick(["30080", "10250", "0", "x"])}`, `lb/${rng.pick(["172.18.255.200", "999.1.1.1", "1.2.3", "...", "0.0.0.0"])}/${rng.pick(["80", "0", "99999"])}`, `ingress/${rng.pick(["fuzz.example", "%zz", "%", "..", "%E0%A4%A", enc(hostileString(rng).slice(0, 300)), "a".repeat(300)])}`])}${rng.pick(["", "/", "/../../../../etc/passwd", "/%2e%2e/%2e%2e", `/${enc(hostileString(rng).slice(0, 500))}`, "?" + "x=y&".repeat(300)])}`, headers: { "x-forwarded-host": rng.pick(["", "fuzz.example", "a".repeat(5000), "evil.com:99999", "[::1]"]) }, body: undefined, shape: "gateway" }),
    () => ({ category: "misc", target: "A", method: "GET", path: `/s/$ID/console/${rng.pick(["watch", "nope", "../api", "run", "terminal"])}${rng.chance(0.5) ? "?" + Array.from({ length: rng.int(1, 30) }, () => `w=${enc(rng.pick(["/api/v1/pods@0", "/api/v1/pods@-1", "/api/v1/pods@abc", "@", "", "/etc/passwd@1", "/api/v1/pods", "http://evil/x@1", "/api/v1/namespaces/%zz/pods@0", hostileString(rng).slice(0, 200)]))}`).join("&") : ""}`, shape: "console", stream: true }),
    () => ({ category: "misc", target: "A", method: "GET", path: "/s/$ID", headers: { accept: rng.pick(["text/html", "*/*", "application/json", hostileString(rng).slice(0, 200).replace(/[^\x20-\x7e]/g, "")]) }, shape: "kube" }),
  ];
  return [rng.pick(variants)()];
}
