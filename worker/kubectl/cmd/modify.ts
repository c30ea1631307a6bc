// Commands that change existing objects or make one from another: scale (the scale subresource),
// set image (a strategic merge patch), label and annotate (JSON merge patches), expose (a Service
// from a workload's selector and ports) and run (a Pod).
// Models staging/src/k8s.io/kubectl/pkg/cmd/{scale,set/set_image.go,label,annotate,expose,run}.
import type { KubeObject } from "../../resources/types";
import { twoWayMergePatch, gvkKeyOf } from "../apply/three-way";
import { DRY_RUN_FLAG, FIELD_MANAGER, FILENAME_FLAGS, OUTPUT_FLAGS, SELECTOR_FLAG, type Command, type Ctx } from "../command";
import { groupResource, kindPrefix, resourcePath, type Mapping } from "../discovery";
import { AggregateError, KubectlError, StatusError } from "../errors";
import type { KubeList, Query } from "../client";
import { mappingOf, namespaceOf, readManifests, resourceArgs } from "../resource";
import { createObject } from "./create";
import { dryRunOf, printResult, writeQuery } from "./common";
import { itemsOf } from "./get";

type Obj = KubeObject & Record<string, unknown>;

interface Resolved {
  mapping: Mapping;
  namespace: string;
  name: string;
  object: Obj;
}

/**
 * The objects a command acts on: `TYPE NAME…`, `TYPE/NAME…`, `-f`, `-l` or `--all` — fetched, as the
 * resource builder would (`Latest()`); a missing object is an error that does not stop the others.
 */
export async function resolveObjects(ctx: Ctx, args: string[], opts: { allowAll?: boolean; command: string }): Promise<{ objects: Resolved[]; errors: Error[] }> {
  const disc = await ctx.discovery();
  const objects: Resolved[] = [];
  const errors: Error[] = [];
  const files = ctx.flags.parsed.flags.has("filename") ? ctx.flags.list("filename") : [];
  const selector = ctx.flags.parsed.flags.has("selector") ? ctx.str("selector") : "";
  const all = ctx.flags.parsed.flags.has("all") && ctx.flags.bool("all");
  if (files.length) {
    for (const m of readManifests(ctx, files, ctx.flags.bool("recursive"))) {
      const mapping = mappingOf(disc, m);
      const ns = namespaceOf(ctx, mapping, m.object);
      try {
        objects.push({ mapping, namespace: ns, name: m.object.metadata.name ?? "", object: await ctx.client.get<Obj>(resourcePath(mapping, ns, m.object.metadata.name)) });
      } catch (e) {
        errors.push(e as Error);
      }
    }
    return { objects, errors };
  }
  const targets = resourceArgs(disc, args, opts.command);
  for (const t of targets) {
    const ns = t.mapping.namespaced ? ctx.namespace : "";
    if (t.name !== undefined) {
      try {
        objects.push({ mapping: t.mapping, namespace: ns, name: t.name, object: await ctx.client.get<Obj>(resourcePath(t.mapping, ns, t.name)) });
      } catch (e) {
        errors.push(e as Error);
      }
      continue;
    }
    if (!selector && !all && !opts.allowAll) throw new KubectlError(`resource(s) were provided, but no name was specified`);
    const list = await ctx.client.get<KubeList>(resourcePath(t.mapping, ns), selector ? { labelSelector: selector } : {});
    for (const o of itemsOf(list)) objects.push({ mapping: t.mapping, namespace: ns, name: o.metadata.name ?? "", object: o as Obj });
  }
  return { objects, errors };
}

function finish(errors: Error[]): void {
  if (errors.length) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
}

// --- scale ---

export const scaleCommand: Command = {
  name: "scale",
  flags: [...OUTPUT_FLAGS, ...FILENAME_FLAGS, SELECTOR_FLAG, DRY_RUN_FLAG, { name: "replicas", type: "int", default: -1 }, { name: "current-replicas", type: "int", default: -1 }, { name: "resource-version", type: "string", default: "" }, { name: "all", type: "bool" }, { name: "timeout", type: "string", default: "0s" }],
  async run(ctx) {
    if (!ctx.flags.changed("replicas")) throw new KubectlError(`required flag(s) "replicas" not set`);
    const replicas = ctx.flags.int("replicas");
    if (replicas < 0) throw new KubectlError("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0", 1, "help");
    if (ctx.args.length === 0 && ctx.flags.list("filename").length === 0) {
      throw new KubectlError("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    const dryRun = dryRunOf(ctx);
    const { objects, errors } = await resolveObjects(ctx, ctx.args, { command: "kubectl scale" });
    if (objects.length === 0 && errors.length) throw new KubectlError(`no objects passed to scale ${errors.map((e) => e.message).join(", ")}`);
    for (const o of objects) {
      try {
        const current = ctx.flags.int("current-replicas");
        const spec = (o.object.spec ?? {}) as { replicas?: number };
        if (current >= 0 && (spec.replicas ?? 1) !== current) throw new KubectlError(`Expected replicas to be ${current}, was ${spec.replicas ?? 1}`);
        if (dryRun !== "client") {
          const patch: Record<string, unknown> = { spec: { replicas } };
          if (ctx.str("resource-version")) patch.metadata = { resourceVersion: ctx.str("resource-version") };
          await ctx.client.json("PATCH", resourcePath(o.mapping, o.namespace, o.name, "scale"), { body: patch, contentType: "application/merge-patch+json", query: writeQuery(dryRun) });
        }
        printResult(ctx, o.mapping, o.object, "scaled", dryRun);
      } catch (e) {
        errors.push(e as Error);
      }
    }
    finish(errors);
  },
};

// --- set image ---

const setImage: Command = {
  name: "image",
  flags: [...OUTPUT_FLAGS, ...FILENAME_FLAGS, SELECTOR_FLAG, DRY_RUN_FLAG, FIELD_MANAGER("kubectl-set"), { name: "all", type: "bool" }, { name: "local", type: "bool" }, { name: "record", type: "bool" }],
  async run(ctx) {
    const resources = ctx.args.filter((a) => !a.includes("="));
    const images = ctx.args.filter((a) => a.includes("="));
    if (images.length === 0) throw new KubectlError("at least one image update is required", 1, "help");
    if (resources.length === 0 && ctx.flags.list("filename").length === 0) {
      throw new KubectlError("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    const wanted = new Map(images.map((i) => [i.slice(0, i.indexOf("=")), i.slice(i.indexOf("=") + 1)]));
    const dryRun = dryRunOf(ctx);
    const { objects, errors } = await resolveObjects(ctx, resources, { command: "kubectl set image" });
    for (const o of objects) {
      try {
        const updated = structuredClone(o.object);
        const podSpec = podSpecOf(updated);
        if (!podSpec) throw new KubectlError(`error: ${kindPrefix(o.mapping)}/${o.name} does not have a pod template`);
        for (const [name, image] of wanted) {
          let found = false;
          for (const c of [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])]) {
            if (name === "*" || c.name === name) {
              c.image = image;
              found = true;
            }
          }
          if (!found) throw new KubectlError(`unable to find container named "${name}"`);
        }
        const patch = twoWayMergePatch(o.object, updated, gvkKeyOf(o.object.apiVersion, o.object.kind));
        // Nothing to change: kubectl says nothing.
        if (Object.keys(patch).length === 0) continue;
        let result: KubeObject = updated;
        if (dryRun !== "client") {
          result = await ctx.client.json("PATCH", resourcePath(o.mapping, o.namespace, o.name), { body: patch, contentType: "application/strategic-merge-patch+json", query: writeQuery(dryRun, ctx.str("field-manager")) });
        }
        printResult(ctx, o.mapping, result, "image updated", dryRun);
      } catch (e) {
        errors.push(e as Error);
      }
    }
    finish(errors);
  },
};

interface PodSpecLike {
  containers?: { name: string; image?: string }[];
  initContainers?: { name: string; image?: string }[];
}

function podSpecOf(o: Obj): PodSpecLike | undefined {
  const spec = o.spec as Record<string, unknown> | undefined;
  if (!spec) return undefined;
  if (o.kind === "Pod") return spec as PodSpecLike;
  if (o.kind === "CronJob") return ((spec.jobTemplate as { spec?: { template?: { spec?: PodSpecLike } } })?.spec?.template?.spec);
  return (spec.template as { spec?: PodSpecLike } | undefined)?.spec;
}

export const setCommand: Command = { name: "set", flags: [], sub: [setImage] };

// --- label, annotate ---

/** The JSON merge patch between two objects (RFC 7386): changed and added fields, removed ones as null. */
export function mergePatch(before: unknown, after: unknown): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isMap(before) || !isMap(after)) return after;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(after)) {
    if (!(k in before)) out[k] = after[k];
    else if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) {
      const sub = isMap(before[k]) && isMap(after[k]) ? mergePatch(before[k], after[k]) : after[k];
      out[k] = sub;
    }
  }
  for (const k of Object.keys(before)) if (!(k in after)) out[k] = null;
  return out;
}

function metadataCommand(kind: "labels" | "annotations"): Command {
  const verb = kind === "labels" ? "label" : "annotate";
  return {
    name: verb,
    flags: [
      ...OUTPUT_FLAGS,
      ...FILENAME_FLAGS,
      SELECTOR_FLAG,
      DRY_RUN_FLAG,
      FIELD_MANAGER(`kubectl-${verb}`),
      { name: "overwrite", type: "bool" },
      { name: "all", type: "bool" },
      { name: "all-namespaces", short: "A", type: "bool" },
      { name: "list", type: "bool" },
      { name: "local", type: "bool" },
      { name: "resource-version", type: "string", default: "" },
      { name: "field-selector", type: "string", default: "" },
    ],
    async run(ctx) {
      const ops = ctx.args.filter((a) => a.includes("=") || (a.endsWith("-") && !a.includes("/")));
      const resources = ctx.args.filter((a) => !ops.includes(a));
      if (resources.length === 0 && ctx.flags.list("filename").length === 0) {
        throw new KubectlError("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
      }
      if (ops.length === 0 && !ctx.flags.bool("list")) throw new KubectlError(`at least one ${kind === "labels" ? "label" : "annotation"} update is required`, 1, "help");
      const set = new Map<string, string>();
      const remove: string[] = [];
      for (const op of ops) {
        if (op.includes("=")) set.set(op.slice(0, op.indexOf("=")), op.slice(op.indexOf("=") + 1));
        else remove.push(op.slice(0, -1));
      }
      const dryRun = dryRunOf(ctx);
      const overwrite = ctx.flags.bool("overwrite");
      const { objects, errors } = await resolveObjects(ctx, resources, { command: `kubectl ${verb}` });
      for (const o of objects) {
        try {
          const current = { ...((o.object.metadata[kind] as Record<string, string> | undefined) ?? {}) };
          if (ctx.flags.bool("list")) {
            ctx.out(Object.entries(current).map(([k, v]) => `${k}=${v}\n`).join(""));
            continue;
          }
          if (!overwrite) {
            const clash = [...set].filter(([k, v]) => current[k] !== undefined && current[k] !== v);
            if (clash.length) {
              if (kind === "labels") throw new KubectlError(`'${clash[0][0]}' already has a value (${current[clash[0][0]]}), and --overwrite is false`);
              throw new KubectlError(`--overwrite is false but found the following declared annotation(s): ${clash.map(([k]) => `'${k}' already has a value (${current[k]})`).join("; ")}`);
            }
          }
          const next = { ...current };
          for (const [k, v] of set) next[k] = v;
          for (const k of remove) {
            if (kind === "labels" && next[k] === undefined) ctx.out(`label "${k}" not found.\n`);
            delete next[k];
          }
          const before = structuredClone(o.object);
          const after = structuredClone(o.object);
          if (Object.keys(next).length) after.metadata[kind] = next;
          else delete after.metadata[kind];
          const patch = mergePatch(before, after) as Record<string, unknown>;
          if (ctx.str("resource-version")) ((patch.metadata ??= {}) as Record<string, unknown>).resourceVersion = ctx.str("resource-version");
          let msg = verb === "label" ? "labeled" : "annotated";
          if (kind === "labels") {
            const oldJson = JSON.stringify(before);
            const newJson = JSON.stringify(after);
            if (oldJson === newJson) msg = "not labeled";
            else if (!overwrite && newJson.length < oldJson.length) msg = "unlabeled";
          }
          let result: KubeObject = after;
          if (Object.keys(patch).length && dryRun !== "client") {
            result = await ctx.client.json("PATCH", resourcePath(o.mapping, o.namespace, o.name), { body: patch, contentType: "application/merge-patch+json", query: writeQuery(dryRun, ctx.str("field-manager")) });
          }
          printResult(ctx, o.mapping, result, msg, dryRun);
        } catch (e) {
          errors.push(e as Error);
        }
      }
      finish(errors);
    },
  };
}

export const labelCommand = metadataCommand("labels");
export const annotateCommand = metadataCommand("annotations");

// --- expose ---

const EXPOSABLE = new Set(["Pod", "Service", "ReplicationController", "Deployment", "ReplicaSet"]);

/** `app=web,tier=x` from what the object selects (MapBasedSelectorForObject). */
function selectorOf(o: Obj): Record<string, string> {
  const spec = (o.spec ?? {}) as { selector?: Record<string, unknown> & { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } };
  switch (o.kind) {
    case "Pod":
      if (!o.metadata.labels || !Object.keys(o.metadata.labels).length) throw new KubectlError(`the pod has no labels and cannot be exposed`);
      return o.metadata.labels;
    case "Service":
    case "ReplicationController":
      if (!spec.selector) throw new KubectlError(`the ${o.kind === "Service" ? "service" : "replication controller"} has no pod selector set`);
      return spec.selector as Record<string, string>;
    default:
      if (spec.selector?.matchExpressions?.length) throw new KubectlError(`couldn't convert expressions - "${JSON.stringify(spec.selector.matchExpressions)}" to map-based selector format`);
      return spec.selector?.matchLabels ?? {};
  }
}

/** Container ports of what the object runs (PortsForObject / ProtocolsForObject). */
function portsOf(o: Obj): { port: string; protocol: string }[] {
  const spec = (o.spec ?? {}) as { ports?: { port: number; protocol?: string }[]; template?: { spec?: { containers?: { ports?: { containerPort: number; protocol?: string }[] }[] } }; containers?: { ports?: { containerPort: number; protocol?: string }[] }[] };
  if (o.kind === "Service") return (spec.ports ?? []).map((p) => ({ port: String(p.port), protocol: p.protocol ?? "TCP" }));
  const containers = o.kind === "Pod" ? spec.containers : spec.template?.spec?.containers;
  return (containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => ({ port: String(p.containerPort), protocol: p.protocol ?? "TCP" })));
}

export const exposeCommand: Command = {
  name: "expose",
  flags: [
    ...OUTPUT_FLAGS,
    ...FILENAME_FLAGS,
    DRY_RUN_FLAG,
    FIELD_MANAGER("kubectl-expose"),
    { name: "port", type: "string", default: "" },
    { name: "target-port", type: "string", default: "" },
    { name: "protocol", type: "string", default: "" },
    { name: "type", type: "string", default: "" },
    { name: "name", type: "string", default: "" },
    { name: "selector", type: "string", default: "" },
    { name: "labels", short: "l", type: "string", default: "" },
    { name: "external-ip", type: "string", default: "" },
    { name: "cluster-ip", type: "string", default: "" },
    { name: "session-affinity", type: "string", default: "" },
    { name: "load-balancer-ip", type: "string", default: "" },
    { name: "override-type", type: "string", default: "merge" },
    { name: "overrides", type: "string", default: "" },
    { name: "save-config", type: "bool" },
  ],
  async run(ctx) {
    if (ctx.args.length === 0 && ctx.flags.list("filename").length === 0) {
      throw new KubectlError("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'", 1, "help");
    }
    const { objects, errors } = await resolveObjects(ctx, ctx.args, { command: "kubectl expose" });
    if (errors.length) throw errors[0];
    const disc = await ctx.discovery();
    const services = disc.mustFind("services");
    for (const o of objects) {
      if (!EXPOSABLE.has(o.object.kind)) throw new KubectlError(`cannot expose a ${o.object.kind}`);
      const selector = ctx.str("selector")
        ? Object.fromEntries(ctx.str("selector").split(",").map((kv) => kv.split("=") as [string, string]))
        : selectorOf(o.object);
      const name = ctx.str("name") || o.name;
      let ports: { port: string; protocol: string }[];
      if (ctx.str("port")) ports = [{ port: ctx.str("port"), protocol: "" }];
      else {
        ports = portsOf(o.object);
        if (ports.length === 0 && ctx.str("cluster-ip") !== "None") throw new KubectlError("couldn't find port via --port flag or introspection", 1, "help");
      }
      const protocolsKnown = !ctx.str("port") && ports.length > 0;
      // Models the service generator: unnamed for one port, port-N for several; TCP unless told.
      const svcPorts = ports.map((p, i) => {
        const out: Record<string, unknown> = {};
        if (ports.length > 1) out.name = `port-${i + 1}`;
        out.protocol = ctx.str("protocol") || (protocolsKnown ? p.protocol : "TCP");
        out.port = Number(p.port);
        const target = ctx.str("target-port");
        out.targetPort = target ? (/^\d+$/.test(target) ? Number(target) : target) : Number(p.port);
        return out;
      });
      const labels = ctx.str("labels") ? Object.fromEntries(ctx.str("labels").split(",").map((kv) => kv.split("=") as [string, string])) : o.object.metadata.labels;
      const spec: Record<string, unknown> = { ports: svcPorts, selector };
      if (ctx.str("cluster-ip")) spec.clusterIP = ctx.str("cluster-ip");
      if (ctx.str("type")) spec.type = ctx.str("type");
      if (ctx.str("external-ip")) spec.externalIPs = [ctx.str("external-ip")];
      if (ctx.str("session-affinity")) spec.sessionAffinity = ctx.str("session-affinity");
      const metadata: Record<string, unknown> = { name, creationTimestamp: null };
      if (labels && Object.keys(labels).length) metadata.labels = labels;
      const svc = { kind: "Service", apiVersion: "v1", metadata, spec, status: { loadBalancer: {} } } as unknown as KubeObject;
      const dryRun = dryRunOf(ctx);
      if (dryRun === "client") {
        printResult(ctx, services, svc, "exposed", dryRun, true);
        continue;
      }
      const created = await ctx.client.json<KubeObject>("POST", resourcePath(services, o.namespace), { body: svc, query: writeQuery(dryRun, ctx.str("field-manager")) });
      printResult(ctx, services, created, "exposed", dryRun);
    }
  },
};

// --- run ---

export const runCommand: Command = {
  name: "run",
  flags: [
    ...OUTPUT_FLAGS,
    DRY_RUN_FLAG,
    FIELD_MANAGER("kubectl-run"),
    { name: "image", type: "string", default: "" },
    { name: "port", type: "string", default: "" },
    { name: "env", type: "stringArray", default: [] },
    { name: "labels", short: "l", type: "string", default: "" },
    { name: "annotations", type: "stringArray", default: [] },
    { name: "restart", type: "string", default: "Always" },
    { name: "command", type: "bool" },
    { name: "image-pull-policy", type: "string", default: "" },
    { name: "overrides", type: "string", default: "" },
    { name: "stdin", short: "i", type: "bool" },
    { name: "tty", short: "t", type: "bool" },
    { name: "attach", type: "bool" },
    { name: "rm", type: "bool" },
    { name: "quiet", short: "q", type: "bool" },
    { name: "expose", type: "bool" },
    { name: "serviceaccount", type: "string", default: "" },
    { name: "save-config", type: "bool" },
    { name: "privileged", type: "bool" },
    { name: "pod-running-timeout", type: "string", default: "1m0s" },
  ],
  async run(ctx) {
    if (!ctx.str("image")) throw new KubectlError(`required flag(s) "image" not set`);
    const at = ctx.flags.parsed.argsLenAtDash;
    const before = at < 0 ? ctx.args : ctx.args.slice(0, at);
    if (before.length === 0) throw new KubectlError("NAME is required for run", 1, "help");
    const name = before[0];
    const args = at < 0 ? ctx.args.slice(1) : ctx.args.slice(at);
    if (ctx.flags.bool("rm") && !ctx.flags.bool("stdin") && !ctx.flags.bool("attach")) throw new KubectlError("--rm should only be used for attached containers");
    const attach = ctx.flags.bool("attach") || ctx.flags.bool("stdin");
    if (ctx.flags.bool("tty") && !ctx.flags.bool("stdin")) throw new KubectlError("-i/--stdin is required for containers with -t/--tty=true");
    const labels = ctx.str("labels") ? Object.fromEntries(ctx.str("labels").split(",").map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)])) : { run: name };
    const container: Record<string, unknown> = { name, image: ctx.str("image") };
    if (args.length) container[ctx.flags.bool("command") ? "command" : "args"] = args;
    if (ctx.str("port")) container.ports = [{ containerPort: Number(ctx.str("port")) }];
    const env = ctx.flags.list("env").map((e) => ({ name: e.slice(0, e.indexOf("=")), value: e.slice(e.indexOf("=") + 1) }));
    if (env.length) container.env = env;
    container.resources = {};
    if (ctx.str("image-pull-policy")) container.imagePullPolicy = ctx.str("image-pull-policy");
    if (ctx.flags.bool("stdin")) {
      container.stdin = true;
      container.stdinOnce = true;
    }
    if (ctx.flags.bool("tty")) container.tty = true;
    const annotations = Object.fromEntries(ctx.flags.list("annotations").map((a) => [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]));
    const metadata: Record<string, unknown> = { name, creationTimestamp: null, labels };
    if (Object.keys(annotations).length) metadata.annotations = annotations;
    const spec: Record<string, unknown> = { containers: [container], restartPolicy: ctx.str("restart"), dnsPolicy: "ClusterFirst" };
    if (ctx.str("serviceaccount")) spec.serviceAccountName = ctx.str("serviceaccount");
    let pod = { kind: "Pod", apiVersion: "v1", metadata, spec, status: {} } as unknown as KubeObject;
    if (ctx.str("overrides")) {
      let overrides: unknown;
      try {
        overrides = JSON.parse(ctx.str("overrides"));
      } catch (e) {
        throw new KubectlError(`error parsing override JSON: ${(e as Error).message}`);
      }
      pod = strategicOverride(pod, overrides) as KubeObject;
    }
    const disc = await ctx.discovery();
    if (attach) {
      if (ctx.flags.bool("expose")) throw new KubectlError("--expose cannot be used with --attach");
      return runAttached(ctx, pod, name);
    }
    await createObject(ctx, disc.mustFind("pods"), pod);
    if (ctx.flags.bool("expose")) {
      if (!ctx.str("port")) throw new KubectlError("--port must be set when exposing a service");
      const svc = { kind: "Service", apiVersion: "v1", metadata: { name, creationTimestamp: null }, spec: { ports: [{ protocol: "TCP", port: Number(ctx.str("port")), targetPort: Number(ctx.str("port")) }], selector: labels }, status: { loadBalancer: {} } } as unknown as KubeObject;
      await createObject(ctx, disc.mustFind("services"), svc);
    }
  },
};

/**
 * `kubectl run -it … -- sh`: the pod is created, awaited, attached to (in the console's terminal
 * with -t), and with --rm deleted when the session ends.
 */
async function runAttached(ctx: Ctx, pod: KubeObject, name: string): Promise<number> {
  const ns = ctx.namespace;
  const disc = await ctx.discovery();
  const pods = disc.mustFind("pods");
  const dryRun = dryRunOf(ctx);
  if (dryRun !== "none") throw new KubectlError("--dry-run can't be used with attached containers options (--attach, --stdin, or --tty)");
  await ctx.client.json("POST", resourcePath(pods, ns), { body: pod, query: writeQuery("none", ctx.str("field-manager"), { fieldValidation: "Strict" }) });
  await ctx.env.settle();
  const { streamPod, waitForRunning, parseGoDuration } = await import("./pods");
  const state = await waitForRunning(ctx, ns, name, parseGoDuration(ctx.str("pod-running-timeout")) || 60_000);
  if (state === "timeout") {
    if (ctx.env.signal.aborted) return 130;
    throw new KubectlError(`timed out waiting for the condition`);
  }
  let tty = ctx.flags.bool("tty");
  if (tty && !ctx.env.terminal) {
    if (!ctx.flags.bool("quiet")) ctx.err("Unable to use a TTY - input is not a terminal or the right kind of file\n");
    tty = false;
  }
  let code = 0;
  if (state === "running") {
    if (tty && !ctx.flags.bool("quiet")) ctx.err("If you don't see a command prompt, try pressing enter.\n");
    const query: Query = { container: name, stdin: ctx.flags.bool("stdin") ? "true" : undefined, stdout: "true", stderr: tty ? undefined : "true", tty: tty ? "true" : undefined };
    code = await streamPod(ctx, "attach", ns, name, query, { stdin: ctx.flags.bool("stdin"), tty });
  }
  if (ctx.flags.bool("rm")) {
    await ctx.client.json("DELETE", resourcePath(pods, ns, name), { body: { propagationPolicy: "Background" } }).catch(() => undefined);
    ctx.out(`pod "${name}" deleted\n`);
  }
  return code;
}

/** `--overrides`: merged into the generated object, containers by name (a strategic merge). */
function strategicOverride(base: unknown, patch: unknown): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isMap(base) || !isMap(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (k === "containers" && Array.isArray(v) && Array.isArray(out[k])) {
      const merged = [...(out[k] as Record<string, unknown>[])];
      for (const c of v as Record<string, unknown>[]) {
        const i = merged.findIndex((m) => m.name === c.name);
        if (i >= 0) merged[i] = strategicOverride(merged[i], c) as Record<string, unknown>;
        else merged.push(c);
      }
      out[k] = merged;
    } else out[k] = strategicOverride(out[k], v);
  }
  return out;
}

export { groupResource, StatusError };
