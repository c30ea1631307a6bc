// Sandbox-service operations on the simulated machines: adding a node (a machine that joins and
// whose kubelet registers it) and starting or stopping a node's kubelet. Callers hold the store's
// write lock and let the controllers settle afterwards.
import type { AdmissionContext } from "../api/admission";
import { admitCreate } from "../api/admission";
import { jsonResponse } from "../api/negotiate";
import { KubeError } from "../api/status";
import { freeNodeIndex } from "../controllers/node-registration";
import { findKind } from "../resources/registry";
import { parseQuantity } from "../resources/validation/quantity";
import { quantityValue } from "../scheduler/resources";
import { nodeObject, parseSandboxOptions } from "./bootstrap";
import type { Machine as NodeMachine } from "../kubelet/machine";
import { machine, machineOf, MACHINES, type Machine } from "./machines";
import { createRefusal, limitsOf, storedCounts } from "./limits";

const NODE = findKind({ group: "", version: "v1", kind: "Node" })!;

const fail = (message: string, status: number) => jsonResponse({ error: message }, status);

/** `POST /api/sandboxes/<id>/nodes` with a node entry like the create request's: `{"name":"k8s-node3"}`. */
export async function addNode(ctx: AdmissionContext, body: Record<string, unknown>): Promise<Response> {
  const parsed = parseSandboxOptions({ nodes: [body] });
  if (typeof parsed === "string") return fail(parsed.replace("nodes[0].", ""), 400);
  const opts = parsed.nodes[0];
  for (const key of ["cpu", "memory"] as const) {
    const v = body[key];
    if (v === undefined) continue;
    if (typeof v !== "string" || typeof parseQuantity(v) === "string" || quantityValue(v) <= 0) return fail(`${key} must be a quantity such as "4" or "8Gi"`, 400);
    // Node memory is reported in Ki, as a kubelet reads it from the machine.
    opts[key] = key === "memory" ? `${Math.floor(quantityValue(v) / 1024)}Ki` : v;
  }
  if (ctx.store.get("/nodes", "", opts.name)) return fail(`node "${opts.name}" already exists`, 409);
  const nodes = ctx.store.list("/nodes");
  const refusal = createRefusal(limitsOf(ctx.store), storedCounts(ctx.store), "", "nodes", "/nodes", opts.name);
  if (refusal) return fail(refusal.message, refusal.code);
  try {
    const node = nodeObject(opts, freeNodeIndex(nodes), ctx.store.sandboxId);
    // The machine's capacity and addresses, as its kubelet reports them when it registers.
    const status = node.status;
    const admitted = admitCreate(ctx, NODE, node);
    admitted.status = status;
    const stale = machineOf(ctx.store, opts.name);
    await ctx.store.commit(
      [{ type: "put", resource: "/nodes", object: admitted }, ...(stale ? [{ type: "delete" as const, resource: MACHINES, object: stale }] : [])],
      { rngState: ctx.rng.state },
    );
  } catch (e) {
    if (e instanceof KubeError) return fail(e.message, e.code);
    throw e;
  }
  return jsonResponse({ node: opts.name, created: true }, 201);
}

/** `POST /api/sandboxes/<id>/nodes/<node>/kubelet` `{"running": false}` stops the kubelet; `true` starts it. */
export async function setKubelet(ctx: AdmissionContext, body: Record<string, unknown>): Promise<Response> {
  const node = body.node;
  if (typeof node !== "string" || !ctx.store.get("/nodes", "", node)) return fail(`node "${String(node)}" not found`, 404);
  if (typeof body.running !== "boolean") return fail('expected a JSON object such as {"running": false}', 400);
  const current = machineOf(ctx.store, node);
  const running = (current?.kubelet ?? "running") === "running";
  if (running !== body.running) {
    // Other state of the machine (its images, its files) stays as it is.
    const next = { ...(current ?? machine(node, "running")), kubelet: body.running ? "running" : "stopped" } as Machine;
    // A start is reported on the Node by the kubelet's first pass (node-kubelet-events.ts).
    if (body.running) {
      delete next.stoppedAt;
      (next as NodeMachine).started = ctx.clock.nowRfc3339();
    } else next.stoppedAt = ctx.clock.nowRfc3339();
    await ctx.store.commit([{ type: "put", resource: MACHINES, object: next }], {});
  }
  const m = machineOf(ctx.store, node);
  return jsonResponse({ node, kubelet: m?.kubelet ?? "running", ...(m?.stoppedAt ? { stoppedAt: m.stoppedAt } : {}) });
}
