// D1 is the system of record. Every object is a row; a sandbox row holds its counters and clock.
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const sandboxes = sqliteTable(
  "sandboxes",
  {
    id: text("id").primaryKey(),
    /** A second id that serves reads only (the shareable read-only link). */
    readOnlyId: text("read_only_id").notNull(),
    /** SHA-256 (hex) of the owner token; the token itself is never stored. */
    ownerTokenHash: text("owner_token_hash").notNull(),
    createdAt: integer("created_at").notNull(),
    /** The sandbox this one was forked from, if any. */
    forkedFrom: text("forked_from"),
    /** The create request's options (nodes, …) as JSON. */
    options: text("options").notNull().default("{}"),
    /** Last resourceVersion handed out; grows monotonically. */
    resourceVersion: integer("resource_version").notNull().default(0),
    /** Clock state as JSON (see worker/sandbox/clock.ts). */
    clock: text("clock").notNull().default("{}"),
    /** State of the seeded random generator. */
    rngState: integer("rng_state").notNull().default(1),
    /**
     * Wall time (ms) of the last request to the sandbox, written at most once an hour (the expiry sweep
     * counts days). Null only for rows from before it existed: the sweep then goes by `created_at`.
     */
    lastActiveAt: integer("last_active_at"),
  },
  (t) => [index("sandboxes_read_only_id").on(t.readOnlyId), index("sandboxes_last_active_at").on(t.lastActiveAt)],
);

/**
 * Sandboxes created per client and clock hour (the creation limit). `client` is a hash of the client's
 * address, never the address. Rows of past hours are removed by the hourly sweep. Kept on shard 0.
 */
export const sandboxCreations = sqliteTable(
  "sandbox_creations",
  {
    client: text("client").notNull(),
    /** The hour, as whole hours since the epoch. */
    hour: integer("hour").notNull(),
    count: integer("count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.client, t.hour] })],
);

export const objects = sqliteTable(
  "objects",
  {
    sandboxId: text("sandbox_id").notNull(),
    /** `<group>/<resource>`, e.g. `/pods` or `apps/deployments`. */
    resource: text("resource").notNull(),
    /** Empty for cluster-scoped objects. */
    namespace: text("namespace").notNull(),
    name: text("name").notNull(),
    uid: text("uid").notNull(),
    resourceVersion: integer("resource_version").notNull(),
    /** The whole object as JSON. */
    body: text("body").notNull(),
  },
  (t) => [primaryKey({ columns: [t.sandboxId, t.resource, t.namespace, t.name] })],
);
