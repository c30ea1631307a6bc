// The service account controller: every active namespace has a `default` ServiceAccount, and gets
// it back if it is deleted. Namespaces being deleted are left alone, so emptying them can finish.
// Models pkg/controller/serviceaccount/serviceaccounts_controller.go syncNamespace
import { findKind } from "../resources/registry";
import { defaultServiceAccount } from "../sandbox/bootstrap/cluster";
import type { ControllerContext } from "./types";

const SERVICE_ACCOUNT = findKind({ group: "", version: "v1", kind: "ServiceAccount" })!;

/** The accounts the controller ensures in each namespace (`--service-account` names upstream). */
const ENSURED = ["default"];

export function serviceAccountController(ctx: ControllerContext): void {
  for (const ns of ctx.list("/namespaces")) {
    const phase = (ns.status as { phase?: string } | undefined)?.phase;
    if (ns.metadata.deletionTimestamp || phase !== "Active") continue;
    const namespace = ns.metadata.name ?? "";
    for (const name of ENSURED) {
      if (ctx.get("/serviceaccounts", namespace, name)) continue;
      const sa = defaultServiceAccount(namespace);
      sa.metadata.name = name;
      ctx.create(SERVICE_ACCOUNT, sa);
    }
  }
}
