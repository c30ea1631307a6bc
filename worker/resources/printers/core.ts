// Printers for core/v1 kinds other than Pod, Event and the persistent volume kinds.
import type {
  ComponentStatus,
  ConfigMap,
  Endpoints,
  Namespace,
  Node,
  PodTemplate,
  ResourceQuota,
  Secret,
  Service,
  ServiceAccount,
} from "kubernetes-types/core/v1";
import type { KubeObject, PrintContext, Printer, TableCell } from "../types";
import {
  age,
  ageColumn,
  as,
  col,
  formatLabels,
  layoutContainerCells,
  nameColumn,
  nameOf,
  quantity,
} from "./common";
import { replicatedPodsPrinter } from "./apps";

export const namespacePrinter: Printer = {
  columns: [nameColumn, col("Status", "string", "The status of the namespace"), ageColumn],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    return [nameOf(obj), as<Namespace>(obj).status?.phase ?? "", age(obj, ctx)];
  },
};

const LABEL_NODE_ROLE_PREFIX = "node-role.kubernetes.io/";
const NODE_LABEL_ROLE = "kubernetes.io/role";

// Models pkg/printers/internalversion/printers.go findNodeRoles
export function findNodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(LABEL_NODE_ROLE_PREFIX)) {
      const role = k.slice(LABEL_NODE_ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === NODE_LABEL_ROLE && v !== "") {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

function nodeAddress(node: Node, type: string): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? "<none>";
}

// Models pkg/printers/internalversion/printers.go printNode
export const nodePrinter: Printer = {
  columns: [
    nameColumn,
    col("Status", "string", "The status of the node"),
    col("Roles", "string", "The roles of the node"),
    ageColumn,
    col("Version", "string", "Kubelet Version reported by the node."),
    col("Internal-IP", "string", "List of addresses reachable to the node.", 1),
    col("External-IP", "string", "List of addresses reachable to the node.", 1),
    col("OS-Image", "string", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1),
    col("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
    col("Container-Runtime", "string", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1),
  ],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const node = as<Node>(obj);
    const status: string[] = [];
    // Only the Ready condition is summarized; the last one of that type wins, as with upstream's map.
    const ready = (node.status?.conditions ?? []).filter((c) => c.type === "Ready").pop();
    if (ready) status.push(ready.status === "True" ? "Ready" : "NotReady");
    if (status.length === 0) status.push("Unknown");
    if (node.spec?.unschedulable) status.push("SchedulingDisabled");
    const roles = findNodeRoles(node).join(",") || "<none>";
    const info = node.status?.nodeInfo;
    return [
      nameOf(obj),
      status.join(","),
      roles,
      age(obj, ctx),
      info?.kubeletVersion ?? "",
      nodeAddress(node, "InternalIP"),
      nodeAddress(node, "ExternalIP"),
      info?.osImage || "<unknown>",
      info?.kernelVersion || "<unknown>",
      info?.containerRuntimeVersion || "<unknown>",
    ];
  },
};

// Models pkg/printers/internalversion/printers.go loadBalancerStatusStringer
/** Unique, sorted ingress IPs/hostnames. The apiserver prints tables in wide mode, so nothing is clipped. */
export function loadBalancerIngressString(ingress: { ip?: string; hostname?: string }[] | undefined): string {
  const result = new Set<string>();
  for (const ing of ingress ?? []) {
    if (ing.ip) result.add(ing.ip);
    else if (ing.hostname) result.add(ing.hostname);
  }
  return [...result].sort().join(",");
}

// Models pkg/printers/internalversion/printers.go getServiceExternalIP
function serviceExternalIP(svc: Service): string {
  const externalIPs = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type) {
    case "ClusterIP":
    case "NodePort":
      return externalIPs.length > 0 ? externalIPs.join(",") : "<none>";
    case "LoadBalancer": {
      const lbIps = loadBalancerIngressString(svc.status?.loadBalancer?.ingress);
      if (externalIPs.length > 0) {
        const results = lbIps ? lbIps.split(",") : [];
        return [...results, ...externalIPs].join(",");
      }
      return lbIps || "<pending>";
    }
    case "ExternalName":
      return svc.spec?.externalName ?? "";
  }
  return "<unknown>";
}

// Models pkg/printers/internalversion/printers.go makePortString
function makePortString(svc: Service): string {
  return (svc.spec?.ports ?? [])
    .map((p) => {
      const protocol = p.protocol ?? "TCP";
      return p.nodePort && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${protocol}` : `${p.port}/${protocol}`;
    })
    .join(",");
}

export const servicePrinter: Printer = {
  columns: [
    nameColumn,
    col("Type", "string", "type determines how the Service is exposed."),
    col("Cluster-IP", "string", "clusterIP is the IP address of the service and is usually assigned randomly."),
    col("External-IP", "string", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
    col("Port(s)", "string", "The list of ports that are exposed by this service."),
    ageColumn,
    col("Selector", "string", "Route service traffic to pods with label keys and values matching this selector.", 1),
  ],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const svc = as<Service>(obj);
    const clusterIPs = svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : []);
    return [
      nameOf(obj),
      svc.spec?.type ?? "",
      clusterIPs[0] ?? "<none>",
      serviceExternalIP(svc),
      makePortString(svc) || "<none>",
      age(obj, ctx),
      formatLabels(svc.spec?.selector),
    ];
  },
};

/** net.JoinHostPort: IPv6 hosts are bracketed. */
function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

// Models pkg/printers/internalversion/printers.go formatEndpoints
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return "<none>";
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      // Headless services may have no ports.
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(a.ip);
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(a.ip, port.port));
      }
    }
  }
  const ret = list.join(",");
  return more ? `${ret} + ${count - max} more...` : ret;
}

export const endpointsPrinter: Printer = {
  columns: [nameColumn, col("Endpoints", "string", "The set of all endpoints is the union of all subsets."), ageColumn],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    return [nameOf(obj), formatEndpoints(as<Endpoints>(obj)), age(obj, ctx)];
  },
};

export const configMapPrinter: Printer = {
  columns: [nameColumn, col("Data", "string", "Data contains the configuration data."), ageColumn],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const cm = as<ConfigMap>(obj);
    const n = Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length;
    return [nameOf(obj), n, age(obj, ctx)];
  },
};

export const secretPrinter: Printer = {
  columns: [
    nameColumn,
    col("Type", "string", "Used to facilitate programmatic handling of secret data."),
    col("Data", "string", "Data contains the secret data."),
    ageColumn,
  ],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const secret = as<Secret>(obj);
    return [nameOf(obj), secret.type ?? "", Object.keys(secret.data ?? {}).length, age(obj, ctx)];
  },
};

export const serviceAccountPrinter: Printer = {
  columns: [nameColumn, col("Secrets", "string", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."), ageColumn],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    return [nameOf(obj), (as<ServiceAccount>(obj).secrets ?? []).length, age(obj, ctx)];
  },
};

export const replicationControllerPrinter: Printer = replicatedPodsPrinter("replication controller", "Replicas count", formatLabels);

// Models pkg/printers/internalversion/printers.go printResourceQuota
export const resourceQuotaPrinter: Printer = {
  // 1.32 places Age second; later releases moved it last.
  columns: [
    nameColumn,
    ageColumn,
    col("Request", "string", "Request represents a minimum amount of cpu/memory that a container may consume."),
    col("Limit", "string", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
  ],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const rq = as<ResourceQuota>(obj);
    const hard = rq.status?.hard ?? {};
    const used = rq.status?.used ?? {};
    const request: string[] = [];
    const limit: string[] = [];
    for (const resource of Object.keys(hard).sort()) {
      const pieces = resource.split(".");
      const target = pieces.length > 1 && pieces[0] === "limits" ? limit : request;
      target.push(`${resource}: ${quantity(used[resource])}/${quantity(hard[resource])}`);
    }
    return [nameOf(obj), age(obj, ctx), request.join(", "), limit.join(", ")];
  },
};

export const componentStatusPrinter: Printer = {
  columns: [
    nameColumn,
    col("Status", "string", "Status of the component conditions"),
    col("Message", "string", "Message of the component conditions"),
    col("Error", "string", "Error of the component conditions"),
  ],
  row(obj: KubeObject): TableCell[] {
    const healthy = (as<ComponentStatus>(obj).conditions ?? []).find((c) => c.type === "Healthy");
    const status = healthy ? (healthy.status === "True" ? "Healthy" : "Unhealthy") : "Unknown";
    return [nameOf(obj), status, healthy?.message ?? "", healthy?.error ?? ""];
  },
};

export const podTemplatePrinter: Printer = {
  columns: [
    nameColumn,
    col("Containers", "string", "Names of each container in the template."),
    col("Images", "string", "Images referenced by each container in the template."),
    col("Pod Labels", "string", "The labels for the pod template."),
  ],
  row(obj: KubeObject): TableCell[] {
    const template = as<PodTemplate>(obj).template;
    const [names, images] = layoutContainerCells(template?.spec?.containers);
    return [nameOf(obj), names, images, formatLabels(template?.metadata?.labels)];
  },
};
