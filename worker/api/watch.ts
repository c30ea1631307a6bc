// Watch: a chunked stream of {"type","object"} lines, replaying from a resourceVersion, with
// bookmarks and 410 Expired when the requested version is older than the kept history.
import { outStream } from "./stream";
import { storageKey, type ResourceType } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import type { StoreEvent } from "../store/object-store";
import type { ApiContext } from "./context";
import type { TableRequest } from "./negotiate";
import { includeObjectParam, objectFilter, type ListOptions, tableBody } from "./reads";
import { badRequest, expired } from "./status";

export interface WatchParams {
  resourceVersion?: string;
  allowBookmarks: boolean;
  timeoutSeconds?: number;
  sendInitialEvents: boolean;
}

export function watchParams(url: URL): WatchParams {
  const q = url.searchParams;
  const p: WatchParams = {
    allowBookmarks: q.get("allowWatchBookmarks") === "true",
    sendInitialEvents: q.get("sendInitialEvents") === "true",
  };
  const rv = q.get("resourceVersion");
  if (rv) p.resourceVersion = rv;
  const ts = q.get("timeoutSeconds");
  if (ts) {
    const n = Number(ts);
    if (!Number.isFinite(n) || n < 0) throw badRequest(`invalid value for timeoutSeconds: ${ts}`);
    p.timeoutSeconds = n;
  }
  return p;
}

// Models staging/src/k8s.io/apiserver/pkg/endpoints/request GetTimeoutForWatch: without a timeoutSeconds
// (or with 0) a watch stays open between MinRequestTimeout (30 minutes) and twice that, picked at random
// so that watches opened together do not all end together.
const MIN_REQUEST_SECONDS = 30 * 60;
/** setTimeout holds a signed 32-bit count of ms: a longer delay fires at once. Longer timeouts wait this long. */
export const MAX_WATCH_SECONDS = Math.floor(0x7fffffff / 1000);

/** How long a watch stays open (wall seconds): the client's timeoutSeconds, bounded by what a timer can wait. */
export function watchSeconds(params: Pick<WatchParams, "timeoutSeconds">, random: () => number = Math.random): number {
  const asked = params.timeoutSeconds;
  if (!asked) return MIN_REQUEST_SECONDS * (1 + random());
  return Math.min(asked, MAX_WATCH_SECONDS);
}

export function startWatch(
  ctx: ApiContext,
  t: ResourceType,
  namespace: string | undefined,
  name: string | undefined,
  opts: ListOptions,
  params: WatchParams,
  table: TableRequest | undefined,
  url: URL,
): Response {
  const resource = storageKey(t);
  const filter = objectFilter(t, opts);
  const ns = t.namespaced ? namespace : undefined;
  const matches = (o: KubeObject) =>
    (ns === undefined || (o.metadata.namespace ?? "") === ns) && (name === undefined || o.metadata.name === name) && filter(o);

  // Decide what to send first: synthetic ADDED events for "from now" watches, or the history after rv.
  let initial: { type: string; object: KubeObject }[] = [];
  const rv = params.resourceVersion;
  if (rv === undefined || rv === "0" || params.sendInitialEvents) {
    initial = ctx.store.list(resource, ns).filter(matches).map((object) => ({ type: "ADDED", object }));
  } else {
    const n = Number(rv);
    if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid resource version: ${rv}`);
    const events = ctx.store.eventsSince(n);
    if (!events) throw expired(`too old resource version: ${n} (${ctx.store.oldestWatchableVersion})`);
    initial = events.filter((e) => e.resource === resource && matches(e.object)).map((e) => ({ type: e.type, object: e.object }));
  }

  const include = includeObjectParam(url);
  let first = true;
  const encode = (type: string, object: KubeObject): string => {
    let payload: unknown = object;
    if (table && type !== "BOOKMARK") {
      payload = tableBody(ctx, t, [object], table, include, { resourceVersion: object.metadata.resourceVersion }, first);
      first = false;
    }
    return JSON.stringify({ type, object: payload }) + "\n";
  };

  // Each open watch holds one of the sandbox's watch slots until its stream ends.
  const release = ctx.guard?.streams.acquire("watch");
  const encoder = new TextEncoder();
  const out = outStream();
  if (release) out.onClose(release);
  const send = (line: string) => out.write(encoder.encode(line));

  for (const e of initial) send(encode(e.type, e.object));
  if (params.sendInitialEvents && params.allowBookmarks) send(bookmark(t, ctx.store.resourceVersion, true));
  out.onClose(
    ctx.store.subscribe((e: StoreEvent) => {
      if (e.resource !== resource || !matches(e.object)) return;
      // Without a Table, every watch of this event sends the same bytes: encoded once for all of them.
      if (table) send(encode(e.type, e.object));
      else out.write(eventBytes(e));
    }),
  );
  // A store reloaded from D1 (after a batch of unknown outcome) may hold changes this watch never saw:
  // end it, so the client re-watches from its version and gets 410 or the events it missed.
  out.onClose(ctx.store.onReset(() => out.close()));
  // The stream ends at the client's timeout (wall time: it bounds a connection, not the simulation).
  const seconds = watchSeconds(params);
  const timer = setTimeout(() => {
    if (params.allowBookmarks) send(bookmark(t, ctx.store.resourceVersion, false));
    out.close();
  }, seconds * 1000);
  out.onClose(() => clearTimeout(timer));

  return new Response(out.readable, {
    status: 200,
    // Compression would buffer the stream; `identity` and `no-transform` keep every event flowing at once.
    headers: { "content-type": "application/json", "cache-control": "no-cache, private, no-transform", "content-encoding": "identity" },
  });
}

// The line of the event being delivered, as plain watches send it: a commit hands each event to every
// watch in turn, so one slot is enough (and keeps no event alive past the next one).
let lastEvent: StoreEvent | undefined;
let lastBytes: Uint8Array | undefined;
const sharedEncoder = new TextEncoder();

function eventBytes(e: StoreEvent): Uint8Array {
  if (e !== lastEvent || !lastBytes) {
    lastBytes = sharedEncoder.encode(JSON.stringify({ type: e.type, object: e.object }) + "\n");
    lastEvent = e;
  }
  return lastBytes;
}

function bookmark(t: ResourceType, rv: number, initialEventsEnd: boolean): string {
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
  if (initialEventsEnd) metadata.annotations = { "k8s.io/initial-events-end": "true" };
  return JSON.stringify({ type: "BOOKMARK", object: { kind: t.kind, apiVersion: t.group ? `${t.group}/${t.version}` : t.version, metadata } }) + "\n";
}
