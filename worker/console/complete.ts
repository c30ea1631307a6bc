// Tab completion in the console's terminal, as kubectl's bash completion offers it: verbs and
// subcommands, resource types from the server's discovery, object names from the sandbox's store
// (in the namespace `-n` names), namespaces after `-n`, files after `-f` and for node commands.
import { Client } from "../kubectl/client";
import { COMMANDS } from "../kubectl/commands";
import { Discovery } from "../kubectl/discovery";
import type { KubectlEnv } from "../kubectl/env";
import { DIRECTORY } from "../runtime/types";
import type { ConsoleHost } from "./host";

export interface Completion {
  /** Text to insert at the cursor. */
  insert: string;
  /** When several candidates remain and nothing more can be inserted: what to list. */
  candidates: string[];
}

const NODE_COMMANDS = ["awk", "base64", "cat", "cd", "clear", "cp", "crictl", "curl", "cut", "date", "echo", "exit", "export", "grep", "head", "history", "hostname", "iptables-save", "ipvsadm", "kubectl", "ls", "mkdir", "mv", "nslookup", "ping", "pwd", "rm", "sed", "showmount", "sort", "ss", "ssh", "sudo", "systemctl", "tail", "touch", "tr", "uniq", "wc", "wget"];
const VALUE_FLAGS = new Set(["-n", "--namespace", "-o", "--output", "-l", "--selector", "-c", "--container", "-f", "--filename", "--field-selector", "--context", "-s", "--server", "--image", "--replicas", "--port", "--type", "--sort-by", "--tail", "--since"]);
const NAME_VERBS = new Set(["get", "describe", "delete", "edit", "label", "annotate", "scale", "patch", "explain", "wait"]);
const POD_VERBS = new Set(["logs", "exec", "attach", "port-forward", "cp"]);

function commonPrefix(xs: string[]): string {
  if (!xs.length) return "";
  let p = xs[0];
  for (const x of xs) while (!x.startsWith(p)) p = p.slice(0, -1);
  return p;
}

export async function complete(host: ConsoleHost, node: string, cwd: string, line: string, cursor: number): Promise<Completion> {
  const before = [...line].slice(0, cursor).join("");
  const segment = before.split(/\|\||&&|[|;]/).pop() ?? "";
  const tokens = segment.split(/\s+/);
  const word = tokens.pop() ?? "";
  const words = tokens.filter(Boolean);
  const candidates = await candidatesFor(host, node, cwd, words, word);
  const matching = [...new Set(candidates.filter((c) => c.startsWith(word)))].sort();
  if (matching.length === 0) return { insert: "", candidates: [] };
  if (matching.length === 1) {
    const rest = matching[0].slice(word.length);
    return { insert: matching[0].endsWith("/") ? rest : `${rest} `, candidates: [] };
  }
  const prefix = commonPrefix(matching);
  if (prefix.length > word.length) return { insert: prefix.slice(word.length), candidates: [] };
  return { insert: "", candidates: matching };
}

async function candidatesFor(host: ConsoleHost, node: string, cwd: string, words: string[], word: string): Promise<string[]> {
  if (words.length === 0) return word.includes("/") ? files(host, node, cwd, word) : NODE_COMMANDS;
  if (words[0] !== "kubectl" && words[0] !== "k") return files(host, node, cwd, word);
  const prev = words[words.length - 1];
  let namespace = "default";
  const positional: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if (w === "-n" || w === "--namespace") namespace = words[i + 1] ?? namespace;
    else if (w.startsWith("--namespace=")) namespace = w.slice(12);
    if (VALUE_FLAGS.has(w)) {
      i++;
      continue;
    }
    if (w.startsWith("-")) continue;
    positional.push(w);
  }
  if (prev === "-n" || prev === "--namespace") return host.names("", "namespaces");
  if (prev === "-f" || prev === "--filename") return files(host, node, cwd, word);
  if (VALUE_FLAGS.has(prev)) return [];
  if (word.startsWith("-")) return [];
  if (positional.length === 0) return COMMANDS.map((c) => c.name);
  const verb = COMMANDS.find((c) => c.name === positional[0] || c.aliases?.includes(positional[0]));
  if (!verb) return [];
  const args = positional.slice(1);
  const disc = await discovery(host);
  const typeNames = () => disc.preferredMappings().filter((m) => !m.resource.includes("/")).map((m) => m.resource);
  const namesOf = (type: string) => {
    const m = disc.find(type);
    return m ? host.names(m.group, m.resource, m.namespaced ? namespace : undefined) : [];
  };
  const typedName = () => {
    const slash = word.indexOf("/");
    return namesOf(word.slice(0, slash)).map((n) => `${word.slice(0, slash)}/${n}`);
  };
  if (verb.sub) {
    if (args.length === 0) return verb.sub.map((c) => c.name);
    const sub = verb.sub.find((c) => c.name === args[0] || c.aliases?.includes(args[0]));
    if (!sub) return [];
    if (verb.name === "rollout") {
      if (word.includes("/")) return typedName();
      if (args.length === 1) return ["deployment", "daemonset", "statefulset"];
      return namesOf(args[1]);
    }
    if (verb.name === "top") return args.length === 1 ? namesOf(sub.name === "node" ? "nodes" : "pods") : [];
    if (verb.name === "set") return args.length === 1 ? (word.includes("/") ? typedName() : typeNames()) : namesOf(args[1]);
    return [];
  }
  if (POD_VERBS.has(verb.name)) return word.includes("/") ? typedName() : args.length === 0 ? namesOf("pods") : [];
  if (NAME_VERBS.has(verb.name) || verb.name === "expose") {
    if (word.includes("/")) return typedName();
    if (args.length === 0) return verb.name === "expose" ? ["deployment", "pod", "replicaset", "replicationcontroller", "service"] : typeNames();
    return namesOf(args[0].split(",")[0]);
  }
  return [];
}

let cached: { server: string; disc: Promise<Discovery> } | undefined;

function discovery(host: ConsoleHost): Promise<Discovery> {
  if (cached?.server === host.server) return cached.disc;
  const env: KubectlEnv = {
    fetch: (r) => host.fetch(r),
    server: host.server,
    context: host.context,
    namespace: "default",
    now: () => host.now(),
    stdin: "",
    out: () => undefined,
    err: () => undefined,
    files: { read: () => undefined, isDir: () => false, list: () => [] },
    signal: new AbortController().signal,
    settle: async () => undefined,
  };
  const disc = Discovery.load(new Client(env, "kubectl __complete"));
  cached = { server: host.server, disc };
  disc.catch(() => (cached = undefined));
  return disc;
}

function files(host: ConsoleHost, node: string, cwd: string, word: string): string[] {
  const fs = host.nodeFs(node);
  if (!fs) return [];
  const slash = word.lastIndexOf("/");
  const dirPart = slash >= 0 ? word.slice(0, slash + 1) : "";
  const dir = dirPart.startsWith("/") ? dirPart : `${cwd.replace(/\/$/, "")}/${dirPart}`;
  const abs = dir.length > 1 ? dir.replace(/\/$/, "") : dir;
  return fs.list(abs).map((n) => {
    const full = `${abs === "/" ? "" : abs}/${n}`;
    const isDir = fs.read(full) === DIRECTORY || fs.list(full).length > 0;
    return `${dirPart}${n}${isDir ? "/" : ""}`;
  });
}
