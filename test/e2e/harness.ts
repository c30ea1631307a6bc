// Helpers for end-to-end tests: sandboxes on the running server, and the real kubectl binaries.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inject } from "vitest";

export const KUBECTL_VERSIONS = ["1.27", "1.28", "1.29", "1.30", "1.31", "1.32", "1.33"];

const kubectlDir = (() => {
  const which = spawnSync("sh", ["-c", "command -v kubectl"], { encoding: "utf8" }).stdout.trim();
  return path.dirname(realpathSync(which));
})();

export function kubectlBinary(version: string): string {
  return path.join(kubectlDir, `kubectl.${version}`);
}

export function baseUrl(): string {
  return inject("baseUrl");
}

export interface Sandbox {
  id: string;
  url: string;
  readOnlyUrl: string;
  ownerToken: string;
  kubeconfig: string;
  dir: string;
}

/**
 * fetch that retries once when a pooled keep-alive connection was closed by the dev server just as it
 * was reused (undici reports "other side closed" before any response arrived).
 */
export async function fetchRetry(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return fetch(url, init);
  }
}

export async function createSandbox(body?: unknown): Promise<Sandbox> {
  const res = await fetchRetry(`${baseUrl()}/api/sandboxes`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`create sandbox: ${res.status} ${await res.text()}`);
  const sb = (await res.json()) as { id: string; url: string; readOnlyUrl: string; ownerToken: string; kubeconfigUrl: string };
  const dir = mkdtempSync(path.join(tmpdir(), `kubeplay-${sb.id.slice(0, 6)}-`));
  const kubeconfig = path.join(dir, "kubeconfig");
  writeFileSync(kubeconfig, await (await fetchRetry(sb.kubeconfigUrl)).text());
  return { ...sb, kubeconfig, dir };
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface KubectlOptions {
  version?: string;
  input?: string;
  env?: Record<string, string>;
  cwd?: string;
}

/** Runs a kubectl binary against the sandbox (its own cache dir per sandbox, like a fresh machine). */
export function kubectl(sb: Sandbox, args: string[], opts: KubectlOptions = {}): RunResult {
  const bin = kubectlBinary(opts.version ?? "1.32");
  const r = spawnSync(bin, args, {
    encoding: "utf8",
    input: opts.input,
    cwd: opts.cwd ?? sb.dir,
    timeout: 90_000,
    env: { PATH: process.env.PATH ?? "", HOME: sb.dir, KUBECONFIG: sb.kubeconfig, KUBECACHEDIR: path.join(sb.dir, "cache"), ...opts.env },
  });
  return { stdout: r.stdout ?? "", stderr: r.stderr ?? "", code: r.status ?? -1 };
}

/** Runs kubectl and fails with its output when it exits non-zero. */
export function kubectlOk(sb: Sandbox, args: string[], opts: KubectlOptions = {}): string {
  const r = kubectl(sb, args, opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r.stdout;
}

/** Starts a long-running kubectl (e.g. `get -w`), returning a handle to read its output and stop it. */
export function kubectlBackground(sb: Sandbox, args: string[], opts: KubectlOptions = {}) {
  const child = spawn(kubectlBinary(opts.version ?? "1.32"), args, {
    cwd: sb.dir,
    env: { PATH: process.env.PATH ?? "", HOME: sb.dir, KUBECONFIG: sb.kubeconfig, KUBECACHEDIR: path.join(sb.dir, "cache"), ...opts.env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
  return {
    output: () => stdout,
    errors: () => stderr,
    /** Resolves once `pred` holds for stdout (or stderr, e.g. for `-v=6` request logs). */
    async waitFor(pred: (out: string) => boolean, ms = 20_000, stream: "stdout" | "stderr" = "stdout"): Promise<string> {
      const deadline = Date.now() + ms;
      while (!pred(stream === "stdout" ? stdout : stderr)) {
        if (Date.now() > deadline) throw new Error(`timed out; stdout:\n${stdout}\nstderr:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return stream === "stdout" ? stdout : stderr;
    },
    stop(): Promise<number> {
      child.kill("SIGTERM");
      return exited;
    },
    exited,
  };
}

export function writeFile(sb: Sandbox, name: string, content: string): string {
  const p = path.join(sb.dir, name);
  writeFileSync(p, content);
  return p;
}

/** Replaces runs of spaces so table assertions do not depend on column widths. */
export function squash(s: string): string {
  return s
    .split("\n")
    .map((l) => l.trim().replace(/\s+/g, " "))
    .filter((l) => l !== "")
    .join("\n");
}

/** `squash`, with every age cell (`0s`, `5m3s`, `2d`, `<invalid>`) replaced by `AGE` so rows are stable. */
export function table(s: string): string {
  return squash(s)
    .split("\n")
    .map((l) => l.replace(/(?<=^| )(\d+[smhdy])+(?= |$)/g, "AGE").replace(/(?<=^| )<invalid>(?= |$)/g, "AGE"))
    .join("\n");
}

/** POSTs to the sandbox service (`clock`, `shell`, `nodes`, …) and answers its JSON; an error status fails. */
export async function sandboxPost(sb: { id: string }, path: string, body: unknown): Promise<any> {
  const res = await fetchRetry(`${baseUrl()}/api/sandboxes/${sb.id}/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** One command line on a node's shell. */
export function nodeShell(sb: { id: string }, node: string, command: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  return sandboxPost(sb, "shell", { node, command });
}
