// `kubectl describe`: one describer per kind, the generic one otherwise, each fetching what it
// shows besides the object (its events, the pods of a controller, a Service's EndpointSlices, a
// Node's pods and lease) through the API as kubectl does.
import type { KubeObject } from "../../resources/types";
import type { KubeList, Query } from "../client";
import type { Ctx } from "../command";
import { itemsOf } from "../cmd/get";
import { describeConfigMap, describeEndpointSlice, describeEndpoints, describeGeneric, describeIngress, describeNamespace, describeNode, describePv, describePvc, describeSecret, describeService, describeServiceAccount, describeStorageClass } from "./core";
import { describeCronJob, describeDaemonSet, describeDeployment, describeHpa, describeJob, describePod, describeReplicaSet, describeStatefulSet } from "./workloads";
import type { KubeEvent } from "./writer";

export interface DescribeContext {
  now: number;
  get(path: string, query?: Query): Promise<KubeObject>;
  /** Items of a collection (`/api/v1`, `pods`, namespace or all). */
  list(groupVersionPath: string, resource: string, namespace: string | undefined, query: Query): Promise<KubeObject[]>;
  /** Events about an object (undefined when events are not shown). */
  events(ref: { kind?: string; name: string; namespace: string; uid: string }): Promise<KubeEvent[] | undefined>;
  eventsFor(o: KubeObject): Promise<KubeEvent[] | undefined>;
}

type Describer = (d: DescribeContext, o: KubeObject) => Promise<string>;

const DESCRIBERS: Record<string, Describer> = {
  "/Pod": describePod,
  "/ReplicationController": describeReplicaSet,
  "/Secret": describeSecret,
  "/Service": describeService,
  "/ServiceAccount": describeServiceAccount,
  "/Node": describeNode,
  "/PersistentVolume": describePv,
  "/PersistentVolumeClaim": describePvc,
  "/Namespace": describeNamespace,
  "/Endpoints": describeEndpoints,
  "/ConfigMap": describeConfigMap,
  "discovery.k8s.io/EndpointSlice": describeEndpointSlice,
  "autoscaling/HorizontalPodAutoscaler": describeHpa,
  "networking.k8s.io/Ingress": describeIngress,
  "batch/Job": describeJob,
  "batch/CronJob": describeCronJob,
  "apps/StatefulSet": describeStatefulSet,
  "apps/Deployment": describeDeployment,
  "apps/DaemonSet": describeDaemonSet,
  "apps/ReplicaSet": describeReplicaSet,
  "storage.k8s.io/StorageClass": describeStorageClass,
};

export function describeContext(ctx: Ctx, showEvents: boolean): DescribeContext {
  const get = (path: string, query?: Query) => ctx.client.get<KubeObject>(path, query);
  const events = async (ref: { kind?: string; name: string; namespace: string; uid: string }) => {
    if (!showEvents) return undefined;
    // Models the field selector client-go's Events().GetFieldSelector builds (keys in sorted order).
    const terms: string[] = [];
    if (ref.kind) terms.push(`involvedObject.kind=${ref.kind}`);
    terms.push(`involvedObject.name=${ref.name}`, `involvedObject.namespace=${ref.namespace}`);
    if (ref.uid) terms.push(`involvedObject.uid=${ref.uid}`);
    const path = ref.namespace ? `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/events` : "/api/v1/events";
    try {
      const list = await ctx.client.get<KubeList>(path, { fieldSelector: terms.join(","), limit: "500" });
      return list.items as KubeEvent[];
    } catch {
      return [];
    }
  };
  return {
    now: ctx.env.now(),
    get,
    async list(gvPath, resource, namespace, query) {
      const path = namespace ? `${gvPath}/namespaces/${encodeURIComponent(namespace)}/${resource}` : `${gvPath}/${resource}`;
      return itemsOf(await ctx.client.get<KubeList>(path, { ...query, limit: "500" }));
    },
    events,
    eventsFor: (o) => events({ kind: o.kind, name: o.metadata.name ?? "", namespace: o.metadata.namespace ?? "", uid: o.metadata.uid ?? "" }),
  };
}

export function describeObject(d: DescribeContext, group: string, o: KubeObject): Promise<string> {
  const fn = DESCRIBERS[`${group}/${o.kind}`] ?? describeGeneric;
  return fn(d, o);
}
