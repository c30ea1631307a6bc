// Helpers for integration tests: the Worker is called in-process (no server), inside workerd.
import { SELF } from "cloudflare:test";

export interface Created {
  id: string;
  url: string;
  readOnlyUrl: string;
  readOnlyId: string;
  kubeconfigUrl: string;
  ownerToken: string;
}

export const ORIGIN = "http://kubeplay.test";

export async function createSandbox(body?: unknown): Promise<Created> {
  const res = await SELF.fetch(`${ORIGIN}/api/sandboxes`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
  return (await res.json()) as Created;
}

/** A request against a sandbox's Kubernetes API. */
export async function api(
  sandboxIdOrRo: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any; text: string; headers: Headers }> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body);
    if (!("content-type" in headers)) (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  const res = await SELF.fetch(`${ORIGIN}/s/${sandboxIdOrRo}${path}`, init);
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

export async function clock(id: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await SELF.fetch(`${ORIGIN}/api/sandboxes/${id}/clock`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/**
 * A pod no scheduler picks up (and so no kubelet runs): API-machinery tests see exactly their own writes.
 */
export function pod(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: name } },
    spec: { schedulerName: "kubeplay-test-none", containers: [{ name: "c", image: "nginx:1.25" }] },
    ...extra,
  };
}

export function deployment(name: string, replicas = 1): Record<string, unknown> {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
    },
  };
}

/** `kubectl exec <pod> -- <command…>` over the v5 channel protocol: stdout, stderr and the final Status. */
export async function execInPod(id: string, pod: string, command: string[], namespace = "default"): Promise<{ stdout: string; stderr: string; status: any }> {
  const q = new URLSearchParams();
  for (const c of command) q.append("command", c);
  q.append("stdout", "true");
  q.append("stderr", "true");
  const res = await SELF.fetch(`${ORIGIN}/s/${id}/api/v1/namespaces/${namespace}/pods/${pod}/exec?${q}`, { headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-protocol": "v5.channel.k8s.io" } });
  const ws = res.webSocket;
  if (!ws) throw new Error(`no WebSocket: ${res.status} ${await res.text()}`);
  ws.binaryType = "arraybuffer";
  ws.accept();
  const decoder = new TextDecoder();
  const got: Record<number, string> = { 1: "", 2: "", 3: "" };
  const closed = new Promise<void>((resolve) => ws.addEventListener("close", () => resolve()));
  ws.addEventListener("message", (ev) => {
    const d = new Uint8Array(ev.data as ArrayBuffer);
    got[d[0]] = (got[d[0]] ?? "") + decoder.decode(d.subarray(1));
  });
  await closed;
  return { stdout: got[1], stderr: got[2], status: JSON.parse(got[3]) };
}
