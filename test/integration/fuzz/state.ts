// A sandbox's objects as names and resourceVersions, listed through its API: what "no state
// change" compares before and after the run.
import { RESOURCE_TYPES } from "../../../worker/resources/registry";
import { api } from "../helpers";

export type Snapshot = Map<string, string>;

/** Every served resource that lists, once (events.k8s.io and autoscaling/v1 are views of other stores). */
const LISTED = RESOURCE_TYPES.filter((t) => t.verbs.includes("list") && !(t.group === "events.k8s.io") && !(t.group === "autoscaling" && t.version === "v1"));

export async function snapshot(id: string): Promise<Snapshot> {
  const out: Snapshot = new Map();
  // The sandbox's own resourceVersion moves with any write at all, the internal records behind pods
  // and nodes included (a container's files, a node's files), which no list shows.
  const namespaces = await api(id, "GET", "/api/v1/namespaces");
  if (namespaces.status !== 200) throw new Error(`listing namespaces: ${namespaces.status}`);
  out.set("sandbox resourceVersion", namespaces.json.metadata.resourceVersion);
  for (const t of LISTED) {
    const path = `/${t.group ? `apis/${t.group}` : "api"}/${t.version}/${t.resource}`;
    const res = await api(id, "GET", path);
    if (res.status !== 200) throw new Error(`listing ${path}: ${res.status} ${res.text.slice(0, 200)}`);
    for (const o of res.json.items) out.set(`${t.group}/${t.resource} ${o.metadata.namespace ?? ""}/${o.metadata.name}`, o.metadata.resourceVersion);
  }
  return out;
}

/** What differs between two snapshots, one line per object. */
export function diff(before: Snapshot, after: Snapshot): string[] {
  const lines: string[] = [];
  for (const [k, rv] of before) {
    if (!after.has(k)) lines.push(`deleted ${k}`);
    else if (after.get(k) !== rv) lines.push(`changed ${k} (resourceVersion ${rv} → ${after.get(k)})`);
  }
  for (const k of after.keys()) if (!before.has(k)) lines.push(`created ${k}`);
  return lines;
}

export { LISTED };
