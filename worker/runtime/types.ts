// What the simulated runtime tells the kubelet about a container's process: when it exits, what it
// listens on and answers, what it prints and writes, how it reacts to SIGTERM. Everything is a pure
// function of the container's spec, its start time and the files it can see, so the kubelet can
// compute the next observable change instead of ticking.

/** Milliseconds since the container started. */
export type Offset = number;

export interface OutputLine {
  at: Offset;
  stream: "stdout" | "stderr";
  text: string;
}

/** A change the process makes to files it can see (its own layer or a mounted volume). */
export interface FsEffect {
  at: Offset;
  path: string;
  op: "write" | "append" | "remove" | "mkdir";
  content?: string;
}

export interface HttpRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
}

export interface HttpResponse {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** Files as one container sees them at one moment (image, writable layer, volumes). */
export interface FsReader {
  /** File content; undefined when absent. Directories answer `DIRECTORY`. */
  read(path: string): string | undefined;
  /** Names directly under a directory (empty when it is not one). */
  list(dir: string): string[];
}

export const DIRECTORY = "\u0000dir";

export interface ServeContext {
  /** Since the container started. */
  at: Offset;
  /** Virtual epoch ms. */
  now: number;
  fs: FsReader;
  hostname: string;
  podIP: string;
  env: Record<string, string>;
}

export type HttpServer = (req: HttpRequest, ctx: ServeContext) => HttpResponse;

export interface GrpcServer {
  /**
   * The services its grpc.health.v1.Health server knows (`""` is the server as a whole); undefined
   * when it registers no health service.
   */
  health?: string[];
  /** From this offset on (since the container started) its health checks answer NOT_SERVING. */
  notServingFrom?: Offset;
}

export interface Listener {
  port: number;
  protocol: "TCP" | "UDP";
  /** Accepts connections from this offset on. */
  after: Offset;
  http?: HttpServer;
  /** Speaks gRPC (HTTP/2); a listener without it never completes a gRPC client's handshake. */
  grpc?: GrpcServer;
  /** Name for messages (`nginx`). */
  server?: string;
  /** Offsets where the answers change by themselves (e.g. agnhost liveness turning to 500 at 10 s). */
  changesAt?: Offset[];
}

export interface ExitInfo {
  at: Offset;
  code: number;
  /** OOMKilled, StartError; otherwise Completed/Error by code. */
  reason?: "OOMKilled" | "StartError";
  /** The runtime's message (StartError). */
  message?: string;
  signal?: number;
}

export interface TermReaction {
  /** Exits this long after SIGTERM… */
  after: number;
  /** …with this code. */
  code: number;
}

/**
 * What one turn of an endless loop does, which every later turn repeats: how long the turn takes by
 * itself (sleeps), how many commands it runs, and the requests it sends (wget/curl). Metrics turn
 * this into a request rate once they know how long the requests take.
 */
export interface LoopTraffic {
  turnMs: number;
  commands: number;
  requests: { url: string; perTurn: number }[];
}

export interface ProcessModel {
  /** Undefined: runs until stopped. */
  exit?: ExitInfo;
  listeners: Listener[];
  output: OutputLine[];
  effects: FsEffect[];
  /** Null: ignores SIGTERM (PID 1 without a handler) and dies by SIGKILL. */
  term: TermReaction | null;
  /** Resident memory in steady state, bytes. */
  memory: number;
  /** The endless loops it runs for good (load generators), when any. */
  traffic?: LoopTraffic[];
  /** False when the simulation stopped at its horizon rather than at an exit or a provable forever. */
  complete: boolean;
}

/** Inputs of one container run. */
export interface ProcessSpec {
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env: Record<string, string>;
  /** Memory limit in bytes, when set. */
  memoryLimit?: number;
  hostname: string;
  /** Epoch ms of the start. */
  startedAt: number;
  /** The container keeps stdin open (`stdin: true`): a shell waits for commands instead of reading end-of-file. */
  stdinOpen?: boolean;
}
