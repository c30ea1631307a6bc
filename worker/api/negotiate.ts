// Response negotiation: JSON objects, server-side Tables, and the Status answer for errors.
import type { KubeError } from "./status";

export interface TableRequest {
  version: "v1" | "v1beta1";
}

/** Does the client ask for a meta.k8s.io Table (kubectl get)? Takes the first acceptable Table clause. */
export function wantsTable(accept: string | null): TableRequest | undefined {
  if (!accept) return undefined;
  for (const clause of accept.split(",")) {
    const params = new Map<string, string>();
    for (const p of clause.split(";").slice(1)) {
      const [k, v] = p.split("=").map((s) => s.trim());
      if (k && v) params.set(k, v);
    }
    if (params.get("as") === "Table" && params.get("g") === "meta.k8s.io") {
      const v = params.get("v");
      if (v === "v1" || v === "v1beta1") return { version: v };
    }
  }
  return undefined;
}

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function statusResponse(err: KubeError): Response {
  const headers: Record<string, string> = {};
  if (err.details?.retryAfterSeconds) headers["retry-after"] = String(err.details.retryAfterSeconds);
  return jsonResponse(err.toStatus(), err.code, headers);
}

/** Warning headers (`299 - "text"`), as the apiserver sends them for kubectl to print. */
export function warningHeaders(warnings: string[]): Record<string, string> {
  if (warnings.length === 0) return {};
  return { warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(", ") };
}
