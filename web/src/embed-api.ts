// The postMessage API an embedding page drives the sandbox with (documented in the README):
//   {type:"kubeplay:run", id, command}  → {type:"kubeplay:result", id, stdout, stderr, exitCode}
//   {type:"kubeplay:apply", id, yaml}   → {type:"kubeplay:result", id, ok, results:[…]}
//   {type:"kubeplay:get", id, path}     → {type:"kubeplay:result", id, status, body}
// and, once the sandbox is shown, {type:"kubeplay:ready", sandbox:{id, url, readOnly}}.
// Only the embedding window is listened to. Any origin may embed a sandbox — holding its URL is what
// grants access, and the page that embeds it chose that URL — so answers go back to the asker's origin.
import { applyManifests } from "./apply";

export interface EmbedTarget {
  base: string;
  id: string;
  url: string;
  readOnly: boolean;
}

interface Request {
  type: string;
  id?: unknown;
  command?: unknown;
  yaml?: unknown;
  path?: unknown;
}

async function answer(t: EmbedTarget, msg: Request): Promise<Record<string, unknown>> {
  switch (msg.type) {
    case "kubeplay:run": {
      if (typeof msg.command !== "string") return { error: "command must be a string" };
      const res = await fetch(`${t.base}/console/run`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ command: msg.command }) });
      const text = await res.text();
      try {
        const body = JSON.parse(text) as { stdout?: string; stderr?: string; exitCode?: number; message?: string };
        if (res.ok) return { stdout: body.stdout ?? "", stderr: body.stderr ?? "", exitCode: body.exitCode ?? 0 };
        return { stdout: "", stderr: body.message ?? text, exitCode: 1, status: res.status };
      } catch {
        return { stdout: "", stderr: text, exitCode: 1, status: res.status };
      }
    }
    case "kubeplay:apply": {
      if (typeof msg.yaml !== "string") return { error: "yaml must be a string" };
      const results = await applyManifests(t.base, msg.yaml);
      return { ok: results.every((r) => r.ok), results };
    }
    case "kubeplay:get": {
      if (typeof msg.path !== "string" || !msg.path.startsWith("/")) return { error: "path must start with /, e.g. /api/v1/namespaces/default/pods" };
      const res = await fetch(`${t.base}${msg.path}`, { headers: { accept: "application/json" } });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON (a log, say): passed on as text
      }
      return { status: res.status, body };
    }
  }
  return { error: `unknown message type ${msg.type}` };
}

export function listenForEmbedder(t: EmbedTarget): void {
  if (window.parent === window) return;
  window.addEventListener("message", async (event) => {
    if (event.source !== window.parent) return;
    const msg = event.data as Request;
    if (!msg || typeof msg !== "object" || typeof msg.type !== "string" || !msg.type.startsWith("kubeplay:") || msg.type === "kubeplay:result") return;
    let reply: Record<string, unknown>;
    try {
      reply = await answer(t, msg);
    } catch (e) {
      reply = { error: e instanceof Error ? e.message : String(e) };
    }
    window.parent.postMessage({ type: "kubeplay:result", id: msg.id, ...reply }, event.origin === "null" ? "*" : event.origin);
  });
}

export function announceReady(t: EmbedTarget): void {
  if (window.parent === window) return;
  window.parent.postMessage({ type: "kubeplay:ready", sandbox: { id: t.id, url: t.url, readOnly: t.readOnly } }, "*");
}
