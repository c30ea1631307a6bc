// Containers, probes, environment, mounts and volumes as describe prints them, for pods and for
// the pod templates of workloads (and `rollout history --revision`).
// Models staging/src/k8s.io/kubectl/pkg/describe/describe.go (describeContainers, DescribeProbe,
// describeVolumes, DescribePodTemplate).
import type { Container, ContainerStatus, PodSpec, PodTemplateSpec, Probe, Volume } from "kubernetes-types/core/v1";
import { PrefixWriter, printLabelsMultiline, printAnnotationsMultiline, printTolerationsMultiline, quantity, qString, rfc1123z } from "./writer";

type EnvResolver = ((fieldPath: string) => string) | undefined;

export function describeContainers(w: PrefixWriter, label: string, containers: readonly Container[] | undefined, statuses: readonly ContainerStatus[] | undefined, resolve: EnvResolver, space: string): void {
  const byName = new Map((statuses ?? []).map((s) => [s.name, s]));
  w.write(0, `${space}${label}:${containers?.length ? "" : " <none>"}\n`);
  for (const c of containers ?? []) {
    const status = byName.get(c.name);
    const nameIndent = space ? " " : "";
    w.write(1, `${nameIndent}${c.name}:\n`);
    if (status) w.write(2, `Container ID:\t${status.containerID ?? ""}\n`);
    w.write(2, `Image:\t${c.image ?? ""}\n`);
    if (status) w.write(2, `Image ID:\t${status.imageID ?? ""}\n`);
    const ports = (c.ports ?? []).map((p) => `${p.containerPort}/${p.protocol ?? "TCP"}${p.name ? ` (${p.name})` : ""}`).join(", ");
    if (ports.includes(",")) w.write(2, `Ports:\t${ports}\n`);
    else w.write(2, `Port:\t${ports || "<none>"}\n`);
    const hostPorts = (c.ports ?? []).map((p) => `${p.hostPort ?? 0}/${p.protocol ?? "TCP"}${p.name ? ` (${p.name})` : ""}`).join(", ");
    if (hostPorts.includes(",")) w.write(2, `Host Ports:\t${hostPorts}\n`);
    else w.write(2, `Host Port:\t${hostPorts || "<none>"}\n`);
    if (c.securityContext?.seccompProfile) {
      w.write(2, `SeccompProfile:\t${c.securityContext.seccompProfile.type}\n`);
      if (c.securityContext.seccompProfile.type === "Localhost") w.write(3, `LocalhostProfile:\t${c.securityContext.seccompProfile.localhostProfile ?? ""}\n`);
    }
    if (c.command?.length) {
      w.write(2, "Command:\n");
      for (const x of c.command) for (const s of x.split("\n")) w.write(3, `${s}\n`);
    }
    if (c.args?.length) {
      w.write(2, "Args:\n");
      for (const x of c.args) for (const s of x.split("\n")) w.write(3, `${s}\n`);
    }
    if (status) {
      describeState(w, "State", status.state);
      if (status.lastState?.terminated) describeState(w, "Last State", status.lastState);
      w.write(2, `Ready:\t${status.ready ? "True" : "False"}\n`);
      w.write(2, `Restart Count:\t${status.restartCount ?? 0}\n`);
    }
    describeResources(w, c.resources, 2);
    if (c.livenessProbe) w.write(2, `Liveness:\t${describeProbe(c.livenessProbe)}\n`);
    if (c.readinessProbe) w.write(2, `Readiness:\t${describeProbe(c.readinessProbe)}\n`);
    if (c.startupProbe) w.write(2, `Startup:\t${describeProbe(c.startupProbe)}\n`);
    if (c.envFrom?.length) {
      w.write(2, "Environment Variables from:\n");
      for (const e of c.envFrom) {
        const from = e.configMapRef ? "ConfigMap" : e.secretRef ? "Secret" : "";
        const name = e.configMapRef?.name ?? e.secretRef?.name ?? "";
        const optional = !!(e.configMapRef?.optional ?? e.secretRef?.optional);
        if (!e.prefix) w.write(3, `${name}\t${from}\tOptional: ${optional}\n`);
        else w.write(3, `${name}\t${from} with prefix '${e.prefix}'\tOptional: ${optional}\n`);
      }
    }
    w.write(2, `Environment:${c.env?.length ? "" : "\t<none>"}\n`);
    for (const e of c.env ?? []) {
      if (!e.valueFrom) {
        (e.value ?? "").split("\n").forEach((s, i) => w.write(3, i === 0 ? `${e.name}:\t${s}\n` : `\t${s}\n`));
        continue;
      }
      const v = e.valueFrom;
      if (v.fieldRef) w.write(3, `${e.name}:\t${resolve ? resolve(v.fieldRef.fieldPath) : ""} (${v.fieldRef.apiVersion ?? "v1"}:${v.fieldRef.fieldPath})\n`);
      else if (v.resourceFieldRef) w.write(3, `${e.name}:\t${resourceFieldValue(c, v.resourceFieldRef.resource, v.resourceFieldRef.divisor)} (${v.resourceFieldRef.resource})\n`);
      else if (v.secretKeyRef) w.write(3, `${e.name}:\t<set to the key '${v.secretKeyRef.key}' in secret '${v.secretKeyRef.name ?? ""}'>\tOptional: ${!!v.secretKeyRef.optional}\n`);
      else if (v.configMapKeyRef) w.write(3, `${e.name}:\t<set to the key '${v.configMapKeyRef.key}' of config map '${v.configMapKeyRef.name ?? ""}'>\tOptional: ${!!v.configMapKeyRef.optional}\n`);
    }
    const mounts = [...(c.volumeMounts ?? [])].sort((a, b) => (a.mountPath < b.mountPath ? -1 : a.mountPath > b.mountPath ? 1 : 0));
    w.write(2, `Mounts:${mounts.length ? "" : "\t<none>"}\n`);
    for (const m of mounts) {
      const flags = [m.readOnly ? "ro" : "rw"];
      if (m.subPath) flags.push(`path=${JSON.stringify(m.subPath)}`);
      w.write(3, `${m.mountPath} from ${m.name} (${flags.join(",")})\n`);
    }
    if (c.volumeDevices?.length) {
      w.write(2, "Devices:\n");
      for (const d of [...c.volumeDevices].sort((a, b) => (a.devicePath < b.devicePath ? -1 : 1))) w.write(3, `${d.devicePath} from ${d.name}\n`);
    }
  }
}

function resourceFieldValue(c: Container, resource: string, divisor: unknown): string {
  const [kind, name] = resource.split(".");
  const source = kind === "limits" ? c.resources?.limits : c.resources?.requests;
  const q = source?.[name];
  if (q === undefined) return resource === "limits.cpu" || resource === "limits.memory" ? "node allocatable" : "0";
  void divisor;
  return qString(quantity(q));
}

function describeState(w: PrefixWriter, name: string, state: ContainerStatus["state"]): void {
  if (state?.running) {
    w.write(2, `${name}:\tRunning\n`);
    w.write(3, `Started:\t${rfc1123z(state.running.startedAt)}\n`);
  } else if (state?.waiting) {
    w.write(2, `${name}:\tWaiting\n`);
    if (state.waiting.reason) w.write(3, `Reason:\t${state.waiting.reason}\n`);
  } else if (state?.terminated) {
    const t = state.terminated;
    w.write(2, `${name}:\tTerminated\n`);
    if (t.reason) w.write(3, `Reason:\t${t.reason}\n`);
    if (t.message) w.write(3, `Message:\t${t.message}\n`);
    w.write(3, `Exit Code:\t${t.exitCode}\n`);
    if ((t.signal ?? 0) > 0) w.write(3, `Signal:\t${t.signal}\n`);
    w.write(3, `Started:\t${rfc1123z(t.startedAt)}\n`);
    w.write(3, `Finished:\t${rfc1123z(t.finishedAt)}\n`);
  } else w.write(2, `${name}:\tWaiting\n`);
}

export function describeResources(w: PrefixWriter, r: Container["resources"] | undefined, level: number): void {
  if (!r) return;
  const limits = Object.keys(r.limits ?? {}).sort();
  if (limits.length) w.write(level, "Limits:\n");
  for (const k of limits) w.write(level + 1, `${k}:\t${qString(quantity(r.limits![k]))}\n`);
  const requests = Object.keys(r.requests ?? {}).sort();
  if (requests.length) w.write(level, "Requests:\n");
  for (const k of requests) w.write(level + 1, `${k}:\t${qString(quantity(r.requests![k]))}\n`);
}

function intOrString(v: number | string | undefined): string {
  return v === undefined ? "" : String(v);
}

export function describeProbe(p: Probe): string {
  const attrs = `delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 0}s period=${p.periodSeconds ?? 0}s #success=${p.successThreshold ?? 0} #failure=${p.failureThreshold ?? 0}`;
  if (p.exec) return `exec [${(p.exec.command ?? []).join(" ")}] ${attrs}`;
  if (p.httpGet) {
    const g = p.httpGet;
    const port = intOrString(g.port as number | string);
    const host = g.host ?? "";
    const hostPort = port ? (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`) : host;
    return `http-get ${(g.scheme ?? "HTTP").toLowerCase()}://${hostPort}${g.path ?? ""} ${attrs}`;
  }
  if (p.tcpSocket) return `tcp-socket ${p.tcpSocket.host ?? ""}:${intOrString(p.tcpSocket.port as number | string)} ${attrs}`;
  if (p.grpc) return `grpc <pod>:${p.grpc.port} ${p.grpc.service ?? ""} ${attrs}`;
  return `unknown ${attrs}`;
}

export function describeVolumes(w: PrefixWriter, volumes: readonly Volume[] | undefined, space: string): void {
  if (!volumes?.length) {
    w.write(0, `${space}Volumes:\t<none>\n`);
    return;
  }
  w.write(0, `${space}Volumes:\n`);
  for (const v of volumes) {
    w.write(1, `${space ? " " : ""}${v.name}:\n`);
    if (v.hostPath) {
      w.write(2, `Type:\tHostPath (bare host directory volume)\n    Path:\t${v.hostPath.path}\n    HostPathType:\t${v.hostPath.type ?? "<none>"}\n`);
    } else if (v.emptyDir) {
      const limit = v.emptyDir.sizeLimit !== undefined && qString(quantity(v.emptyDir.sizeLimit)) !== "0" ? qString(quantity(v.emptyDir.sizeLimit)) : "<unset>";
      w.write(2, `Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t${v.emptyDir.medium ?? ""}\n    SizeLimit:\t${limit}\n`);
    } else if (v.secret) {
      w.write(2, `Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${v.secret.secretName ?? ""}\n    Optional:\t${!!v.secret.optional}\n`);
    } else if (v.configMap) {
      w.write(2, `Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${v.configMap.name ?? ""}\n    Optional:\t${!!v.configMap.optional}\n`);
    } else if (v.nfs) {
      w.write(2, `Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t${v.nfs.server}\n    Path:\t${v.nfs.path}\n    ReadOnly:\t${!!v.nfs.readOnly}\n`);
    } else if (v.persistentVolumeClaim) {
      w.write(2, `Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t${v.persistentVolumeClaim.claimName}\n    ReadOnly:\t${!!v.persistentVolumeClaim.readOnly}\n`);
    } else if (v.downwardAPI) {
      w.write(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n");
      for (const i of v.downwardAPI.items ?? []) {
        if (i.fieldRef) w.write(3, `${i.fieldRef.fieldPath} -> ${i.path}\n`);
        if (i.resourceFieldRef) w.write(3, `${i.resourceFieldRef.resource} -> ${i.path}\n`);
      }
    } else if (v.projected) {
      w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
      for (const s of v.projected.sources ?? []) {
        if (s.secret) w.write(2, `SecretName:\t${s.secret.name ?? ""}\n    Optional:\t${!!s.secret.optional}\n`);
        else if (s.downwardAPI) w.write(2, "DownwardAPI:\ttrue\n");
        else if (s.configMap) w.write(2, `ConfigMapName:\t${s.configMap.name ?? ""}\n    Optional:\t${!!s.configMap.optional}\n`);
        else if (s.serviceAccountToken) w.write(2, `TokenExpirationSeconds:\t${s.serviceAccountToken.expirationSeconds ?? 0}\n`);
      }
    } else if (v.csi) {
      w.write(2, `Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t${v.csi.driver}\n    FSType:\t${v.csi.fsType ?? ""}\n    ReadOnly:\t${!!v.csi.readOnly}\n`);
      printLabelsMultiline(w, "VolumeAttributes", v.csi.volumeAttributes, "    ", "\t");
    } else w.write(1, "<unknown>\n");
  }
}

/** The "Pod Template:" block of a workload. */
export function writePodTemplate(w: PrefixWriter, template: PodTemplateSpec | undefined): void {
  w.write(0, "Pod Template:\n");
  if (!template) {
    w.write(1, "<unset>");
    return;
  }
  const spec: PodSpec = template.spec ?? { containers: [] };
  printLabelsMultiline(w, "  Labels", template.metadata?.labels);
  if (Object.keys(template.metadata?.annotations ?? {}).length) printAnnotationsMultiline(w, "  Annotations", template.metadata?.annotations);
  if (spec.serviceAccountName) w.write(1, `Service Account:\t${spec.serviceAccountName}\n`);
  if (spec.initContainers?.length) describeContainers(w, "Init Containers", spec.initContainers, undefined, undefined, "  ");
  describeContainers(w, "Containers", spec.containers, undefined, undefined, "  ");
  describeVolumes(w, spec.volumes, "  ");
  if (spec.priorityClassName) w.write(1, `Priority Class Name:\t${spec.priorityClassName}\n`);
  printLabelsMultiline(w, "  Node-Selectors", spec.nodeSelector);
  printTolerationsMultiline(w, "  Tolerations", spec.tolerations);
}

/** A pod template on its own (`rollout history --revision`): kubectl writes it without a tabwriter, tabs and all. */
export function describePodTemplate(template: PodTemplateSpec | undefined): string {
  const w = new PrefixWriter();
  writePodTemplate(w, template);
  return w.text;
}
