// Decoding request bodies: JSON, YAML and kubectl's protobuf envelope, with the apiserver's limits and errors.
import YAML from "yaml";
import type { KubeObject } from "../resources/types";
import { decodeKubeProtobuf } from "./protobuf";
import { badRequest, KubeError, tooLarge, unsupportedMediaType } from "./status";

export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;

export const OBJECT_MEDIA_TYPES = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];
export const PATCH_MEDIA_TYPES = [
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/strategic-merge-patch+json",
  "application/apply-patch+yaml",
];

export function mediaType(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
}

/** Reads the body, refusing anything over the limit with 413 before it is parsed. */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

/** Parses JSON text; a syntax error becomes a 400 worded like the apiserver's decoder. */
export function parseJson(text: string): unknown {
  try {
    const value = JSON.parse(text);
    checkNesting(value);
    return value;
  } catch (e) {
    if (e instanceof KubeError) throw e;
    throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

export function parseYaml(text: string): unknown {
  try {
    const doc = YAML.parse(text, { maxAliasCount: 100 });
    return doc;
  } catch (e) {
    throw badRequest(`error converting YAML to JSON: ${(e as Error).message.split("\n")[0]}`);
  }
}

/** Decodes an object body (create/update) by its content type. */
export function decodeObject(contentType: string, bytes: Uint8Array, expected?: { apiVersion: string; kind: string }): KubeObject {
  let value: unknown;
  switch (contentType) {
    case "":
    case "application/json":
      value = parseJson(new TextDecoder().decode(bytes));
      break;
    case "application/yaml":
      value = parseYaml(new TextDecoder().decode(bytes));
      break;
    case "application/vnd.kubernetes.protobuf":
      return decodeKubeProtobuf(bytes, expected);
    default:
      throw unsupportedMediaType(contentType, OBJECT_MEDIA_TYPES);
  }
  return asObject(value);
}

/** Deeper than any real object; keeps every recursive walk (validation, patching) within the stack. */
export const MAX_NESTING = 512;

/** Iterative depth check of a parsed body. */
export function checkNesting(value: unknown): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > MAX_NESTING) throw badRequest(`the request body is nested too deeply: more than ${MAX_NESTING} levels`);
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
  }
}

export function asObject(value: unknown): KubeObject {
  checkNesting(value);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw badRequest("Object 'Kind' is missing in '" + JSON.stringify(value)?.slice(0, 200) + "'");
  }
  const obj = value as KubeObject;
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (typeof obj.metadata !== "object" || Array.isArray(obj.metadata)) {
    throw new KubeError(400, "BadRequest", "metadata: expected an object", {});
  }
  return obj;
}
