// The horizontal-pod-autoscaler controller. Upstream syncs every HPA every 15 s (first 15 s after
// it appears); here each HPA syncs at its creation time plus a multiple of 15 s of virtual time,
// and asks to be woken for the next one, so a sandbox without HPAs arms nothing. A pass between
// two syncs (another controller's write) leaves the HPA alone, and a sync that rescaled is not
// repeated by the passes that follow it at the same moment.
// Models pkg/controller/podautoscaler/horizontal.go (the worker queue with its fixed resync interval)
import { MetricsSnapshot } from "../../metrics/usage";
import { storageKey } from "../../resources/registry";
import type { Controller } from "../types";
import { SYNC_PERIOD_MS } from "./normalize";
import { collectGarbage, readRecord } from "./record";
import { HPA, reconcileAutoscaler } from "./sync";

/** A sync slot is honoured by passes this soon after it (an alarm fires a little late). */
const SLOT_SLACK_MS = 5_000;

/** The latest sync slot at or before `now` for an HPA created at `created`, or undefined before the first. */
export function syncSlot(created: number, now: number): number | undefined {
  const k = Math.floor((now - created) / SYNC_PERIOD_MS);
  return k >= 1 ? created + k * SYNC_PERIOD_MS : undefined;
}

export const hpaController: Controller = (ctx) => {
  const hpas = ctx.list(storageKey(HPA));
  collectGarbage(ctx, hpas);
  if (hpas.length === 0) return;
  const now = ctx.now();
  let snapshot: MetricsSnapshot | undefined;
  for (const hpa of hpas) {
    if (hpa.metadata.deletionTimestamp) continue;
    const created = Date.parse(hpa.metadata.creationTimestamp ?? "");
    if (!Number.isFinite(created)) continue;
    const slot = syncSlot(created, now);
    ctx.requeueAt((slot ?? created) + SYNC_PERIOD_MS);
    if (slot === undefined || now - slot >= SLOT_SLACK_MS) continue;
    const rec = readRecord(ctx, hpa);
    if (rec.lastSync === slot) continue;
    snapshot ??= new MetricsSnapshot(ctx, now);
    reconcileAutoscaler(ctx, hpa, rec, snapshot, slot);
  }
};
