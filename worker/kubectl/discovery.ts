// The resource types the server serves, read from aggregated discovery (`/api`, `/apis`) the way
// kubectl reads them, and the name resolution kubectl does with them: short names (`po`, `deploy`),
// singular and plural names in any case, `resource.group` and `resource.version.group`, categories
// (`all`).
// Models client-go discovery/aggregated_discovery.go, restmapper/shortcut.go, restmapper/category_expansion.go
// and apimachinery meta/restmapper.go (coerceResourceForMatching, ParseResourceArg).
import { ACCEPT_JSON, type Client } from "./client";
import { KubectlError } from "./errors";

const ACCEPT_AGGREGATED =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

export interface Mapping {
  group: string;
  version: string;
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  verbs: string[];
  categories: string[];
  /** This group's preferred version (the first served). */
  preferred: boolean;
  subresources: string[];
}

interface DiscoveryResource {
  resource: string;
  responseKind?: { group: string; version: string; kind: string };
  scope: "Namespaced" | "Cluster";
  singularResource?: string;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: { subresource: string }[];
}

interface DiscoveryGroup {
  metadata: { name?: string };
  versions: { version: string; resources: DiscoveryResource[] }[];
}

export class Discovery {
  constructor(readonly mappings: Mapping[]) {}

  static async load(client: Client): Promise<Discovery> {
    const out: Mapping[] = [];
    for (const root of ["/api", "/apis"]) {
      const list = await client.json<{ items?: DiscoveryGroup[] }>("GET", root, { accept: ACCEPT_AGGREGATED, query: { timeout: "32s" } });
      for (const g of list.items ?? []) {
        g.versions.forEach((v, i) => {
          for (const r of v.resources) {
            out.push({
              group: g.metadata.name ?? "",
              version: v.version,
              resource: r.resource,
              kind: r.responseKind?.kind ?? "",
              singular: r.singularResource ?? r.resource,
              namespaced: r.scope === "Namespaced",
              shortNames: r.shortNames ?? [],
              verbs: r.verbs ?? [],
              categories: r.categories ?? [],
              preferred: i === 0,
              subresources: (r.subresources ?? []).map((s) => s.subresource),
            });
          }
        });
      }
    }
    return new Discovery(out);
  }

  /** Group versions in discovery order (`kubectl api-versions` sorts them). */
  groupVersions(): string[] {
    const seen = new Set<string>();
    for (const m of this.mappings) seen.add(m.group ? `${m.group}/${m.version}` : m.version);
    return [...seen];
  }

  /** Preferred-version mappings, in discovery order. */
  preferredMappings(): Mapping[] {
    return this.mappings.filter((m) => m.preferred);
  }

  /** Resolves what a user typed (`po`, `Deployment`, `deployments.apps`, `hpa.v2.autoscaling`) to a type. */
  find(arg: string): Mapping | undefined {
    const lower = arg.toLowerCase();
    const preferred = this.preferredMappings();
    // Short names first, as kubectl's shortcut expander rewrites them before anything else.
    const short = preferred.find((m) => m.shortNames.includes(lower));
    if (short) return short;
    const matches = (m: Mapping, name: string) => m.resource === name || m.singular === name || m.kind.toLowerCase() === name;
    const plain = preferred.find((m) => matches(m, lower));
    if (plain) return plain;
    // resource.version.group, then resource.group.
    const parts = lower.split(".");
    if (parts.length >= 3) {
      const [name, version, ...group] = parts;
      const m = this.mappings.find((x) => x.version === version && x.group === group.join(".") && (matches(x, name) || x.shortNames.includes(name)));
      if (m) return m;
    }
    if (parts.length >= 2) {
      const [name, ...group] = parts;
      const m = preferred.find((x) => x.group === group.join(".") && (matches(x, name) || x.shortNames.includes(name)));
      if (m) return m;
    }
    return undefined;
  }

  /** Like find, but with kubectl's error for a type the server does not have. */
  mustFind(arg: string): Mapping {
    const m = this.find(arg);
    if (!m) throw new KubectlError(`the server doesn't have a resource type "${arg}"`);
    return m;
  }

  /** The types a category (`all`) stands for, in discovery order. */
  category(name: string): Mapping[] | undefined {
    const ms = this.preferredMappings().filter((m) => m.categories.includes(name));
    return ms.length ? ms : undefined;
  }

  /** A mapping for a kind in an apiVersion (objects from files). */
  forKind(apiVersion: string, kind: string): Mapping | undefined {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    return this.mappings.find((m) => m.group === group && m.version === version && m.kind === kind && !m.resource.includes("/"));
  }
}

/** `deployments.apps`, `pods`: how kubectl names a resource type in messages. */
export function groupResource(m: Pick<Mapping, "group" | "resource">): string {
  return m.group ? `${m.resource}.${m.group}` : m.resource;
}

/** `deployment.apps`, `pod`: the kind-based prefix of `kind/name` output. */
export function kindPrefix(m: Pick<Mapping, "group" | "kind">): string {
  return (m.group ? `${m.kind}.${m.group}` : m.kind).toLowerCase();
}

/** The API path of a collection or an object. */
export function resourcePath(m: Pick<Mapping, "group" | "version" | "resource" | "namespaced">, namespace?: string, name?: string, sub?: string): string {
  let p = m.group ? `/apis/${m.group}/${m.version}` : `/api/${m.version}`;
  if (m.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${m.resource}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (sub) p += `/${sub}`;
  return p;
}

export { ACCEPT_JSON };
