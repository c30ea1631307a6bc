// Describers for services, networking, configuration, storage, nodes and namespaces, and the
// generic one for kinds without their own.
// Models staging/src/k8s.io/kubectl/pkg/describe/describe.go (describeService, formatEndpointSlices,
// describeEndpoints, describeNode, describeNodeResource, describeNamespace, ConfigMapDescriber,
// describeSecret, describePersistentVolumeClaim, describePersistentVolume, describeStorageClass,
// describeIngressV1, describeServiceAccount, describeEndpointSliceV1, genericDescriber).
import type { KubeObject } from "../../resources/types";
import { describeResources } from "./pod-template";
import { controllerOf, formatSelector } from "./workloads";
import {
  describeEvents,
  labelsInline,
  milliValue,
  printAnnotationsMultiline,
  printLabelsMultiline,
  printTaintsMultiline,
  qAdd,
  qMax,
  qString,
  quantity,
  rfc1123z,
  since,
  tabbed,
  value,
  type PrefixWriter,
} from "./writer";
import type { DescribeContext } from "./index";
import type { Quantity } from "../../resources/validation/quantity";

type Obj = KubeObject & { spec?: any; status?: any; data?: any; binaryData?: any; type?: string };

// --- services and endpoints ---

/** `10.244.1.5:80,10.244.2.6:80 + 1 more...` from a Service's EndpointSlices. */
function formatEndpointSlices(slices: Obj[], portName: string | undefined): string {
  if (!slices.length) return "<none>";
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const s of slices) {
    const endpoints = (s.endpoints ?? []) as { addresses: string[]; conditions?: { ready?: boolean } }[];
    const ports = (s.ports ?? []) as { name?: string; port?: number }[];
    if (!ports.length) {
      for (const e of endpoints) {
        if (list.length === max) more = true;
        if (e.conditions?.ready === false) continue;
        if (!more) list.push(e.addresses[0]);
        count++;
      }
      continue;
    }
    for (const p of ports) {
      if (portName !== undefined && (p.name ?? "") !== portName) continue;
      for (const e of endpoints) {
        if (list.length === max) more = true;
        if (e.conditions?.ready === false) continue;
        const addr = e.addresses[0];
        if (!more) list.push(`${addr.includes(":") ? `[${addr}]` : addr}:${p.port}`);
        count++;
      }
    }
  }
  const ret = list.join(",");
  return more ? `${ret} + ${count - max} more...` : ret;
}

export async function describeService(d: DescribeContext, o: Obj): Promise<string> {
  const ns = o.metadata.namespace ?? "";
  const slices = await d.list("/apis/discovery.k8s.io/v1", "endpointslices", ns, { labelSelector: `kubernetes.io/service-name=${o.metadata.name}` }).catch(() => [] as Obj[]);
  const events = await d.eventsFor(o);
  return tabbed((w) => {
    const spec = o.spec ?? {};
    w.write(0, `Name:\t${o.metadata.name}\n`);
    w.write(0, `Namespace:\t${ns}\n`);
    printLabelsMultiline(w, "Labels", o.metadata.labels);
    printAnnotationsMultiline(w, "Annotations", o.metadata.annotations);
    w.write(0, `Selector:\t${labelsInline(spec.selector)}\n`);
    w.write(0, `Type:\t${spec.type ?? ""}\n`);
    if (spec.ipFamilyPolicy) w.write(0, `IP Family Policy:\t${spec.ipFamilyPolicy}\n`);
    w.write(0, `IP Families:\t${spec.ipFamilies?.length ? spec.ipFamilies.join(",") : "<none>"}\n`);
    w.write(0, `IP:\t${spec.clusterIP ?? ""}\n`);
    w.write(0, `IPs:\t${spec.clusterIPs?.length ? spec.clusterIPs.join(",") : "<none>"}\n`);
    if (spec.externalIPs?.length) w.write(0, `External IPs:\t${spec.externalIPs.join(",")}\n`);
    if (spec.loadBalancerIP) w.write(0, `Desired LoadBalancer IP:\t${spec.loadBalancerIP}\n`);
    if (spec.externalName) w.write(0, `External Name:\t${spec.externalName}\n`);
    const ingress = (o.status?.loadBalancer?.ingress ?? []) as { ip?: string; hostname?: string; ipMode?: string }[];
    if (ingress.length) w.write(0, `LoadBalancer Ingress:\t${ingress.map((i) => (i.ip ? `${i.ip}${i.ipMode ? ` (${i.ipMode})` : ""}` : i.hostname ?? "")).join(", ")}\n`);
    for (const p of spec.ports ?? []) {
      const name = p.name || "<unset>";
      w.write(0, `Port:\t${name}\t${p.port}/${p.protocol ?? "TCP"}\n`);
      w.write(0, `TargetPort:\t${p.targetPort ?? p.port}/${p.protocol ?? "TCP"}\n`);
      if (p.appProtocol) w.write(0, `AppProtocol:\t${p.appProtocol}\n`);
      if (p.nodePort) w.write(0, `NodePort:\t${name}\t${p.nodePort}/${p.protocol ?? "TCP"}\n`);
      w.write(0, `Endpoints:\t${formatEndpointSlices(slices, p.name ?? "")}\n`);
    }
    w.write(0, `Session Affinity:\t${spec.sessionAffinity ?? ""}\n`);
    if (spec.externalTrafficPolicy) w.write(0, `External Traffic Policy:\t${spec.externalTrafficPolicy}\n`);
    if (spec.internalTrafficPolicy) w.write(0, `Internal Traffic Policy:\t${spec.internalTrafficPolicy}\n`);
    if (spec.healthCheckNodePort) w.write(0, `HealthCheck NodePort:\t${spec.healthCheckNodePort}\n`);
    if (spec.loadBalancerSourceRanges?.length) w.write(0, `LoadBalancer Source Ranges:\t${spec.loadBalancerSourceRanges.join(",")}\n`);
    if (spec.trafficDistribution) w.write(0, `Traffic Distribution:\t${spec.trafficDistribution}\n`);
    describeEvents(w, events, d.now);
  });
}

export async function describeEndpoints(d: DescribeContext, o: Obj): Promise<string> {
  const events = await d.eventsFor(o);
  return tabbed((w) => {
    w.write(0, `Name:\t${o.metadata.name}\n`);
    w.write(0, `Namespace:\t${o.metadata.namespace}\n`);
    printLabelsMultiline(w, "Labels", o.metadata.labels);
    printAnnotationsMultiline(w, "Annotations", o.metadata.annotations);
    w.write(0, "Subsets:\n");
    for (const s of (o as { subsets?: any[] }).subsets ?? []) {
      w.write(1, `Addresses:\t${(s.addresses ?? []).map((a: { ip: string }) => a.ip).join(",") || "<none>"}\n`);
      w.write(1, `NotReadyAddresses:\t${(s.notReadyAddresses ?? []).map((a: { ip: string }) => a.ip).join(",") || "<none>"}\n`);
      if (s.ports?.length) {
        w.write(1, "Ports:\n");
        w.write(2, "Name\tPort\tProtocol\n");
        w.write(2, "----\t----\t--------\n");
        for (const p of s.ports) w.write(2, `${p.name || "<unset>"}\t${p.port}\t${p.protocol ?? "TCP"}\n`);
      }
      w.write(0, "\n");
    }
    describeEvents(w, events, d.now);
  });
}

export async function describeEndpointSlice(d: DescribeContext, o: Obj): Promise<string> {
  const events = await d.eventsFor(o);
  return tabbed((w) => {
    const x = o as Obj & { addressType?: string; ports?: any[]; endpoints?: any[] };
    w.write(0, `Name:\t${o.metadata.name}\n`);
    w.write(0, `Namespace:\t${o.metadata.namespace}\n`);
    printLabelsMultiline(w, "Labels", o.metadata.labels);
    printAnnotationsMultiline(w, "Annotations", o.metadata.annotations);
    w.write(0, `AddressType:\t${x.addressType ?? ""}\n`);
    if (!x.ports?.length) w.write(0, "Ports: <unset>\n");
    else {
      w.write(0, "Ports:\n");
      w.write(1, "Name\tPort\tProtocol\n");
      w.write(1, "----\t----\t--------\n");
      for (const p of x.ports) w.write(1, `${p.name || "<unset>"}\t${p.port ?? "<unset>"}\t${p.protocol ?? ""}\n`);
    }
    if (!x.endpoints?.length) w.write(0, "Endpoints: <none>\n");
    else {
      w.write(0, "Endpoints:\n");
      for (const e of x.endpoints) {
        w.write(1, `- Addresses:\t${(e.addresses ?? []).join(", ") || "<none>"}\n`);
        w.write(2, "Conditions:\n");
        w.write(3, `Ready:\t${e.conditions?.ready === undefined ? "<unset>" : String(e.conditions.ready)}\n`);
        w.write(2, `Hostname:\t${e.hostname ?? "<unset>"}\n`);
        if (e.targetRef) w.write(2, `TargetRef:\t${e.targetRef.kind}/${e.targetRef.name}\n`);
        w.write(2, `NodeName:\t${e.nodeName ?? "<unset>"}\n`);
        w.write(2, `Zone:\t${e.zone ?? "<unset>"}\n`);
      }
    }
    describeEvents(w, events, d.now);
  });
}

export async function describeIngress(d: DescribeContext, o: Obj): Promise<string> {
  const ns = o.metadata.namespace ?? "";
  const events = await d.eventsFor(o);
  const backend = async (b: any): Promise<string> => {
    if (b?.service) {
      const port = b.service.port?.number ? String(b.service.port.number) : (b.service.port?.name ?? "");
      const sb = `${b.service.name}:${port}`;
      try {
        const slices = await d.list("/apis/discovery.k8s.io/v1", "endpointslices", ns, { labelSelector: `kubernetes.io/service-name=${b.service.name}` });
        const svc = await d.get(`/api/v1/namespaces/${ns}/services/${b.service.name}`);
        let spName = "";
        for (const sp of (svc as Obj).spec?.ports ?? []) if ((b.service.port?.number && b.service.port.number === sp.port) || (b.service.port?.name && b.service.port.name === sp.name)) spName = sp.name ?? "";
        return `${sb} (${formatEndpointSlices(slices, spName)})`;
      } catch (e) {
        return `${sb} (<error: ${(e as Error).message}>)`;
      }
    }
    if (b?.resource) return `APIGroup: ${b.resource.apiGroup ?? "<none>"}, Kind: ${b.resource.kind}, Name: ${b.resource.name}`;
    return "";
  };
  const spec = o.spec ?? {};
  const def = spec.defaultBackend ? await backend(spec.defaultBackend) : "<default>";
  const rules: { host: string; paths: [string, string][] }[] = [];
  for (const r of spec.rules ?? []) {
    if (!r.http) continue;
    const paths: [string, string][] = [];
    for (const p of r.http.paths ?? []) paths.push([p.path ?? "", await backend(p.backend)]);
    rules.push({ host: r.host || "*", paths });
  }
  return tabbed((w) => {
    w.write(0, `Name:\t${o.metadata.name}\n`);
    printLabelsMultiline(w, "Labels", o.metadata.labels);
    w.write(0, `Namespace:\t${ns}\n`);
    const addrs = [...new Set(((o.status?.loadBalancer?.ingress ?? []) as { ip?: string; hostname?: string }[]).map((i) => i.ip || i.hostname || "").filter(Boolean))].sort();
    w.write(0, `Address:\t${addrs.join(",")}\n`);
    w.write(0, `Ingress Class:\t${spec.ingressClassName ?? "<none>"}\n`);
    w.write(0, `Default backend:\t${def}\n`);
    if (spec.tls?.length) {
      w.write(0, "TLS:\n");
      for (const t of spec.tls) w.write(1, t.secretName ? `${t.secretName} terminates ${(t.hosts ?? []).join(",")}\n` : `SNI routes ${(t.hosts ?? []).join(",")}\n`);
    }
    w.write(0, "Rules:\n  Host\tPath\tBackends\n");
    w.write(1, "----\t----\t--------\n");
    for (const r of rules) {
      w.write(1, `${r.host}\t\n`);
      for (const [path, b] of r.paths) w.write(2, `\t${path} \t${b}\n`);
    }
    if (!rules.length) w.write(1, `*\t*\t${def}\n`);
    printAnnotationsMultiline(w, "Annotations", o.metadata.annotations);
    describeEvents(w, events, d.now);
  });
}

// --- configuration ---

export async function describeConfigMap(d: DescribeContext, o: Obj): Promise<string> {
  const events = await d.eventsFor(o);
  return tabbed((w) => {
    w.write(0, `Name:\t${o.metadata.name}\n`);
    w.write(0, `Namespace:\t${o.metadata.namespace}\n`);
    printLabelsMultiline(w, "Labels", o.metadata.labels);
    printAnnotationsMultiline(w, "Annotations", o.metadata.annotations);
    w.write(0, "\nData\n====\n");
    for (const k of Object.keys(o.data ?? {}).sort()) {
      w.write(0, `${k}:\n----\n`);
      w.write(0, `${o.data[k]}\n`);
      w.write(0, "\n");
    }
    w.write(0, "\nBinaryData\n====\n");
    for (const k of Object.keys(o.binaryData ?? {}).sort()) w.write(0, `${k}: ${base64Length(o.binaryData[k])} bytes\n`);
    w.write(0, "\n");
    describeEvents(w, events, d.now);
  });
}

function base64Length(b64: string): number {
  const clean = b64.replace(/\s/g, "");
  return Math.floor((clean.length * 3) / 4) - (clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0);
}

export async function describeSecret(_d: DescribeContext, o: Obj): Promise<string> {
  return tabbed((w) => {
    w.write(0, `Name:\t${o.metadata.name}\n`);
    w.write(0, `Namespace:\t${o.metadata.namespace}\n`);
    printLabelsMultiline(w, "Labels", o.metadata.labels);
    printAnnotationsMultiline(w, "Annotations", o.metadata.annotations);
    w.write(0, `\nType:\t${o.type ?? ""}\n`);
    w.write(0, "\nData\n====\n");
    for (const k of Object.keys(o.data ?? {}).sort()) {
      if (k === "token" && o.type === "kubernetes.io/service-account-token") w.write(0, `${k}:\t${atob(o.data[k])}\n`);
      else w.write(0, `${k}:\t${base64Length(o.data[k])} bytes\n`);
    }
  });
}

export async function describeServiceAccount(d: DescribeContext, o: Obj): Promise<string> {
  const events = await d.eventsFor(o);
  // Models 1.32's ServiceAccountDescriber: the token Secrets that name this account.
  const secrets = await d.list("/api/v1", "secrets", o.metadata.namespace ?? "", {}).catch(() => [] as Obj[]);
  const tokens = (secrets as Obj[])
    .filter((s) => s.type === "kubernetes.io/service-account-token" && s.metadata.annotations?.["kubernetes.io/service-account.name"] === o.metadata.name)
    .map((s) => s.metadata.name ?? "");
  return tabbed((w) => {
    w.write(0, `Name:\t${o.metadata.name}\n`);
    w.write(0, `Namespace:\t${o.metadata.namespace}\n`);
    printLabelsMultiline(w, "Labels", o.metadata.labels);
    printAnnotationsMultiline(w, "Annotations", o.metadata.annotations);
    const x = o as Obj & { imagePullSecrets?: { name: string }[]; secrets?: { name: string }[] };
    const groups: [string, string[]][] = [
      ["Image pull secrets:", (x.imagePullSecrets ?? []).map((s) => s.name)],
      ["Mountable secrets: ", (x.secrets ?? []).map((s) => s.name)],
      ["Tokens:            ", tokens],
    ];
    for (const [header, names] of groups) {
      if (!names.length) w.write(0, `${header}\t<none>\n`);
      else names.forEach((n, i) => w.write(0, `${i === 0 ? header : "                   "}\t${n}\n`));
    }
    describeEvents(w, events, d.now);
  });
}

// --- storage ---

function accessModes(modes: string[] | undefined): string {
  const short: Record<string, string> = { ReadWriteOnce: "RWO", ReadOnlyMany: "ROX", ReadWriteMany: "RWX", ReadWriteOncePod: "RWOP" };
  const order = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"];
  return order.filter((m) => modes?.includes(m)).map((m) => short[m]).join(",");
}

export async function describePvc(d: DescribeContext, o: Obj): Promise<string> {
  const ns = o.metadata.namespace ?? "";
  const pods = await d.list("/api/v1", "pods", ns, {});
  const users = pods.filter((p) => ((p.spec as { volumes?: { persistentVolumeClaim?: { claimName: string } }[] })?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === o.metadata.name));
  const events = await d.eventsFor(o);
  return tabbed((w) => {
    const spec = o.spec ?? {};
    w.write(0, `Name:\t${o.metadata.name}\n`);
    w.write(0, `Namespace:\t${ns}\n`);
    w.write(0, `StorageClass:\t${spec.storageClassName ?? o.metadata.annotations?.["volume.beta.kubernetes.io/storage-class"] ?? ""}\n`);
    w.write(0, o.metadata.deletionTimestamp ? `Status:\tTerminating (lasts ${since(o.metadata.deletionTimestamp, d.now)})\n` : `Status:\t${o.status?.phase ?? ""}\n`);
    w.write(0, `Volume:\t${spec.volumeName ?? ""}\n`);
    printLabelsMultiline(w, "Labels", o.metadata.labels);
    printAnnotationsMultiline(w, "Annotations", o.metadata.annotations);
    w.write(0, `Finalizers:\t[${(o.metadata.finalizers ?? []).join(" ")}]\n`);
    let capacity = "";
    let modes = "";
    if (spec.volumeName) {
      modes = accessModes(o.status?.accessModes);
      capacity = o.status?.capacity?.storage !== undefined ? qString(quantity(o.status.capacity.storage)) : "0";
    }
    w.write(0, `Capacity:\t${capacity}\n`);
    w.write(0, `Access Modes:\t${modes}\n`);
    if (spec.volumeMode) w.write(0, `VolumeMode:\t${spec.volumeMode}\n`);
    if (spec.dataSource) {
      w.write(0, "DataSource:\n");
      if (spec.dataSource.apiGroup) w.write(1, `APIGroup:\t${spec.dataSource.apiGroup}\n`);
      w.write(1, `Kind:\t${spec.dataSource.kind}\n`);
      w.write(1, `Name:\t${spec.dataSource.name}\n`);
    }
    w.write(0, "Used By:\t");
    const names = users.map((p) => p.metadata.name ?? "").sort();
    if (!names.length) w.line("<none>");
    else names.forEach((n, i) => w.write(0, `${i ? "\t" : ""}${n}\n`));
    if (o.status?.conditions?.length) {
      w.write(0, "Conditions:\n");
      w.write(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n");
      w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
      for (const c of o.status.conditions) w.write(1, `${c.type} \t${c.status} \t${rfc1123z(c.lastProbeTime)} \t${rfc1123z(c.lastTransitionTime)} \t${c.reason ?? ""} \t${c.message ?? ""}\n`);
    }
    describeEvents(w, events, d.now);
  });
}

export async function describePv(d: DescribeContext, o: Obj): Promise<string> {
  const events = await d.eventsFor(o);
  return tabbed((w) => {
    const spec = o.spec ?? {};
    w.write(0, `Name:\t${o.metadata.name}\n`);
    printLabelsMultiline(w, "Labels", o.metadata.labels);
    printAnnotationsMultiline(w, "Annotations", o.metadata.annotations);
    w.write(0, `Finalizers:\t[${(o.metadata.finalizers ?? []).join(" ")}]\n`);
    w.write(0, `StorageClass:\t${spec.storageClassName ?? ""}\n`);
    w.write(0, o.metadata.deletionTimestamp ? `Status:\tTerminating (lasts ${since(o.metadata.deletionTimestamp, d.now)})\n` : `Status:\t${o.status?.phase ?? ""}\n`);
    w.write(0, `Claim:\t${spec.claimRef ? `${spec.claimRef.namespace}/${spec.claimRef.name}` : ""}\n`);
    w.write(0, `Reclaim Policy:\t${spec.persistentVolumeReclaimPolicy ?? ""}\n`);
    w.write(0, `Access Modes:\t${accessModes(spec.accessModes)}\n`);
    if (spec.volumeMode) w.write(0, `VolumeMode:\t${spec.volumeMode}\n`);
    w.write(0, `Capacity:\t${spec.capacity?.storage !== undefined ? qString(quantity(spec.capacity.storage)) : "0"}\n`);
    const na = spec.nodeAffinity?.required?.nodeSelectorTerms as { matchExpressions?: { key: string; operator: string; values?: string[] }[] }[] | undefined;
    if (!spec.nodeAffinity) w.write(0, "Node Affinity:\t<none>\n");
    else {
      w.write(0, "Node Affinity:\t\n");
      w.write(1, "Required Terms:\t");
      if (!na?.length) w.line("<none>");
      else {
        w.line("");
        na.forEach((t, i) => {
          w.write(2, `Term ${i}:\t`);
          (t.matchExpressions ?? []).forEach((e, j) => {
            if (j) w.write(2, "\t");
            w.write(0, `${e.key} ${e.operator.toLowerCase()}${e.values?.length ? ` [${e.values.join(", ")}]` : ""}\n`);
          });
        });
      }
    }
    w.write(0, `Message:\t${o.status?.message ?? ""}\n`);
    w.write(0, "Source:\n");
    if (spec.hostPath) w.write(2, `Type:\tHostPath (bare host directory volume)\n    Path:\t${spec.hostPath.path}\n    HostPathType:\t${spec.hostPath.type ?? "<none>"}\n`);
    else if (spec.nfs) w.write(2, `Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t${spec.nfs.server}\n    Path:\t${spec.nfs.path}\n    ReadOnly:\t${!!spec.nfs.readOnly}\n`);
    else if (spec.local) w.write(2, `Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n    Path:\t${spec.local.path}\n`);
    else if (spec.csi) {
      w.write(2, `Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t${spec.csi.driver}\n    FSType:\t${spec.csi.fsType ?? ""}\n    VolumeHandle:\t${spec.csi.volumeHandle}\n    ReadOnly:\t${!!spec.csi.readOnly}\n`);
      printLabelsMultiline(w, "VolumeAttributes", spec.csi.volumeAttributes, "    ", "\t");
    } else w.write(1, "<unknown>\n");
    describeEvents(w, events, d.now);
  });
}

export async function describeStorageClass(d: DescribeContext, o: Obj): Promise<string> {
  const events = await d.eventsFor(o);
  return tabbed((w) => {
    const x = o as Obj & { provisioner?: string; parameters?: Record<string, string>; allowVolumeExpansion?: boolean; mountOptions?: string[]; reclaimPolicy?: string; volumeBindingMode?: string };
    const isDefault = o.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] ?? o.metadata.annotations?.["storageclass.beta.kubernetes.io/is-default-class"];
    w.write(0, `Name:\t${o.metadata.name}\n`);
    w.write(0, `IsDefaultClass:\t${isDefault === "true" ? "Yes" : "No"}\n`);
    w.write(0, `Annotations:\t${labelsInline(o.metadata.annotations)}\n`);
    w.write(0, `Provisioner:\t${x.provisioner ?? ""}\n`);
    w.write(0, `Parameters:\t${labelsInline(x.parameters)}\n`);
    w.write(0, `AllowVolumeExpansion:\t${x.allowVolumeExpansion === undefined ? "<unset>" : x.allowVolumeExpansion ? "True" : "False"}\n`);
    if (!x.mountOptions?.length) w.write(0, "MountOptions:\t<none>\n");
    else {
      w.write(0, "MountOptions:\n");
      for (const m of x.mountOptions) w.write(1, `${m}\n`);
    }
    if (x.reclaimPolicy) w.write(0, `ReclaimPolicy:\t${x.reclaimPolicy}\n`);
    if (x.volumeBindingMode) w.write(0, `VolumeBindingMode:\t${x.volumeBindingMode}\n`);
    describeEvents(w, events, d.now);
  });
}

// --- namespaces and nodes ---

export async function describeNamespace(d: DescribeContext, o: Obj): Promise<string> {
  const name = o.metadata.name ?? "";
  const quotas = await d.list("/api/v1", "resourcequotas", name, {}).catch(() => undefined);
  const limits = await d.list("/api/v1", "limitranges", name, {}).catch(() => undefined);
  return tabbed((w) => {
    w.write(0, `Name:\t${name}\n`);
    printLabelsMultiline(w, "Labels", o.metadata.labels);
    printAnnotationsMultiline(w, "Annotations", o.metadata.annotations);
    w.write(0, `Status:\t${o.status?.phase ?? ""}\n`);
    if (o.status?.conditions?.length) {
      w.write(0, "Conditions:\n");
      w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n");
      w.write(1, "----\t------\t------------------\t------\t-------\n");
      for (const c of o.status.conditions) w.write(1, `${c.type}\t${c.status}\t${rfc1123z(c.lastTransitionTime)}\t${c.reason ?? ""}\t${c.message ?? ""}\n`);
    }
    if (quotas) {
      w.write(0, "\n");
      if (!quotas.length) w.write(0, "No resource quota.\n");
      else {
        w.write(0, "Resource Quotas\n");
        for (const q of [...quotas].sort((a, b) => ((a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1))) {
          const st = (q.status ?? {}) as { hard?: Record<string, string>; used?: Record<string, string> };
          w.write(1, `Name:\t${q.metadata.name}\n`);
          w.write(1, "Resource\tUsed\tHard\n");
          w.write(1, "--------\t---\t---\n");
          for (const r of Object.keys(st.hard ?? {}).sort()) w.write(1, `${r}\t${qString(quantity(st.used?.[r] ?? "0"))}\t${qString(quantity(st.hard![r]))}\n`);
        }
      }
    }
    if (limits) {
      w.write(0, "\n");
      if (!limits.length) w.write(0, "No LimitRange resource.\n");
      else {
        w.write(0, "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n");
        w.write(0, " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n");
        for (const lr of limits) {
          for (const item of ((lr.spec as { limits?: any[] })?.limits ?? [])) {
            const keys = new Set<string>([...Object.keys(item.max ?? {}), ...Object.keys(item.min ?? {}), ...Object.keys(item.default ?? {}), ...Object.keys(item.defaultRequest ?? {}), ...Object.keys(item.maxLimitRequestRatio ?? {})]);
            for (const k of keys) {
              const f = (m: Record<string, string> | undefined) => (m?.[k] !== undefined ? qString(quantity(m[k])) : "-");
              w.write(0, ` ${item.type}\t${k}\t${f(item.min)}\t${f(item.max)}\t${f(item.defaultRequest)}\t${f(item.default)}\t${f(item.maxLimitRequestRatio)}\n`);
            }
          }
        }
      }
    }
  });
}

/** Requests or limits of a pod: its containers' sum, at least each init container's (resourcehelper.PodRequests). */
function podResources(pod: Obj, kind: "requests" | "limits"): Record<string, Quantity | undefined> {
  const out: Record<string, Quantity | undefined> = {};
  for (const c of pod.spec?.containers ?? []) for (const [k, v] of Object.entries((c.resources?.[kind] ?? {}) as Record<string, string>)) out[k] = qAdd(out[k], quantity(v));
  for (const c of pod.spec?.initContainers ?? []) {
    for (const [k, v] of Object.entries((c.resources?.[kind] ?? {}) as Record<string, string>)) {
      if (c.restartPolicy === "Always") out[k] = qAdd(out[k], quantity(v));
      else out[k] = qMax(out[k], quantity(v));
    }
  }
  for (const [k, v] of Object.entries((pod.spec?.overhead ?? {}) as Record<string, string>)) if (out[k] !== undefined || kind === "requests") out[k] = qAdd(out[k], quantity(v));
  return out;
}

function findNodeRoles(labels: Record<string, string> | undefined): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith("node-role.kubernetes.io/")) {
      const r = k.slice("node-role.kubernetes.io/".length);
      if (r) roles.add(r);
    } else if (k === "kubernetes.io/role" && v) roles.add(v);
  }
  return [...roles].sort();
}

const STANDARD = new Set(["cpu", "memory", "ephemeral-storage", "storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage", "requests.storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage"]);

export async function describeNode(d: DescribeContext, o: Obj): Promise<string> {
  const name = o.metadata.name ?? "";
  const pods = await d.list("/api/v1", "pods", undefined, { fieldSelector: `spec.nodeName=${name},status.phase!=Succeeded,status.phase!=Failed` });
  const byUid = await d.events({ kind: "Node", name, namespace: "", uid: o.metadata.uid ?? "" });
  const byName = await d.events({ kind: "Node", name, namespace: "", uid: name });
  const events = byUid && byName ? [...byUid, ...byName] : byUid;
  let lease: Obj | undefined;
  let leaseError: string | undefined;
  try {
    lease = (await d.get(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`)) as Obj;
  } catch (e) {
    leaseError = (e as Error).message;
  }
  return tabbed((w) => {
    const spec = o.spec ?? {};
    const st = o.status ?? {};
    w.write(0, `Name:\t${name}\n`);
    const roles = findNodeRoles(o.metadata.labels);
    w.write(0, `Roles:\t${roles.length ? roles.join(",") : "<none>"}\n`);
    printLabelsMultiline(w, "Labels", o.metadata.labels);
    printAnnotationsMultiline(w, "Annotations", o.metadata.annotations);
    w.write(0, `CreationTimestamp:\t${rfc1123z(o.metadata.creationTimestamp)}\n`);
    printTaintsMultiline(w, "Taints", spec.taints);
    w.write(0, `Unschedulable:\t${!!spec.unschedulable}\n`);
    if (lease) {
      w.write(0, "Lease:\n");
      w.write(1, `HolderIdentity:\t${lease.spec?.holderIdentity ?? "<unset>"}\n`);
      w.write(1, `AcquireTime:\t${lease.spec?.acquireTime ? rfc1123z(lease.spec.acquireTime) : "<unset>"}\n`);
      w.write(1, `RenewTime:\t${lease.spec?.renewTime ? rfc1123z(lease.spec.renewTime) : "<unset>"}\n`);
    } else w.write(0, `Lease:\tFailed to get lease: ${leaseError}\n`);
    if (st.conditions?.length) {
      w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
      w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
      for (const c of st.conditions) w.write(1, `${c.type} \t${c.status} \t${rfc1123z(c.lastHeartbeatTime)} \t${rfc1123z(c.lastTransitionTime)} \t${c.reason ?? ""} \t${c.message ?? ""}\n`);
    }
    w.write(0, "Addresses:\n");
    for (const a of st.addresses ?? []) w.write(1, `${a.type}:\t${a.address}\n`);
    const resourceList = (list: Record<string, string>) => {
      for (const r of Object.keys(list).sort()) w.write(0, `  ${r}:\t${qString(quantity(list[r]))}\n`);
    };
    if (Object.keys(st.capacity ?? {}).length) {
      w.write(0, "Capacity:\n");
      resourceList(st.capacity);
    }
    if (Object.keys(st.allocatable ?? {}).length) {
      w.write(0, "Allocatable:\n");
      resourceList(st.allocatable);
    }
    const ni = st.nodeInfo ?? {};
    w.write(0, "System Info:\n");
    w.write(0, `  Machine ID:\t${ni.machineID ?? ""}\n`);
    w.write(0, `  System UUID:\t${ni.systemUUID ?? ""}\n`);
    w.write(0, `  Boot ID:\t${ni.bootID ?? ""}\n`);
    w.write(0, `  Kernel Version:\t${ni.kernelVersion ?? ""}\n`);
    w.write(0, `  OS Image:\t${ni.osImage ?? ""}\n`);
    w.write(0, `  Operating System:\t${ni.operatingSystem ?? ""}\n`);
    w.write(0, `  Architecture:\t${ni.architecture ?? ""}\n`);
    w.write(0, `  Container Runtime Version:\t${ni.containerRuntimeVersion ?? ""}\n`);
    w.write(0, `  Kubelet Version:\t${ni.kubeletVersion ?? ""}\n`);
    w.write(0, `  Kube-Proxy Version:\t${ni.kubeProxyVersion ?? ""}\n`);
    if (spec.podCIDR) w.write(0, `PodCIDR:\t${spec.podCIDR}\n`);
    if (spec.podCIDRs?.length) w.write(0, `PodCIDRs:\t${spec.podCIDRs.join(",")}\n`);
    if (spec.providerID) w.write(0, `ProviderID:\t${spec.providerID}\n`);
    describeNodeResource(w, pods, o, d.now);
    describeEvents(w, events, d.now);
  });
}

function describeNodeResource(w: PrefixWriter, pods: Obj[], node: Obj, now: number): void {
  w.write(0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
  w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
  w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
  const allocatable = (Object.keys(node.status?.allocatable ?? {}).length ? node.status.allocatable : node.status?.capacity ?? {}) as Record<string, string>;
  const allocCpu = milliValue(quantity(allocatable.cpu ?? "0"));
  const allocMem = value(quantity(allocatable.memory ?? "0"));
  const pct = (num: number, den: number) => (den ? Math.trunc((num / den) * 100) : 0);
  const zero = quantity("0");
  for (const p of pods) {
    const req = podResources(p, "requests");
    const lim = podResources(p, "limits");
    const cr = req.cpu ?? zero;
    const cl = lim.cpu ?? zero;
    const mr = req.memory ?? zero;
    const ml = lim.memory ?? zero;
    w.write(
      1,
      `${p.metadata.namespace}\t${p.metadata.name}\t\t${qString(cr)} (${pct(milliValue(cr), allocCpu)}%)\t${qString(cl)} (${pct(milliValue(cl), allocCpu)}%)\t${qString(mr)} (${pct(value(mr), allocMem)}%)\t${qString(ml)} (${pct(value(ml), allocMem)}%)\t${since(p.metadata.creationTimestamp, now)}\n`,
    );
  }
  w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
  w.write(1, "Resource\tRequests\tLimits\n");
  w.write(1, "--------\t--------\t------\n");
  const reqs: Record<string, Quantity | undefined> = {};
  const limits: Record<string, Quantity | undefined> = {};
  for (const p of pods) {
    for (const [k, v] of Object.entries(podResources(p, "requests"))) reqs[k] = qAdd(reqs[k], v);
    for (const [k, v] of Object.entries(podResources(p, "limits"))) limits[k] = qAdd(limits[k], v);
  }
  const line = (r: string, den: number, unit: (q: Quantity | undefined) => number) => {
    const rq = reqs[r] ?? zero;
    const lq = limits[r] ?? zero;
    w.write(1, `${r}\t${qString(rq)} (${pct(unit(rq), den)}%)\t${qString(lq)} (${pct(unit(lq), den)}%)\n`);
  };
  line("cpu", allocCpu, milliValue);
  line("memory", allocMem, value);
  line("ephemeral-storage", value(quantity(allocatable["ephemeral-storage"] ?? "0")), value);
  const names = Object.keys(allocatable);
  for (const r of names.filter((n) => n.startsWith("hugepages-")).sort()) line(r, value(quantity(allocatable[r])), value);
  for (const r of names.filter((n) => !n.startsWith("hugepages-") && !STANDARD.has(n) && n !== "pods").sort()) {
    w.write(1, `${r}\t${qString(reqs[r] ?? zero)}\t${qString(limits[r] ?? zero)}\n`);
  }
}

// --- anything else ---

function smartLabel(field: string): string {
  if (/[^\p{L}-]/u.test(field)) return field;
  const parts = field.split(/(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/);
  return parts
    .map((p) => (["API", "URL", "UID", "GUID"].includes(p.toUpperCase()) ? p.toUpperCase() : p === p.toLowerCase() ? p.charAt(0).toUpperCase() + p.slice(1) : p))
    .join(" ");
}

function printUnstructured(w: PrefixWriter, level: number, content: Record<string, unknown>, prefix: string, skip: string[]): void {
  for (const field of Object.keys(content).sort()) {
    const v = content[field];
    const path = `${prefix}.${field}`;
    if (skip.includes(path)) continue;
    if (v && typeof v === "object" && !Array.isArray(v)) {
      w.write(level, `${smartLabel(field)}:\n`);
      printUnstructured(w, level + 1, v as Record<string, unknown>, path, skip);
    } else if (Array.isArray(v)) {
      w.write(level, `${smartLabel(field)}:\n`);
      for (const c of v) {
        if (c && typeof c === "object" && !Array.isArray(c)) printUnstructured(w, level + 1, c as Record<string, unknown>, path, skip);
        else w.write(level + 1, `${String(c)}\n`);
      }
    } else w.write(level, `${smartLabel(field)}:\t${v === null ? "<nil>" : String(v)}\n`);
  }
}

export async function describeGeneric(d: DescribeContext, o: Obj): Promise<string> {
  const events = await d.eventsFor(o);
  return tabbed((w) => {
    w.write(0, `Name:\t${o.metadata.name}\n`);
    w.write(0, `Namespace:\t${o.metadata.namespace ?? ""}\n`);
    printLabelsMultiline(w, "Labels", o.metadata.labels);
    printAnnotationsMultiline(w, "Annotations", o.metadata.annotations);
    printUnstructured(w, 0, o as unknown as Record<string, unknown>, "", [".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels", ".metadata.annotations"]);
    describeEvents(w, events, d.now);
  });
}

export { controllerOf, formatSelector, describeResources };
