// What the console needs from the sandbox's Durable Object: the API server (called in-process
// with real HTTP-shaped requests), the node shell (run under the write lock, then the controllers
// settle), the files on a node, the clock, and a way to wait until the cluster has reacted.
import type { ApiContext } from "../api/context";
import { handleApi } from "../api/router";
import { nodeFs, runOnNode, type NodeCommand, type NodeCommandResult } from "../sandbox/node-shell";
import type { FsReader } from "../runtime/types";
import type { SandboxGuard } from "../sandbox/limits";
import { clockState, onClockSet } from "./clock-signal";

export interface ConsoleHost {
  /** The sandbox's API, as a request to `server` would reach it. */
  fetch(request: Request): Promise<Response>;
  /** The kubeconfig's server (`http://host/s/<id>`) and context name. */
  server: string;
  context: string;
  readOnly: boolean;
  now(): number;
  /** Runs a command on a node (its writes committed, the controllers run if it changed anything). */
  onNode(req: NodeCommand): Promise<NodeCommandResult | { error: string; status: number }>;
  nodeFs(node: string): FsReader | undefined;
  /** Nodes by name, with their InternalIP and whether they are control-plane nodes. */
  nodes(): { name: string; ip: string; controlPlane: boolean }[];
  /** Object names of a resource type (`apps/deployments`) in a namespace, for completion. */
  names(group: string, resource: string, namespace?: string): string[];
  /** Waits until the controllers have reacted to the writes made so far. */
  settle(): Promise<void>;
  /** The sandbox's limits: a terminal holds one of its exec slots. */
  guard?: SandboxGuard;
  /**
   * Opens one of the combined watch stream's watches (`path` with its query). It takes no watch slot:
   * the stream holds one for all of them.
   */
  watch(path: string): Promise<Response>;
  /** The clock's state, and a subscription to its changes (returns the unsubscribe). */
  clock: { state(): { now: string; timeScale: number; paused: boolean }; onSet(fn: () => void): () => void };
}

export interface HostDeps {
  api: ApiContext;
  origin: string;
  /** Runs `fn` holding the store's write lock, then lets the controllers reconcile if asked. */
  exclusive<T>(fn: () => Promise<{ value: T; changed: boolean }>): Promise<T>;
  settle(): Promise<void>;
  /** Waits, as a client request does, for the controller work an earlier write asked for to start. */
  ready?(): Promise<void>;
}

/** The kubeconfig context name the Worker gives a sandbox (`kubeplay-<first 8 of the id>`). */
export function contextName(prefix: string): string {
  const id = prefix.replace(/^\/s\//, "");
  return `kubeplay-${id.slice(0, 8)}`;
}

export function consoleHost(d: HostDeps): ConsoleHost {
  const { api } = d;
  const server = `${d.origin}${api.prefix}`;
  return {
    server,
    context: contextName(api.prefix),
    readOnly: api.readOnly,
    now: () => api.clock.now(),
    async fetch(request) {
      const url = new URL(request.url);
      const path = url.pathname.startsWith(api.prefix) ? url.pathname.slice(api.prefix.length) || "/" : url.pathname;
      await d.ready?.();
      return handleApi(api, request, path);
    },
    onNode(req) {
      return d.exclusive(async () => {
        const r = await runOnNode(api, { ...req, readOnly: api.readOnly });
        return { value: r, changed: !("error" in r) && r.changed };
      });
    },
    nodeFs: (node) => nodeFs(api, node),
    nodes() {
      return api.store.list("/nodes").map((n) => {
        const status = (n.status ?? {}) as { addresses?: { type: string; address: string }[] };
        return {
          name: n.metadata.name ?? "",
          ip: status.addresses?.find((a) => a.type === "InternalIP")?.address ?? "",
          controlPlane: n.metadata.labels?.["node-role.kubernetes.io/control-plane"] !== undefined,
        };
      });
    },
    names(group, resource, namespace) {
      return api.store
        .list(`${group}/${resource}`, namespace)
        .map((o) => o.metadata.name ?? "")
        .filter(Boolean);
    },
    settle: () => d.settle(),
    guard: api.guard,
    watch(path) {
      const url = new URL(path, server);
      return handleApi({ ...api, guard: undefined }, new Request(url, { headers: { accept: "application/json" } }), url.pathname);
    },
    clock: { state: () => clockState(api.clock), onSet: (fn) => onClockSet(api.clock, fn) },
  };
}
