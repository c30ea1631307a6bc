import { describe, expect, it } from "vitest";
import { decodeKubeProtobuf, isKubeProtobuf } from "../../worker/api/protobuf";
import { KubeError } from "../../worker/api/status";
import { CAPTURES } from "../fixtures/protobuf/captures";

function fromBase64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

// A minimal proto2 writer for hand-built bodies.
function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}
const enc = new TextEncoder();
const key = (field: number, wireType: number) => varint((field << 3) | wireType);
const vint = (field: number, n: number | bigint) => [...key(field, 0), ...varint(n)];
const bytes = (field: number, b: number[] | Uint8Array) => [...key(field, 2), ...varint(b.length), ...b];
const str = (field: number, s: string) => bytes(field, enc.encode(s));
const msg = (field: number, ...parts: number[][]) => bytes(field, parts.flat());
const entry = (field: number, k: string, v: number[]) => msg(field, str(1, k), v);

function envelope(apiVersion: string, kind: string, raw: number[]): Uint8Array {
  return new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...msg(1, str(1, apiVersion), str(2, kind)), ...bytes(2, raw), ...str(3, ""), ...str(4, "")]);
}

function badRequest(fn: () => unknown): KubeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KubeError);
    const e = err as KubeError;
    expect(e.code).toBe(400);
    expect(e.reason).toBe("BadRequest");
    return e;
  }
  throw new Error("expected a BadRequest");
}

describe("decodeKubeProtobuf on bodies captured from kubectl", () => {
  for (const c of CAPTURES) {
    it(`${c.name}: ${c.command}`, () => {
      const decoded = decodeKubeProtobuf(fromBase64(c.body));
      expect(decoded).toEqual(c.json);
      // Same keys in the same order as encoding/json writes them.
      if (c.fromDryRun) expect(JSON.stringify(decoded)).toBe(JSON.stringify(c.json));
    });
  }

  it("keeps pointer fields that are set to their zero value", () => {
    const multi = CAPTURES.find((c) => c.name === "deployment-multi")!;
    const d = decodeKubeProtobuf(fromBase64(multi.body)) as unknown as { spec: { replicas?: number } };
    expect(d.spec.replicas).toBe(0);
  });

  it("writes non-omitempty zero values and nil slices as encoding/json does", () => {
    const hpa = decodeKubeProtobuf(fromBase64(CAPTURES.find((c) => c.name === "autoscale")!.body));
    expect(hpa.status).toEqual({ currentReplicas: 0, desiredReplicas: 0 });
    const token = decodeKubeProtobuf(fromBase64(CAPTURES.find((c) => c.name === "token")!.body));
    expect(token.status).toEqual({ token: "", expirationTimestamp: null });
  });

  it("decodes bytes as base64", () => {
    const cm = decodeKubeProtobuf(fromBase64(CAPTURES.find((c) => c.name === "configmap-file")!.body));
    expect(cm.binaryData).toEqual({ bin: "AAEC//4=" });
  });
});

describe("decodeKubeProtobuf conversions", () => {
  const meta = msg(1, str(1, "x"));

  it("Time → RFC 3339 at second precision; zero Time → null", () => {
    const pod = decodeKubeProtobuf(
      envelope("v1", "Pod", [
        ...msg(1, str(1, "p"), msg(8, vint(1, 1700000000), vint(2, 999))),
        ...msg(3, str(1, "Running"), msg(7, vint(1, -62135596800))),
      ]),
    );
    expect(pod.metadata.creationTimestamp).toBe("2023-11-14T22:13:20Z");
    expect((pod.status as Record<string, unknown>).startTime).toBeNull();
    expect((pod.status as Record<string, unknown>).phase).toBe("Running");
  });

  it("IntOrString → number or string, Quantity → string, negative int32", () => {
    const svc = decodeKubeProtobuf(
      envelope("v1", "Service", [
        ...meta,
        ...msg(2, msg(1, str(1, "a"), vint(3, 80), msg(4, vint(1, 1), str(3, "http"))), msg(1, str(1, "b"), vint(3, 81), msg(4, vint(2, 8081)))),
      ]),
    );
    expect((svc.spec as { ports: unknown[] }).ports).toEqual([
      { name: "a", port: 80, targetPort: "http" },
      { name: "b", port: 81, targetPort: 8081 },
    ]);
    const quota = decodeKubeProtobuf(envelope("v1", "ResourceQuota", [...meta, ...msg(2, entry(1, "cpu", msg(2, str(1, "500m"))), entry(1, "pods", []))]));
    expect((quota.spec as { hard: unknown }).hard).toEqual({ cpu: "500m", pods: "0" });
    const pc = decodeKubeProtobuf(envelope("scheduling.k8s.io/v1", "PriorityClass", [...meta, ...vint(2, -5)]));
    expect(pc.value).toBe(-5);
  });

  it("Secret data is base64 and map keys come out sorted", () => {
    const s = decodeKubeProtobuf(envelope("v1", "Secret", [...meta, ...entry(2, "z", bytes(2, [0xff])), ...entry(2, "a", bytes(2, enc.encode("hi"))), ...str(3, "Opaque")]));
    expect(Object.keys(s.data as object)).toEqual(["a", "z"]);
    expect(s.data).toEqual({ a: "aGk=", z: "/w==" });
    expect(s.type).toBe("Opaque");
  });

  it("inline embedded structs merge into the parent", () => {
    const pod = decodeKubeProtobuf(
      envelope("v1", "Pod", [...meta, ...msg(2, msg(1, str(1, "cfg"), msg(2, msg(19, msg(1, str(1, "my-cm")))))), ...msg(3)]),
    );
    expect((pod.spec as { volumes: unknown }).volumes).toEqual([{ name: "cfg", configMap: { name: "my-cm" } }]);
  });

  it("accepts packed and unpacked repeated varints", () => {
    const groups = (securityContext: number[]) => {
      const pod = decodeKubeProtobuf(envelope("v1", "Pod", [...meta, ...msg(2, msg(14, securityContext))]));
      return (pod.spec as { securityContext: { supplementalGroups: number[] } }).securityContext.supplementalGroups;
    };
    expect(groups([...vint(4, 1), ...vint(4, 2)])).toEqual([1, 2]);
    expect(groups(bytes(4, [...varint(1), ...varint(2)]))).toEqual([1, 2]);
  });

  it("merges a message field that occurs twice, last scalar wins", () => {
    const ns = decodeKubeProtobuf(envelope("v1", "Namespace", [...msg(1, str(1, "a"), entry(11, "x", str(2, "1"))), ...msg(1, str(1, "b"), entry(11, "y", str(2, "2")))]));
    expect(ns.metadata).toEqual({ name: "b", creationTimestamp: null, labels: { x: "1", y: "2" } });
  });

  it("skips unknown fields of every wire type", () => {
    const plain = decodeKubeProtobuf(envelope("v1", "ServiceAccount", [...meta]));
    const unknown = [
      ...vint(90, 7),
      ...key(91, 1),
      ...[1, 2, 3, 4, 5, 6, 7, 8],
      ...str(92, "zz"),
      ...key(93, 5),
      ...[1, 2, 3, 4],
      ...key(94, 3),
      ...vint(1, 1),
      ...key(94, 4),
    ];
    expect(decodeKubeProtobuf(envelope("v1", "ServiceAccount", [...meta, ...unknown]))).toEqual(plain);
    expect(plain).toEqual({ kind: "ServiceAccount", apiVersion: "v1", metadata: { name: "x", creationTimestamp: null } });
  });

  it("DeleteOptions in any group version", () => {
    expect(decodeKubeProtobuf(envelope("apps/v1", "DeleteOptions", [...vint(1, 0), ...str(4, "Foreground")]))).toEqual({
      kind: "DeleteOptions",
      apiVersion: "apps/v1",
      gracePeriodSeconds: 0,
      propagationPolicy: "Foreground",
    });
  });

  it("fills an empty TypeMeta from the expected kind", () => {
    const body = new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...msg(1), ...bytes(2, meta)]);
    expect(decodeKubeProtobuf(body, { apiVersion: "v1", kind: "ConfigMap" })).toEqual({
      kind: "ConfigMap",
      apiVersion: "v1",
      metadata: { name: "x", creationTimestamp: null },
    });
  });
});

describe("decodeKubeProtobuf on malformed input", () => {
  it("rejects empty, unprefixed and prefix-only bodies", () => {
    expect(badRequest(() => decodeKubeProtobuf(new Uint8Array())).message).toBe("the object provided is unrecognized: empty data (<empty>)");
    expect(badRequest(() => decodeKubeProtobuf(enc.encode('{"kind":"Pod"}'), { kind: "Pod" })).message).toBe(
      'the object provided is unrecognized (must be of type Pod): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] ({"kind":"Pod"})',
    );
    expect(badRequest(() => decodeKubeProtobuf(new Uint8Array([0x6b, 0x38, 0x73, 0x00]))).message).toContain("empty body");
  });

  it("rejects unknown kinds and missing kind", () => {
    expect(badRequest(() => decodeKubeProtobuf(envelope("apps/v1", "Frobnicator", []))).message).toBe(
      'Frobnicator in version "v1" cannot be handled as a Frobnicator: no kind "Frobnicator" is registered for version "apps/v1" in scheme "pkg/api/legacyscheme/scheme.go:30"',
    );
    expect(badRequest(() => decodeKubeProtobuf(envelope("v1", "", []))).message).toContain("Object 'Kind' is missing");
    expect(badRequest(() => decodeKubeProtobuf(envelope("v2", "Pod", []))).message).toContain('no kind "Pod" is registered for version "v2"');
  });

  it("rejects wrong wire types, bad lengths, overlong varints and bad quantities", () => {
    expect(badRequest(() => decodeKubeProtobuf(envelope("apps/v1", "Deployment", vint(1, 1)), { kind: "Deployment" })).message).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: proto: wrong wireType = 0 for field metadata',
    );
    expect(badRequest(() => decodeKubeProtobuf(envelope("v1", "Pod", [...key(1, 2), 50, 1]))).message).toContain("unexpected EOF");
    expect(badRequest(() => decodeKubeProtobuf(envelope("v1", "Pod", [...key(99, 0), ...Array(10).fill(0xff), 1]))).message).toContain(
      "proto: integer overflow",
    );
    expect(badRequest(() => decodeKubeProtobuf(envelope("v1", "Pod", [...key(5, 7)]))).message).toContain("proto: illegal wireType 7");
    expect(badRequest(() => decodeKubeProtobuf(envelope("v1", "Pod", [0]))).message).toContain("illegal tag 0");
    expect(badRequest(() => decodeKubeProtobuf(envelope("v1", "ResourceQuota", [...msg(2, entry(1, "cpu", msg(2, str(1, "lots"))))]))).message).toContain(
      "quantities must match the regular expression",
    );
    expect(badRequest(() => decodeKubeProtobuf(new Uint8Array([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x05, 0x0a]))).message).toMatch(
      /^the object provided is unrecognized: unexpected EOF \(6b387300/,
    );
  });

  it("never fails with anything but a BadRequest on truncated or corrupted captures", () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (const c of CAPTURES.slice(0, 12)) {
      const body = fromBase64(c.body);
      for (let n = 0; n < body.length; n++) {
        try {
          decodeKubeProtobuf(body.subarray(0, n));
        } catch (err) {
          expect(err).toBeInstanceOf(KubeError);
        }
      }
      for (let i = 0; i < 200; i++) {
        const copy = body.slice();
        copy[4 + Math.floor(rand() * (copy.length - 4))] = Math.floor(rand() * 256);
        try {
          decodeKubeProtobuf(copy);
        } catch (err) {
          expect(err).toBeInstanceOf(KubeError);
        }
      }
    }
  });
});

it("isKubeProtobuf", () => {
  expect(isKubeProtobuf("application/vnd.kubernetes.protobuf")).toBe(true);
  expect(isKubeProtobuf("application/vnd.kubernetes.protobuf; charset=utf-8")).toBe(true);
  expect(isKubeProtobuf("application/json")).toBe(false);
  expect(isKubeProtobuf(undefined)).toBe(false);
});
