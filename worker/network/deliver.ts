// The last hop: a connection that reached a pod's address and port is answered by whichever of
// its containers listens there at that moment, through the runtime's model of its process (the
// same answer a kubelet probe gets). The response gets the headers every server adds (Date,
// Content-Length, Connection) and nginx's validators for a file it served. When the sandbox's
// journal is open (a command under the write lock, memory.ts), the answer is noted there for the
// serving container's access log.
import type { KubeObject } from "../resources/types";
import { readOnlyContext } from "../controllers/read-only";
import { serveRequest } from "../kubelet/probe-eval";
import { adoptRecord, CONTAINERS, podIdentity, type PodRuntime } from "../kubelet/record";
import type { PodWork } from "../kubelet/work";
import { podOf, type Reader } from "./cluster";
import type { NetworkMemory } from "./memory";
import type { ConnectOutcome, HttpExchange } from "./types";

export const REASONS: Record<number, string> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Not Allowed",
  500: "Internal Server Error",
  502: "Bad Gateway",
  // nginx's wording: the only 503s in a sandbox are ingress-nginx's.
  503: "Service Temporarily Unavailable",
  504: "Gateway Time-out",
};


/** A pod worker's view of a pod for one read (its runtime record, or one adopted from its status). */
export function podWork(reader: Reader, pod: KubeObject, now: number): PodWork | undefined {
  const node = podOf(pod).spec?.nodeName ?? "";
  const stored = reader.get(CONTAINERS, pod.metadata.namespace ?? "", pod.metadata.name ?? "") as PodRuntime | undefined;
  const rec = stored && stored.uid === podIdentity(pod) ? stored : adoptRecord(pod, node, now);
  if (!rec) return undefined;
  const nodeObj = reader.get("/nodes", "", node);
  const hostIP = ((nodeObj?.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? []).find((a) => a.type === "InternalIP")?.address ?? "";
  return { ctx: readOnlyContext(reader, now), now, pod, rec, node, hostIP, wakes: [], lenient: true };
}

export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** Who sent a request, as the server sees it, and the memory whose journal notes it. */
export interface Sender {
  /** The source address after SNAT. */
  client: string;
  memory: NetworkMemory;
}

function header(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** What `port` of `pod` answers to `req` at `at` (the request's own virtual time). */
export function deliver(reader: Reader, pod: KubeObject, ip: string, port: number, req: HttpExchange, at: number, now: number, from?: Sender): ConnectOutcome {
  const w = podWork(reader, pod, now);
  if (!w) return { kind: "refused" };
  const served = serveRequest(w, port, { method: req.method, path: req.path, headers: req.headers }, at);
  if (served.kind !== "response") return served;
  const { res, listener } = served;
  const own = res.headers ?? {};
  const headers: Record<string, string> = {};
  if (own.Server) headers.Server = own.Server;
  headers.Date = httpDate(at);
  for (const [k, v] of Object.entries(own)) if (k !== "Server") headers[k] = v;
  headers["Content-Length"] = String(byteLength(res.body));
  if (listener.server === "nginx" && res.status === 200) {
    // nginx's validators come from the file's mtime and size; the image's files date from the container's start.
    const started = w.rec.containers.find((c) => c.name === served.container)?.current?.startedAt ?? at;
    headers["Last-Modified"] = httpDate(Math.floor(started / 1000) * 1000);
    headers.Connection = "keep-alive";
    headers.ETag = `"${Math.floor(started / 1000).toString(16)}-${byteLength(res.body).toString(16)}"`;
    headers["Accept-Ranges"] = "bytes";
  } else headers.Connection = "keep-alive";
  const body = req.method === "HEAD" ? "" : res.body;
  const instance = w.rec.containers.find((c) => c.name === served.container)?.current?.id;
  if (from?.memory.journal && instance) {
    const referer = header(req.headers, "referer");
    const forwardedFor = header(req.headers, "x-forwarded-for");
    from.memory.journal.push({
      namespace: pod.metadata.namespace ?? "default",
      pod: pod.metadata.name ?? "",
      uid: podIdentity(pod),
      container: served.container,
      instance,
      ...(listener.server ? { server: listener.server } : {}),
      port,
      at,
      client: from.client,
      method: req.method,
      path: req.path,
      status: res.status,
      // $body_bytes_sent: a HEAD's answer has no body.
      bytes: byteLength(body),
      userAgent: header(req.headers, "user-agent") ?? "",
      ...(referer ? { referer } : {}),
      ...(forwardedFor ? { forwardedFor } : {}),
    });
  }
  return { kind: "response", status: res.status, headers, body, server: { ip, port } };
}
