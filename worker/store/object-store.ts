// The object store of one sandbox: every object cached in memory, D1 as the system of record.
// A change is applied to the cache and announced to watchers only after its D1 batch succeeded,
// so an acknowledged write is always durable and a failed one leaves nothing behind.
import { and, asc, eq, is, Param, Placeholder, sql } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import type { BatchItem } from "drizzle-orm/batch";
import type { KubeObject } from "../resources/types";
import { Interner } from "./intern";
import { compareKeys, placeSorted, type SortedLists } from "./sorted";
import { objects, sandboxes } from "./schema";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: WatchEventType;
  /** Storage key of the resource (`/pods`, `apps/deployments`). */
  resource: string;
  object: KubeObject;
  resourceVersion: number;
}

export type Change =
  | { type: "put"; resource: string; object: KubeObject }
  | { type: "delete"; resource: string; object: KubeObject };

export type Listener = (event: StoreEvent) => void;

/** How many past events are kept for watch replay; older resourceVersions answer 410 Gone. */
const HISTORY_LIMIT = 5000;

/**
 * Objects read per query on load: the rows of one page and the objects parsed so far are what the
 * load holds at its peak, rather than every row and every object together.
 */
export const LOAD_PAGE = 4000;

/** A stored object's own fields that no other object shares (not worth interning). */
const ROOT_UNSHARED = new Set(["metadata"]);
const METADATA_UNSHARED = new Set(["name", "uid", "resourceVersion"]);

/**
 * One resource's objects by namespace, then name: keyed by the objects' own strings, so the index
 * holds no key string per object (a sandbox holds tens of thousands of objects).
 */
class Bucket {
  private readonly byNamespace = new Map<string, Map<string, KubeObject>>();
  size = 0;

  get(namespace: string, name: string): KubeObject | undefined {
    return this.byNamespace.get(namespace)?.get(name);
  }

  has(namespace: string, name: string): boolean {
    return this.byNamespace.get(namespace)?.has(name) ?? false;
  }

  set(namespace: string, name: string, object: KubeObject): void {
    let names = this.byNamespace.get(namespace);
    if (!names) this.byNamespace.set(namespace, (names = new Map()));
    if (!names.has(name)) this.size++;
    names.set(name, object);
  }

  delete(namespace: string, name: string): void {
    const names = this.byNamespace.get(namespace);
    if (!names?.delete(name)) return;
    this.size--;
    if (names.size === 0) this.byNamespace.delete(namespace);
  }

  *values(): IterableIterator<KubeObject> {
    for (const names of this.byNamespace.values()) yield* names.values();
  }
}

/** `a` when it equals `b`: the object's own string stands for the row's, so only one is kept. */
const same = (a: string | undefined, b: string) => (a === b ? a : b);

export type SandboxRow = typeof sandboxes.$inferSelect;

/**
 * The sandbox state kept beside the objects (the random generator and the clock). It is written with
 * every batch, so the row never lags what committed objects drew from it, and put back to the row's
 * after a batch that did not land, so memory holds exactly what D1 holds, as after a restart.
 */
export interface SandboxState {
  save(): { rngState: number; clock: string };
  restore(row: SandboxRow): void;
}

export interface CommitExtra {
  clock?: string;
  rngState?: number;
  /** Creates the sandbox row in the same batch (a new sandbox and its bootstrap objects are one write). */
  createRow?: Omit<typeof sandboxes.$inferInsert, "id">;
}

/** What this store has asked of D1 since it was created (for the cost benchmarks and `stats`). */
export interface StoreStats {
  /** D1 statements executed (reads and writes). */
  queries: number;
  /** Batches committed. */
  batches: number;
  /** Rows inserted, updated or deleted. */
  rowsWritten: number;
}

/** A statement's SQL as drizzle renders it, and which named value goes to each parameter. */
interface Compiled {
  sql: string;
  names: string[];
}

function compile(query: { toSQL(): { sql: string; params: unknown[] } }): Compiled {
  const { sql: text, params } = query.toSQL();
  return {
    sql: text,
    // Insert values come wrapped with their column's encoder; text and integer columns pass values as they are.
    names: params.map((p) => {
      const value = is(p, Param) ? p.value : p;
      if (!is(value, Placeholder)) throw new Error("a compiled statement takes named values only");
      return value.name;
    }),
  };
}

/**
 * The object writes of a commit, rendered by drizzle once rather than per row: a pass can write
 * thousands of objects, and building each statement anew cost more than the rest of the commit.
 */
let objectWrites: { upsert: Compiled; remove: Compiled } | undefined;

function objectStatements(db: DrizzleD1Database): { upsert: Compiled; remove: Compiled } {
  const p = (name: string) => sql.placeholder(name);
  objectWrites ??= {
    upsert: compile(
      db
        .insert(objects)
        .values({ sandboxId: p("sandboxId"), resource: p("resource"), namespace: p("namespace"), name: p("name"), uid: p("uid"), resourceVersion: p("resourceVersion"), body: p("body") })
        .onConflictDoUpdate({
          target: [objects.sandboxId, objects.resource, objects.namespace, objects.name],
          set: { uid: sql`excluded.${sql.identifier(objects.uid.name)}`, resourceVersion: sql`excluded.${sql.identifier(objects.resourceVersion.name)}`, body: sql`excluded.${sql.identifier(objects.body.name)}` },
        }),
    ),
    remove: compile(
      db
        .delete(objects)
        .where(and(eq(objects.sandboxId, p("sandboxId")), eq(objects.resource, p("resource")), eq(objects.namespace, p("namespace")), eq(objects.name, p("name")))),
    ),
  };
  return objectWrites;
}

function bindCompiled(d1: D1Database, c: Compiled, values: Record<string, unknown>): D1PreparedStatement {
  return d1.prepare(c.sql).bind(...c.names.map((n) => values[n]));
}

export class ObjectStore {
  /** The JSON size of each stored object (its D1 row's body), and the total per resource: what the object-bytes quota reads. */
  private readonly sizes = new WeakMap<KubeObject, number>();
  private readonly bytesByResource = new Map<string, number>();

  readonly stats: StoreStats = { queries: 0, batches: 0, rowsWritten: 0 };
  private readonly db: DrizzleD1Database;
  private readonly cache = new Map<string, Bucket>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<Listener>();
  private lock: Promise<unknown> = Promise.resolve();
  /** Last resourceVersion handed out. */
  private rv = 0;
  /** Oldest resourceVersion a watch can start from (events after it are all in `history`). */
  private historyStart = 0;
  private state?: SandboxState;
  /**
   * Set when a batch failed and reading the sandbox row back failed too: whether it landed is unknown,
   * so the cache may lack a committed change. The next write reloads everything from D1 first.
   */
  private stale = false;
  private readonly resetListeners = new Set<() => void>();
  /** Shares equal subtrees and strings among stored objects (see intern.ts). */
  private readonly interner = new Interner();
  /** Objects read per query by load() (tests set it small). */
  loadPage = LOAD_PAGE;

  constructor(
    private readonly d1: D1Database,
    readonly sandboxId: string,
  ) {
    this.db = drizzle(d1);
  }

  get resourceVersion(): number {
    return this.rv;
  }

  /** Ties the sandbox's generator and clock to the store's commits (see SandboxState). */
  attachState(state: SandboxState): void {
    this.state = state;
  }

  /** Loads the sandbox row and every object; undefined when the sandbox does not exist. */
  async load(): Promise<SandboxRow | undefined> {
    const rows = await this.db.select().from(sandboxes).where(eq(sandboxes.id, this.sandboxId));
    this.stats.queries++;
    const row = rows[0];
    if (!row) return undefined;
    this.cache.clear();
    this.sorted.clear();
    this.bytesByResource.clear();
    // In key order, a page at a time, each page starting after the last key of the one before.
    let after: { resource: string; namespace: string; name: string } | undefined;
    for (;;) {
      const page = await this.db
        .select({ resource: objects.resource, namespace: objects.namespace, name: objects.name, body: objects.body })
        .from(objects)
        .where(
          after
            ? and(eq(objects.sandboxId, this.sandboxId), sql`(${objects.resource}, ${objects.namespace}, ${objects.name}) > (${after.resource}, ${after.namespace}, ${after.name})`)
            : eq(objects.sandboxId, this.sandboxId),
        )
        .orderBy(asc(objects.resource), asc(objects.namespace), asc(objects.name))
        .limit(this.loadPage);
      this.stats.queries++;
      for (const o of page) {
        const object = this.intern(JSON.parse(o.body) as KubeObject);
        this.bucket(o.resource).set(same(object.metadata.namespace, o.namespace), same(object.metadata.name, o.name), object);
        this.sizes.set(object, o.body.length);
        this.bytesByResource.set(o.resource, (this.bytesByResource.get(o.resource) ?? 0) + o.body.length);
      }
      if (page.length < this.loadPage) break;
      const last = page[page.length - 1];
      after = { resource: last.resource, namespace: last.namespace, name: last.name };
    }
    // The tables' keys would outweigh the sharing still to come from them.
    this.interner.forget();
    this.rv = row.resourceVersion;
    this.historyStart = this.rv;
    this.history.length = 0;
    return row;
  }

  /** Runs `fn` with writes serialized: reads inside see every earlier write, and no other write interleaves. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const start = async () => {
      if (this.stale) await this.reload();
      return fn();
    };
    const run = this.lock.then(start, start);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /**
   * Replaces the cache with what D1 holds (after a batch of unknown outcome). Open watches are ended:
   * they may have missed that batch's events, and re-watching from their version answers 410.
   */
  private async reload(): Promise<void> {
    const row = await this.load();
    if (!row) throw new Error(`sandbox "${this.sandboxId}" is not in the database`);
    this.stale = false;
    this.state?.restore(row);
    for (const fn of [...this.resetListeners]) fn();
  }

  /** Calls `fn` when the cache was reloaded from D1 (watches end on it); returns the unsubscribe. */
  onReset(fn: () => void): () => void {
    this.resetListeners.add(fn);
    return () => this.resetListeners.delete(fn);
  }

  get(resource: string, namespace: string, name: string): KubeObject | undefined {
    return this.cache.get(resource)?.get(namespace, name);
  }

  /** Sorted lists by resource: of all its objects and by namespace, kept in step with every commit. */
  private readonly sorted = new Map<string, SortedLists>();

  /** Objects of a resource, in one namespace or all; sorted by namespace then name like etcd keys. */
  list(resource: string, namespace?: string): KubeObject[] {
    let lists = this.sorted.get(resource);
    if (!lists) this.sorted.set(resource, (lists = { byNamespace: new Map() }));
    let hit = namespace === undefined ? lists.all : lists.byNamespace.get(namespace);
    if (!hit) {
      hit = this.sortedList(resource, namespace);
      if (namespace === undefined) lists.all = hit;
      else lists.byNamespace.set(namespace, hit);
    }
    // A copy: callers may sort or splice what they get.
    return hit.slice();
  }

  /**
   * Keeps the cached sorted lists of `resource` in step with a committed batch (its objects by
   * namespace and name, undefined for a deletion): a busy pass changes a few of thousands of objects,
   * and sorting every list again cost more than the change.
   */
  private updateSorted(resource: string, byNs: Map<string, Map<string, KubeObject | undefined>>): void {
    const lists = this.sorted.get(resource);
    if (!lists) return;
    if (lists.all) lists.all = placeSorted(lists.all, byNs);
    for (const [ns, byName] of byNs) {
      const inNamespace = lists.byNamespace.get(ns);
      if (inNamespace) lists.byNamespace.set(ns, placeSorted(inNamespace, new Map([[ns, byName]])));
    }
  }

  private sortedList(resource: string, namespace?: string): KubeObject[] {
    const bucket = this.cache.get(resource);
    if (!bucket) return [];
    const out: KubeObject[] = [];
    for (const obj of bucket.values()) {
      if (namespace === undefined || (obj.metadata.namespace ?? "") === namespace) out.push(obj);
    }
    return out.sort(compareKeys);
  }

  /** Every resource key with at least one object. */
  resources(): string[] {
    return [...this.cache.keys()].filter((k) => (this.cache.get(k)?.size ?? 0) > 0);
  }

  /** Objects of one resource. */
  count(resource: string): number {
    return this.cache.get(resource)?.size ?? 0;
  }

  /** The JSON size of the stored object of `resource` named so (its D1 row's body), 0 when there is none. */
  storedSize(resource: string, namespace: string, name: string): number {
    const object = this.cache.get(resource)?.get(namespace, name);
    return object ? (this.sizes.get(object) ?? 0) : 0;
  }

  /** The JSON bytes of one resource's stored objects. */
  bytes(resource: string): number {
    return this.bytesByResource.get(resource) ?? 0;
  }

  countAll(): number {
    let n = 0;
    for (const b of this.cache.values()) n += b.size;
    return n;
  }

  /**
   * Commits changes as one D1 batch. Each put gets the next resourceVersion (written into the object);
   * extra statements (sandbox state) ride in the same batch. Returns the stored objects.
   */
  async commit(changes: Change[], extra: CommitExtra = {}): Promise<KubeObject[]> {
    // A pass queued before the sandbox was deleted must not write its objects back.
    if (this.destroyed) throw new Error(`sandbox "${this.sandboxId}" was deleted`);
    if (changes.length === 0 && extra.clock === undefined && extra.rngState === undefined && !extra.createRow) return [];
    let rv = this.rv;
    const stored: { change: Change; object: KubeObject; rv: number; body: string }[] = [];
    for (const change of changes) {
      rv += 1;
      const object =
        change.type === "put"
          ? { ...change.object, metadata: { ...change.object.metadata, resourceVersion: String(rv) } }
          : change.object;
      stored.push({ change, object, rv, body: change.type === "put" ? JSON.stringify(object) : "" });
    }
    // Statements in order: the sandbox row (when new), the objects, then the sandbox row's counters.
    const statements: D1PreparedStatement[] = [];
    if (extra.createRow) statements.push(this.raw(this.db.insert(sandboxes).values({ ...extra.createRow, id: this.sandboxId })));
    const { upsert, remove } = objectStatements(this.db);
    for (const { change, object, rv: objRv, body } of stored) {
      const key = { sandboxId: this.sandboxId, resource: change.resource, namespace: object.metadata.namespace ?? "", name: object.metadata.name ?? "" };
      statements.push(
        change.type === "put"
          ? bindCompiled(this.d1, upsert, { ...key, uid: object.metadata.uid ?? "", resourceVersion: objRv, body })
          : bindCompiled(this.d1, remove, key),
      );
    }
    const set: { resourceVersion: number; clock?: string; rngState?: number } = { resourceVersion: rv };
    const side = this.state?.save();
    const clock = extra.clock ?? side?.clock;
    const rngState = extra.rngState ?? side?.rngState;
    if (clock !== undefined) set.clock = clock;
    if (rngState !== undefined) set.rngState = rngState;
    statements.push(this.raw(this.db.update(sandboxes).set(set).where(eq(sandboxes.id, this.sandboxId))));
    try {
      await this.d1.batch(statements);
    } catch (e) {
      // D1 can fail before the batch took effect or after (a lost answer); the sandbox row says which.
      if (!(await this.landed(set))) throw e;
    }
    this.stats.batches++;
    this.stats.queries += statements.length;
    this.stats.rowsWritten += statements.length;

    // Durable now: apply to the cache (and the sorted lists, once for the whole batch), then tell watchers.
    this.rv = rv;
    const out: KubeObject[] = [];
    const events: StoreEvent[] = [];
    const listed = new Map<string, Map<string, Map<string, KubeObject | undefined>>>();
    for (const { change, object, rv: objRv, body } of stored) {
      const ns = object.metadata.namespace ?? "";
      const name = object.metadata.name ?? "";
      const bucket = this.bucket(change.resource);
      const previous = bucket.get(ns, name);
      let bytes = (this.bytesByResource.get(change.resource) ?? 0) - (previous ? (this.sizes.get(previous) ?? 0) : 0);
      let type: WatchEventType;
      if (change.type === "put") {
        type = previous ? "MODIFIED" : "ADDED";
        this.intern(object, previous);
        bucket.set(ns, name, object);
        this.sizes.set(object, body.length);
        bytes += body.length;
      } else {
        type = "DELETED";
        bucket.delete(ns, name);
      }
      this.bytesByResource.set(change.resource, bytes);
      if (this.sorted.has(change.resource)) {
        let byNs = listed.get(change.resource);
        if (!byNs) listed.set(change.resource, (byNs = new Map()));
        let byName = byNs.get(ns);
        if (!byName) byNs.set(ns, (byName = new Map()));
        byName.set(name, change.type === "put" ? object : undefined);
      }
      out.push(object);
      events.push({
        type,
        resource: change.resource,
        // A deletion event carries the object at a new resourceVersion, as upstream does.
        object: change.type === "delete" ? { ...object, metadata: { ...object.metadata, resourceVersion: String(objRv) } } : object,
        resourceVersion: objRv,
      });
    }
    for (const [resource, byNs] of listed) this.updateSorted(resource, byNs);
    for (const event of events) {
      this.history.push(event);
      for (const l of this.listeners) l(event);
    }
    if (this.history.length > HISTORY_LIMIT) {
      const drop = this.history.length - HISTORY_LIMIT;
      this.historyStart = this.history[drop - 1].resourceVersion;
      this.history.splice(0, drop);
    }
    return out;
  }

  /**
   * Shares the object's subtrees and strings with the stored objects equal in them. The root and its
   * metadata are the store's own copies (or freshly parsed), so they can take the shared values.
   */
  private intern(object: KubeObject, previous?: KubeObject): KubeObject {
    this.interner.fields(object as unknown as Record<string, unknown>, ROOT_UNSHARED, previous as unknown as Record<string, unknown> | undefined);
    this.interner.fields(object.metadata as Record<string, unknown>, METADATA_UNSHARED, previous?.metadata as Record<string, unknown> | undefined);
    return object;
  }

  /** A drizzle query as a D1 statement, to go in one batch with the compiled ones. */
  private raw(query: { toSQL(): { sql: string; params: unknown[] } }): D1PreparedStatement {
    const { sql: text, params } = query.toSQL();
    return this.d1.prepare(text).bind(...params);
  }

  /**
   * After a failed batch: whether it took effect after all (the sandbox row carries its resourceVersion,
   * clock and generator state; a batch is atomic). When it did not, the generator and clock go back to
   * the row's, undoing what the failed operation drew. When the row cannot be read, the store is stale.
   */
  private async landed(set: { resourceVersion: number; clock?: string; rngState?: number }): Promise<boolean> {
    let row: SandboxRow | undefined;
    try {
      row = (await this.db.select().from(sandboxes).where(eq(sandboxes.id, this.sandboxId)))[0];
      this.stats.queries++;
    } catch {
      this.stale = true;
      return false;
    }
    if (!row) return false;
    const landed =
      row.resourceVersion === set.resourceVersion &&
      (set.clock === undefined || row.clock === set.clock) &&
      (set.rngState === undefined || row.rngState === set.rngState);
    if (!landed) this.state?.restore(row);
    return landed;
  }

  /**
   * Events after `fromRv`, or undefined when they are no longer all in history (the caller answers 410).
   */
  eventsSince(fromRv: number): StoreEvent[] | undefined {
    if (fromRv < this.historyStart) return undefined;
    return this.history.filter((e) => e.resourceVersion > fromRv);
  }

  get oldestWatchableVersion(): number {
    return this.historyStart;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get watcherCount(): number {
    return this.listeners.size;
  }

  private bucket(resource: string): Bucket {
    let b = this.cache.get(resource);
    if (!b) this.cache.set(resource, (b = new Bucket()));
    return b;
  }

  /**
   * Copies the sandbox row and every object to a new sandbox id, in one batch on `target` (the new
   * sandbox's shard, see store/shards.ts; this store's database when omitted).
   */
  async forkTo(row: { id: string; readOnlyId: string; ownerTokenHash: string; createdAt: number }, target: D1Database = this.d1): Promise<void> {
    if (target !== this.d1) return this.forkToShard(row, target);
    // Two set-based statements: the copy costs no per-object round trips however large the sandbox.
    await this.d1.batch([
      this.d1
        .prepare(
          `INSERT INTO sandboxes (id, read_only_id, owner_token_hash, created_at, forked_from, options, resource_version, clock, rng_state, last_active_at)
           SELECT ?, ?, ?, ?, id, options, resource_version, clock, rng_state, ? FROM sandboxes WHERE id = ?`,
        )
        .bind(row.id, row.readOnlyId, row.ownerTokenHash, row.createdAt, row.createdAt, this.sandboxId),
      this.d1
        .prepare(
          `INSERT INTO objects (sandbox_id, resource, namespace, name, uid, resource_version, body)
           SELECT ?, resource, namespace, name, uid, resource_version, body FROM objects WHERE sandbox_id = ?`,
        )
        .bind(row.id, this.sandboxId),
    ]);
  }

  /** A fork onto another database: the rows are read here and written there, still as one batch. */
  private async forkToShard(row: { id: string; readOnlyId: string; ownerTokenHash: string; createdAt: number }, target: D1Database): Promise<void> {
    const [source] = await this.db.select().from(sandboxes).where(eq(sandboxes.id, this.sandboxId));
    if (!source) throw new Error(`sandbox ${this.sandboxId} has no row`);
    const rows = await this.db.select().from(objects).where(eq(objects.sandboxId, this.sandboxId));
    this.stats.queries += 2;
    const into = drizzle(target);
    const statements: BatchItem<"sqlite">[] = [
      into.insert(sandboxes).values({ ...source, ...row, forkedFrom: source.id, lastActiveAt: row.createdAt }),
    ];
    // D1 binds at most 100 parameters per statement: 14 rows of 7 columns.
    for (let i = 0; i < rows.length; i += 14) {
      statements.push(into.insert(objects).values(rows.slice(i, i + 14).map((o) => ({ ...o, sandboxId: row.id }))));
    }
    await into.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  }

  private destroyed = false;

  /** Removes the sandbox and all its objects from D1 and forgets the cache. */
  async destroy(): Promise<void> {
    await this.db.batch([
      this.db.delete(objects).where(eq(objects.sandboxId, this.sandboxId)),
      this.db.delete(sandboxes).where(eq(sandboxes.id, this.sandboxId)),
    ]);
    this.destroyed = true;
    this.cache.clear();
    this.sorted.clear();
    this.history.length = 0;
  }
}
