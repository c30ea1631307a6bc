// Talking to kubeplay: the sandbox service (/api/sandboxes) and a sandbox's Kubernetes API (/s/<id>).

export interface ClockState {
  now: string;
  timeScale: number;
  paused: boolean;
}

export interface SandboxInfo {
  id: string;
  url: string;
  readOnlyUrl: string;
  kubeconfigUrl: string;
  readOnly: boolean;
  clock: ClockState;
}

export interface Created {
  id: string;
  url: string;
  readOnlyUrl: string;
  ownerToken: string;
  applied?: { kind: string; name: string; namespace?: string; error?: string }[];
}

export type { KubeObject } from "./types";

/** An API refusal: the Status message when there is one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly reason?: string,
  ) {
    super(message);
  }
}

async function errorFrom(res: Response): Promise<ApiError> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { message?: string; error?: string; reason?: string };
    return new ApiError(body.message ?? body.error ?? text, res.status, body.reason);
  } catch {
    return new ApiError(text || `HTTP ${res.status}`, res.status);
  }
}

export async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw await errorFrom(res);
  return (await res.json()) as T;
}

export function postJson<T>(url: string, body: unknown): Promise<T> {
  return getJson<T>(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

/** The sandbox (or read-only) id of a `/s/<id>` page. */
export function sandboxIdFromPath(pathname: string): string | undefined {
  return /^\/s\/([a-z0-9-]+)\/?$/.exec(pathname)?.[1];
}

export const sandboxBase = (id: string) => `/s/${id}`;

export function sandboxInfo(id: string): Promise<SandboxInfo> {
  return getJson<SandboxInfo>(`/api/sandboxes/${id}`);
}

export async function createSandbox(body: Record<string, unknown> = {}): Promise<Created> {
  const created = await postJson<Created>("/api/sandboxes", body);
  rememberSandbox(created.id, created.ownerToken);
  return created;
}

export async function forkSandbox(id: string): Promise<Created> {
  const created = await postJson<Created>(`/api/sandboxes/${id}/fork`, {});
  rememberSandbox(created.id, created.ownerToken);
  return created;
}

export function setClock(id: string, body: { advanceSeconds?: number; timeScale?: number; paused?: boolean }): Promise<ClockState> {
  return postJson<ClockState>(`/api/sandboxes/${id}/clock`, body);
}

// Owner tokens stay in this browser only: they are what deleting a sandbox needs.
const STORE_KEY = "kubeplay.sandboxes";

export interface Remembered {
  id: string;
  ownerToken: string;
  createdAt: string;
}

export function rememberedSandboxes(): Remembered[] {
  try {
    const list = JSON.parse(localStorage.getItem(STORE_KEY) ?? "[]") as Remembered[];
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

export function rememberSandbox(id: string, ownerToken: string): void {
  try {
    const list = rememberedSandboxes().filter((s) => s.id !== id);
    list.unshift({ id, ownerToken, createdAt: new Date().toISOString() });
    localStorage.setItem(STORE_KEY, JSON.stringify(list.slice(0, 50)));
  } catch {
    // Storage can be off (private windows, some embeds): the sandbox works without it.
  }
}

export function forgetSandbox(id: string): void {
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify(rememberedSandboxes().filter((s) => s.id !== id)));
  } catch {
    // as above
  }
}

export async function deleteSandbox(id: string, ownerToken: string): Promise<void> {
  const res = await fetch(`/api/sandboxes/${id}`, { method: "DELETE", headers: { authorization: `Bearer ${ownerToken}` } });
  if (!res.ok && res.status !== 404) throw await errorFrom(res);
  forgetSandbox(id);
}
