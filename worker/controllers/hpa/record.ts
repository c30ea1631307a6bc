// What the HPA controller keeps between syncs that upstream keeps in memory: recent
// recommendations and scale events (for stabilization and rate limits), and the last sync that
// acted. Stored as an internal object `kubeplay.internal/autoscalers/<namespace>/<hpa>`, written
// only when one of these changes, so an HPA at steady state costs no write.
import type { KubeObject } from "../../resources/types";
import type { ControllerContext } from "../types";
import type { AutoscalerState } from "./normalize";

export const AUTOSCALERS = "kubeplay.internal/autoscalers";

export interface AutoscalerRecord extends KubeObject, AutoscalerState {
  /** The HPA it belongs to: a recreated HPA starts afresh. */
  uid: string;
  /** The sync slot (epoch ms) whose decision has been taken. */
  lastSync?: number;
}

export function readRecord(ctx: ControllerContext, hpa: KubeObject): AutoscalerRecord {
  const ns = hpa.metadata.namespace ?? "";
  const name = hpa.metadata.name ?? "";
  const stored = ctx.get(AUTOSCALERS, ns, name) as AutoscalerRecord | undefined;
  if (stored && stored.uid === hpa.metadata.uid) return structuredClone(stored);
  return {
    apiVersion: "kubeplay.internal/v1",
    kind: "AutoscalerState",
    metadata: { namespace: ns, name },
    uid: hpa.metadata.uid ?? "",
    recommendations: [],
    scaleUpEvents: [],
    scaleDownEvents: [],
  };
}

export function writeRecord(ctx: ControllerContext, rec: AutoscalerRecord): void {
  ctx.emit({ type: "put", resource: AUTOSCALERS, object: rec });
}

/** Forgets the state of HPAs that are gone (or were recreated under the same name). */
export function collectGarbage(ctx: ControllerContext, hpas: KubeObject[]): void {
  const live = new Set(hpas.map((h) => `${h.metadata.namespace}/${h.metadata.name}/${h.metadata.uid}`));
  for (const rec of ctx.list(AUTOSCALERS) as AutoscalerRecord[]) {
    if (!live.has(`${rec.metadata.namespace}/${rec.metadata.name}/${rec.uid}`)) ctx.emit({ type: "delete", resource: AUTOSCALERS, object: rec });
  }
}
