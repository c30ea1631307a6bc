// Decoding of application/vnd.kubernetes.protobuf request bodies (what kubectl create/autoscale/auth/drain
// send) into the JSON form the same object has on the JSON API, so the rest of the server sees one shape.
import type { KubeObject } from "../../resources/types";
import { badRequest } from "../status";
import { KINDS, SCHEMA } from "./schema";

// Models staging/src/k8s.io/apimachinery/pkg/runtime/serializer/protobuf/protobuf.go protoEncodingPrefix
const MAGIC = [0x6b, 0x38, 0x73, 0x00];
// Recursion guard against hostile nesting; real objects nest a dozen levels at most.
const MAX_DEPTH = 100;
// Go's zero time.Time as Unix seconds: metav1.Time treats it as unset.
const GO_ZERO_TIME_SECONDS = -62135596800;

/** A wire-level failure, worded like the gogo-generated Unmarshal code words it. */
class ProtoError extends Error {}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface FieldSpec {
  num: number;
  name: string;
  type: string;
  /** For map<string,V> fields, V. */
  mapValue?: string;
  ptr: boolean;
  rep: boolean;
  emitEmpty: boolean;
  inline: boolean;
}

interface MessageSpec {
  fields: FieldSpec[];
  byNum: Map<number, FieldSpec>;
}

const SCALARS = new Set(["string", "bytes", "bool", "int32", "int64", "uint32", "uint64"]);
const VARINT_SCALARS = new Set(["bool", "int32", "int64", "uint32", "uint64"]);
const SPECIALS = new Set([
  "meta.v1.Time",
  "meta.v1.MicroTime",
  "resource.Quantity",
  "intstr.IntOrString",
  "meta.v1.FieldsV1",
  "runtime.RawExtension",
  "authentication.v1.ExtraValue",
  "authorization.v1.ExtraValue",
]);

const compiled = new Map<string, MessageSpec>();

function messageSpec(name: string): MessageSpec {
  let spec = compiled.get(name);
  if (spec) return spec;
  const tuples = SCHEMA[name];
  if (!tuples) throw new Error(`protobuf schema has no message ${name}`);
  const fields = tuples.map(([num, fieldName, type, flags = ""]): FieldSpec => {
    const map = /^map<string,(.+)>$/.exec(type);
    return {
      num,
      name: fieldName,
      type,
      mapValue: map ? map[1] : undefined,
      ptr: flags.includes("p"),
      rep: flags.includes("r"),
      emitEmpty: flags.includes("e"),
      inline: flags.includes("i"),
    };
  });
  spec = { fields, byNum: new Map(fields.map((f) => [f.num, f])) };
  compiled.set(name, spec);
  return spec;
}

/** Cursor over a byte range; varints land in lo/hi (two unsigned 32-bit halves). */
class Reader {
  lo = 0;
  hi = 0;
  constructor(
    readonly buf: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  varint(): void {
    let lo = 0;
    let hi = 0;
    for (let i = 0; ; i++) {
      if (i >= 10) throw new ProtoError("proto: integer overflow");
      if (this.pos >= this.end) throw new ProtoError("unexpected EOF");
      const b = this.buf[this.pos++];
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (!(b & 0x80)) break;
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** A length prefix; returns the end offset of the delimited bytes. */
  delimited(): number {
    this.varint();
    if (this.hi & 0x80000000) throw new ProtoError("proto: negative length found during unmarshaling");
    const len = this.hi * 0x100000000 + this.lo;
    if (len > this.end - this.pos) throw new ProtoError("unexpected EOF");
    return this.pos + len;
  }

  skip(wireType: number): void {
    // Models staging/src/k8s.io/api/core/v1/generated.pb.go skipGenerated
    let depth = 0;
    for (;;) {
      switch (wireType) {
        case 0:
          this.varint();
          break;
        case 1:
          this.advance(8);
          break;
        case 2:
          this.pos = this.delimited();
          break;
        case 3:
          depth++;
          break;
        case 4:
          if (depth === 0) throw new ProtoError("proto: unexpected end of group");
          depth--;
          break;
        case 5:
          this.advance(4);
          break;
        default:
          throw new ProtoError(`proto: illegal wireType ${wireType}`);
      }
      if (depth === 0) return;
      const tag = this.tag("group");
      wireType = tag.wireType;
    }
  }

  tag(message: string): { field: number; wireType: number } {
    this.varint();
    const wireType = this.lo & 7;
    const field = (this.lo >>> 3) + (this.hi & 0x7fffffff) * 0x20000000;
    if (field <= 0 || field > 0x7fffffff) throw new ProtoError(`proto: ${message}: illegal tag ${field} (wire type ${wireType})`);
    return { field, wireType };
  }

  private advance(n: number): void {
    if (n > this.end - this.pos) throw new ProtoError("unexpected EOF");
    this.pos += n;
  }
}

type Range = readonly [number, number];

/** Decoded-but-not-yet-rendered value of one field. */
type Slot = { kind: "scalar"; value: Json } | { kind: "ranges"; ranges: Range[] } | { kind: "list"; items: Json[] } | { kind: "map"; entries: Map<string, Json> };

function scalarFromVarint(r: Reader, type: string): Json {
  switch (type) {
    case "bool":
      return r.lo !== 0 || r.hi !== 0;
    case "int32":
      return r.lo | 0;
    case "uint32":
      return r.lo;
    case "uint64":
      return r.hi * 0x100000000 + r.lo;
    default:
      // int64: two's complement across the halves.
      return (r.hi | 0) * 0x100000000 + r.lo;
  }
}

const utf8 = new TextDecoder();

function readScalar(r: Reader, type: string, wireType: number, fieldName: string): Json {
  if (VARINT_SCALARS.has(type)) {
    if (wireType !== 0) throw new ProtoError(`proto: wrong wireType = ${wireType} for field ${fieldName}`);
    r.varint();
    return scalarFromVarint(r, type);
  }
  if (wireType !== 2) throw new ProtoError(`proto: wrong wireType = ${wireType} for field ${fieldName}`);
  const end = r.delimited();
  const bytes = r.buf.subarray(r.pos, end);
  r.pos = end;
  return type === "bytes" ? base64(bytes) : utf8.decode(bytes);
}

function readRange(r: Reader, wireType: number, fieldName: string): Range {
  if (wireType !== 2) throw new ProtoError(`proto: wrong wireType = ${wireType} for field ${fieldName}`);
  const end = r.delimited();
  const range: Range = [r.pos, end];
  r.pos = end;
  return range;
}

/** Reads every field of a message (possibly split over several ranges, which proto merges). */
function collect(buf: Uint8Array, ranges: readonly Range[], spec: MessageSpec, name: string, depth: number): Map<number, Slot> {
  const slots = new Map<number, Slot>();
  const shortName = name.slice(name.lastIndexOf(".") + 1);
  for (const [start, end] of ranges) {
    const r = new Reader(buf, start, end);
    while (r.pos < r.end) {
      const { field: num, wireType } = r.tag(shortName);
      if (wireType === 4) throw new ProtoError(`proto: ${shortName}: wiretype end group for non-group`);
      const f = spec.byNum.get(num);
      if (!f) {
        r.skip(wireType);
        continue;
      }
      if (f.mapValue !== undefined) {
        const [key, value] = readMapEntry(buf, readRange(r, wireType, f.name), f.mapValue, depth);
        let slot = slots.get(num);
        if (!slot || slot.kind !== "map") slots.set(num, (slot = { kind: "map", entries: new Map() }));
        slot.entries.set(key, value);
      } else if (f.rep) {
        let slot = slots.get(num);
        if (!slot || slot.kind !== "list") slots.set(num, (slot = { kind: "list", items: [] }));
        if (SCALARS.has(f.type)) {
          if (wireType === 2 && VARINT_SCALARS.has(f.type)) {
            // packed encoding
            const end = r.delimited();
            const packed = new Reader(buf, r.pos, end);
            while (packed.pos < packed.end) {
              packed.varint();
              slot.items.push(scalarFromVarint(packed, f.type));
            }
            r.pos = end;
          } else slot.items.push(readScalar(r, f.type, wireType, f.name));
        } else {
          slot.items.push(renderMessage(buf, [readRange(r, wireType, f.name)], f.type, depth + 1));
        }
      } else if (SCALARS.has(f.type)) {
        slots.set(num, { kind: "scalar", value: readScalar(r, f.type, wireType, f.name) });
      } else if (SPECIALS.has(f.type)) {
        // These types replace rather than merge on repeated occurrence.
        slots.set(num, { kind: "ranges", ranges: [readRange(r, wireType, f.name)] });
      } else {
        const range = readRange(r, wireType, f.name);
        const slot = slots.get(num);
        if (slot && slot.kind === "ranges") slot.ranges.push(range);
        else slots.set(num, { kind: "ranges", ranges: [range] });
      }
    }
  }
  return slots;
}

function readMapEntry(buf: Uint8Array, [start, end]: Range, valueType: string, depth: number): [string, Json] {
  const r = new Reader(buf, start, end);
  let key = "";
  let valueRange: Range | undefined;
  let scalar: Json | undefined;
  while (r.pos < r.end) {
    const { field, wireType } = r.tag("mapEntry");
    if (field === 1) {
      key = readScalar(r, "string", wireType, "key") as string;
    } else if (field === 2) {
      if (SCALARS.has(valueType)) scalar = readScalar(r, valueType, wireType, "value");
      else valueRange = readRange(r, wireType, "value");
    } else r.skip(wireType);
  }
  if (SCALARS.has(valueType)) return [key, scalar ?? zeroScalar(valueType, true)];
  return [key, renderMessage(buf, valueRange ? [valueRange] : [], valueType, depth + 1)];
}

function zeroScalar(type: string, emptyBytes = false): Json {
  switch (type) {
    case "string":
      return "";
    case "bool":
      return false;
    case "bytes":
      return emptyBytes ? "" : null;
    default:
      return 0;
  }
}

function isZeroScalar(v: Json): boolean {
  return v === "" || v === 0 || v === false || v === null;
}

/** The JSON form of one message (or special type) held in `ranges`. */
function renderMessage(buf: Uint8Array, ranges: readonly Range[], type: string, depth: number): Json {
  if (depth > MAX_DEPTH) throw new ProtoError("proto: exceeded maximum recursion depth");
  if (SPECIALS.has(type)) return renderSpecial(buf, ranges[ranges.length - 1], type, depth);
  const spec = messageSpec(type);
  const slots = collect(buf, ranges, spec, type, depth);
  const out: JsonObject = {};
  for (const f of spec.fields) {
    const slot = slots.get(f.num);
    if (f.inline) {
      const inner = renderMessage(buf, slot?.kind === "ranges" ? slot.ranges : [], f.type, depth + 1);
      Object.assign(out, inner);
      continue;
    }
    if (f.mapValue !== undefined) {
      if (slot?.kind === "map" && slot.entries.size > 0) {
        // encoding/json writes map keys sorted.
        const obj: JsonObject = {};
        for (const key of [...slot.entries.keys()].sort()) obj[key] = slot.entries.get(key)!;
        out[f.name] = obj;
      } else if (f.emitEmpty) out[f.name] = null;
      continue;
    }
    if (f.rep) {
      if (slot?.kind === "list" && slot.items.length > 0) out[f.name] = slot.items;
      else if (f.emitEmpty) out[f.name] = null;
      continue;
    }
    if (SCALARS.has(f.type)) {
      if (slot?.kind === "scalar") {
        if (f.ptr || f.emitEmpty || !isZeroScalar(slot.value)) out[f.name] = slot.value;
      } else if (f.ptr) {
        if (f.emitEmpty) out[f.name] = null;
      } else if (f.emitEmpty) out[f.name] = zeroScalar(f.type);
      continue;
    }
    // Message-typed field: a Go pointer is omitted when unset; a struct value is always written.
    if (slot?.kind === "ranges") out[f.name] = renderMessage(buf, slot.ranges, f.type, depth + 1);
    else if (!f.ptr) out[f.name] = renderMessage(buf, [], f.type, depth + 1);
    else if (f.emitEmpty) out[f.name] = null;
  }
  return out;
}

/** Types whose JSON form is not their proto shape (custom MarshalJSON in apimachinery). */
function renderSpecial(buf: Uint8Array, range: Range | undefined, type: string, depth: number): Json {
  const fields = new Map<number, Json>();
  const items: Json[] = [];
  const bytesFields = type === "meta.v1.FieldsV1" || type === "runtime.RawExtension";
  let raw: Uint8Array | undefined;
  if (range) {
    const r = new Reader(buf, range[0], range[1]);
    const name = type.slice(type.lastIndexOf(".") + 1);
    while (r.pos < r.end) {
      const { field, wireType } = r.tag(name);
      const scalarType = specialFieldType(type, field);
      if (!scalarType) {
        r.skip(wireType);
        continue;
      }
      if (bytesFields) {
        const [s, e] = readRange(r, wireType, "Raw");
        raw = buf.subarray(s, e);
      } else if (type.endsWith("ExtraValue")) items.push(readScalar(r, "string", wireType, "items"));
      else fields.set(field, readScalar(r, scalarType, wireType, name));
    }
  }
  switch (type) {
    case "meta.v1.Time":
    case "meta.v1.MicroTime": {
      // Models staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/time_proto.go Time.Unmarshal
      if (!range || range[0] === range[1]) return null;
      const seconds = (fields.get(1) as number | undefined) ?? 0;
      const nanos = type === "meta.v1.MicroTime" ? ((fields.get(2) as number | undefined) ?? 0) : 0;
      if (seconds === GO_ZERO_TIME_SECONDS && nanos === 0) return null;
      return formatTime(seconds, nanos, type === "meta.v1.MicroTime");
    }
    case "resource.Quantity": {
      // Models staging/src/k8s.io/apimachinery/pkg/api/resource/quantity_proto.go Quantity.Unmarshal
      const s = fields.get(1) as string | undefined;
      if (s === undefined) return "0";
      if (!QUANTITY.test(s)) throw new ProtoError(QUANTITY_ERROR);
      return s;
    }
    case "intstr.IntOrString": {
      // Models staging/src/k8s.io/apimachinery/pkg/util/intstr/intstr.go IntOrString.MarshalJSON
      const kind = (fields.get(1) as number | undefined) ?? 0;
      if (kind === 0) return (fields.get(2) as number | undefined) ?? 0;
      if (kind === 1) return (fields.get(3) as string | undefined) ?? "";
      throw new ProtoError("impossible IntOrString.Type");
    }
    case "meta.v1.FieldsV1":
    case "runtime.RawExtension": {
      if (raw === undefined) return null;
      if (type === "runtime.RawExtension" && startsWithMagic(raw)) return decodeEnvelope(raw, undefined, depth + 1) as unknown as Json;
      try {
        return JSON.parse(utf8.decode(raw)) as Json;
      } catch {
        throw new ProtoError(`json: error calling MarshalJSON for type ${type}: invalid character in embedded JSON`);
      }
    }
    default:
      // ExtraValue is a named []string.
      return items.length ? items : null;
  }
}

function specialFieldType(type: string, field: number): string | undefined {
  switch (type) {
    case "meta.v1.Time":
    case "meta.v1.MicroTime":
      return field === 1 ? "int64" : field === 2 ? "int32" : undefined;
    case "resource.Quantity":
      return field === 1 ? "string" : undefined;
    case "intstr.IntOrString":
      return field === 1 ? "int64" : field === 2 ? "int32" : field === 3 ? "string" : undefined;
    default:
      return field === 1 ? "bytes" : undefined;
  }
}

// Models staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go splitREString
const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const QUANTITY_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** RFC 3339 in UTC, seconds precision (metav1.Time) or microseconds (metav1.MicroTime). */
function formatTime(seconds: number, nanos: number, micro: boolean): string {
  const date = new Date(seconds * 1000);
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < 0 || year > 9999) throw new ProtoError("Time.MarshalJSON: year outside of range [0,9999]");
  const iso = date.toISOString();
  const base = iso.slice(iso.length - 24, iso.length - 5);
  if (!micro) return `${base}Z`;
  return `${base}.${String(Math.floor(nanos / 1000)).padStart(6, "0")}Z`;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function base64(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
  }
  if (i < bytes.length) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += B64[n >> 18] + B64[(n >> 12) & 63] + (i + 1 < bytes.length ? B64[(n >> 6) & 63] : "=") + "=";
  }
  return out;
}

function startsWithMagic(body: Uint8Array): boolean {
  return body.length >= MAGIC.length && MAGIC.every((b, i) => body[i] === b);
}

// Models staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go summarizeData
export function summarizeData(body: Uint8Array, max: number): string {
  if (body.length === 0) return "<empty>";
  if (body[0] === 0x7b) {
    const text = utf8.decode(body.subarray(0, max));
    return body.length > max ? `${text} ...` : text;
  }
  let hex = "";
  for (const b of body.subarray(0, max)) hex += b.toString(16).padStart(2, "0");
  return body.length > max ? `${hex} ...` : hex;
}

export interface ExpectedKind {
  /** Used when the body's TypeMeta leaves apiVersion empty (e.g. `apps/v1`). */
  apiVersion?: string;
  /** The kind the endpoint stores; used in messages and when the body leaves kind empty. */
  kind?: string;
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Range | undefined;
}

/** Reads the runtime.Unknown wrapper that follows the magic bytes. */
function readEnvelope(body: Uint8Array): Envelope {
  // Models staging/src/k8s.io/apimachinery/pkg/runtime/generated.pb.go Unknown.Unmarshal
  const r = new Reader(body, MAGIC.length, body.length);
  const env: Envelope = { apiVersion: "", kind: "", raw: undefined };
  while (r.pos < r.end) {
    const { field, wireType } = r.tag("Unknown");
    if (wireType === 4) throw new ProtoError("proto: Unknown: wiretype end group for non-group");
    switch (field) {
      case 1: {
        const [start, end] = readRange(r, wireType, "TypeMeta");
        const t = new Reader(body, start, end);
        while (t.pos < t.end) {
          const tag = t.tag("TypeMeta");
          if (tag.field === 1) env.apiVersion = readScalar(t, "string", tag.wireType, "APIVersion") as string;
          else if (tag.field === 2) env.kind = readScalar(t, "string", tag.wireType, "Kind") as string;
          else t.skip(tag.wireType);
        }
        break;
      }
      case 2:
        env.raw = readRange(r, wireType, "Raw");
        break;
      case 3:
      case 4:
        // contentEncoding / contentType: upstream decodes raw as protobuf regardless.
        readScalar(r, "string", wireType, field === 3 ? "ContentEncoding" : "ContentType");
        break;
      default:
        r.skip(wireType);
    }
  }
  return env;
}

function rootMessage(apiVersion: string, kind: string): string | undefined {
  // DeleteOptions is registered in every group version.
  if (kind === "DeleteOptions") return "meta.v1.DeleteOptions";
  return KINDS[`${apiVersion}/${kind}`];
}

function decodeEnvelope(body: Uint8Array, expected: ExpectedKind | undefined, depth: number): KubeObject {
  const into = expected?.kind;
  const unrecognized = (why: string) =>
    badRequest(`the object provided is unrecognized${into ? ` (must be of type ${into})` : ""}: ${why} (${summarizeData(body, 30)})`);
  // Models staging/src/k8s.io/apimachinery/pkg/runtime/serializer/protobuf/protobuf.go Serializer.Decode
  if (body.length === 0) throw unrecognized("empty data");
  if (!startsWithMagic(body)) throw unrecognized(`provided data does not appear to be a protobuf message, expected prefix [${MAGIC.join(" ")}]`);
  if (body.length === MAGIC.length) throw unrecognized("empty body");
  let env: Envelope;
  try {
    env = readEnvelope(body);
  } catch (err) {
    if (err instanceof ProtoError) throw unrecognized(err.message);
    throw err;
  }
  const apiVersion = env.apiVersion || expected?.apiVersion || "";
  const kind = env.kind || expected?.kind || "";
  if (!kind) throw unrecognized(`Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:"${env.apiVersion}", Kind:""}'`);
  // Models staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go transformDecodeError
  const version = apiVersion.slice(apiVersion.indexOf("/") + 1);
  const cannotHandle = (why: string) => badRequest(`${kind} in version "${version}" cannot be handled as a ${into ?? kind}: ${why}`);
  if (!apiVersion) throw cannotHandle(`Object 'apiVersion' is missing in 'runtime.TypeMeta{APIVersion:"", Kind:"${env.kind}"}'`);
  const root = rootMessage(apiVersion, kind);
  if (!root) throw cannotHandle(`no kind "${kind}" is registered for version "${apiVersion}" in scheme "pkg/api/legacyscheme/scheme.go:30"`);
  let decoded: Json;
  try {
    decoded = renderMessage(body, env.raw ? [env.raw] : [], root, depth);
  } catch (err) {
    if (err instanceof ProtoError) throw cannotHandle(err.message);
    throw err;
  }
  return { kind, apiVersion, ...(decoded as JsonObject) } as unknown as KubeObject;
}

/**
 * Decodes a `k8s\0`-prefixed runtime.Unknown body into the object's JSON form: Time as RFC 3339,
 * IntOrString as number|string, Quantity as string, bytes as base64, and fields present or absent
 * exactly as encoding/json would write the Go object (omitempty, pointers, nil slices as null).
 * Malformed input throws a 400 BadRequest worded like the apiserver's decode errors.
 */
export function decodeKubeProtobuf(body: Uint8Array, expected?: ExpectedKind): KubeObject {
  return decodeEnvelope(body, expected, 0);
}

/** Whether a Content-Type names the Kubernetes protobuf encoding. */
export function isKubeProtobuf(contentType: string | null | undefined): boolean {
  return (contentType ?? "").split(";")[0].trim().toLowerCase() === "application/vnd.kubernetes.protobuf";
}
