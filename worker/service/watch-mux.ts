// Many Kubernetes watches in one response, for the web console:
//   GET /s/<id>/console/watch?w=/api/v1/pods@1234&w=/apis/apps/v1/deployments@1234&…
// A browser opens at most six HTTP/1.1 connections to a host, and the console watches a dozen
// resources: over HTTP/1.1 (wrangler dev, any plain-HTTP deployment) a watch per resource would hold
// every connection and stall the page's other requests. So the sandbox opens each watch in-process
// (the ordinary watch: same resourceVersion semantics, same 410 Expired) and interleaves their lines,
// each tagged with the index of its watch: {"w":0,"type":"ADDED","object":{…}}. A watch the API
// refuses becomes one line {"w":i,"type":"ERROR","object":<Status>}. The response ends as soon as any
// of its watches ends or fails; the client lists again what needs it and reopens the stream from the
// resourceVersions it holds, as a client-go reflector does for one watch.
//
// The stream counts as one of the sandbox's open watches (MAX_WATCHES), however many it carries: its
// watches are opened without a slot of their own, and it carries at most MAX_WATCHES_PER_STREAM, so
// the limit still bounds what a sandbox's clients can hold open. It also carries the sandbox clock,
// without a `w`: {"clock":{"now","timeScale","paused"}} first, and again whenever the clock is set
// (through the sandbox API, another console, the owner skipping ahead), so every page shows the same
// virtual time.

/** Opens one watch on the sandbox: `path` is an API collection path, with the watch query set. */
export type OpenWatch = (path: string) => Promise<Response>;

export interface MuxOptions {
  /** Takes the stream's one watch slot (throws the 429 when none is free); returns what frees it. */
  hold?: () => () => void;
  /** The sandbox clock: its state now, and a subscription to its changes (returns the unsubscribe). */
  clock?: { state(): unknown; onSet(fn: () => void): () => void };
}

/** Enough for the console's fourteen resources. */
export const MAX_WATCHES_PER_STREAM = 16;
const COLLECTION = /^\/apis?\/[a-z0-9][a-z0-9.\-/]*$/;

function badRequest(message: string): Response {
  const status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason: "BadRequest", code: 400 };
  return new Response(JSON.stringify(status), { status: 400, headers: { "content-type": "application/json" } });
}

/** The watches a request asks for, or an error message. */
export function parseWatchSpecs(url: URL): { path: string; resourceVersion?: string }[] | string {
  const specs = url.searchParams.getAll("w");
  if (specs.length === 0) return "at least one w=<collection path>[@<resourceVersion>] is required";
  if (specs.length > MAX_WATCHES_PER_STREAM) return `at most ${MAX_WATCHES_PER_STREAM} watches in one stream`;
  const out: { path: string; resourceVersion?: string }[] = [];
  for (const spec of specs) {
    const at = spec.lastIndexOf("@");
    const path = at < 0 ? spec : spec.slice(0, at);
    const resourceVersion = at < 0 ? undefined : spec.slice(at + 1);
    if (!COLLECTION.test(path) || path.includes("//") || path.includes("..")) return `not an API collection path: ${path}`;
    if (resourceVersion !== undefined && !/^\d+$/.test(resourceVersion)) return `invalid resource version: ${resourceVersion}`;
    out.push(resourceVersion === undefined ? { path } : { path, resourceVersion });
  }
  return out;
}

export function watchMany(url: URL, open: OpenWatch, opts: MuxOptions = {}): Response {
  const specs = parseWatchSpecs(url);
  if (typeof specs === "string") return badRequest(specs);
  const release = opts.hold?.();
  const encoder = new TextEncoder();
  const readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
  const cleanups: (() => void)[] = release ? [release] : [];
  let done = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stop = () => {
    done = true;
    for (const r of readers) r.cancel().catch(() => undefined);
    for (const fn of cleanups.splice(0)) fn();
  };
  const finish = () => {
    if (done) return;
    stop();
    try {
      controller.close();
    } catch {
      // already closed by the client going away
    }
  };
  const send = (line: string) => {
    if (done) return;
    try {
      controller.enqueue(encoder.encode(line));
    } catch {
      // The client went away: nothing more to send, and the slot is free again.
      stop();
    }
  };

  const pump = async (i: number, path: string, resourceVersion: string | undefined) => {
    const query = new URLSearchParams({ watch: "1", allowWatchBookmarks: "true" });
    if (resourceVersion !== undefined) query.set("resourceVersion", resourceVersion);
    const res = await open(`${path}?${query}`);
    if (res.status !== 200 || !res.body) {
      const text = await res.text();
      const status = text.startsWith("{") ? text : JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message: text, code: res.status });
      send(`{"w":${i},"type":"ERROR","object":${status}}\n`);
      return;
    }
    const reader = res.body.getReader();
    readers.push(reader);
    if (done) return void reader.cancel().catch(() => undefined);
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { done: ended, value } = await reader.read();
      if (ended || done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        // Each line is one JSON object: tag it without parsing it again.
        if (line.startsWith("{")) send(`{"w":${i},${line.slice(1)}\n`);
      }
    }
  };

  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      const clock = opts.clock;
      if (clock) {
        const sendClock = () => send(`{"clock":${JSON.stringify(clock.state())}}\n`);
        sendClock();
        cleanups.push(clock.onSet(sendClock));
      }
      specs.forEach(({ path, resourceVersion }, i) => {
        pump(i, path, resourceVersion).catch(() => undefined).finally(finish);
      });
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, {
    status: 200,
    headers: { "content-type": "application/json", "cache-control": "no-cache, private, no-transform", "content-encoding": "identity" },
  });
}
