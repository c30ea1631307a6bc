// Commands about the cluster and the client rather than objects: version, api-versions,
// api-resources, cluster-info, config (view, current-context, get-contexts), auth can-i.
// Models staging/src/k8s.io/kubectl/pkg/cmd/{version,apiresources,clusterinfo,config,auth}.
import type { Command, Ctx } from "../command";
import { CLIENT_VERSION, KUSTOMIZE_VERSION } from "../env";
import { KubectlError } from "../errors";
import { TabWriter, TABLE_OPTIONS } from "../printers/tabwriter";
import { toYaml } from "../printers/yaml";

export const versionCommand: Command = {
  name: "version",
  flags: [
    { name: "client", type: "bool" },
    { name: "output", short: "o", type: "string", default: "" },
  ],
  async run(ctx) {
    const output = ctx.str("output");
    if (output && output !== "yaml" && output !== "json") throw new KubectlError("--output must be 'yaml' or 'json'");
    const v: Record<string, unknown> = { clientVersion: CLIENT_VERSION, kustomizeVersion: KUSTOMIZE_VERSION };
    let serverError: Error | undefined;
    if (!ctx.flags.bool("client")) {
      try {
        v.serverVersion = await ctx.client.get("/version");
      } catch (e) {
        serverError = e as Error;
      }
    }
    if (output === "yaml") ctx.out(`${toYaml(v)}\n`);
    else if (output === "json") ctx.out(`${JSON.stringify(v, null, 2)}\n`);
    else {
      ctx.out(`Client Version: ${CLIENT_VERSION.gitVersion}\nKustomize Version: ${KUSTOMIZE_VERSION}\n`);
      const sv = v.serverVersion as { gitVersion?: string } | undefined;
      if (sv) ctx.out(`Server Version: ${sv.gitVersion}\n`);
    }
    if (serverError) throw serverError;
    return 0;
  },
};

export const apiVersionsCommand: Command = {
  name: "api-versions",
  flags: [],
  async run(ctx) {
    const disc = await ctx.discovery();
    ctx.out(disc.groupVersions().sort().map((g) => `${g}\n`).join(""));
    return 0;
  },
};

export const apiResourcesCommand: Command = {
  name: "api-resources",
  flags: [
    { name: "output", short: "o", type: "string", default: "" },
    { name: "api-group", type: "string", default: "" },
    { name: "namespaced", type: "bool", default: true },
    { name: "verbs", type: "stringSlice", default: [] },
    { name: "sort-by", type: "string", default: "" },
    { name: "cached", type: "bool" },
    { name: "categories", type: "stringSlice", default: [] },
    { name: "no-headers", type: "bool" },
  ],
  async run(ctx) {
    const f = ctx.flags;
    const output = ctx.str("output");
    if (output && output !== "wide" && output !== "name") throw new KubectlError(`--output ${output} is not available`);
    const sortBy = ctx.str("sort-by");
    if (sortBy && sortBy !== "name" && sortBy !== "kind") throw new KubectlError(`--sort-by accepts only name or kind`);
    const disc = await ctx.discovery();
    let rs = disc.preferredMappings().filter((m) => !m.resource.includes("/"));
    if (f.changed("api-group")) rs = rs.filter((m) => m.group === ctx.str("api-group"));
    if (f.changed("namespaced")) rs = rs.filter((m) => m.namespaced === f.bool("namespaced"));
    const verbs = f.list("verbs");
    if (verbs.length) rs = rs.filter((m) => verbs.every((v) => m.verbs.includes(v)));
    const cats = f.list("categories");
    if (cats.length) rs = rs.filter((m) => cats.every((c) => m.categories.includes(c)));
    const key = (m: (typeof rs)[number]) => (sortBy === "name" ? m.resource : sortBy === "kind" ? m.kind : m.group);
    rs = rs
      .map((m, i) => ({ m, i }))
      .sort((a, b) => {
        const ka = key(a.m);
        const kb = key(b.m);
        if (ka !== kb) return ka < kb ? -1 : 1;
        if (a.m.resource !== b.m.resource) return a.m.resource < b.m.resource ? -1 : 1;
        return a.i - b.i;
      })
      .map((x) => x.m);
    if (output === "name") {
      ctx.out(rs.map((m) => `${m.group ? `${m.resource}.${m.group}` : m.resource}\n`).join(""));
      return 0;
    }
    const w = new TabWriter(TABLE_OPTIONS);
    const wide = output === "wide";
    if (!f.bool("no-headers")) w.write(`NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND${wide ? "\tVERBS\tCATEGORIES" : ""}\n`);
    for (const m of rs) {
      const gv = m.group ? `${m.group}/${m.version}` : m.version;
      const cells = [m.resource, m.shortNames.join(","), gv, String(m.namespaced), m.kind];
      if (wide) cells.push([...m.verbs].sort().join(","), m.categories.join(","));
      w.write(`${cells.join("\t")}\n`);
    }
    ctx.out(w.flush());
    return 0;
  },
};

export const clusterInfoCommand: Command = {
  name: "cluster-info",
  flags: [],
  sub: [
    {
      name: "dump",
      flags: [],
      async run() {
        throw new KubectlError("cluster-info dump is not available in kubeplay's console");
      },
    },
  ],
  async run(ctx) {
    const server = ctx.env.server;
    // Colours are only written to a terminal, and the console's output is not one to kubectl.
    // Models clusterinfo.go: the control plane, then every kube-system Service labelled kubernetes.io/cluster-service=true.
    ctx.out(`Kubernetes control plane is running at ${server}\n`);
    const list = await ctx.client.get<{ items: { metadata: { name: string; labels?: Record<string, string> }; spec?: { ports?: { name?: string; port: number }[] } }[] }>(
      "/api/v1/namespaces/kube-system/services",
      { labelSelector: "kubernetes.io/cluster-service=true" },
    );
    for (const svc of list.items ?? []) {
      const name = svc.metadata.labels?.["kubernetes.io/name"] ?? svc.metadata.name;
      const port = svc.spec?.ports?.[0];
      const portName = port?.name ? `${svc.metadata.name}:${port.name}` : svc.metadata.name;
      ctx.out(`${name} is running at ${server}/api/v1/namespaces/kube-system/services/${portName}/proxy\n`);
    }
    ctx.out("\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n");
    return 0;
  },
};

function kubeconfig(ctx: Ctx) {
  const name = ctx.env.context;
  return {
    kind: "Config",
    apiVersion: "v1",
    preferences: {},
    clusters: [{ name, cluster: { server: ctx.env.server } }],
    users: [{ name, user: {} }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: ctx.env.namespace } }],
    "current-context": name,
  };
}

export const configCommand: Command = {
  name: "config",
  flags: [],
  sub: [
    {
      name: "view",
      flags: [
        { name: "output", short: "o", type: "string", default: "yaml" },
        { name: "minify", type: "bool" },
        { name: "flatten", type: "bool" },
        { name: "raw", type: "bool" },
        { name: "merge", type: "bool", default: true },
        { name: "template", type: "string", default: "" },
        { name: "allow-missing-template-keys", type: "bool", default: true },
        { name: "show-managed-fields", type: "bool" },
      ],
      async run(ctx) {
        const output = ctx.str("output");
        const cfg = kubeconfig(ctx);
        if (output === "json") ctx.out(`${JSON.stringify(cfg, null, 4)}\n`);
        else if (output === "yaml") ctx.out(toYaml(cfg));
        else {
          const { parseOutput, printObject } = await import("../printers/index");
          ctx.out(printObject(parseOutput(output, false), cfg as never, () => ""));
        }
        return 0;
      },
    },
    {
      name: "current-context",
      flags: [],
      async run(ctx) {
        ctx.out(`${ctx.env.context}\n`);
        return 0;
      },
    },
    {
      name: "get-contexts",
      flags: [
        { name: "output", short: "o", type: "string", default: "" },
        { name: "no-headers", type: "bool" },
      ],
      async run(ctx) {
        const name = ctx.env.context;
        const wanted = ctx.args;
        if (wanted.length && !wanted.includes(name)) throw new KubectlError(`context ${wanted.find((w) => w !== name)} not found`);
        if (ctx.str("output") === "name") {
          ctx.out(`${name}\n`);
          return 0;
        }
        const w = new TabWriter(TABLE_OPTIONS);
        if (!ctx.flags.bool("no-headers")) w.write("CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n");
        w.write(`*\t${name}\t${name}\t${name}\t${ctx.env.namespace}\n`);
        ctx.out(w.flush());
        return 0;
      },
    },
    {
      name: "get-clusters",
      flags: [],
      async run(ctx) {
        ctx.out(`NAME\n${ctx.env.context}\n`);
        return 0;
      },
    },
    {
      name: "set-context",
      flags: [
        { name: "current", type: "bool" },
        { name: "namespace", type: "string", default: "" },
        { name: "cluster", type: "string", default: "" },
        { name: "user", type: "string", default: "" },
      ],
      async run() {
        throw new KubectlError("the console's kubeconfig is the sandbox's and cannot be changed; use -n <namespace> on each command");
      },
    },
    {
      name: "use-context",
      flags: [],
      async run(ctx) {
        const name = ctx.args[0];
        if (name !== ctx.env.context) throw new KubectlError(`no context exists with the name: "${name ?? ""}"`);
        ctx.out(`Switched to context "${name}".\n`);
        return 0;
      },
    },
  ],
};

export const authCommand: Command = {
  name: "auth",
  flags: [],
  sub: [
    {
      name: "can-i",
      flags: [
        { name: "all-namespaces", short: "A", type: "bool" },
        { name: "quiet", short: "q", type: "bool" },
        { name: "list", type: "bool" },
        { name: "no-headers", type: "bool" },
        { name: "subresource", type: "string", default: "" },
      ],
      // The sandbox authorizes every request (a read-only link refuses writes for every verb), so a
      // review has one answer; authorization.k8s.io is not served, so it is given here.
      async run(ctx) {
        if (ctx.args.length < 1) throw new KubectlError("you must specify two arguments: verb resource or verb non-resource-url", 1, "help");
        if (!ctx.flags.bool("quiet")) ctx.out("yes\n");
        return 0;
      },
    },
    {
      name: "whoami",
      flags: [{ name: "output", short: "o", type: "string", default: "" }],
      async run(ctx) {
        const w = new TabWriter(TABLE_OPTIONS);
        w.write("ATTRIBUTE\tVALUE\nUsername\tkubernetes-admin\nGroups\t[kubeadm:cluster-admins system:authenticated]\n");
        ctx.out(w.flush());
        return 0;
      },
    },
  ],
};
