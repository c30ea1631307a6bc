// Pod spec defaulting: the v1 scheme defaults plus, for bare Pods, what the default admission
// chain adds (ServiceAccount, Priority, DefaultTolerationSeconds).
// Models pkg/apis/core/v1/defaults.go SetDefaults_PodSpec, SetDefaults_Container, SetDefaults_Pod
import { arr, ensure, type Obj, rec, setDefault, str } from "./field";
import { canonicalQuantity } from "./quantity";

export const VOLUME_SOURCES = [
  "hostPath",
  "emptyDir",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "gitRepo",
  "secret",
  "nfs",
  "iscsi",
  "glusterfs",
  "persistentVolumeClaim",
  "rbd",
  "flexVolume",
  "cinder",
  "cephfs",
  "flocker",
  "downwardAPI",
  "fc",
  "azureFile",
  "configMap",
  "vsphereVolume",
  "quobyte",
  "azureDisk",
  "photonPersistentDisk",
  "projected",
  "portworxVolume",
  "scaleIO",
  "storageos",
  "csi",
  "ephemeral",
  "image",
];

/** The tag of an image reference ("latest" when neither tag nor digest is given). */
export function imageTag(image: string): string {
  const at = image.indexOf("@");
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = name.lastIndexOf("/");
  const colon = name.indexOf(":", lastSlash + 1);
  if (colon >= 0) return name.slice(colon + 1);
  return at >= 0 ? "" : "latest";
}

/** Rewrites every quantity of a resource list into canonical form (rounded up to milli, as upstream). */
export function canonicalizeResourceList(list: unknown): void {
  const m = rec(list);
  if (!m) return;
  for (const k of Object.keys(m)) {
    const c = canonicalQuantity(m[k], true);
    if (c !== undefined) m[k] = c;
  }
}

function defaultFieldRef(holder: unknown): void {
  const ref = rec(rec(holder)?.fieldRef);
  if (ref) setDefault(ref, "apiVersion", "v1");
}

function defaultHandler(h: unknown): void {
  const handler = rec(h);
  if (!handler) return;
  // Models pkg/apis/core/v1/defaults.go SetDefaults_HTTPGetAction
  const http = rec(handler.httpGet);
  if (http) {
    setDefault(http, "path", "/");
    setDefault(http, "scheme", "HTTP");
  }
  const grpc = rec(handler.grpc);
  if (grpc && grpc.service === undefined) grpc.service = "";
}

function defaultProbe(p: unknown): void {
  const probe = rec(p);
  if (!probe) return;
  // Models pkg/apis/core/v1/defaults.go SetDefaults_Probe
  if (!probe.timeoutSeconds) probe.timeoutSeconds = 1;
  if (!probe.periodSeconds) probe.periodSeconds = 10;
  if (!probe.successThreshold) probe.successThreshold = 1;
  if (!probe.failureThreshold) probe.failureThreshold = 3;
  defaultHandler(probe);
}

export function defaultContainer(c: Obj): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(str(c.image)) === "latest" ? "Always" : "IfNotPresent";
  setDefault(c, "terminationMessagePath", "/dev/termination-log");
  setDefault(c, "terminationMessagePolicy", "File");
  for (const p of arr(c.ports)) {
    const port = rec(p);
    if (port) setDefault(port, "protocol", "TCP");
  }
  const resources = ensure(c, "resources");
  canonicalizeResourceList(resources.limits);
  canonicalizeResourceList(resources.requests);
  for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) defaultProbe(c[probe]);
  const lifecycle = rec(c.lifecycle);
  if (lifecycle) {
    defaultHandler(lifecycle.postStart);
    defaultHandler(lifecycle.preStop);
  }
  for (const e of arr(c.env)) defaultFieldRef(rec(e)?.valueFrom);
}

function defaultVolume(v: Obj): void {
  // Models pkg/apis/core/v1/defaults.go SetDefaults_Volume
  if (!VOLUME_SOURCES.some((s) => v[s] !== undefined && v[s] !== null)) v.emptyDir = {};
  for (const s of ["secret", "configMap", "downwardAPI", "projected"]) {
    const src = rec(v[s]);
    if (src && src.defaultMode === undefined) src.defaultMode = 420;
  }
  const hostPath = rec(v.hostPath);
  if (hostPath && hostPath.type === undefined) hostPath.type = "";
  for (const item of arr(rec(v.downwardAPI)?.items)) defaultFieldRef(item);
  for (const source of arr(rec(v.projected)?.sources)) {
    const src = rec(source) ?? {};
    for (const item of arr(rec(src.downwardAPI)?.items)) defaultFieldRef(item);
    const token = rec(src.serviceAccountToken);
    if (token && token.expirationSeconds === undefined) token.expirationSeconds = 3600;
  }
  const claim = rec(rec(rec(v.ephemeral)?.volumeClaimTemplate)?.spec);
  if (claim) setDefault(claim, "volumeMode", "Filesystem");
}

/** Defaults of any PodSpec (bare Pods and every controller template). */
export function defaultPodSpec(spec: Obj): void {
  setDefault(spec, "dnsPolicy", "ClusterFirst");
  setDefault(spec, "restartPolicy", "Always");
  if (!rec(spec.securityContext)) spec.securityContext = {};
  if (typeof spec.terminationGracePeriodSeconds !== "number") spec.terminationGracePeriodSeconds = 30;
  setDefault(spec, "schedulerName", "default-scheduler");
  // serviceAccount is the deprecated alias of serviceAccountName; the new field wins.
  if (!str(spec.serviceAccountName) && str(spec.serviceAccount)) spec.serviceAccountName = spec.serviceAccount;
  if (str(spec.serviceAccountName)) spec.serviceAccount = spec.serviceAccountName;
  for (const list of ["containers", "initContainers", "ephemeralContainers"]) {
    for (const c of arr(spec[list])) {
      const container = rec(c);
      if (container) defaultContainer(container);
    }
  }
  for (const v of arr(spec.volumes)) {
    const vol = rec(v);
    if (vol) defaultVolume(vol);
  }
  canonicalizeResourceList(spec.overhead);
}

const SYSTEM_PRIORITIES: Record<string, number> = {
  "system-node-critical": 2000001000,
  "system-cluster-critical": 2000000000,
};

const NOT_READY = "node.kubernetes.io/not-ready";
const UNREACHABLE = "node.kubernetes.io/unreachable";

// Models plugin/pkg/admission/defaulttolerationseconds/admission.go Admit
function addDefaultTolerations(spec: Obj): void {
  const tolerations = arr(spec.tolerations).map((t) => rec(t) ?? {});
  const tolerates = (key: string) =>
    tolerations.some((t) => (str(t.key) === key || !str(t.key)) && (str(t.effect) === "NoExecute" || !str(t.effect)));
  const add: Obj[] = [];
  for (const key of [NOT_READY, UNREACHABLE]) {
    if (!tolerates(key)) add.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
  }
  if (add.length) spec.tolerations = [...arr(spec.tolerations), ...add];
}

/** Defaults that only a bare Pod gets: SetDefaults_Pod and the admission plugins of a default cluster. */
export function defaultPod(pod: Obj): void {
  const spec = ensure(pod, "spec");
  for (const list of ["containers", "initContainers"]) {
    for (const c of arr(spec[list])) {
      const resources = rec(rec(c)?.resources);
      const limits = rec(resources?.limits);
      if (!resources || !limits) continue;
      // Requests left unset default to the limits.
      const requests = ensure(resources, "requests");
      for (const [k, v] of Object.entries(limits)) if (requests[k] === undefined) requests[k] = v;
    }
  }
  defaultPodSpec(spec);
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
  if (spec.hostNetwork === true) {
    for (const list of ["containers", "initContainers"]) {
      for (const c of arr(spec[list])) {
        for (const p of arr(rec(c)?.ports)) {
          const port = rec(p);
          if (port && !port.hostPort) port.hostPort = port.containerPort;
        }
      }
    }
  }
  // ServiceAccount admission (which leaves mirror pods of static pods alone).
  const mirror = rec(rec(pod.metadata)?.annotations)?.["kubernetes.io/config.mirror"] !== undefined;
  if (!str(spec.serviceAccountName) && !mirror) {
    spec.serviceAccountName = "default";
    spec.serviceAccount = "default";
  }
  // Priority admission.
  const pcName = str(spec.priorityClassName);
  if (spec.priority === undefined || spec.priority === null) {
    if (!pcName) spec.priority = 0;
    else if (pcName in SYSTEM_PRIORITIES) spec.priority = SYSTEM_PRIORITIES[pcName];
  }
  setDefault(spec, "preemptionPolicy", "PreemptLowerPriority");
  addDefaultTolerations(spec);
}

/** Defaults of a PodTemplateSpec held by a controller. */
export function defaultTemplate(template: unknown): void {
  const t = rec(template);
  if (!t) return;
  defaultPodSpec(ensure(t, "spec"));
}
