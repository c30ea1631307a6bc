// When a sandbox was last used, for the expiry of abandoned sandboxes. A sandbox's Durable Object
// records it on requests (never on its own alarms: a CronJob nobody looks at is not a visitor), at
// most once an hour, so a busy sandbox costs one extra D1 write an hour and an idle one nothing.

/** How stale the recorded time may be: expiry counts days, so an hour is plenty. */
export const ACTIVITY_RESOLUTION_MS = 3600_000;

/** The time a row counts as last active: rows from before activity was recorded go by their creation. */
export function lastActiveOf(row: { lastActiveAt: number | null; createdAt: number }): number {
  return row.lastActiveAt ?? row.createdAt;
}

/** Whether a request at `now` should record activity. */
export function activityDue(row: { lastActiveAt: number | null; createdAt: number }, now: number): boolean {
  return now - lastActiveOf(row) >= ACTIVITY_RESOLUTION_MS;
}

export async function recordActivity(db: D1Database, id: string, now: number): Promise<void> {
  await db.prepare("UPDATE sandboxes SET last_active_at = ? WHERE id = ?").bind(now, id).run();
}

/** The recorded last activity of a sandbox, or undefined when it has no row. */
export async function storedActivity(db: D1Database, id: string): Promise<number | undefined> {
  const row = await db.prepare("SELECT coalesce(last_active_at, created_at) AS t FROM sandboxes WHERE id = ?").bind(id).first<{ t: number }>();
  return row ? row.t : undefined;
}

/** Sandboxes of one shard whose last activity is before `before`, oldest first. */
export async function idleSandboxes(db: D1Database, before: number, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT id FROM sandboxes
       WHERE last_active_at < ?1 OR (last_active_at IS NULL AND created_at < ?1)
       ORDER BY coalesce(last_active_at, created_at) LIMIT ?2`,
    )
    .bind(before, limit)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

export const DEFAULT_DORMANT_AFTER_HOURS = 24;

/** DORMANT_AFTER_HOURS in milliseconds, or undefined when sandboxes never go dormant ("0"). */
export function dormantAfterMs(raw: string | undefined): number | undefined {
  const n = raw === undefined || raw.trim() === "" ? DEFAULT_DORMANT_AFTER_HOURS : Number(raw);
  const hours = Number.isFinite(n) && n >= 0 ? n : DEFAULT_DORMANT_AFTER_HOURS;
  return hours === 0 ? undefined : hours * ACTIVITY_RESOLUTION_MS;
}
