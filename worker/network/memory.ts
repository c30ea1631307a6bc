// What kube-proxy and the kernel remember between connections and nobody stores: IPVS round-robin
// positions, ClientIP affinity entries (the `recent` module's table, IPVS persistence), and a
// connection counter that varies iptables' random picks between otherwise identical requests.
// A request must not write to the store, so this lives in memory for as long as the sandbox is
// loaded in its Durable Object; a restart starts every round-robin over, as restarting kube-proxy
// (IPVS keeps its tables, but kubeplay has no kernel to keep them) would. It is keyed by the
// sandbox's random generator object, which every request handler and controller pass of one loaded
// sandbox shares; process models get a fresh memory each so their outcome depends on nothing
// interactive.
//
// A command run under the sandbox's write lock (kubectl exec, the node shell) opens a journal here
// for as long as it runs: the requests containers answered for it are collected and committed with
// the command (kubelet/logs.ts servedChanges), so they appear in the servers' logs. Nothing else
// opens one: a request served outside such a command writes nothing.

import type { ServedRequest } from "./types";

export interface Affinity {
  ip: string;
  port: number;
  /** Virtual ms of the last connection that used it. */
  at: number;
}

export class NetworkMemory {
  connections = 0;
  readonly roundRobin = new Map<string, number>();
  readonly affinity = new Map<string, Affinity>();
  /** Requests served while a command's journal is open (journalServed). */
  journal?: ServedRequest[];

  /** Bounds the tables for a long-lived sandbox (affinity entries expire anyway). */
  trim(): void {
    if (this.affinity.size > 10_000) this.affinity.clear();
    if (this.roundRobin.size > 10_000) this.roundRobin.clear();
  }
}

const memories = new WeakMap<object, NetworkMemory>();

/** The memory of the sandbox that `key` (its generator) belongs to; a fresh one without a key. */
export function memoryOf(key: object | undefined): NetworkMemory {
  if (!key) return new NetworkMemory();
  let m = memories.get(key);
  if (!m) memories.set(key, (m = new NetworkMemory()));
  return m;
}

/** A command's journal: what containers served while it was open. */
export interface Journal {
  readonly served: ServedRequest[];
  close(): void;
}

/**
 * Opens the journal of served requests of the sandbox `key` belongs to, until `close()`. Open and
 * close it within one synchronous run, so no other request's answers fall into it.
 */
export function journalServed(key: object): Journal {
  const mem = memoryOf(key);
  const served: ServedRequest[] = [];
  mem.journal = served;
  return {
    served,
    close: () => {
      if (mem.journal === served) mem.journal = undefined;
    },
  };
}
