// The hourly sweep (a cron trigger, see wrangler.toml): sandboxes nobody has used for IDLE_EXPIRY_DAYS
// are deleted — their D1 rows on every shard, their Durable Object's storage and alarm — and the
// creation counters of past hours are dropped. Each sandbox decides for itself, in its Durable Object,
// whether it is still idle, so a visit that came after the sweep read the row keeps it.
import type { Env } from "../env";
import { idleSandboxes } from "../store/activity";
import { boundShards } from "../store/shards";
import { pruneCreationCounts } from "./client-limits";
import { internalCall } from "./forward";

export const DEFAULT_IDLE_EXPIRY_DAYS = 30;
/**
 * Sandboxes looked at per shard and run (EXPIRY_BATCH): each costs a call to its Durable Object, and
 * a run's subrequests are limited (50 on the free plan, 1,000 on a paid one). The backlog, if any, is
 * taken up by the next hourly runs, oldest first.
 */
export const DEFAULT_EXPIRY_BATCH = 40;

export function expiryBatch(env: Pick<Env, "EXPIRY_BATCH">): number {
  const n = Number(env.EXPIRY_BATCH ?? "");
  return env.EXPIRY_BATCH?.trim() && Number.isInteger(n) && n > 0 ? n : DEFAULT_EXPIRY_BATCH;
}
const DAY_MS = 86_400_000;

export function idleExpiryDays(env: Pick<Env, "IDLE_EXPIRY_DAYS">): number {
  const raw = env.IDLE_EXPIRY_DAYS;
  if (raw === undefined || raw.trim() === "") return DEFAULT_IDLE_EXPIRY_DAYS;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : DEFAULT_IDLE_EXPIRY_DAYS;
}

export interface SweepResult {
  /** Sandboxes deleted. */
  expired: string[];
  /** Sandboxes the sweep found idle in D1 but that their Durable Object kept (used meanwhile). */
  kept: string[];
}

/** One sweep at `now` (the cron's scheduled time). */
export async function sweepIdleSandboxes(env: Env, now: number): Promise<SweepResult> {
  const result: SweepResult = { expired: [], kept: [] };
  await pruneCreationCounts(env, now);
  const days = idleExpiryDays(env);
  if (days === 0) return result;
  const before = now - days * DAY_MS;
  const batch = expiryBatch(env);
  for (const shard of boundShards(env)) {
    for (const id of await idleSandboxes(shard.db, before, batch)) {
      const res = await internalCall(env, id, "expire", "POST", { before });
      const body = (await res.json().catch(() => ({}))) as { expired?: boolean };
      if (res.ok && body.expired) result.expired.push(id);
      else result.kept.push(id);
    }
  }
  return result;
}
