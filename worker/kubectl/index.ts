// kubectl, in TypeScript, for kubeplay's console: it talks to the sandbox exactly as the real client
// does — HTTP requests through the API server (discovery, Table accept headers, patch types, dry-run,
// field managers) — and prints what kubectl 1.32 prints, byte for byte.
//
// Implemented: get (tables, -o wide|yaml|json|name|jsonpath|custom-columns, --show-labels, -L, -l,
// --field-selector, -A, several types, all, --sort-by, -w), describe (the common kinds, a generic
// fallback), apply (client-side with the last-applied annotation, or --server-side), create (-f and
// the generators), run, expose, scale, set image, rollout (status, history, undo, restart, pause,
// resume), label, annotate, patch, cordon, uncordon, taint, delete (names, -f, -l, --all, waiting),
// logs (-f, -p, --tail, -c), exec (one command; -it in a terminal), top, explain, api-resources,
// api-versions, version, cluster-info, config (view, current-context, get-contexts), auth can-i.
// Not implemented (each says so): edit, replace, diff, wait, cp, attach, port-forward, proxy,
// autoscale, drain, certificate, kustomize (-k), debug, events; run -i/-t; go-template output and
// `--help` texts.
import { Ctx, type Command } from "./command";
import { COMMANDS } from "./commands";
import type { KubectlEnv } from "./env";
import { AggregateError, KubectlError, StatusError, standardErrorMessage } from "./errors";
import { Flags, GLOBAL_FLAGS, parseFlags } from "./flags";

export type { KubectlEnv } from "./env";

/** Cobra's suggestions: names within Levenshtein distance 2, or that start with what was typed. */
function suggestions(typed: string, commands: Command[]): string[] {
  const ld = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  const t = typed.toLowerCase();
  // Cobra keeps its commands sorted by name.
  return commands
    .filter((c) => ld(t, c.name.toLowerCase()) <= 2 || c.name.toLowerCase().startsWith(t))
    .map((c) => c.name)
    .sort();
}

/** The words before the first flag-free argument that name (sub)commands, as cobra's stripFlags finds them. */
function commandWords(argv: string[]): string[] {
  const words: string[] = [];
  const takesValue = (name: string) => {
    const spec = GLOBAL_FLAGS.find((f) => f.name === name || f.short === name);
    return !spec || spec.type !== "bool";
  };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    if (s === "--") break;
    if (s.startsWith("--") && !s.includes("=")) {
      if (takesValue(s.slice(2))) i++;
    } else if (s.startsWith("-") && !s.includes("=") && s.length === 2) {
      if (takesValue(s.slice(1))) i++;
    } else if (s !== "" && !s.startsWith("-")) words.push(s);
  }
  return words;
}

function findCommand(argv: string[]): { cmd?: Command; path: string[]; unknown?: string; parent?: Command } {
  const words = commandWords(argv);
  const path: string[] = [];
  let list = COMMANDS;
  let cmd: Command | undefined;
  for (const w of words) {
    const next = list.find((c) => c.name === w || c.aliases?.includes(w));
    if (!next) {
      if (!cmd) return { path, unknown: w };
      if (cmd.sub && !cmd.run) return { path, unknown: w, parent: cmd };
      break;
    }
    cmd = next;
    path.push(w);
    if (!next.sub) break;
    list = next.sub;
  }
  return { cmd, path };
}

/** Removes the command words (the first occurrence of each, in order) from argv. */
function withoutWords(argv: string[], words: string[]): string[] {
  const out = [...argv];
  let from = 0;
  for (const w of words) {
    const i = out.indexOf(w, from);
    if (i >= 0) {
      out.splice(i, 1);
      from = i;
    }
  }
  return out;
}

/** Runs `kubectl <argv…>`; returns its exit code. Everything it prints goes to env.out / env.err. */
export async function runKubectl(env: KubectlEnv, argv: string[]): Promise<number> {
  // Arguments reach a real kubectl as UTF-8 bytes: an unpaired surrogate (which only a JSON request
  // can carry) arrives as U+FFFD, and must not make encodeURIComponent throw further on.
  argv = argv.map((a) => a.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd"));
  const found = findCommand(argv);
  if (found.unknown !== undefined && !found.parent) {
    if (NOT_AVAILABLE.includes(found.unknown)) {
      env.err(`error: kubectl ${found.unknown} is not available in kubeplay's console\n`);
      return 1;
    }
    const s = suggestions(found.unknown, [...COMMANDS, ...NOT_AVAILABLE.map((name) => ({ name, flags: [] }))]);
    env.err(`error: unknown command "${found.unknown}" for "kubectl"${s.length ? `\n\nDid you mean this?\n${s.map((x) => `\t${x}\n`).join("")}` : "\n"}`);
    return 1;
  }
  if (found.parent) {
    env.err(`error: unknown command "${found.unknown}"\nSee 'kubectl ${found.path.join(" ")} -h' for help and examples\n`);
    return 1;
  }
  const cmd = found.cmd;
  if (!cmd) {
    env.out(ROOT_HELP);
    return 0;
  }
  const cmdPath = `kubectl ${found.path.join(" ")}`;
  if (!cmd.run) {
    env.err(`error: a subcommand is required: kubectl ${found.path.join(" ")} [${(cmd.sub ?? []).map((c) => c.name).join("|")}]\nSee '${cmdPath} -h' for help and examples\n`);
    return 1;
  }
  try {
    const parsed = parseFlags(withoutWords(argv, found.path), [...cmd.flags, ...GLOBAL_FLAGS.filter((g) => !cmd.flags.some((f) => f.name === g.name || (g.short && f.short === g.short)))]);
    const ctx = new Ctx(env, new Flags(parsed), cmdPath);
    const code = await cmd.run(ctx);
    return code ?? 0;
  } catch (e) {
    return report(env, e, cmdPath);
  }
}

// Models kubectl/pkg/cmd/util/helpers.go checkErr, MultilineError, MultipleErrors.
function report(env: KubectlEnv, e: unknown, cmdPath: string): number {
  if (e instanceof AggregateError && e.errors.length === 1) e = e.errors[0];
  if (e instanceof KubectlError) {
    if (e.kind === "usage") env.err(`error: ${e.message}\nSee '${cmdPath} --help' for usage.\n`);
    else if (e.kind === "help") env.err(`error: ${e.message}\nSee '${cmdPath} -h' for help and examples\n`);
    else env.err(`${withNewline(standardErrorMessage(e))}`);
    return e.code;
  }
  if (e instanceof StatusError && (e.reason === "Invalid" || e.statusCode === 422)) {
    env.err(invalidMessage(e));
    return 1;
  }
  if (e instanceof AggregateError) {
    for (const x of e.errors) env.err(withNewline(x instanceof StatusError ? standardErrorMessage(x) : x.message));
    return 1;
  }
  if (e instanceof StatusError) {
    env.err(withNewline(standardErrorMessage(e)));
    return 1;
  }
  if (e instanceof Error && e.name === "AbortError") return 130;
  throw e;
}

/** `The Deployment "web" is invalid: metadata.labels: Invalid value: …` (one cause) or a `* ` list. */
function invalidMessage(e: StatusError): string {
  const d = e.status.details;
  let s = "The request is invalid";
  if (!d) return withNewline(e.message ? `${s}: ${e.message}` : s);
  if (d.kind || d.name) s = `The ${d.kind ?? ""} "${d.name ?? ""}" is invalid`;
  else if (d.causes?.[0]?.field) s = `The ${d.causes[0].field} is invalid`;
  const causes = (d.causes ?? []).map((c) => `${c.field ?? ""}: ${c.message ?? ""}`);
  if (causes.length === 0) return withNewline(s);
  if (causes.length === 1) return `${s}: ${causes[0]}\n`;
  return `${s}: \n${causes.map((c) => `* ${c}\n`).join("")}`;
}

/** Commands kubectl has that this one does not (named in suggestions, refused plainly). */
const NOT_AVAILABLE = ["diff", "cp", "attach", "port-forward", "proxy", "certificate", "kustomize", "debug", "events", "completion", "plugin", "options", "alpha"];

function withNewline(s: string): string {
  return s.endsWith("\n") ? s : `${s}\n`;
}

const ROOT_HELP = `kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

Basic Commands (Beginner):
  create          Create a resource from a file or from stdin
  expose          Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service
  run             Run a particular image on the cluster
  set             Set specific features on objects

Basic Commands (Intermediate):
  explain         Get documentation for a resource
  get             Display one or many resources
  edit            Edit a resource on the server
  delete          Delete resources by file names, stdin, resources and names, or by resources and label selector

Deploy Commands:
  rollout         Manage the rollout of a resource
  scale           Set a new size for a deployment, replica set, or replication controller
  autoscale       Auto-scale a deployment, replica set, stateful set, or replication controller

Cluster Management Commands:
  certificate     Modify certificate resources
  cluster-info    Display cluster information
  top             Display resource (CPU/memory) usage
  cordon          Mark node as unschedulable
  uncordon        Mark node as schedulable
  drain           Drain node in preparation for maintenance
  taint           Update the taints on one or more nodes

Troubleshooting and Debugging Commands:
  describe        Show details of a specific resource or group of resources
  logs            Print the logs for a container in a pod
  attach          Attach to a running container
  exec            Execute a command in a container
  port-forward    Forward one or more local ports to a pod
  proxy           Run a proxy to the Kubernetes API server
  cp              Copy files and directories to and from containers
  auth            Inspect authorization
  debug           Create debugging sessions for troubleshooting workloads and nodes
  events          List events

Advanced Commands:
  diff            Diff the live version against a would-be applied version
  apply           Apply a configuration to a resource by file name or stdin
  patch           Update fields of a resource
  replace         Replace a resource by file name or stdin
  wait            Experimental: Wait for a specific condition on one or many resources
  kustomize       Build a kustomization target from a directory or URL

Settings Commands:
  label           Update the labels on a resource
  annotate        Update the annotations on a resource
  completion      Output shell completion code for the specified shell (bash, zsh, fish, or powershell)

Subcommands provided by plugins:

Other Commands:
  api-resources   Print the supported API resources on the server
  api-versions    Print the supported API versions on the server, in the form of "group/version"
  config          Modify kubeconfig files
  plugin          Provides utilities for interacting with plugins
  version         Print the client and server version information

Usage:
  kubectl [flags] [options]

Use "kubectl <command> --help" for more information about a given command.
Use "kubectl options" for a list of global command-line options (applies to all commands).
`;
