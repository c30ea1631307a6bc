// The page's copy of the cluster, kept current the way a client-go informer keeps its cache: list
// each resource, then watch from the list's resourceVersion; on 410 Expired list again. Every watch
// travels in one response (`/s/<id>/console/watch`, see worker/service/watch-mux.ts) because a
// browser gives a host only six HTTP/1.1 connections. The same stream carries the sandbox clock
// whenever it is set, wherever from (another tab, the API, the owner skipping ahead). Nothing here polls.
import { getJson, type ClockState, type KubeObject } from "./api";

export interface Resource {
  /** Short key the views use. */
  key: string;
  /** Collection path across namespaces. */
  path: string;
  kind: string;
}

export const RESOURCES: Resource[] = [
  { key: "nodes", path: "/api/v1/nodes", kind: "Node" },
  { key: "pods", path: "/api/v1/pods", kind: "Pod" },
  { key: "events", path: "/api/v1/events", kind: "Event" },
  { key: "namespaces", path: "/api/v1/namespaces", kind: "Namespace" },
  { key: "services", path: "/api/v1/services", kind: "Service" },
  { key: "endpointslices", path: "/apis/discovery.k8s.io/v1/endpointslices", kind: "EndpointSlice" },
  { key: "deployments", path: "/apis/apps/v1/deployments", kind: "Deployment" },
  { key: "replicasets", path: "/apis/apps/v1/replicasets", kind: "ReplicaSet" },
  { key: "statefulsets", path: "/apis/apps/v1/statefulsets", kind: "StatefulSet" },
  { key: "daemonsets", path: "/apis/apps/v1/daemonsets", kind: "DaemonSet" },
  { key: "jobs", path: "/apis/batch/v1/jobs", kind: "Job" },
  { key: "cronjobs", path: "/apis/batch/v1/cronjobs", kind: "CronJob" },
  { key: "persistentvolumeclaims", path: "/api/v1/persistentvolumeclaims", kind: "PersistentVolumeClaim" },
  { key: "persistentvolumes", path: "/api/v1/persistentvolumes", kind: "PersistentVolume" },
];

export const objectKey = (o: KubeObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;

interface WatchLine {
  /** A clock line has no `w`, only the clock's new state. */
  clock?: ClockState;
  w: number;
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: KubeObject & { code?: number; message?: string };
}

export type ConnectionState = "loading" | "live" | "reconnecting";

export class ClusterCache {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly versions = new Map<string, string>();
  private readonly stale = new Set<string>();
  /** Pods seen deleted, by uid: their story stays readable after they are gone. */
  readonly gone = new Map<string, KubeObject>();
  private readonly listeners = new Set<(changed: Set<string>) => void>();
  private changed = new Set<string>();
  private flushQueued = false;
  private abort?: AbortController;
  private stopped = false;
  state: ConnectionState = "loading";
  /** Lists made, per resource (tests read it to see a relist). */
  readonly listCount = new Map<string, number>();
  /** Called with the clock's state as the stream reports it (on every connection, and on each change). */
  onClock?: (state: ClockState) => void;

  constructor(private readonly base: string) {
    for (const r of RESOURCES) this.objects.set(r.key, new Map());
  }

  list<T extends KubeObject = KubeObject>(key: string): T[] {
    return [...(this.objects.get(key)?.values() ?? [])] as T[];
  }

  get<T extends KubeObject = KubeObject>(key: string, namespace: string | undefined, name: string): T | undefined {
    return this.objects.get(key)?.get(`${namespace ?? ""}/${name}`) as T | undefined;
  }

  /** Calls `fn` with the set of changed resource keys, at most once per animation frame. */
  subscribe(fn: (changed: Set<string>) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Lists everything once (resolving when the page can render), then keeps watching. */
  async start(): Promise<void> {
    await Promise.all(RESOURCES.map((r) => this.relist(r)));
    this.setState("live");
    void this.watchLoop();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  private async relist(r: Resource): Promise<void> {
    this.listCount.set(r.key, (this.listCount.get(r.key) ?? 0) + 1);
    const list = await getJson<{ metadata: { resourceVersion: string }; items: KubeObject[] }>(`${this.base}${r.path}`);
    const map = new Map<string, KubeObject>();
    // A list's items carry no kind or apiVersion (watch events do): give them theirs.
    const apiVersion = r.path.split("/").slice(2, -1).join("/");
    for (const o of list.items) map.set(objectKey(o), { apiVersion, kind: r.kind, ...o });
    this.objects.set(r.key, map);
    this.versions.set(r.key, list.metadata.resourceVersion);
    this.stale.delete(r.key);
    this.markChanged(r.key);
  }

  private async watchLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const started = Date.now();
      try {
        for (const r of RESOURCES) if (this.stale.has(r.key)) await this.relist(r);
        await this.watchOnce();
      } catch {
        // A dropped connection or a failed list: try again after a pause.
      }
      if (this.stopped) return;
      failures = Date.now() - started > 10_000 ? 0 : failures + 1;
      this.setState("reconnecting");
      // A stream that ends at once again and again backs off; the first retry is immediate.
      if (failures > 1) await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** (failures - 2))));
    }
  }

  private async watchOnce(): Promise<void> {
    const query = RESOURCES.map((r) => `w=${encodeURIComponent(`${r.path}@${this.versions.get(r.key) ?? "0"}`)}`).join("&");
    this.abort = new AbortController();
    const res = await fetch(`${this.base}/console/watch?${query}`, { signal: this.abort.signal });
    if (!res.ok || !res.body) throw new Error(`watch: HTTP ${res.status}`);
    this.setState("live");
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += value;
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim()) this.apply(JSON.parse(line) as WatchLine);
      }
    }
  }

  private apply(e: WatchLine): void {
    if (e.clock) return void this.onClock?.(e.clock);
    const r = RESOURCES[e.w];
    if (!r) return;
    if (e.type === "ERROR") {
      // 410 Expired: the history we would resume from is gone; list again. Anything else: retry.
      if (e.object.code === 410) this.stale.add(r.key);
      return;
    }
    const rv = e.object.metadata?.resourceVersion;
    if (rv) this.versions.set(r.key, rv);
    if (e.type === "BOOKMARK") return;
    const map = this.objects.get(r.key)!;
    if (e.type === "DELETED") {
      map.delete(objectKey(e.object));
      if (r.key === "pods" && e.object.metadata.uid) {
        this.gone.set(e.object.metadata.uid, e.object);
        // Keep the latest few hundred: enough for any story still on screen.
        if (this.gone.size > 500) this.gone.delete(this.gone.keys().next().value!);
      }
    } else {
      map.set(objectKey(e.object), e.object);
    }
    this.markChanged(r.key);
  }

  private setState(s: ConnectionState): void {
    if (this.state === s) return;
    this.state = s;
    this.markChanged("connection");
  }

  private markChanged(key: string): void {
    this.changed.add(key);
    if (this.flushQueued) return;
    this.flushQueued = true;
    requestAnimationFrame(() => {
      this.flushQueued = false;
      const changed = this.changed;
      this.changed = new Set();
      for (const fn of this.listeners) fn(changed);
    });
  }
}
