// Reads of the sandboxes table the Worker needs before it reaches a Durable Object, each on the
// sandbox's own D1 shard (the id says which).
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Env } from "../env";
import { sandboxes } from "../store/schema";
import { databaseFor } from "../store/shards";

export type Row = { id: string; ownerTokenHash: string; readOnlyId: string };

export async function findSandbox(env: Env, id: string): Promise<Row | undefined> {
  const rows = await drizzle(databaseFor(env, id))
    .select({ id: sandboxes.id, ownerTokenHash: sandboxes.ownerTokenHash, readOnlyId: sandboxes.readOnlyId })
    .from(sandboxes)
    .where(eq(sandboxes.id, id));
  return rows[0];
}

/** Read-only ids never change for a sandbox, so a resolved one is remembered by this isolate. */
const readOnlyCache = new Map<string, Row>();

export async function findSandboxByReadOnlyId(env: Env, readOnlyId: string): Promise<Row | undefined> {
  const hit = readOnlyCache.get(readOnlyId);
  if (hit) return hit;
  const rows = await drizzle(databaseFor(env, readOnlyId))
    .select({ id: sandboxes.id, ownerTokenHash: sandboxes.ownerTokenHash, readOnlyId: sandboxes.readOnlyId })
    .from(sandboxes)
    .where(eq(sandboxes.readOnlyId, readOnlyId));
  if (rows[0]) {
    if (readOnlyCache.size > 10_000) readOnlyCache.clear();
    readOnlyCache.set(readOnlyId, rows[0]);
  }
  return rows[0];
}

export function forgetReadOnlyId(readOnlyId: string): void {
  readOnlyCache.delete(readOnlyId);
}
