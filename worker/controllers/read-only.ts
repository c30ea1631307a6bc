// A controller context that only reads: code written for controller passes (the kubelet's views of a
// pod) can serve a read — a log, a request, a metrics scrape — without changing anything.
import { rfc3339 } from "../sandbox/clock";
import { Rng } from "../sandbox/rng";
import type { ControllerContext } from "./types";

export function readOnlyContext(store: Pick<ControllerContext, "get" | "list">, now: number): ControllerContext {
  const ignore = () => undefined;
  return {
    now: () => now,
    nowRfc3339: () => rfc3339(now),
    // Anything drawn here is thrown away; the sandbox's own generator is never touched.
    rng: new Rng(1),
    get: (r, ns, n) => store.get(r, ns, n),
    list: (r, ns) => store.list(r, ns),
    create: ignore,
    update: ignore,
    updateStatus: ignore,
    delete: ignore,
    emit: ignore,
    event: ignore,
    requeueAt: ignore,
    sidecar: () => {
      throw new Error("a read-only view keeps no sidecars");
    },
  };
}
