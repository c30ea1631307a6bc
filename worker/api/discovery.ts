// Discovery documents: aggregated (apidiscovery.k8s.io/v2) and the legacy APIVersions/APIGroupList/APIResourceList.
import { apiVersionOf, groupVersions, subresourcesOf, type ResourceType } from "../resources/registry";
import { METRICS_GROUP, METRICS_VERSION, metricsAggregatedGroup, metricsApiGroup, metricsResourceList } from "./metrics";

export type AggregatedVersion = "v2" | "v2beta1";

export function aggregatedDiscoveryType(version: AggregatedVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}

/**
 * The aggregated discovery version the client prefers, or undefined for legacy discovery. The first
 * clause the server can serve decides: kubectl 1.30+ asks for v2 then v2beta1, 1.27–1.29 only for v2beta1
 * (a 1.32 apiserver still serves both).
 */
export function wantsAggregated(accept: string | null): AggregatedVersion | undefined {
  if (!accept) return undefined;
  for (const clause of accept.split(",")) {
    const [type, ...rest] = clause.split(";").map((p) => p.trim());
    const params = new Map(rest.map((p) => [p.slice(0, p.indexOf("=")).trim(), p.slice(p.indexOf("=") + 1).trim()] as const));
    if (type !== "application/json" && type !== "*/*" && type !== "application/*") continue;
    if (!params.has("as")) return undefined;
    if (params.get("g") !== "apidiscovery.k8s.io" || params.get("as") !== "APIGroupDiscoveryList") continue;
    const v = params.get("v");
    if (v === "v2" || v === "v2beta1") return v;
  }
  return undefined;
}

function aggregatedResource(t: ResourceType): unknown {
  const r: Record<string, unknown> = {
    resource: t.resource,
    responseKind: { group: t.group, version: t.version, kind: t.kind },
    scope: t.namespaced ? "Namespaced" : "Cluster",
    singularResource: t.singular,
    verbs: t.verbs,
  };
  if (t.shortNames) r.shortNames = t.shortNames;
  if (t.categories) r.categories = t.categories;
  const subs = subresourcesOf(t);
  if (subs.length) {
    r.subresources = subs.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group, version: s.version, kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return r;
}

/** `/api` (legacy: core only) or `/apis` (every named group), aggregated. */
export function aggregatedDiscovery(core: boolean, version: AggregatedVersion = "v2"): unknown {
  const byGroup = new Map<string, { group: string; versions: { version: string; types: ResourceType[] }[] }>();
  for (const gv of groupVersions()) {
    if ((gv.group === "") !== core) continue;
    let g = byGroup.get(gv.group);
    if (!g) byGroup.set(gv.group, (g = { group: gv.group, versions: [] }));
    g.versions.push({ version: gv.version, types: gv.types });
  }
  const items: unknown[] = [...byGroup.values()].map((g) => ({
    metadata: g.group ? { name: g.group, creationTimestamp: null } : { creationTimestamp: null },
    versions: g.versions.map((v) => ({ version: v.version, resources: v.types.map(aggregatedResource), freshness: "Current" })),
  }));
  // The Metrics API is not stored objects; it is listed as metrics-server's APIService would be.
  if (!core) items.push(metricsAggregatedGroup());
  return { kind: "APIGroupDiscoveryList", apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

export function legacyApiVersions(serverAddress: string): unknown {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

function apiGroup(group: string): unknown | undefined {
  if (group === METRICS_GROUP) return metricsApiGroup();
  const versions = groupVersions().filter((gv) => gv.group === group);
  if (versions.length === 0) return undefined;
  const list = versions.map((v) => ({ groupVersion: `${group}/${v.version}`, version: v.version }));
  return { name: group, versions: list, preferredVersion: list[0] };
}

export function legacyApiGroupList(): unknown {
  const groups = [...new Set(groupVersions().map((gv) => gv.group)), METRICS_GROUP].filter((g) => g !== "");
  return { kind: "APIGroupList", apiVersion: "v1", groups: groups.map(apiGroup) };
}

export function legacyApiGroup(group: string): unknown | undefined {
  const g = apiGroup(group);
  return g ? { kind: "APIGroup", apiVersion: "v1", ...(g as object) } : undefined;
}

export function apiResourceList(group: string, version: string): unknown | undefined {
  if (group === METRICS_GROUP) return version === METRICS_VERSION ? metricsResourceList() : undefined;
  const gv = groupVersions().find((x) => x.group === group && x.version === version);
  if (!gv) return undefined;
  const resources: unknown[] = [];
  for (const t of gv.types) {
    const r: Record<string, unknown> = {
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
    };
    if (t.shortNames) r.shortNames = t.shortNames;
    if (t.categories) r.categories = t.categories;
    resources.push(r);
    for (const s of subresourcesOf(t)) {
      const sub: Record<string, unknown> = { name: `${t.resource}/${s.name}`, singularName: "", namespaced: t.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== t.group || s.version !== t.version) {
        sub.group = s.group;
        sub.version = s.version;
      }
      resources.push(sub);
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: apiVersionOf({ group, version }), resources };
}

export const VERSION_INFO = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.3",
  gitCommit: "32cc146f75aad04beaaa245a7157eb35063a9f99",
  gitTreeState: "clean",
  buildDate: "2025-03-11T19:52:21Z",
  goVersion: "go1.23.6",
  compiler: "gc",
  platform: "linux/amd64",
};
