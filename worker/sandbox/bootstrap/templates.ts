// Templates: manifests created in a sandbox right after it is made, so a landing-page click or an
// embedded tutorial starts with its objects in place. A create request names a template
// (`{"template":"nginx"}`), brings its own manifests (`{"manifests":"<yaml>"}`), or both (the
// template's objects first). The objects go through the API like any client's, so admission,
// validation and the controllers treat them exactly as they would `kubectl create -f`.
import { parseAllDocuments } from "yaml";
import { findKind, parseApiVersion, type ResourceType } from "../../resources/registry";

export interface Template {
  name: string;
  title: string;
  description: string;
  manifests: string;
}

const NGINX = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  replicas: 2
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: nginx
spec:
  selector:
    app: nginx
  ports:
  - port: 80
    targetPort: 80
`;

// The two pods of the kubernetes.io "Configure Liveness, Readiness and Startup Probes" task, and a
// Deployment whose readiness probe keeps it out of its Service until /ready exists.
const PROBES = `apiVersion: v1
kind: Pod
metadata:
  name: liveness-exec
  labels:
    test: liveness
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/busybox:1.27.2
    args:
    - /bin/sh
    - -c
    - touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600
    livenessProbe:
      exec:
        command:
        - cat
        - /tmp/healthy
      initialDelaySeconds: 5
      periodSeconds: 5
---
apiVersion: v1
kind: Pod
metadata:
  name: liveness-http
  labels:
    test: liveness
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/e2e-test-images/agnhost:2.40
    args:
    - liveness
    livenessProbe:
      httpGet:
        path: /healthz
        port: 8080
      initialDelaySeconds: 3
      periodSeconds: 3
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        readinessProbe:
          httpGet:
            path: /ready
            port: 80
          periodSeconds: 5
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
`;

export const TEMPLATES: Template[] = [
  { name: "empty", title: "Empty cluster", description: "A fresh cluster: one control-plane node and two workers.", manifests: "" },
  { name: "nginx", title: "nginx deployment + service", description: "Two nginx replicas behind a ClusterIP Service.", manifests: NGINX },
  {
    name: "probes",
    title: "Tutorial: probes",
    description: "Liveness probes that fail and restart containers, and a readiness probe that keeps a pod out of its Service.",
    manifests: PROBES,
  },
];

/** One object to create, with where it goes. */
export interface ManifestObject {
  /** 0-based position among the request's documents (template documents first). */
  index: number;
  type: ResourceType;
  object: Record<string, unknown>;
  namespace?: string;
}

/** Manifest text beyond this is refused (the create request body is capped at 64 KiB anyway). */
const MAX_DOCUMENTS = 100;

/**
 * The objects a create request asks for, checked before the sandbox exists: a document that is not
 * YAML, not an object, of a kind kubeplay does not serve, or without a name refuses the whole request.
 */
export function parseCreateManifests(body: unknown): ManifestObject[] | string {
  if (body === undefined || body === null || typeof body !== "object" || Array.isArray(body)) return [];
  const { template, manifests } = body as { template?: unknown; manifests?: unknown };
  const sources: string[] = [];
  if (template !== undefined) {
    if (typeof template !== "string") return "template must be a string";
    const t = TEMPLATES.find((x) => x.name === template);
    if (!t) return `unknown template "${template}" (known: ${TEMPLATES.map((x) => x.name).join(", ")})`;
    sources.push(t.manifests);
  }
  if (manifests !== undefined) {
    if (typeof manifests !== "string") return "manifests must be a string of YAML or JSON documents";
    sources.push(manifests);
  }
  const objects: Record<string, unknown>[] = [];
  for (const source of sources) {
    for (const doc of parseAllDocuments(source)) {
      // The parser reports running out of stack (a document nested thousands deep) as a parse error.
      if (doc.errors.length > 0) return `manifests: document ${objects.length + 1}: ${/Maximum call stack/i.test(doc.errors[0].message) ? "nested too deeply" : doc.errors[0].message}`;
      let value: unknown;
      try {
        value = doc.toJS();
      } catch (e) {
        // An alias expanded past the parser's limit (a "billion laughs" document).
        return `manifests: document ${objects.length + 1}: ${(e as Error).message}`;
      }
      if (value === null || value === undefined) continue;
      if (typeof value !== "object" || Array.isArray(value)) return `manifests: document ${objects.length + 1} is not an object`;
      const v = value as Record<string, unknown>;
      // A List (what `kubectl get -o yaml` prints) stands for its items.
      if (v.kind === "List" && Array.isArray(v.items)) objects.push(...(v.items as Record<string, unknown>[]));
      else objects.push(v);
    }
  }
  if (objects.length > MAX_DOCUMENTS) return `manifests: at most ${MAX_DOCUMENTS} objects`;
  const out: ManifestObject[] = [];
  for (const [index, object] of objects.entries()) {
    const where = `manifests: object ${index + 1}`;
    if (!object || typeof object !== "object" || Array.isArray(object)) return `${where} is not an object`;
    const { apiVersion, kind } = object as { apiVersion?: unknown; kind?: unknown };
    if (typeof apiVersion !== "string" || typeof kind !== "string") return `${where}: apiVersion and kind are required`;
    const type = findKind({ ...parseApiVersion(apiVersion), kind });
    if (!type) return `${where}: no matches for kind "${kind}" in version "${apiVersion}"`;
    const metadata = (object.metadata ?? {}) as { name?: unknown; generateName?: unknown; namespace?: unknown };
    if (typeof metadata.name !== "string" && typeof metadata.generateName !== "string") return `${where}: metadata.name is required`;
    const namespace = type.namespaced ? (typeof metadata.namespace === "string" && metadata.namespace) || "default" : undefined;
    out.push({ index, type, object, namespace });
  }
  return out;
}
