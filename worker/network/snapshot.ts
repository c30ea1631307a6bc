// The cluster as the network reads it, frozen at one moment: the objects kube-proxy, CoreDNS and
// the last hop consult (nodes and machines, Services, EndpointSlices, pods, the kubelets' runtime
// records, kube-proxy's ConfigMap). Taking one copies references only, since stored objects are
// replaced, never changed, on a write; two snapshots holding the very same objects answer alike,
// which makes comparing them a cheap test of "did the network change". Process models keep the
// snapshots their runs were answered from, so calls made before a change keep their answers.
import { CONTAINERS } from "../kubelet/record";
import type { KubeObject } from "../resources/types";
import { MACHINES } from "../sandbox/machines";
import { SLICES, type Reader } from "./cluster";

/** Everything answering a DNS question or a connection reads, besides files (read live). */
const RESOURCES = ["/nodes", MACHINES, "/services", SLICES, "/pods", CONTAINERS];
const PROXY_CONFIG = { resource: "/configmaps", namespace: "kube-system", name: "kube-proxy" };

const keyOf = (namespace: string, name: string) => `${namespace}\u0000${name}`;

export class NetworkSnapshot {
  private index?: Map<string, Map<string, KubeObject>>;

  private constructor(
    private readonly lists: Map<string, KubeObject[]>,
    private readonly proxyConfig: KubeObject | undefined,
  ) {}

  static take(reader: Reader): NetworkSnapshot {
    return new NetworkSnapshot(new Map(RESOURCES.map((r) => [r, reader.list(r)])), reader.get(PROXY_CONFIG.resource, PROXY_CONFIG.namespace, PROXY_CONFIG.name));
  }

  /** Whether `other` holds the very same objects. */
  same(other: NetworkSnapshot): boolean {
    if (other === this) return true;
    if (other.proxyConfig !== this.proxyConfig) return false;
    for (const [r, list] of this.lists) {
      const theirs = other.lists.get(r)!;
      if (theirs.length !== list.length) return false;
      for (let i = 0; i < list.length; i++) if (theirs[i] !== list[i]) return false;
    }
    return true;
  }

  /** A reader answering the network's objects from the snapshot and anything else from `live`. */
  reader(live: Reader): Reader {
    return {
      get: (resource, namespace, name) => {
        if (resource === PROXY_CONFIG.resource && namespace === PROXY_CONFIG.namespace && name === PROXY_CONFIG.name) return this.proxyConfig;
        if (!this.lists.has(resource)) return live.get(resource, namespace, name);
        return this.byKey(resource).get(keyOf(namespace, name));
      },
      list: (resource, namespace) => {
        const list = this.lists.get(resource);
        if (!list) return live.list(resource, namespace);
        return namespace === undefined ? list.slice() : list.filter((o) => (o.metadata.namespace ?? "") === namespace);
      },
    };
  }

  private byKey(resource: string): Map<string, KubeObject> {
    this.index ??= new Map();
    let m = this.index.get(resource);
    if (!m) {
      m = new Map((this.lists.get(resource) ?? []).map((o) => [keyOf(o.metadata.namespace ?? "", o.metadata.name ?? ""), o]));
      this.index.set(resource, m);
    }
    return m;
  }
}
