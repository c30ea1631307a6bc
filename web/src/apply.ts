// Applying manifests the way `kubectl apply --server-side` does: each document is sent on its own
// as a server-side apply patch (field manager `kubeplay-console`), or created when it only has a
// generateName. Where each kind lives (its resource name, whether it is namespaced) comes from the
// API's discovery, asked once per group version. The YAML library loads on first use.
import { ApiError, getJson } from "./api";

export interface DocResult {
  /** 1-based document number and the line it starts on, to point at it in the editor. */
  doc: number;
  line: number;
  kind?: string;
  name?: string;
  namespace?: string;
  ok: boolean;
  /** created / configured, or the API's (or the parser's) message. */
  message: string;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

const discovery = new Map<string, Promise<ApiResource[]>>();

function resourcesOf(base: string, apiVersion: string): Promise<ApiResource[]> {
  const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  let p = discovery.get(base + path);
  if (!p) {
    p = getJson<{ resources: ApiResource[] }>(`${base}${path}`).then((l) => l.resources.filter((r) => !r.name.includes("/")));
    p.catch(() => discovery.delete(base + path));
    discovery.set(base + path, p);
  }
  return p;
}

export const loadYaml = () => import("yaml");

/** Splits, parses and applies every document in order; one failing does not stop the others. */
export async function applyManifests(base: string, text: string, opts: { force?: boolean; fieldManager?: string } = {}): Promise<DocResult[]> {
  const { parseAllDocuments } = await loadYaml();
  const lineAt = (offset: number) => text.slice(0, offset).split("\n").length;
  const results: DocResult[] = [];
  let n = 0;
  for (const doc of parseAllDocuments(text)) {
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const line = lineAt(start);
    if (doc.errors.length) {
      results.push({ doc: ++n, line, ok: false, message: doc.errors[0].message });
      continue;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    n++;
    results.push(await applyObject(base, value, n, line, opts));
  }
  return results;
}

async function applyObject(base: string, value: unknown, doc: number, line: number, opts: { force?: boolean; fieldManager?: string }): Promise<DocResult> {
  const fail = (message: string, extra: Partial<DocResult> = {}): DocResult => ({ doc, line, ok: false, message, ...extra });
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail("the document is not an object");
  const obj = value as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; generateName?: unknown; namespace?: unknown } };
  if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") return fail("apiVersion and kind are required");
  const name = typeof obj.metadata?.name === "string" ? obj.metadata.name : undefined;
  const generateName = typeof obj.metadata?.generateName === "string" ? obj.metadata.generateName : undefined;
  const ident: Partial<DocResult> = { kind: obj.kind, name: name ?? generateName };
  try {
    const resource = (await resourcesOf(base, obj.apiVersion)).find((r) => r.kind === obj.kind);
    if (!resource) return fail(`no matches for kind "${obj.kind}" in version "${obj.apiVersion}"`, ident);
    const namespace = resource.namespaced ? (typeof obj.metadata?.namespace === "string" && obj.metadata.namespace) || "default" : undefined;
    if (namespace) ident.namespace = namespace;
    const group = obj.apiVersion.includes("/") ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
    const collection = `${base}${group}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ""}/${resource.name}`;
    const manager = opts.fieldManager ?? "kubeplay-console";
    let res: Response;
    if (!name && generateName) {
      res = await fetch(`${collection}?fieldManager=${manager}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(obj) });
    } else if (name) {
      const force = opts.force ? "&force=true" : "";
      res = await fetch(`${collection}/${encodeURIComponent(name)}?fieldManager=${manager}${force}`, {
        method: "PATCH",
        // JSON is YAML: the apply patch needs no re-serialising.
        headers: { "content-type": "application/apply-patch+yaml" },
        body: JSON.stringify(obj),
      });
    } else {
      return fail("metadata.name is required", ident);
    }
    const body = (await res.json().catch(() => ({}))) as { message?: string; metadata?: { name?: string } };
    if (!res.ok) return fail(body.message ?? `HTTP ${res.status}`, ident);
    return { doc, line, ...ident, name: body.metadata?.name ?? ident.name, ok: true, message: res.status === 201 ? "created" : "configured" };
  } catch (e) {
    return fail(e instanceof ApiError || e instanceof Error ? e.message : String(e), ident);
  }
}

/** An object as YAML for reading, without the bulky managedFields. */
export async function toYaml(obj: unknown): Promise<string> {
  const { stringify } = await loadYaml();
  const copy = structuredClone(obj) as { metadata?: Record<string, unknown> };
  if (copy.metadata) delete copy.metadata.managedFields;
  return stringify(copy);
}

/** An object as YAML to edit and apply again: only what its author would write. */
export async function toEditableYaml(obj: unknown): Promise<string> {
  const { stringify } = await loadYaml();
  const copy = structuredClone(obj) as { metadata?: Record<string, unknown>; status?: unknown };
  delete copy.status;
  if (copy.metadata) {
    for (const k of ["managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink", "ownerReferences"]) delete copy.metadata[k];
    const ann = copy.metadata.annotations as Record<string, string> | undefined;
    if (ann) delete ann["kubectl.kubernetes.io/last-applied-configuration"];
  }
  return stringify(copy);
}
