// Core kinds other than pods and services: Namespace, Node, ConfigMap, Secret, PersistentVolume(Claim),
// ResourceQuota, LimitRange and Event.
// Models pkg/apis/core/validation/validation.go and pkg/registry/core/namespace/strategy.go PrepareForCreate
import { deepEqual } from "../../util/equal";
import type { FieldError, KubeObject } from "../types";
import {
  FIELD_IMMUTABLE,
  arr,
  child,
  ensure,
  forbidden,
  goStringSlice,
  idx,
  invalid,
  key,
  notSupported,
  type Obj,
  rec,
  required,
  setDefault,
  sortedKeys,
  spec as specOf,
  str,
  tooLong,
} from "./field";
import { isConfigMapKey, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from "./formats";
import { validateLabelSelector } from "./meta";
import { canonicalizeResourceList } from "./pod-defaults";
import { cmpQuantity, parseQuantity } from "./quantity";
import { quantityValue } from "./quota";

const MAX_SECRET_SIZE = 1024 * 1024;
const STANDARD_FINALIZERS = ["kubernetes", "orphan", "foregroundDeletion"];

/** True while an object is being created (the write pipeline clears resourceVersion first). */
function creating(obj: KubeObject): boolean {
  return !obj.metadata.resourceVersion;
}

export function defaultNamespace(obj: KubeObject): void {
  const name = str(obj.metadata.name);
  if (name) obj.metadata.labels = { ...(obj.metadata.labels ?? {}), "kubernetes.io/metadata.name": name };
  // The kubernetes finalizer is added at creation only: the namespace controller removes it later.
  if (creating(obj)) {
    const spec = ensure(obj, "spec");
    const finalizers = arr(spec.finalizers);
    if (!finalizers.includes("kubernetes")) spec.finalizers = [...finalizers, "kubernetes"];
  }
  setDefault(ensure(obj, "status"), "phase", "Active");
}

export function validateNamespace(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of arr(specOf(obj).finalizers)) {
    const name = str(f);
    for (const m of isQualifiedName(name)) errs.push(invalid("spec.finalizers", name, m));
    if (!name.includes("/") && !STANDARD_FINALIZERS.includes(name)) {
      errs.push(invalid("spec.finalizers", name, "name is neither a standard finalizer name nor is it fully qualified"));
    }
  }
  return errs;
}

// ---- Node ----

export function defaultNode(obj: KubeObject): void {
  const status = rec(obj.status);
  if (!status) return;
  canonicalizeResourceList(status.capacity);
  canonicalizeResourceList(status.allocatable);
  if (!rec(status.allocatable) && rec(status.capacity)) status.allocatable = { ...(rec(status.capacity) as Obj) };
}

const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

export function validateNode(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  arr(specOf(obj).taints).forEach((t, i) => {
    const taint = rec(t) ?? {};
    const p = idx("spec.taints", i);
    const k = str(taint.key);
    for (const m of isQualifiedName(k)) errs.push(invalid(child(p, "key"), k, m));
    const v = str(taint.value);
    for (const m of isValidLabelValue(v)) errs.push(invalid(child(p, "value"), v, m));
    const effect = str(taint.effect);
    if (!effect) errs.push(required(child(p, "effect")));
    else if (!TAINT_EFFECTS.includes(effect)) errs.push(notSupported(child(p, "effect"), effect, TAINT_EFFECTS));
    const id = `${k}:${effect}`;
    if (seen.has(id)) errs.push(invalid("spec.taints", null, `taints must be unique by key and effect pair`));
    seen.add(id);
  });
  return errs;
}

// ---- ConfigMap and Secret ----

export function validateConfigMap(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = rec(obj.data);
  const binary = rec(obj.binaryData);
  let size = 0;
  for (const k of sortedKeys(data)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(key("data", k), k, m));
    if (binary && k in binary) errs.push(invalid(key("data", k), k, "duplicate of key present in binaryData"));
    size += str(data?.[k]).length;
  }
  for (const k of sortedKeys(binary)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(key("binaryData", k), k, m));
    if (data && k in data) errs.push(invalid(key("binaryData", k), k, "duplicate of key present in data"));
    size += Math.floor((str(binary?.[k]).length * 3) / 4);
  }
  if (size > MAX_SECRET_SIZE) errs.push(tooLong("", MAX_SECRET_SIZE));
  return errs;
}

/** Go's base64.StdEncoding error for a []byte field, or undefined when the text decodes. */
// Models encoding/base64 decodeQuantum (error offsets count the raw input, newlines included)
export function base64Error(s: string): string | undefined {
  const pos: number[] = [];
  for (let i = 0; i < s.length; i++) if (s[i] !== "\n" && s[i] !== "\r") pos.push(i);
  const at = (i: number) => `illegal base64 data at input byte ${i}`;
  for (let q = 0; q < pos.length; q += 4) {
    for (let j = 0; j < 4; j++) {
      if (q + j >= pos.length) return j === 0 ? undefined : at(pos[q]);
      const c = s[pos[q + j]];
      if (c !== "=") {
        if (!/[A-Za-z0-9+/]/.test(c)) return at(pos[q + j]);
        continue;
      }
      // Padding: only in the last two places of the final quantum.
      if (j < 2) return at(pos[q + j]);
      if (j === 2) {
        if (q + 3 >= pos.length) return at(s.length);
        if (s[pos[q + 3]] !== "=") return at(pos[q + 3]);
      }
      const rest = q + 4;
      return rest < pos.length ? at(pos[rest]) : undefined;
    }
  }
  return undefined;
}

function base64Encode(text: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}

export function defaultSecret(obj: KubeObject): void {
  if (!str(obj.type)) obj.type = "Opaque";
  // stringData is write-only: conversion folds it into data, where it wins over the same key.
  const stringData = rec(obj.stringData);
  if (stringData) {
    const data = { ...(rec(obj.data) ?? {}) };
    for (const [k, v] of Object.entries(stringData)) data[k] = base64Encode(str(v));
    obj.data = data;
  }
  delete obj.stringData;
}

function secretValue(v: unknown): string {
  const s = str(v);
  try {
    return base64Error(s) ? "" : atob(s.replace(/[\r\n]/g, ""));
  } catch {
    return "";
  }
}

// Models pkg/apis/core/validation/validation.go ValidateSecret
export function validateSecret(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = rec(obj.data);
  let size = 0;
  for (const k of sortedKeys(data)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(key("data", k), k, m));
    const e = base64Error(str(data?.[k]));
    if (e) errs.push(invalid(key("data", k), "<secret contents redacted>", e));
    size += secretValue(data?.[k]).length;
  }
  if (size > MAX_SECRET_SIZE) errs.push(tooLong("data", MAX_SECRET_SIZE));
  const has = (k: string) => !!data && data[k] !== undefined;
  switch (str(obj.type)) {
    case "kubernetes.io/service-account-token":
      if (!str(obj.metadata.annotations?.["kubernetes.io/service-account.name"])) {
        errs.push(required("metadata.annotations[kubernetes.io/service-account.name]"));
      }
      break;
    case "kubernetes.io/dockercfg":
      if (!has(".dockercfg")) errs.push(required("data[.dockercfg]"));
      break;
    case "kubernetes.io/dockerconfigjson":
      if (!has(".dockerconfigjson")) errs.push(required("data[.dockerconfigjson]"));
      break;
    case "kubernetes.io/basic-auth":
      if (!has("username") && !has("password")) errs.push(required("data[username]"), required("data[password]"));
      break;
    case "kubernetes.io/ssh-auth":
      if (!secretValue(data?.["ssh-privatekey"])) errs.push(required("data[ssh-privatekey]"));
      break;
    case "kubernetes.io/tls":
      if (!has("tls.crt")) errs.push(required("data[tls.crt]"));
      if (!has("tls.key")) errs.push(required("data[tls.key]"));
      break;
  }
  return errs;
}

/** Immutable ConfigMaps and Secrets, and the Secret type. */
export function validateDataUpdate(obj: KubeObject, old: KubeObject, isSecret: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (isSecret && str(obj.type) !== str(old.type)) errs.push(invalid("type", str(obj.type), FIELD_IMMUTABLE));
  if (old.immutable === true) {
    if (obj.immutable !== true) errs.push(forbidden("immutable", "field is immutable when `immutable` is set"));
    if (!deepEqual(obj.data, old.data)) errs.push(forbidden("data", "field is immutable when `immutable` is set"));
    if (!isSecret && !deepEqual(obj.binaryData, old.binaryData)) errs.push(forbidden("binaryData", "field is immutable when `immutable` is set"));
  }
  return errs;
}

// ---- PersistentVolume and PersistentVolumeClaim ----

const ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
const VOLUME_MODES = ["Block", "Filesystem"];
const PV_SOURCES = ["hostPath", "local", "nfs", "csi", "iscsi", "fc", "rbd", "cephfs", "cinder", "glusterfs", "flexVolume", "azureFile", "azureDisk", "awsElasticBlockStore", "gcePersistentDisk", "vsphereVolume", "portworxVolume", "photonPersistentDisk", "scaleIO", "storageos", "quobyte", "flocker"];

export function defaultPersistentVolume(obj: KubeObject): void {
  const spec = ensure(obj, "spec");
  setDefault(spec, "persistentVolumeReclaimPolicy", "Retain");
  setDefault(spec, "volumeMode", "Filesystem");
  canonicalizeResourceList(spec.capacity);
  const hostPath = rec(spec.hostPath);
  if (hostPath && hostPath.type === undefined) hostPath.type = "";
}

function validateAccessModes(modes: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = arr(modes).map(str);
  if (!list.length) errs.push(required(field, "at least 1 access mode is required"));
  for (const m of list) if (!ACCESS_MODES.includes(m)) errs.push(notSupported(field, m, ACCESS_MODES));
  if (list.includes("ReadWriteOncePod") && list.length > 1) errs.push(forbidden(field, "may not use ReadWriteOncePod with other access modes"));
  return errs;
}

export function validatePersistentVolume(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  const modes = arr(spec.accessModes);
  if (!modes.length) errs.push(required("spec.accessModes"));
  else for (const m of modes.map(str)) if (!ACCESS_MODES.includes(m)) errs.push(notSupported("spec.accessModes", m, ACCESS_MODES));
  const capacity = rec(spec.capacity);
  if (!capacity || !Object.keys(capacity).length) errs.push(required("spec.capacity"));
  else if (!("storage" in capacity) || Object.keys(capacity).length > 1) {
    errs.push(notSupported("spec.capacity", goStringSlice(Object.keys(capacity).sort()), ["storage"]));
  } else errs.push(...quantityValue(capacity.storage, "spec.capacity[storage]"));
  const sources = PV_SOURCES.filter((s) => spec[s] != null);
  if (!sources.length) errs.push(required("spec", "must specify a volume type"));
  for (const s of sources.slice(1)) errs.push(forbidden(child("spec", s), "may not specify more than 1 volume type"));
  if (spec.hostPath != null && !str(rec(spec.hostPath)?.path)) errs.push(required("spec.hostPath.path"));
  const policy = str(spec.persistentVolumeReclaimPolicy);
  if (policy && !["Delete", "Recycle", "Retain"].includes(policy)) errs.push(notSupported("spec.persistentVolumeReclaimPolicy", policy, ["Delete", "Recycle", "Retain"]));
  const vm = spec.volumeMode;
  if (vm != null && !VOLUME_MODES.includes(str(vm))) errs.push(notSupported("spec.volumeMode", vm, VOLUME_MODES));
  const sc = str(spec.storageClassName);
  if (sc) for (const m of isDNS1123Subdomain(sc)) errs.push(invalid("spec.storageClassName", sc, m));
  return errs;
}

export function validatePersistentVolumeUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const a = specOf(obj);
  const b = specOf(old);
  if (PV_SOURCES.some((src) => !deepEqual(a[src], b[src]))) {
    errs.push(forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation"));
  }
  if (!deepEqual(a.volumeMode, b.volumeMode)) errs.push(invalid("volumeMode", str(a.volumeMode), FIELD_IMMUTABLE));
  return errs;
}

export function defaultPersistentVolumeClaim(obj: KubeObject): void {
  const spec = ensure(obj, "spec");
  setDefault(spec, "volumeMode", "Filesystem");
  canonicalizeResourceList(rec(spec.resources)?.requests);
  canonicalizeResourceList(rec(spec.resources)?.limits);
}

// Models pkg/apis/core/validation/validation.go ValidatePersistentVolumeClaimSpec
export function validatePersistentVolumeClaim(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs = validateAccessModes(spec.accessModes, "spec.accessModes");
  if (spec.selector != null) errs.push(...validateLabelSelector(spec.selector, "spec.selector"));
  const requests = rec(rec(spec.resources)?.requests);
  if (!requests || requests.storage === undefined) errs.push(required("spec.resources[storage]"));
  else errs.push(...quantityValue(requests.storage, "spec.resources[storage]", true));
  const sc = str(spec.storageClassName);
  if (sc) for (const m of isDNS1123Subdomain(sc)) errs.push(invalid("spec.storageClassName", sc, m));
  const vm = spec.volumeMode;
  if (vm != null && !VOLUME_MODES.includes(str(vm))) errs.push(notSupported("spec.volumeMode", vm, VOLUME_MODES));
  return errs;
}

// Models pkg/apis/core/validation/validation.go ValidatePersistentVolumeClaimUpdate (1.32: with
// RetroactiveDefaultStorageClass and RecoverVolumeExpansionFailure; the spec diff upstream appends
// to the immutability message is left out)
export function validatePersistentVolumeClaimUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const a: Obj = structuredClone(specOf(obj));
  const b: Obj = structuredClone(specOf(old));
  // Binding sets volumeName once.
  if (!str(b.volumeName)) b.volumeName = a.volumeName;
  // A claim created without a class may be given one (the PV controller assigns the default).
  const betaClass = "volume.beta.kubernetes.io/storage-class";
  if (old.metadata.annotations?.[betaClass] === undefined && b.storageClassName == null && str(a.storageClassName)) delete a.storageClassName;
  // A bound claim may change its storage request.
  const bound = str(rec(obj.status)?.phase) === "Bound";
  const newStorage = rec(rec(a.resources)?.requests)?.storage;
  const oldStorage = rec(rec(b.resources)?.requests)?.storage;
  if (bound && rec(a.resources) && rec(rec(a.resources)?.requests)) ensure(ensure(a, "resources"), "requests").storage = oldStorage;
  if (!deepEqual(a, b)) errs.push(forbidden("spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"));
  const n = parseQuantity(newStorage);
  const o = parseQuantity(oldStorage);
  if (typeof n !== "string" && typeof o !== "string" && cmpQuantity(n, o) < 0) {
    // Lowering a request is allowed down to just above the capacity, to recover from a failed expansion.
    const c = parseQuantity(rec(rec(old.status)?.capacity)?.storage ?? "0");
    if (typeof c !== "string" && cmpQuantity(n, c) <= 0) errs.push(forbidden("spec.resources.requests.storage", "field can not be less than status.capacity"));
  }
  return errs;
}
