// What the volume controllers remember about a claim between passes, which upstream keeps in
// memory: the last event each component reported about it (upstream repeats its events on every
// periodic resync; here a situation is reported once, so a waiting claim costs no write), and when
// a provisioning or resize operation began (operations take virtual time). Stored as an internal
// object `kubeplay.internal/volume-claims/<namespace>/<claim>`, written only when one of these
// changes, and forgotten with the claim.
import type { KubeObject } from "../../resources/types";
import type { ControllerContext, EventType } from "../types";

export const CLAIM_STATE = "kubeplay.internal/volume-claims";

export interface ClaimState extends KubeObject {
  /** The claim it belongs to: a recreated claim starts afresh. */
  uid: string;
  /** component → "reason\u0000message" of the last event it recorded about the claim. */
  reported?: Record<string, string>;
  /** Virtual ms a provisioner started creating the claim's volume. */
  provisionStartedAt?: number;
  /** Virtual ms the resizer started growing the claim's volume, and to what size. */
  resizeStartedAt?: number;
  resizeTo?: string;
}

export function readClaimState(ctx: ControllerContext, pvc: KubeObject): ClaimState {
  const ns = pvc.metadata.namespace ?? "";
  const name = pvc.metadata.name ?? "";
  const stored = ctx.get(CLAIM_STATE, ns, name) as ClaimState | undefined;
  if (stored && stored.uid === pvc.metadata.uid) return structuredClone(stored);
  return { apiVersion: "kubeplay.internal/v1", kind: "VolumeClaimState", metadata: { namespace: ns, name }, uid: pvc.metadata.uid ?? "" };
}

export function updateClaimState(ctx: ControllerContext, pvc: KubeObject, mutate: (s: ClaimState) => void): void {
  const state = readClaimState(ctx, pvc);
  const before = JSON.stringify(state);
  mutate(state);
  if (JSON.stringify(state) !== before) ctx.emit({ type: "put", resource: CLAIM_STATE, object: state });
}

/**
 * Records an event about the claim unless it is what `component` last reported about it (or in
 * `slot`, when a component reports on two matters): a level-triggered pass would otherwise record
 * it again on every pass. Returns whether it recorded.
 */
export function reportOnce(ctx: ControllerContext, pvc: KubeObject, type: EventType, reason: string, message: string, component: string, slot = component): boolean {
  const key = `${reason}\u0000${message}`;
  if (readClaimState(ctx, pvc).reported?.[slot] === key) return false;
  ctx.event(pvc, type, reason, message, component);
  updateClaimState(ctx, pvc, (s) => void (s.reported = { ...(s.reported ?? {}), [slot]: key }));
  return true;
}

/** Forgets the state of claims that are gone (or were recreated under the same name). */
export function collectClaimStates(ctx: ControllerContext, claims: KubeObject[]): void {
  const states = ctx.list(CLAIM_STATE) as ClaimState[];
  if (states.length === 0) return;
  const live = new Set(claims.map((c) => `${c.metadata.namespace}/${c.metadata.name}/${c.metadata.uid}`));
  for (const s of states) {
    if (!live.has(`${s.metadata.namespace}/${s.metadata.name}/${s.uid}`)) ctx.emit({ type: "delete", resource: CLAIM_STATE, object: s });
  }
}
