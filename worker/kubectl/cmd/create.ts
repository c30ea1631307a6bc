// `kubectl create -f FILE` and the generators: deployment, namespace, configmap, secret generic,
// service clusterip|nodeport|loadbalancer, job, cronjob, serviceaccount. Generated objects are built
// field by field in the order of the Go types, so `--dry-run=client -o json` prints what kubectl
// prints; the server sees the same fields (and defaults the rest) as from the real client.
// Models staging/src/k8s.io/kubectl/pkg/cmd/create/*.go.
import type { KubeObject } from "../../resources/types";
import { DRY_RUN_FLAG, FIELD_MANAGER, FILENAME_FLAGS, OUTPUT_FLAGS, SELECTOR_FLAG, type Command, type Ctx } from "../command";
import { resourcePath, type Mapping } from "../discovery";
import { AggregateError, KubectlError, StatusError } from "../errors";
import type { FlagSpec } from "../flags";
import { mappingOf, namespaceOf, readManifests } from "../resource";
import { withLastApplied } from "./apply";
import { dryRunOf, printResult, writeQuery, type DryRun } from "./common";

const GENERATOR_FLAGS: FlagSpec[] = [...OUTPUT_FLAGS, DRY_RUN_FLAG, FIELD_MANAGER("kubectl-create"), { name: "save-config", type: "bool" }, { name: "validate", type: "string", default: "strict", noOptDefault: "strict" }];

/** Sends a generated object (or prints it for a client dry run). */
export async function createObject(ctx: Ctx, mapping: Mapping, obj: KubeObject, verb = "created"): Promise<void> {
  const dryRun = dryRunOf(ctx);
  const ns = mapping.namespaced ? ctx.namespace : "";
  let body = obj;
  if (ctx.flags.bool("save-config")) body = withLastApplied(obj);
  if (dryRun === "client") return printResult(ctx, mapping, ctx.explicitNamespace && mapping.namespaced ? withNamespace(body, ns) : body, verb, dryRun, true);
  const created = await ctx.client.json<KubeObject>("POST", resourcePath(mapping, ns), { body, query: writeQuery(dryRun, ctx.str("field-manager"), { fieldValidation: "Strict" }) });
  printResult(ctx, mapping, created, verb, dryRun);
}

function withNamespace(obj: KubeObject, ns: string): KubeObject {
  const { name, ...rest } = obj.metadata;
  return { ...obj, metadata: { name, namespace: ns, ...rest } };
}

async function mappingFor(ctx: Ctx, resource: string): Promise<Mapping> {
  return (await ctx.discovery()).mustFind(resource);
}

/** The NAME argument of a generator (`exactly one NAME is required, got N`). */
function oneName(ctx: Ctx): string {
  if (ctx.args.length !== 1) throw new KubectlError(`exactly one NAME is required, got ${ctx.args.length}`, 1, "help");
  return ctx.args[0];
}

function required(ctx: Ctx, ...flags: string[]): void {
  const missing = flags.filter((f) => !ctx.flags.changed(f));
  if (missing.length) throw new KubectlError(`required flag(s) ${missing.map((f) => `"${f}"`).join(", ")} not set`);
}

/** The command after `--` (generators that run one). */
function commandAfterDash(ctx: Ctx): string[] {
  const at = ctx.flags.parsed.argsLenAtDash;
  return at < 0 ? [] : ctx.args.slice(at);
}

function argsBeforeDash(ctx: Ctx): string[] {
  const at = ctx.flags.parsed.argsLenAtDash;
  return at < 0 ? ctx.args : ctx.args.slice(0, at);
}

const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, creationTimestamp: null, ...extra }) as unknown as KubeObject["metadata"];

/** A container name from an image reference (`registry/nginx:1.25` → `nginx`). Models create_deployment.go buildPodSpec. */
function containerNameOf(image: string): string {
  let name = image.split("/").pop() ?? image;
  if (name.includes(":")) name = name.split(":")[0];
  if (name.includes("@")) name = name.split("@")[0];
  return name.replace(/_/g, "-");
}

const deployment: Command = {
  name: "deployment",
  aliases: ["deploy"],
  flags: [...GENERATOR_FLAGS, { name: "image", type: "stringSlice", default: [] }, { name: "replicas", short: "r", type: "int", default: 1 }, { name: "port", type: "int", default: -1 }],
  async run(ctx) {
    required(ctx, "image");
    const before = argsBeforeDash(ctx);
    if (before.length !== 1) throw new KubectlError(`exactly one NAME is required, got ${before.length}`, 1, "help");
    const name = before[0];
    const command = commandAfterDash(ctx);
    const labels = { app: name };
    const containers = ctx.flags.list("image").map((image) => {
      const c: Record<string, unknown> = { name: containerNameOf(image), image };
      if (command.length) c.command = command;
      c.resources = {};
      return c;
    });
    const port = ctx.flags.int("port");
    if (port >= 0 && containers.length) {
      const { resources, ...rest } = containers[0];
      containers[0] = { ...rest, ports: [{ containerPort: port }], resources };
    }
    const obj = {
      kind: "Deployment",
      apiVersion: "apps/v1",
      metadata: meta(name, { labels }),
      spec: {
        replicas: ctx.flags.int("replicas"),
        selector: { matchLabels: labels },
        template: { metadata: { creationTimestamp: null, labels }, spec: { containers } },
        strategy: {},
      },
      status: {},
    } as unknown as KubeObject;
    await createObject(ctx, await mappingFor(ctx, "deployments.apps"), obj);
  },
};

const namespace: Command = {
  name: "namespace",
  aliases: ["ns"],
  flags: GENERATOR_FLAGS,
  async run(ctx) {
    const name = oneName(ctx);
    await createObject(ctx, await mappingFor(ctx, "namespaces"), { kind: "Namespace", apiVersion: "v1", metadata: meta(name), spec: {}, status: {} } as unknown as KubeObject);
  },
};

const serviceAccount: Command = {
  name: "serviceaccount",
  aliases: ["sa"],
  flags: GENERATOR_FLAGS,
  async run(ctx) {
    const name = oneName(ctx);
    await createObject(ctx, await mappingFor(ctx, "serviceaccounts"), { kind: "ServiceAccount", apiVersion: "v1", metadata: meta(name) } as KubeObject);
  },
};

/** `--from-literal=k=v` and `--from-file=[key=]path` sources (files read from the node). */
function dataSources(ctx: Ctx, encode: boolean): Record<string, string> {
  const data: Record<string, string> = {};
  const put = (k: string, v: string) => {
    if (Object.prototype.hasOwnProperty.call(data, k)) throw new KubectlError(`cannot add key ${k}, another key by that name already exists in Data for ${encode ? "Secret" : "ConfigMap"} "${ctx.args[0]}"`);
    data[k] = encode ? base64(v) : v;
  };
  for (const file of ctx.flags.list("from-file")) {
    const eq = file.indexOf("=");
    const key = eq > 0 ? file.slice(0, eq) : undefined;
    const path = eq > 0 ? file.slice(eq + 1) : file;
    const files = ctx.env.files;
    if (files.isDir(path)) {
      for (const n of files.list(path)) {
        const c = files.read(`${path.replace(/\/$/, "")}/${n}`);
        if (c !== undefined) put(n, c);
      }
      continue;
    }
    const content = files.read(path);
    if (content === undefined) throw new KubectlError(`error reading ${path}: no such file or directory`);
    put(key ?? path.split("/").pop()!, content);
  }
  for (const lit of ctx.flags.list("from-literal")) {
    const eq = lit.indexOf("=");
    if (eq <= 0) throw new KubectlError(`invalid literal source ${lit}, expected key=value`);
    put(lit.slice(0, eq), lit.slice(eq + 1));
  }
  for (const envFile of ctx.flags.list("from-env-file")) {
    const content = ctx.env.files.read(envFile);
    if (content === undefined) throw new KubectlError(`open ${envFile}: no such file or directory`);
    for (const line of content.split("\n")) {
      const t = line.trim();
      if (!t || t.startsWith("#")) continue;
      const eq = t.indexOf("=");
      put(eq < 0 ? t : t.slice(0, eq), eq < 0 ? "" : t.slice(eq + 1));
    }
  }
  return data;
}

function base64(s: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(s)) bin += String.fromCharCode(b);
  return btoa(bin);
}

const SOURCE_FLAGS: FlagSpec[] = [
  { name: "from-literal", type: "stringArray", default: [] },
  { name: "from-file", type: "stringSlice", default: [] },
  { name: "from-env-file", type: "stringSlice", default: [] },
  { name: "append-hash", type: "bool" },
];

const configmap: Command = {
  name: "configmap",
  aliases: ["cm"],
  flags: [...GENERATOR_FLAGS, ...SOURCE_FLAGS],
  async run(ctx) {
    const name = oneName(ctx);
    const data = dataSources(ctx, false);
    const obj: Record<string, unknown> = { kind: "ConfigMap", apiVersion: "v1", metadata: meta(name) };
    if (Object.keys(data).length) obj.data = data;
    await createObject(ctx, await mappingFor(ctx, "configmaps"), obj as KubeObject);
  },
};

const secretGeneric: Command = {
  name: "generic",
  flags: [...GENERATOR_FLAGS, ...SOURCE_FLAGS, { name: "type", type: "string", default: "" }],
  async run(ctx) {
    const name = oneName(ctx);
    const data = dataSources(ctx, true);
    const obj: Record<string, unknown> = { kind: "Secret", apiVersion: "v1", metadata: meta(name) };
    if (Object.keys(data).length) obj.data = data;
    if (ctx.str("type")) obj.type = ctx.str("type");
    await createObject(ctx, await mappingFor(ctx, "secrets"), obj as KubeObject);
  },
};

const secret: Command = { name: "secret", flags: [], sub: [secretGeneric] };

function serviceGenerator(type: "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName", name: string): Command {
  return {
    name,
    flags: [...GENERATOR_FLAGS, { name: "tcp", type: "stringSlice", default: [] }, { name: "clusterip", type: "string", default: "" }, { name: "node-port", type: "int", default: 0 }, { name: "external-name", type: "string", default: "" }],
    async run(ctx) {
      const svcName = oneName(ctx);
      const tcp = ctx.flags.list("tcp");
      if (type !== "ExternalName" && tcp.length === 0 && ctx.str("clusterip") !== "None") throw new KubectlError("at least one tcp port specifier must be provided");
      // Models create_service.go createService.
      const ports = tcp.map((spec) => {
        const [p, t] = spec.split(":");
        const port = Number(p);
        if (!/^\d+$/.test(p) || port < 1 || port > 65535) throw new KubectlError(`invalid port: ${p}`);
        const target = t === undefined ? port : /^\d+$/.test(t) ? Number(t) : t;
        const out: Record<string, unknown> = { name: spec.replace(/:/g, "-"), protocol: "TCP", port, targetPort: target };
        if (type === "NodePort" && ctx.flags.int("node-port")) out.nodePort = ctx.flags.int("node-port");
        return out;
      });
      const spec: Record<string, unknown> = {};
      if (ports.length) spec.ports = ports;
      spec.selector = { app: svcName };
      if (ctx.str("clusterip")) spec.clusterIP = ctx.str("clusterip");
      spec.type = type;
      if (type === "ExternalName") spec.externalName = ctx.str("external-name");
      const obj = { kind: "Service", apiVersion: "v1", metadata: meta(svcName, { labels: { app: svcName } }), spec, status: { loadBalancer: {} } } as unknown as KubeObject;
      await createObject(ctx, await mappingFor(ctx, "services"), obj);
    },
  };
}

const service: Command = {
  name: "service",
  aliases: ["svc"],
  flags: [],
  sub: [serviceGenerator("ClusterIP", "clusterip"), serviceGenerator("NodePort", "nodeport"), serviceGenerator("LoadBalancer", "loadbalancer"), serviceGenerator("ExternalName", "externalname")],
};

function jobSpec(name: string, image: string, command: string[], restartPolicy: string): Record<string, unknown> {
  const container: Record<string, unknown> = { name, image };
  if (command.length) container.command = command;
  container.resources = {};
  return { template: { metadata: { creationTimestamp: null }, spec: { containers: [container], restartPolicy } } };
}

const job: Command = {
  name: "job",
  flags: [...GENERATOR_FLAGS, { name: "image", type: "string", default: "" }, { name: "from", type: "string", default: "" }],
  async run(ctx) {
    const before = argsBeforeDash(ctx);
    if (before.length !== 1) throw new KubectlError(`exactly one NAME is required, got ${before.length}`, 1, "help");
    const name = before[0];
    const from = ctx.str("from");
    const mapping = await mappingFor(ctx, "jobs.batch");
    if (from) {
      // A Job from a CronJob's template, owned by it, as `kubectl create job --from=cronjob/x`.
      const [kind, cjName] = from.split("/");
      if (!cjName || !["cronjob", "cronjobs", "cj", "cronjob.batch"].includes(kind)) throw new KubectlError(`from must be an existing cronjob: ${from}`);
      const cj = await ctx.client.get<KubeObject & { spec: { jobTemplate: { metadata?: Record<string, unknown>; spec: unknown } } }>(resourcePath(await mappingFor(ctx, "cronjobs.batch"), ctx.namespace, cjName));
      const annotations = { "cronjob.kubernetes.io/instantiate": "manual", ...((cj.spec.jobTemplate.metadata?.annotations as Record<string, string>) ?? {}) };
      const obj = {
        kind: "Job",
        apiVersion: "batch/v1",
        metadata: meta(name, {
          labels: cj.spec.jobTemplate.metadata?.labels,
          annotations,
          ownerReferences: [{ apiVersion: "batch/v1", kind: "CronJob", name: cj.metadata.name, uid: cj.metadata.uid, controller: true }],
        }),
        spec: cj.spec.jobTemplate.spec,
        status: {},
      } as unknown as KubeObject;
      return void (await createObject(ctx, mapping, obj));
    }
    if (!ctx.str("image")) throw new KubectlError("either --image or --from must be specified", 1, "help");
    const obj = { kind: "Job", apiVersion: "batch/v1", metadata: meta(name), spec: jobSpec(name, ctx.str("image"), commandAfterDash(ctx), "Never"), status: {} } as unknown as KubeObject;
    await createObject(ctx, mapping, obj);
  },
};

const cronjob: Command = {
  name: "cronjob",
  aliases: ["cj"],
  flags: [...GENERATOR_FLAGS, { name: "image", type: "string", default: "" }, { name: "schedule", type: "string", default: "" }, { name: "restart", type: "string", default: "" }],
  async run(ctx) {
    required(ctx, "image", "schedule");
    const before = argsBeforeDash(ctx);
    if (before.length !== 1) throw new KubectlError(`exactly one NAME is required, got ${before.length}`, 1, "help");
    const name = before[0];
    const restart = ctx.str("restart") || "OnFailure";
    const obj = {
      kind: "CronJob",
      apiVersion: "batch/v1",
      metadata: meta(name),
      spec: { schedule: ctx.str("schedule"), jobTemplate: { metadata: meta(name), spec: jobSpec(name, ctx.str("image"), commandAfterDash(ctx), restart) } },
      status: {},
    } as unknown as KubeObject;
    await createObject(ctx, await mappingFor(ctx, "cronjobs.batch"), obj);
  },
};

export const createCommand: Command = {
  name: "create",
  flags: [...OUTPUT_FLAGS, ...FILENAME_FLAGS, SELECTOR_FLAG, DRY_RUN_FLAG, FIELD_MANAGER("kubectl-create"), { name: "save-config", type: "bool" }, { name: "validate", type: "string", default: "strict", noOptDefault: "strict" }, { name: "edit", type: "bool" }, { name: "raw", type: "string", default: "" }, { name: "windows-line-endings", type: "bool" }],
  sub: [deployment, namespace, configmap, secret, service, job, cronjob, serviceAccount],
  async run(ctx) {
    if (ctx.args.length) throw new KubectlError(`Unexpected args: [${ctx.args.join(" ")}]`, 1, "help");
    const files = ctx.flags.list("filename");
    if (files.length === 0) throw new KubectlError("must specify one of -f and -k", 1, "help");
    const dryRun: DryRun = dryRunOf(ctx);
    const disc = await ctx.discovery();
    const errors: Error[] = [];
    for (const m of readManifests(ctx, files, ctx.flags.bool("recursive"))) {
      try {
        const mapping = mappingOf(disc, m);
        const ns = namespaceOf(ctx, mapping, m.object);
        let obj = m.object;
        if (ctx.flags.bool("save-config")) obj = withLastApplied(obj);
        if (dryRun === "client") {
          printResult(ctx, mapping, obj, "created", dryRun);
          continue;
        }
        const created = await ctx.client.json<KubeObject>("POST", resourcePath(mapping, ns), { body: obj, query: writeQuery(dryRun, ctx.str("field-manager"), { fieldValidation: "Strict" }) });
        printResult(ctx, mapping, created, "created", dryRun);
      } catch (e) {
        // Models cmdutil.AddSourceToErr.
        if (e instanceof StatusError) errors.push(new StatusError({ ...e.status, message: `error when creating "${m.source}": ${e.message}` }));
        else errors.push(e as Error);
      }
    }
    if (errors.length) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
  },
};
