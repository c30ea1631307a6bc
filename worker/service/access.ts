// Who may do what with a sandbox. Access is by capability: the sandbox id (125 bits of it random)
// grants reading and writing, the read-only id reading only, the owner token (stored as a hash)
// deleting. Bearer tokens are the same capabilities in header form:
//
// - the access token of an id is derived from it (SHA-256), so it grants exactly what the id grants and
//   needs no storage; the kubeconfig carries it over https, and kubectl sends it on every request;
// - a request may present the access token of the sandbox's id, of its read-only id (which makes the
//   request read-only whichever URL it used), or the owner token; any other Authorization header is
//   refused with 401 Unauthorized, so a kubeconfig pointed at the wrong sandbox fails loudly;
// - a request without an Authorization header has the access of its URL, as kubectl over plain http,
//   curl and the console have.
import type { Env } from "../env";
import { base32, isReadOnlyId, isSandboxId, sha256Hex, timingSafeEqualHex } from "./ids";
import { findSandbox, findSandboxByReadOnlyId } from "./sandbox-rows";

export interface Access {
  sandboxId: string;
  readOnly: boolean;
}

export type AccessResult = Access | { refused: "not-found" | "unauthorized" };

/** The bearer token for a sandbox id or read-only id. */
export async function accessToken(id: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`kubeplay access token\n${id}`));
  return base32(new Uint8Array(digest));
}

function bearer(authorization: string): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
}

/**
 * Resolves the id of a URL and the request's Authorization header to a sandbox and its access.
 * `mustExist` checks a (writable) sandbox id against D1 first; without it an unknown id is left to the
 * Durable Object, which answers 404, and the usual request costs no lookup.
 */
export async function resolveAccess(env: Env, id: string, authorization: string | null | undefined, mustExist: boolean): Promise<AccessResult> {
  let row: Awaited<ReturnType<typeof findSandbox>>;
  let access: Access;
  if (isSandboxId(id)) {
    if (mustExist && !(row = await findSandbox(env, id))) return { refused: "not-found" };
    access = { sandboxId: id, readOnly: false };
  } else if (isReadOnlyId(id)) {
    row = await findSandboxByReadOnlyId(env, id);
    if (!row) return { refused: "not-found" };
    access = { sandboxId: row.id, readOnly: true };
  } else {
    return { refused: "not-found" };
  }
  if (!authorization) return access;
  const token = bearer(authorization);
  if (!token) return { refused: "unauthorized" };
  if (timingSafeEqualHex(token, await accessToken(id))) return access;
  row ??= await findSandbox(env, access.sandboxId);
  if (!row) return { refused: "not-found" };
  if (timingSafeEqualHex(token, await accessToken(row.readOnlyId))) return { ...access, readOnly: true };
  // The read-write token on a read-only URL: the URL's access, which is less.
  if (timingSafeEqualHex(token, await accessToken(row.id))) return access;
  if (timingSafeEqualHex(await sha256Hex(token), row.ownerTokenHash)) return access;
  return { refused: "unauthorized" };
}
