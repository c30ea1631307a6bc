// D1 shards: sandboxes are spread over several D1 databases when one is not enough. Every D1 access
// (the Worker's lookups, a sandbox's Durable Object, the expiry sweep) finds its database here.
//
// - Shard i is the D1 binding `DB` (i = 0) or `DB_<i>` (1 ≤ i < 32), by convention, so the database of
//   a sandbox follows from its id without any directory lookup.
// - A sandbox's shard is chosen when it is created and written into both of its ids: the first
//   character of the id (and of the read-only id after `ro-`) is the shard's index in the ids' base32
//   alphabet (`a` = DB, `b` = DB_1, …). The other 25 characters are random (125 bits).
// - `D1_SHARDS` (a var, e.g. "DB,DB_1") lists the shards new sandboxes are placed on; existing
//   sandboxes stay where they are. Adding a shard is adding its binding and appending it there;
//   taking a full shard out of the list stops new placements while its sandboxes stay reachable.

/** The alphabet of sandbox ids (RFC 4648 base32, lowercase). */
export const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
export const MAX_SHARDS = ID_ALPHABET.length;

/** The shard settings of the environment (a subset of the Worker's Env, so tests can pass their own). */
export interface ShardEnv {
  DB: D1Database;
  D1_SHARDS?: string;
}

/** The binding name of shard `index`. */
export function shardBinding(index: number): string {
  return index === 0 ? "DB" : `DB_${index}`;
}

/** The shard index a binding name stands for, or undefined for a name that is not a shard's. */
export function shardIndexOfBinding(name: string): number | undefined {
  if (name === "DB") return 0;
  const m = /^DB_([1-9][0-9]?)$/.exec(name);
  const index = m ? Number(m[1]) : NaN;
  return index > 0 && index < MAX_SHARDS ? index : undefined;
}

/** The character that starts the ids of a sandbox on shard `index`. */
export function shardChar(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_SHARDS) throw new Error(`no shard ${index}`);
  return ID_ALPHABET[index];
}

/** The shard a sandbox id or read-only id (`ro-…`) names. */
export function shardIndexOf(id: string): number {
  const bare = id.startsWith("ro-") ? id.slice(3) : id;
  return Math.max(0, ID_ALPHABET.indexOf(bare[0] ?? "a"));
}

/** Shard `index`'s database, if it is bound. */
export function shardDatabase(env: ShardEnv, index: number): D1Database | undefined {
  const db = (env as unknown as Record<string, unknown>)[shardBinding(index)];
  return isD1(db) ? db : undefined;
}

/**
 * The database of a sandbox, from its id or read-only id. Ids made before sharding begin with a random
 * character and all live in `DB`; an id naming a shard that is not bound is looked up there too, where
 * it is simply not found.
 */
export function databaseFor(env: ShardEnv, id: string): D1Database {
  return shardDatabase(env, shardIndexOf(id)) ?? env.DB;
}

/** Every bound shard, in index order: what the expiry sweep visits. */
export function boundShards(env: ShardEnv): { index: number; name: string; db: D1Database }[] {
  const out: { index: number; name: string; db: D1Database }[] = [];
  for (let index = 0; index < MAX_SHARDS; index++) {
    const db = shardDatabase(env, index);
    if (db) out.push({ index, name: shardBinding(index), db });
  }
  return out;
}

/** The shards new sandboxes go to (`D1_SHARDS`, default `DB`). A name that is not a bound shard is a configuration error. */
export function placementShards(env: ShardEnv): number[] {
  const names = (env.D1_SHARDS ?? "DB")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const out: number[] = [];
  for (const name of names) {
    const index = shardIndexOfBinding(name);
    if (index === undefined) throw new Error(`D1_SHARDS: "${name}" is not a shard binding name (DB, DB_1, … DB_31)`);
    if (!shardDatabase(env, index)) throw new Error(`D1_SHARDS: "${name}" is not a bound D1 database (add a [[d1_databases]] entry with binding = "${name}")`);
    if (!out.includes(index)) out.push(index);
  }
  return out.length > 0 ? out : [0];
}

/** Picks the shard of a new sandbox: uniformly among the placement shards, so load spreads evenly. */
export function pickShard(env: ShardEnv): number {
  const shards = placementShards(env);
  if (shards.length === 1) return shards[0];
  const r = crypto.getRandomValues(new Uint32Array(1))[0];
  return shards[r % shards.length];
}

function isD1(value: unknown): value is D1Database {
  return typeof value === "object" && value !== null && typeof (value as { prepare?: unknown }).prepare === "function";
}
