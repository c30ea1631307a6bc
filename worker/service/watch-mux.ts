// Many Kubernetes watches in one response, for the web console:
//   GET /s/<id>/console/watch?w=/api/v1/pods@1234&w=/apis/apps/v1/deployments@1234&…
// A browser opens at most six HTTP/1.1 connections to a host, and the console watches a dozen
// resources: over HTTP/1.1 (wrangler dev, any plain-HTTP deployment) a watch per resource would hold
// every connection and stall the page's other requests. So the Worker opens each watch on the sandbox
// (the ordinary watch: same resourceVersion semantics, same 410 Expired) and interleaves their lines,
// each tagged with the index of its watch: {"w":0,"type":"ADDED","object":{…}}. A watch the API
// refuses becomes one line {"w":i,"type":"ERROR","object":<Status>}. The response ends as soon as any
// of its watches ends or fails; the client lists again what needs it and reopens the stream from the
// resourceVersions it holds, as a client-go reflector does for one watch.

/** Opens one watch on the sandbox: `path` is an API collection path, with the watch query set. */
export type OpenWatch = (path: string) => Promise<Response>;

const MAX_WATCHES = 32;
const COLLECTION = /^\/apis?\/[a-z0-9][a-z0-9.\-/]*$/;

function badRequest(message: string): Response {
  const status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason: "BadRequest", code: 400 };
  return new Response(JSON.stringify(status), { status: 400, headers: { "content-type": "application/json" } });
}

/** The watches a request asks for, or an error message. */
export function parseWatchSpecs(url: URL): { path: string; resourceVersion?: string }[] | string {
  const specs = url.searchParams.getAll("w");
  if (specs.length === 0) return "at least one w=<collection path>[@<resourceVersion>] is required";
  if (specs.length > MAX_WATCHES) return `at most ${MAX_WATCHES} watches in one stream`;
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

export function watchMany(url: URL, open: OpenWatch): Response {
  const specs = parseWatchSpecs(url);
  if (typeof specs === "string") return badRequest(specs);
  const encoder = new TextEncoder();
  const readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
  let done = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const finish = () => {
    if (done) return;
    done = true;
    for (const r of readers) r.cancel().catch(() => undefined);
    try {
      controller.close();
    } catch {
      // already closed by the client going away
    }
  };
  const send = (line: string) => {
    if (!done) controller.enqueue(encoder.encode(line));
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
      specs.forEach(({ path, resourceVersion }, i) => {
        pump(i, path, resourceVersion).catch(() => undefined).finally(finish);
      });
    },
    cancel() {
      done = true;
      for (const r of readers) r.cancel().catch(() => undefined);
    },
  });
  return new Response(body, {
    status: 200,
    headers: { "content-type": "application/json", "cache-control": "no-cache, private, no-transform", "content-encoding": "identity" },
  });
}
