// The two shapes of an Event: core/v1 and events.k8s.io/v1 differ only in field names.
// Models pkg/apis/events/v1/conversion.go Convert_v1_Event_To_core_Event / Convert_core_Event_To_v1_Event
import type { KubeObject } from "./types";

/** core/v1 field → events.k8s.io/v1 field; every other field has the same name in both. */
const RENAMED: [core: string, v1: string][] = [
  ["involvedObject", "regarding"],
  ["message", "note"],
  ["source", "deprecatedSource"],
  ["firstTimestamp", "deprecatedFirstTimestamp"],
  ["lastTimestamp", "deprecatedLastTimestamp"],
  ["count", "deprecatedCount"],
  ["reportingComponent", "reportingController"],
];
const TO_V1 = new Map(RENAMED);
const TO_CORE = new Map(RENAMED.map(([core, v1]) => [v1, core]));

function rename(ev: KubeObject, names: Map<string, string>, apiVersion: string): KubeObject {
  const out: KubeObject = { apiVersion, kind: "Event", metadata: ev.metadata };
  for (const [k, v] of Object.entries(ev)) {
    if (k === "apiVersion" || k === "kind" || k === "metadata" || v === undefined) continue;
    out[names.get(k) ?? k] = v;
  }
  return out;
}

export function coreEventToEventsV1(ev: KubeObject): KubeObject {
  return rename(ev, TO_V1, "events.k8s.io/v1");
}

export function eventsV1ToCoreEvent(ev: KubeObject): KubeObject {
  return rename(ev, TO_CORE, "v1");
}
