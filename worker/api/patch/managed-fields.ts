// Field ownership (metadata.managedFields): server-side apply and the bookkeeping of ordinary writes.
// Models sigs.k8s.io/structured-merge-diff merge/update.go Updater.Apply and Updater.Update
import type { ManagedFieldsEntry } from "kubernetes-types/meta/v1";
import { KubeError, badRequest, type StatusCause } from "../status";
import type { KubeObject } from "../../resources/types";
import { allFields, compareObjects, FieldSet, itemPathElements, pathString, toFieldSet, type Path } from "./fieldset";
import { fieldSpec, rootTypeFor, type FieldSpec } from "./merge-keys";
import { deepClone, deepEqual, isObject, type JsonObject } from "./util";

type Operation = "Apply" | "Update";

interface Manager {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

// Models k8s.io/apimachinery/pkg/util/managedfields/internal/stripmeta.go: identity and server-owned fields are never owned.
const STRIPPED: Path[] = [
  ["f:apiVersion"],
  ["f:kind"],
  ...["name", "namespace", "creationTimestamp", "selfLink", "uid", "generation", "managedFields", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds"].map(
    (f) => ["f:metadata", `f:${f}`],
  ),
];

/** Drops fields nobody owns; only status writes own status, and they own nothing else. */
function stripIgnored(set: FieldSet, subresource?: string): FieldSet {
  for (const p of STRIPPED) set.removeSubtree(p);
  if (subresource === "status") {
    for (const k of [...set.children.keys()]) if (k !== "f:status") set.children.delete(k);
  } else {
    set.removeSubtree(["f:status"]);
  }
  return set;
}

function gvkKeyOf(obj: KubeObject): string {
  const slash = obj.apiVersion.indexOf("/");
  return `${slash < 0 ? "" : obj.apiVersion.slice(0, slash)}/${obj.kind}`;
}

function sameIdentity(a: Manager, b: Omit<Manager, "set">): boolean {
  return (
    a.manager === b.manager &&
    a.operation === b.operation &&
    (a.subresource ?? "") === (b.subresource ?? "") &&
    (a.operation === "Apply" || a.apiVersion === b.apiVersion)
  );
}

function decodeManagers(entries: unknown): Manager[] {
  if (!Array.isArray(entries)) return [];
  const out: Manager[] = [];
  for (const e of entries) {
    if (!isObject(e) || typeof e.manager !== "string") continue;
    out.push({
      manager: e.manager,
      operation: e.operation === "Apply" ? "Apply" : "Update",
      apiVersion: typeof e.apiVersion === "string" ? e.apiVersion : "",
      time: typeof e.time === "string" ? e.time : undefined,
      subresource: typeof e.subresource === "string" && e.subresource ? e.subresource : undefined,
      set: FieldSet.fromFieldsV1(e.fieldsV1),
    });
  }
  return out;
}

// Models k8s.io/apimachinery/pkg/util/managedfields/internal/managedfields.go sortEncodedManagedFields
function encodeManagers(managers: Manager[]): ManagedFieldsEntry[] {
  const live = managers.filter((m) => !m.set.isEmpty());
  live.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      cmp(p.time ?? "", q.time ?? "") ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? "", q.subresource ?? ""),
  );
  return live.map((m) => {
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
    if (m.time) e.time = m.time;
    e.fieldsType = "FieldsV1";
    e.fieldsV1 = m.set.toFieldsV1();
    if (m.subresource) e.subresource = m.subresource;
    return e;
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function setManagedFields(obj: KubeObject, managers: Manager[]): void {
  const encoded = encodeManagers(managers);
  if (encoded.length > 0) obj.metadata.managedFields = encoded;
  else delete obj.metadata.managedFields;
}

function withoutManagedFields(obj: KubeObject): KubeObject {
  const copy = deepClone(obj);
  if (copy.metadata) delete copy.metadata.managedFields;
  return copy;
}

function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x);
  return out;
}

// Models k8s.io/apimachinery/pkg/util/managedfields/internal/conflict.go printManager and getConflictMessage
function printManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === "Update") s += ` using ${m.apiVersion}`;
  return s;
}

function conflictError(conflicts: { manager: Manager; path: Path }[]): KubeError {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: "FieldManagerConflict",
    message: `conflict with ${printManager(c.manager)}`,
    field: pathString(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${pathString(conflicts[0].path)}`;
  } else {
    const lines: string[] = [];
    let last: Manager | undefined;
    for (const c of conflicts) {
      if (c.manager !== last) lines.push(`conflicts with ${printManager(c.manager)}:`);
      last = c.manager;
      lines.push(`- ${pathString(c.path)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return new KubeError(409, "Conflict", message, { causes });
}

/** Merges an applied configuration into the live value: config wins, associative lists merge by key. */
function mergeApplied(live: unknown, config: unknown, spec: FieldSpec | undefined): unknown {
  if (config === undefined) return live;
  if (live === undefined || live === null) return deepClone(config);
  if (Array.isArray(live) && Array.isArray(config)) {
    const lpe = itemPathElements(live, spec);
    const cpe = itemPathElements(config, spec);
    if (!lpe || !cpe) return deepClone(config);
    return mergeList(live, lpe, config, cpe, spec);
  }
  if (isObject(live) && isObject(config) && !spec?.atomic) {
    const out: JsonObject = { ...live };
    for (const [k, v] of Object.entries(config)) out[k] = mergeApplied(live[k], v, fieldSpec(spec?.type, k));
    return out;
  }
  return deepClone(config);
}

// Models structured-merge-diff typed/merge.go visitListItems: keeps both orders, live-only items stay in place.
function mergeList(live: unknown[], lpe: string[], config: unknown[], cpe: string[], spec: FieldSpec | undefined): unknown[] {
  const liveByKey = new Map(lpe.map((pe, i) => [pe, live[i]]));
  const inConfig = new Set(cpe);
  const emitted = new Set<string>();
  const itemSpec: FieldSpec | undefined = spec && { type: spec.type };
  const out: unknown[] = [];
  let l = 0;
  let r = 0;
  while (l < live.length || r < config.length) {
    if (l < live.length && emitted.has(lpe[l])) {
      l++;
    } else if (l < live.length && (r >= config.length || !inConfig.has(lpe[l]))) {
      if (!inConfig.has(lpe[l])) out.push(live[l]);
      l++;
    } else {
      out.push(mergeApplied(liveByKey.get(cpe[r]), config[r], itemSpec));
      emitted.add(cpe[r]);
      r++;
    }
  }
  return out;
}

// Struct fields that stay when emptied (non-pointer structs upstream); emptied maps and lists disappear.
const KEEP_WHEN_EMPTY = new Set(["metadata", "spec", "status", "template", "jobTemplate", "containers"]);

/** Removes the value at a field path; drops maps and lists the removal leaves empty. */
function removePath(container: unknown, path: Path, typeName: string | undefined, spec?: FieldSpec): boolean {
  if (path.length === 0) return false;
  const [pe, ...rest] = path;
  if (pe.startsWith("f:") && isObject(container)) {
    const name = pe.slice(2);
    if (!(name in container)) return false;
    const childSpec = fieldSpec(typeName, name);
    if (rest.length === 0 || removePath(container[name], rest, childSpec?.type, childSpec)) {
      const child = container[name];
      const emptied = rest.length > 0 && (Array.isArray(child) ? child.length === 0 : isObject(child) && Object.keys(child).length === 0);
      if (rest.length === 0 || (emptied && !KEEP_WHEN_EMPTY.has(name))) delete container[name];
    }
    return true;
  }
  if (Array.isArray(container)) {
    const pes = itemPathElements(container, spec);
    const i = pes ? pes.indexOf(pe) : -1;
    if (i < 0) return false;
    if (rest.length === 0) container.splice(i, 1);
    else removePath(container[i], rest, spec?.type);
    return true;
  }
  return false;
}

export interface ApplyOptions {
  manager: string;
  force: boolean;
  now: string;
  gvkKey: string;
}

/**
 * Server-side apply: merges `applied` into `current` (or returns it as the object to create), records
 * the manager's ownership, removes fields it no longer applies that nobody else owns, and answers a
 * 409 when it would change another manager's field without `force`.
 */
export function serverSideApply(current: KubeObject | undefined, applied: KubeObject, opts: ApplyOptions): KubeObject {
  if (!isObject(applied)) throw badRequest("error decoding YAML: the applied configuration must be an object");
  if (isObject(applied.metadata) && applied.metadata.managedFields != null) throw badRequest("metadata.managedFields must be nil");
  const typeName = rootTypeFor(opts.gvkKey);
  const config = dropNulls(deepClone(applied)) as KubeObject;
  if (!isObject(config.metadata)) config.metadata = {};
  const appliedSet = stripIgnored(toFieldSet(config, typeName));
  const apiVersion = config.apiVersion ?? current?.apiVersion ?? "";
  const identity = { manager: opts.manager, operation: "Apply" as const, apiVersion };

  if (!current) {
    setManagedFields(config, [{ ...identity, time: opts.now, set: appliedSet }]);
    return config;
  }

  const live = withoutManagedFields(current);
  let managers = decodeManagers(current.metadata?.managedFields);
  if (managers.length === 0) {
    // Objects written before ownership was tracked: what exists belongs to a pseudo-manager, so the first apply can conflict with it.
    managers = [{ manager: "before-first-apply", operation: "Update", apiVersion: live.apiVersion, time: opts.now, set: stripIgnored(allFields(live, typeName)) }];
  }
  const previous = managers.find((m) => sameIdentity(m, identity));
  const others = managers.filter((m) => m !== previous);

  const result = mergeApplied(live, config, { type: typeName }) as KubeObject;
  if (previous) {
    for (const path of previous.set.difference(appliedSet).members()) {
      if (appliedSet.hasWithin(path) || others.some((m) => m.set.hasWithin(path))) continue;
      removePath(result, path, typeName);
    }
  }

  const diff = compareObjects(live, result, typeName);
  const changed = stripIgnored(diff.added.union(diff.modified));
  const removed = stripIgnored(diff.removed);
  const conflicts: { manager: Manager; path: Path }[] = [];
  const byIdentity = [...others].sort((a, b) => cmp(identityKey(a), identityKey(b)));
  for (const m of byIdentity) for (const path of m.set.intersection(changed).members()) conflicts.push({ manager: m, path });
  if (conflicts.length > 0 && !opts.force) throw conflictError(conflicts);

  for (const m of others) m.set = m.set.difference(changed).difference(removed);
  const objectChanged = !deepEqual(live, result);
  const entry: Manager = { ...identity, time: objectChanged || !previous ? opts.now : previous.time, set: appliedSet };
  setManagedFields(result, [...others, entry]);
  return result;
}

function identityKey(m: Manager): string {
  return JSON.stringify({ manager: m.manager, operation: m.operation, apiVersion: m.operation === "Update" ? m.apiVersion : undefined, subresource: m.subresource });
}

export interface UpdateManagerOptions {
  manager: string;
  now: string;
  operation?: Operation;
  subresource?: string;
}

/**
 * Records a non-apply write (create, update, patch) in `next.metadata.managedFields`: the manager
 * takes the fields it added or changed, and those fields, plus removed ones, leave other managers.
 */
export function recordUpdateManager(old: KubeObject | undefined, next: KubeObject, opts: UpdateManagerOptions): void {
  if (!isObject(next.metadata)) next.metadata = {};
  const incoming = next.metadata.managedFields;
  // A single empty entry is the documented way to clear managedFields.
  if (Array.isArray(incoming) && incoming.length === 1 && isObject(incoming[0]) && Object.keys(incoming[0]).length === 0) {
    delete next.metadata.managedFields;
    return;
  }
  const typeName = rootTypeFor(gvkKeyOf(next));
  // Clients that drop or garble managedFields keep the stored ones; a valid list sent on the main resource replaces them.
  const sent = opts.subresource ? [] : decodeManagers(incoming);
  const managers = sent.length > 0 ? sent : decodeManagers(old?.metadata?.managedFields);
  const operation = opts.operation ?? "Update";
  const identity = { manager: opts.manager, operation, apiVersion: next.apiVersion, subresource: opts.subresource };
  const cleanNext = withoutManagedFields(next);

  const diff = compareObjects(old ? withoutManagedFields(old) : undefined, cleanNext, typeName);
  const took = stripIgnored(diff.added.union(diff.modified), opts.subresource);
  const lost = took.union(stripIgnored(diff.removed, opts.subresource));
  let own = managers.find((m) => sameIdentity(m, identity));
  for (const m of managers) if (m !== own || operation === "Update") m.set = m.set.difference(lost);

  if (operation === "Apply") {
    const set = stripIgnored(toFieldSet(cleanNext, typeName), opts.subresource);
    if (own) own.set = set;
    else managers.push((own = { ...identity, set }));
    own.time = opts.now;
  } else if (!took.isEmpty()) {
    if (own) own.set = own.set.union(took);
    else managers.push((own = { ...identity, set: took }));
    own.time = opts.now;
  }
  setManagedFields(next, managers);
}
