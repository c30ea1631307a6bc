// Unguessable identifiers in base32 (lowercase), so they are valid in hostnames and paths.
import { ID_ALPHABET as ALPHABET, shardChar } from "../store/shards";

export function randomBase32(bytes: number): string {
  return base32(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function base32(buf: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const b of buf) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** 25 random characters: 125 bits. */
function randomPart(): string {
  return randomBase32(16).slice(0, 25);
}

/** A sandbox id: 26 characters, the shard's (see store/shards.ts), then 125 random bits. */
export function newSandboxId(shard = 0): string {
  return shardChar(shard) + randomPart();
}

export const READ_ONLY_PREFIX = "ro-";

/** A read-only share id: `ro-`, the shard's character, 125 random bits (independent of the sandbox id). */
export function newReadOnlyId(shard = 0): string {
  return READ_ONLY_PREFIX + shardChar(shard) + randomPart();
}

/** An owner token: 256 bits. */
export function newOwnerToken(): string {
  return randomBase32(32);
}

export function isSandboxId(s: string): boolean {
  return /^[a-z2-7]{26}$/.test(s);
}

export function isReadOnlyId(s: string): boolean {
  return s.startsWith(READ_ONLY_PREFIX) && /^[a-z2-7]{26}$/.test(s.slice(READ_ONLY_PREFIX.length));
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Constant-time comparison of two hex strings. */
export function timingSafeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
