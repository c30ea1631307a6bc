// What a kubectl run needs from where it runs: a way to send HTTP requests to the API server, the
// kubeconfig it would have read, the files `-f` names, its standard streams, and an interrupt.

export interface KubectlFiles {
  /** A file's text, or undefined when there is none (paths relative to the working directory). */
  read(path: string): string | undefined;
  isDir(path: string): boolean;
  /** Names in a directory, sorted. */
  list(path: string): string[];
}

/** An interactive terminal that a command can take over (`kubectl exec -it`, `run -it`). */
export interface KubectlTerminal {
  /** Hands keystrokes to `onInput` until the returned function is called. */
  takeInput(onInput: (data: string) => void): () => void;
}

export interface KubectlEnv {
  /** Sends one request to the API server, as the kubectl binary would over HTTP. */
  fetch(request: Request): Promise<Response>;
  /** The kubeconfig: the cluster's server URL, the context (and cluster and user) name, its namespace. */
  server: string;
  context: string;
  namespace: string;
  /** The sandbox clock, for what kubectl computes from "now" itself (ages in describe, rollout history). */
  now(): number;
  stdin: string;
  out(text: string): void;
  err(text: string): void;
  files: KubectlFiles;
  /** Aborted when the user presses Ctrl-C: watches, `logs -f` and waits end. */
  signal: AbortSignal;
  terminal?: KubectlTerminal;
  /** Lets the cluster react to a write (the controllers run) before the command reads again. */
  settle(): Promise<void>;
  /** Environment variables kubectl reads (`KUBE_EDITOR`, `EDITOR`). */
  vars?: Record<string, string>;
  /**
   * `kubectl edit`: writes `text` to a new temporary file (`/tmp/<prefix><random><ext>`), runs the
   * editor on it, and gives back the file's text afterwards and its path. Throws a KubectlError
   * when the editor cannot be run.
   */
  edit?(prefix: string, ext: string, text: string): Promise<{ text: string; file: string }>;
  /** Removes a file `edit` made. */
  removeFile?(path: string): Promise<void>;
}

/** The version this kubectl reports and the one the requests carry in `User-Agent`. */
export const CLIENT_VERSION = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.5",
  gitCommit: "9894294ef13a5b32803e3ca2c0d620a088cc84d1",
  gitTreeState: "clean",
  buildDate: "2025-05-15T09:12:10Z",
  goVersion: "go1.23.8",
  compiler: "gc",
  platform: "linux/amd64",
};

export const KUSTOMIZE_VERSION = "v5.5.0";

export const USER_AGENT = `kubectl/${CLIENT_VERSION.gitVersion} (${CLIENT_VERSION.platform}) kubernetes/${CLIENT_VERSION.gitCommit.slice(0, 7)}`;
