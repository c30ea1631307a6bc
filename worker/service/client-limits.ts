// Per-client limits at the Worker, across sandboxes (the limits inside one sandbox are the sandbox's
// own): how many sandboxes a client creates per hour, and how many requests it sends per minute.
// A client is its address (CF-Connecting-IP, which Cloudflare sets on every request; an IPv6 one by its /64), hashed; a request
// without one (a test calling the Worker in-process) counts as the one local client.
import type { Env } from "../env";
import { shardDatabase } from "../store/shards";
import { sha256Hex } from "./ids";
import { clientNetwork } from "../util/client-network";

export const DEFAULT_MAX_SANDBOXES_PER_CLIENT_PER_HOUR = 60;
const HOUR_MS = 3600_000;

/** The key a client's counters are kept under: never the address itself. */
export async function clientKey(request: Request): Promise<string> {
  const ip = request.headers.get("cf-connecting-ip")?.trim();
  if (!ip) return "local";
  return (await sha256Hex(`kubeplay client\n${clientNetwork(ip)}`)).slice(0, 32);
}

export function creationLimit(env: Pick<Env, "MAX_SANDBOXES_PER_CLIENT_PER_HOUR">): number {
  const raw = env.MAX_SANDBOXES_PER_CLIENT_PER_HOUR;
  if (raw === undefined || raw.trim() === "") return DEFAULT_MAX_SANDBOXES_PER_CLIENT_PER_HOUR;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : DEFAULT_MAX_SANDBOXES_PER_CLIENT_PER_HOUR;
}

/**
 * Counts a sandbox creation by `client` in the current clock hour; answers the seconds until the next
 * hour when the client is over the limit. One statement on shard 0: the upsert is atomic, so
 * concurrent creations from many Worker isolates count exactly.
 */
export async function countCreation(env: Env, client: string, now = Date.now()): Promise<{ retryAfterSeconds: number } | undefined> {
  const limit = creationLimit(env);
  if (limit === 0) return undefined;
  const db = shardDatabase(env, 0) ?? env.DB;
  const hour = Math.floor(now / HOUR_MS);
  const row = await db
    .prepare(
      `INSERT INTO sandbox_creations (client, hour, count) VALUES (?, ?, 1)
       ON CONFLICT (client, hour) DO UPDATE SET count = count + 1 RETURNING count`,
    )
    .bind(client, hour)
    .first<{ count: number }>();
  if ((row?.count ?? 0) <= limit) return undefined;
  return { retryAfterSeconds: Math.max(1, Math.ceil(((hour + 1) * HOUR_MS - now) / 1000)) };
}

/** Removes the counters of past hours (the hourly sweep). */
export async function pruneCreationCounts(env: Env, now = Date.now()): Promise<void> {
  const db = shardDatabase(env, 0) ?? env.DB;
  await db.prepare("DELETE FROM sandbox_creations WHERE hour < ?").bind(Math.floor(now / HOUR_MS)).run();
}

export function creationLimitMessage(env: Env, retryAfterSeconds: number): string {
  return `too many sandboxes created from this address: at most ${creationLimit(env)} an hour; try again in ${retryAfterSeconds} s`;
}

/** The request limiter's period (wrangler.toml's `[[ratelimits]]` simple.period): what Retry-After says. */
export const REQUEST_LIMIT_PERIOD_S = 60;

/**
 * Whether the client may send another request, by the Workers rate-limiting binding (counted per
 * Cloudflare location, which is where one client's requests land). Without the binding, or with
 * REQUEST_RATE_LIMIT = "off", every request passes.
 */
export async function allowRequest(env: Env, client: string): Promise<boolean> {
  if (!env.REQUEST_RATE_LIMITER || env.REQUEST_RATE_LIMIT === "off") return true;
  const { success } = await env.REQUEST_RATE_LIMITER.limit({ key: client });
  return success;
}
