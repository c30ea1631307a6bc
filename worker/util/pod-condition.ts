// Setting a condition in an object's status the way upstream's helpers do: the transition time
// moves only when the status changes, and an unchanged condition is reported as no change.
// Models pkg/api/v1/pod/util.go UpdatePodCondition

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  [field: string]: unknown;
}

export function getCondition(status: unknown, type: string): Condition | undefined {
  const list = (status as { conditions?: Condition[] } | undefined)?.conditions;
  return Array.isArray(list) ? list.find((c) => c.type === type) : undefined;
}

/** Puts `cond` into `status.conditions`; returns whether anything changed. */
export function updateCondition(status: Record<string, unknown>, cond: Condition, now: string): boolean {
  const list = Array.isArray(status.conditions) ? (status.conditions as Condition[]) : [];
  const i = list.findIndex((c) => c.type === cond.type);
  const next: Condition = { ...cond, lastTransitionTime: now };
  if (i < 0) {
    status.conditions = [...list, next];
    return true;
  }
  const old = list[i];
  if (old.status === next.status) next.lastTransitionTime = old.lastTransitionTime;
  const same =
    old.status === next.status &&
    (old.reason ?? "") === (next.reason ?? "") &&
    (old.message ?? "") === (next.message ?? "") &&
    (old.lastProbeTime ?? null) === (next.lastProbeTime ?? null) &&
    old.lastTransitionTime === next.lastTransitionTime;
  const copy = [...list];
  copy[i] = next;
  status.conditions = copy;
  return !same;
}
