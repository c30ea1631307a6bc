// The HTTP side of kubectl: requests shaped as client-go sends them (paths, query parameters,
// Accept and Content-Type headers, User-Agent and the Kubectl-Command header), and Status answers
// turned into errors.
import type { KubeObject } from "../resources/types";
import { StatusError, type Status } from "./errors";
import { USER_AGENT, type KubectlEnv } from "./env";

export const ACCEPT_TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
export const ACCEPT_JSON = "application/json, */*";

export type Query = Record<string, string | string[] | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
  accept?: string;
  headers?: Record<string, string>;
}

export interface KubeList {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items: KubeObject[];
}

export interface Table {
  kind: "Table";
  apiVersion: string;
  metadata?: { resourceVersion?: string; continue?: string };
  columnDefinitions: { name: string; type: string; format: string; description?: string; priority: number }[];
  rows: { cells: unknown[]; object?: KubeObject; conditions?: unknown[] }[];
}

export class Client {
  constructor(
    readonly env: KubectlEnv,
    /** `kubectl get`, sent as `Kubectl-Command` like kubectl does. */
    readonly command: string,
  ) {}

  url(path: string, query?: Query): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      for (const x of Array.isArray(v) ? v : [v]) qs.append(k, x);
    }
    const q = qs.toString();
    return `${this.env.server}${path}${q ? `?${q}` : ""}`;
  }

  /** Sends a request and returns the raw response (errors are not interpreted). */
  async raw(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = {
      accept: opts.accept ?? ACCEPT_JSON,
      "user-agent": USER_AGENT,
      "kubectl-command": this.command,
      ...opts.headers,
    };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
      headers["content-type"] = opts.contentType ?? "application/json";
    }
    return this.env.fetch(new Request(this.url(path, opts.query), { method, headers, body, signal: this.env.signal }));
  }

  /** Sends a request and decodes the JSON answer; a failure becomes a StatusError. */
  async json<T = KubeObject>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.raw(method, path, opts);
    const text = await res.text();
    if (res.status >= 400) throw statusErrorOf(res.status, text);
    return (text ? JSON.parse(text) : {}) as T;
  }

  get<T = KubeObject>(path: string, query?: Query, accept?: string): Promise<T> {
    return this.json<T>("GET", path, { query, accept });
  }
}

/** A Status from an error answer; a body that is not one gets client-go's generic wording. */
export function statusErrorOf(code: number, text: string): StatusError {
  try {
    const s = JSON.parse(text) as Status;
    if (s && s.kind === "Status") return new StatusError(s);
  } catch {
    // Not JSON: fall through.
  }
  // Models client-go rest/request.go newUnstructuredResponseError.
  const reason = code === 404 ? "NotFound" : code === 403 ? "Forbidden" : code === 409 ? "Conflict" : code >= 500 ? "InternalError" : "BadRequest";
  const message = code === 404 ? "the server could not find the requested resource" : text.trim() || `an error on the server ("") has prevented the request from succeeding`;
  return new StatusError({ kind: "Status", status: "Failure", code, reason, message });
}
