// What every kubectl command works with: its parsed flags, the API client, discovery (loaded once
// per run), the namespace in effect, and output helpers.
import { Client } from "./client";
import { Discovery } from "./discovery";
import type { KubectlEnv } from "./env";
import { Flags, type FlagSpec } from "./flags";

export interface Command {
  /** `get`, `create deployment` (the words that select it). */
  name: string;
  aliases?: string[];
  flags: FlagSpec[];
  run?(ctx: Ctx): Promise<number | void>;
  /** Subcommands (`rollout status`); a command with them and no run prints its help. */
  sub?: Command[];
}

export class Ctx {
  readonly client: Client;
  private disc?: Promise<Discovery>;

  constructor(
    readonly env: KubectlEnv,
    readonly flags: Flags,
    /** `kubectl get` — for the Kubectl-Command header and `See 'kubectl get -h'` hints. */
    readonly path: string,
  ) {
    this.client = new Client(env, path);
  }

  get args(): string[] {
    return this.flags.args;
  }

  discovery(): Promise<Discovery> {
    this.disc ??= Discovery.load(this.client);
    return this.disc;
  }

  /** The namespace `-n` names, or the kubeconfig context's. */
  get namespace(): string {
    return this.flags.str("namespace") || this.env.namespace || "default";
  }

  get explicitNamespace(): boolean {
    return this.flags.changed("namespace") && this.flags.str("namespace") !== "";
  }

  out(text: string): void {
    this.env.out(text);
  }

  err(text: string): void {
    this.env.err(text);
  }

  /** A flag may be unset (`""`): kubectl's `cmdutil.GetFlagString`. */
  str(name: string): string {
    return this.flags.str(name);
  }
}

/** Flags shared by commands that print objects (`-o`, templates). */
export const OUTPUT_FLAGS: FlagSpec[] = [
  { name: "output", short: "o", type: "string", default: "" },
  { name: "template", type: "string", default: "" },
  { name: "allow-missing-template-keys", type: "bool", default: true },
  { name: "show-managed-fields", type: "bool", default: false },
];

/** `-f`, `-R`, `-k` (kustomize is not available here). */
export const FILENAME_FLAGS: FlagSpec[] = [
  { name: "filename", short: "f", type: "stringSlice", default: [] },
  { name: "recursive", short: "R", type: "bool", default: false },
  { name: "kustomize", short: "k", type: "string", default: "" },
];

export const DRY_RUN_FLAG: FlagSpec = { name: "dry-run", type: "string", default: "none", noOptDefault: "unchanged" };
export const FIELD_MANAGER = (def: string): FlagSpec => ({ name: "field-manager", type: "string", default: def });
export const SELECTOR_FLAG: FlagSpec = { name: "selector", short: "l", type: "string", default: "" };
