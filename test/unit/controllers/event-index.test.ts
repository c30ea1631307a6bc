import { describe, expect, it } from "vitest";
import { EventIndex } from "../../../worker/controllers/event-index";
import type { KubeObject } from "../../../worker/resources/types";

/** The key the index used to be a Map by: the tuple as a length-prefixed string, JSON when a part is not a string. */
function referenceKey(namespace: unknown, uid: unknown, fieldPath: unknown, reason: unknown, message: unknown, type: unknown, component: unknown): string {
  const parts = [namespace, uid ?? "", fieldPath ?? "", reason, message, type, component ?? ""];
  let key = "";
  for (const p of parts) {
    if (typeof p !== "string") return JSON.stringify(parts);
    key += `${p.length}:${p}`;
  }
  return key;
}

function event(namespace: unknown, uid: unknown, fieldPath: unknown, reason: unknown, message: unknown, type: unknown, component: unknown): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: "x", ...(namespace === undefined ? {} : { namespace }) } as KubeObject["metadata"],
    involvedObject: { uid, fieldPath },
    reason,
    message,
    type,
    source: { component },
  } as KubeObject;
}

describe("EventIndex", () => {
  it("answers as a map keyed by the whole aggregation tuple would, for any sequence of sets, gets and deletes", () => {
    const pick = <T>(xs: T[], r: () => number) => xs[Math.floor(r() * xs.length)];
    let seed = 7;
    const r = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    // Few values per field, so keys collide on some fields and not others; "" and non-strings included.
    const namespaces = ["default", "kube-system", "", undefined];
    const uids = ["u1", "u2", "", undefined, null];
    const fieldPaths = ["spec.containers{web}", "", undefined];
    const reasons = ["Pulled", "Started", "1:x", undefined, 3];
    const messages = ["ok", "Started container web", "", "2:ab"];
    const types = ["Normal", "Warning"];
    const components = ["kubelet", "", undefined, "default-scheduler"];
    const index = new EventIndex();
    const ref = new Map<string, string>();
    for (let i = 0; i < 20000; i++) {
      const t = [pick(namespaces, r), pick(uids, r), pick(fieldPaths, r), pick(reasons, r), pick(messages, r), pick(types, r), pick(components, r)] as const;
      const e = event(...t);
      const k = referenceKey(t[0] ?? "", t[1], t[2], t[3], t[4], t[5], t[6]);
      const op = r();
      if (op < 0.4) {
        const name = `e${i}`;
        index.setOf(e, name);
        ref.set(k, name);
      } else if (op < 0.6) {
        index.deleteOf(e);
        ref.delete(k);
      } else {
        expect(index.getOf(e)).toBe(ref.get(k));
      }
      if (t[0] !== undefined) expect(index.get(t[0], t[1], t[2], t[3], t[4], t[5], t[6])).toBe(ref.get(k));
    }
  });

  it("keeps a key's name after the event it named changes its message (the key stays as it was indexed)", () => {
    const index = new EventIndex();
    const before = event("default", "u1", "", "Failed", "first", "Warning", "kubelet");
    index.setOf(before, "ev1");
    const after = event("default", "u1", "", "Failed", "second", "Warning", "kubelet");
    index.setOf(after, "ev1");
    expect(index.get("default", "u1", "", "Failed", "first", "Warning", "kubelet")).toBe("ev1");
    index.deleteOf(after);
    expect(index.get("default", "u1", "", "Failed", "first", "Warning", "kubelet")).toBe("ev1");
    expect(index.get("default", "u1", "", "Failed", "second", "Warning", "kubelet")).toBeUndefined();
  });
});
