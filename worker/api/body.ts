// Decoding request bodies: JSON, YAML and kubectl's protobuf envelope, with the apiserver's limits and errors.
import YAML from "yaml";
import type { KubeObject } from "../resources/types";
import { goJsonSyntaxError } from "./json-syntax";
import { decodeKubeProtobuf, summarizeData } from "./protobuf";
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

/**
 * A body's bytes as text, a byte-order mark kept: Go's JSON decoder refuses one ("invalid character
 * 'ï' looking for beginning of value"), where TextDecoder would silently drop it.
 */
export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(bytes);
}

/**
 * Parses one YAML document. The parser recurses per nesting level: a document nested deeper than
 * the stack gets the same refusal as a JSON body nested too deeply (checkNesting), not the runtime's
 * own words; other errors keep the parser's first line.
 */
function parseYaml(text: string, wrap: (why: string) => KubeError): unknown {
  try {
    return YAML.parse(text, { maxAliasCount: 100 });
  } catch (e) {
    // (The parser reports its own stack overflow as a parse error of that message.)
    if (/Maximum call stack/i.test((e as Error).message)) throw badRequest(NESTED_TOO_DEEPLY);
    throw wrap((e as Error).message.split("\n")[0]);
  }
}

/** An apply patch's YAML (or JSON) document; a syntax error is a 400 in the decoder's words. */
export function parseApplyPatch(text: string): KubeObject {
  return asObject(parseYaml(text, (why) => badRequest(`error decoding YAML: ${why}`)));
}

/** Go's wording for why `text` is not JSON (falling back to the parser's own message). */
function jsonSyntaxMessage(text: string, e: unknown): string {
  return goJsonSyntaxError(new TextEncoder().encode(text)) ?? (e as Error).message;
}

/** Parses JSON text; a syntax error becomes a 400 worded like the apiserver's decoder. */
export function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw badRequest(`couldn't get version/kind; json parse error: ${jsonSyntaxMessage(text, e)}`);
  }
  checkNesting(value);
  return value;
}

// Models staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go transformDecodeError (no kind decoded yet)
function unrecognized(expected: { kind: string } | undefined, why: string, bytes: Uint8Array): KubeError {
  return badRequest(`the object provided is unrecognized${expected ? ` (must be of type ${expected.kind})` : ""}: ${why} (${summarizeData(bytes, 30)})`);
}

/** Decodes an object body (create/update) by its content type. */
export function decodeObject(contentType: string, bytes: Uint8Array, expected?: { apiVersion: string; kind: string }): KubeObject {
  let value: unknown;
  switch (contentType) {
    case "":
    case "application/json": {
      const text = decodeText(bytes);
      try {
        value = JSON.parse(text);
      } catch (e) {
        throw unrecognized(expected, `couldn't get version/kind; json parse error: ${jsonSyntaxMessage(text, e)}`, bytes);
      }
      break;
    }
    case "application/yaml":
      value = parseYaml(new TextDecoder().decode(bytes), (why) => unrecognized(expected, `error converting YAML to JSON: ${why}`, bytes));
      break;
    case "application/vnd.kubernetes.protobuf":
      return decodeKubeProtobuf(bytes, expected);
    default:
      throw unsupportedMediaType(OBJECT_MEDIA_TYPES);
  }
  return asObject(value);
}

/** Deeper than any real object; keeps every recursive walk (validation, patching) within the stack. */
export const MAX_NESTING = 512;
const NESTED_TOO_DEEPLY = `the request body is nested too deeply: more than ${MAX_NESTING} levels`;

/** Iterative depth check of a parsed body. */
export function checkNesting(value: unknown): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > MAX_NESTING) throw badRequest(NESTED_TOO_DEEPLY);
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
