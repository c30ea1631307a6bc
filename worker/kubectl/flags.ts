// Command-line flags the way kubectl's pflag/cobra read them: `--name=value`, `--name value`,
// `-n value`, `-nvalue`, `-n=value`, combined boolean shorthands (`-it`), flags after arguments,
// `--` ending the flags, and cobra's error wording for what it refuses.
// Models github.com/spf13/pflag flag.go parseLongArg/parseShortArg and cobra's flag error handling.
import { KubectlError } from "./errors";

export type FlagType = "bool" | "string" | "int" | "stringArray" | "stringSlice" | "duration";

export interface FlagSpec {
  name: string;
  short?: string;
  type: FlagType;
  default?: string | number | boolean | string[];
  /** `--flag` alone means this value (`--dry-run` is `--dry-run=unchanged`, pflag's NoOptDefVal). */
  noOptDefault?: string;
}

export type FlagValue = string | number | boolean | string[];

export interface Parsed {
  flags: Map<string, FlagValue>;
  /** Flags the command line set (as opposed to defaults). */
  changed: Set<string>;
  args: string[];
  /** How many arguments came before `--` (-1: there was no `--`). */
  argsLenAtDash: number;
}

/** The flags every kubectl command accepts (kubeconfig and client options). */
export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: "namespace", short: "n", type: "string", default: "" },
  { name: "kubeconfig", type: "string", default: "" },
  { name: "context", type: "string", default: "" },
  { name: "cluster", type: "string", default: "" },
  { name: "user", type: "string", default: "" },
  { name: "server", short: "s", type: "string", default: "" },
  { name: "request-timeout", type: "string", default: "0" },
  { name: "v", short: "v", type: "string", default: "0" },
  { name: "as", type: "string", default: "" },
  { name: "as-group", type: "stringArray", default: [] },
  { name: "as-uid", type: "string", default: "" },
  { name: "token", type: "string", default: "" },
  { name: "username", type: "string", default: "" },
  { name: "password", type: "string", default: "" },
  { name: "insecure-skip-tls-verify", type: "bool", default: false },
  { name: "tls-server-name", type: "string", default: "" },
  { name: "certificate-authority", type: "string", default: "" },
  { name: "client-certificate", type: "string", default: "" },
  { name: "client-key", type: "string", default: "" },
  { name: "cache-dir", type: "string", default: "" },
  { name: "match-server-version", type: "bool", default: false },
  { name: "warnings-as-errors", type: "bool", default: false },
  { name: "disable-compression", type: "bool", default: false },
  { name: "log-flush-frequency", type: "duration", default: "5s" },
  { name: "profile", type: "string", default: "none" },
  { name: "profile-output", type: "string", default: "profile.pprof" },
];

/** How pflag names a flag in messages: `-A, --all-namespaces` or `--replicas`. */
function display(spec: FlagSpec): string {
  return spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`;
}

function parseBool(v: string, spec: FlagSpec): boolean {
  // Models strconv.ParseBool.
  if (["1", "t", "T", "TRUE", "true", "True"].includes(v)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(v)) return false;
  throw new KubectlError(`invalid argument "${v}" for "${display(spec)}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`, 1, "usage");
}

function parseInt64(v: string, spec: FlagSpec): number {
  // Models strconv.ParseInt(s, 0, 64).
  if (!/^[+-]?(\d+|0x[0-9a-fA-F]+)$/.test(v)) throw new KubectlError(`invalid argument "${v}" for "${display(spec)}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`, 1, "usage");
  return Number(v);
}

/** Parses a CSV-ish stringSlice value as pflag does (a plain comma split is enough for kubectl's uses). */
function splitSlice(v: string): string[] {
  return v === "" ? [] : v.split(",");
}

export function parseFlags(argv: string[], specs: FlagSpec[]): Parsed {
  const byName = new Map<string, FlagSpec>();
  const byShort = new Map<string, FlagSpec>();
  for (const s of specs) {
    byName.set(s.name, s);
    if (s.short) byShort.set(s.short, s);
  }
  const flags = new Map<string, FlagValue>();
  for (const s of specs) flags.set(s.name, s.default ?? (s.type === "bool" ? false : s.type === "int" ? 0 : s.type === "stringArray" || s.type === "stringSlice" ? [] : ""));
  const changed = new Set<string>();
  const args: string[] = [];
  let argsLenAtDash = -1;

  const set = (spec: FlagSpec, value: string) => {
    let v: FlagValue;
    switch (spec.type) {
      case "bool":
        v = parseBool(value, spec);
        break;
      case "int":
        v = parseInt64(value, spec);
        break;
      case "stringArray":
        v = [...(changed.has(spec.name) ? (flags.get(spec.name) as string[]) : []), value];
        break;
      case "stringSlice":
        v = [...(changed.has(spec.name) ? (flags.get(spec.name) as string[]) : []), ...splitSlice(value)];
        break;
      default:
        v = value;
    }
    flags.set(spec.name, v);
    changed.add(spec.name);
  };

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      argsLenAtDash = args.length;
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith("--") && a.length > 2) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const spec = byName.get(name);
      if (!spec) throw new KubectlError(`unknown flag: --${name}`, 1, "usage");
      if (eq >= 0) set(spec, a.slice(eq + 1));
      else if (spec.type === "bool") set(spec, "true");
      else if (spec.noOptDefault !== undefined) set(spec, spec.noOptDefault);
      else if (i + 1 < argv.length) set(spec, argv[++i]);
      else throw new KubectlError(`flag needs an argument: --${name}`, 1, "usage");
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      let rest = a.slice(1);
      while (rest.length) {
        const c = rest[0];
        const spec = byShort.get(c);
        if (!spec) throw new KubectlError(`unknown shorthand flag: '${c}' in ${a}`, 1, "usage");
        if (rest[1] === "=") {
          set(spec, rest.slice(2));
          break;
        }
        if (spec.type === "bool") {
          set(spec, "true");
          rest = rest.slice(1);
          continue;
        }
        if (rest.length > 1) {
          set(spec, rest.slice(1));
          break;
        }
        if (spec.noOptDefault !== undefined) set(spec, spec.noOptDefault);
        else if (i + 1 < argv.length) set(spec, argv[++i]);
        else throw new KubectlError(`flag needs an argument: '${c}' in -${c}`, 1, "usage");
        break;
      }
      continue;
    }
    args.push(a);
  }
  return { flags, changed, args, argsLenAtDash };
}

/** Typed access to parsed flags. */
export class Flags {
  constructor(readonly parsed: Parsed) {}
  str(name: string): string {
    return String(this.parsed.flags.get(name) ?? "");
  }
  bool(name: string): boolean {
    return this.parsed.flags.get(name) === true;
  }
  int(name: string): number {
    return Number(this.parsed.flags.get(name) ?? 0);
  }
  list(name: string): string[] {
    const v = this.parsed.flags.get(name);
    return Array.isArray(v) ? v : [];
  }
  changed(name: string): boolean {
    return this.parsed.changed.has(name);
  }
  get args(): string[] {
    return this.parsed.args;
  }
}
