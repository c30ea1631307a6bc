// ClusterIP and NodePort allocation, with the apiserver's messages for taken or out-of-range values.
// Models pkg/registry/core/service/ipallocator and portallocator.
import { internalError } from "../api/status";
import type { StrategyContext } from "./strategy";
import type { FieldError, KubeObject } from "./types";
import { nodePortRange } from "./node-port-range";

export const SERVICE_CIDR = "10.96.0.0/12";
const SERVICE_NET = ipToInt("10.96.0.0");
const SERVICE_SIZE = 1 << 20;

export function ipToInt(ip: string): number {
  const p = ip.split(".").map(Number);
  return (((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3]) >>> 0;
}

export function intToIp(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

function isIPv4(s: string): boolean {
  return /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s) && s.split(".").every((p) => Number(p) <= 255);
}

interface ServicePort {
  name?: string;
  port?: number;
  nodePort?: number;
  protocol?: string;
}

interface ServiceSpec {
  type?: string;
  allocateLoadBalancerNodePorts?: boolean;
  externalTrafficPolicy?: string;
  healthCheckNodePort?: number;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: ServicePort[];
}

function usedAddresses(ctx: StrategyContext, self: KubeObject): { ips: Set<string>; ports: Set<number> } {
  const ips = new Set<string>();
  const ports = new Set<number>();
  for (const svc of ctx.store.list("/services")) {
    if (svc.metadata.uid === self.metadata.uid) continue;
    const spec = (svc.spec ?? {}) as ServiceSpec;
    if (spec.clusterIP && spec.clusterIP !== "None") ips.add(spec.clusterIP);
    for (const p of spec.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
    if (spec.healthCheckNodePort) ports.add(spec.healthCheckNodePort);
  }
  return { ips, ports };
}

export function allocateServiceAddresses(obj: KubeObject, old: KubeObject | undefined, ctx: StrategyContext): FieldError[] {
  const spec = (obj.spec ??= {}) as ServiceSpec;
  const oldSpec = (old?.spec ?? {}) as ServiceSpec;
  const errors: FieldError[] = [];
  const used = usedAddresses(ctx, obj);
  const type = spec.type ?? "ClusterIP";

  if (type === "ExternalName") {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  } else if (old && oldSpec.clusterIP && !spec.clusterIP) {
    spec.clusterIP = oldSpec.clusterIP;
    spec.clusterIPs = oldSpec.clusterIPs ?? [oldSpec.clusterIP];
  } else if (!spec.clusterIP) {
    let ip: string;
    do {
      // Skip the network address and the first IP, which belongs to the `kubernetes` service.
      ip = intToIp(SERVICE_NET + ctx.rng.int(2, SERVICE_SIZE - 2));
    } while (used.ips.has(ip));
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
  } else if (spec.clusterIP !== "None" && spec.clusterIP !== oldSpec.clusterIP) {
    const ip = spec.clusterIP;
    const value = `[]string{"${ip}"}`;
    if (!isIPv4(ip)) {
      errors.push({ type: "FieldValueInvalid", field: "spec.clusterIPs[0]", message: `Invalid value: "${ip}": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)` });
    } else {
      const n = ipToInt(ip);
      if (n < SERVICE_NET || n >= SERVICE_NET + SERVICE_SIZE) {
        errors.push({
          type: "FieldValueInvalid",
          field: "spec.clusterIPs",
          message: `Invalid value: ${value}: failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}`,
        });
      } else if (used.ips.has(ip)) {
        errors.push({
          type: "FieldValueInvalid",
          field: "spec.clusterIPs",
          message: `Invalid value: ${value}: failed to allocate IP ${ip}: provided IP is already allocated`,
        });
      }
    }
    spec.clusterIPs = [ip];
  } else if (spec.clusterIP === "None") {
    spec.clusterIPs = ["None"];
  }

  const nodePortType = type === "NodePort" || type === "LoadBalancer";
  // A LoadBalancer may do without node ports; those the user asks for are still honoured.
  const allocateNew = type === "NodePort" || (type === "LoadBalancer" && spec.allocateLoadBalancerNodePorts !== false);
  const taken = new Set(used.ports);
  // Models pkg/registry/core/service/storage/alloc.go initNodePorts: ports with the same number
  // (53/TCP and 53/UDP) share one node port, the one the user gave any of them if so.
  const requested = new Map<number, number>();
  for (const p of spec.ports ?? []) if (p.port !== undefined && p.nodePort && !requested.has(p.port)) requested.set(p.port, p.nodePort);
  const byPort = new Map<number, number>();
  const [min, max] = nodePortRange(ctx.store);
  const take = (port: number, field: string): boolean => {
    if (port < min || port > max) {
      errors.push({
        type: "FieldValueInvalid",
        field,
        message: `Invalid value: ${port}: provided port is not in the valid range. The range of valid ports is ${min}-${max}`,
      });
      return false;
    }
    if (taken.has(port)) {
      errors.push({ type: "FieldValueInvalid", field, message: `Invalid value: ${port}: provided port is already allocated` });
      return false;
    }
    taken.add(port);
    free--;
    return true;
  };
  let free = max - min + 1;
  for (const t of taken) if (t >= min && t <= max) free--;
  /**
   * A free port of the range. A full range is no field's fault: the apiserver answers
   * `500 InternalError` (alloc.go: NewInternalError around the allocator's "range is full"),
   * unless a port refused earlier has already made the request invalid.
   */
  const allocate = (what: string): number | undefined => {
    if (free <= 0) {
      if (errors.length > 0) return undefined;
      throw internalError(`failed to allocate ${what}: range is full`);
    }
    let port: number;
    do port = ctx.rng.int(min, max);
    while (taken.has(port));
    taken.add(port);
    free--;
    return port;
  };
  (spec.ports ?? []).forEach((p, i) => {
    if (!nodePortType) {
      delete p.nodePort;
      return;
    }
    const field = `spec.ports[${i}].nodePort`;
    const shared = p.port === undefined ? undefined : byPort.get(p.port);
    if (shared !== undefined) {
      if (!p.nodePort) p.nodePort = shared;
      else if (p.nodePort !== shared) take(p.nodePort, field);
      return;
    }
    const want = p.nodePort || (p.port === undefined ? 0 : (requested.get(p.port) ?? 0));
    if (want) {
      if (take(want, field)) p.nodePort = want;
    } else {
      // Keep the port an update did not mention.
      const previous = oldSpec.ports?.find((o) => o.port === p.port && (o.protocol ?? "TCP") === (p.protocol ?? "TCP"))?.nodePort;
      if (previous && !taken.has(previous)) {
        taken.add(previous);
        if (previous >= min && previous <= max) free--;
        p.nodePort = previous;
      } else if (allocateNew) {
        const port = allocate("a nodePort");
        if (port !== undefined) p.nodePort = port;
      }
    }
    if (p.port !== undefined && p.nodePort) byPort.set(p.port, p.nodePort);
  });

  // Models pkg/registry/core/service/storage/alloc.go allocHealthCheckNodePort: a LoadBalancer
  // that keeps traffic on the node (externalTrafficPolicy Local) gets a port for the health check.
  const needsHealthCheck = (sp: ServiceSpec) => sp.type === "LoadBalancer" && sp.externalTrafficPolicy === "Local";
  if (needsHealthCheck(spec)) {
    if (!spec.healthCheckNodePort) {
      const previous = needsHealthCheck(oldSpec) ? oldSpec.healthCheckNodePort : undefined;
      const port = previous && !taken.has(previous) ? previous : allocate("a HealthCheck NodePort 0");
      if (port !== undefined) spec.healthCheckNodePort = port;
    }
  } else if (old && needsHealthCheck(oldSpec) && spec.healthCheckNodePort === oldSpec.healthCheckNodePort) {
    delete spec.healthCheckNodePort;
  }
  return errors;
}
