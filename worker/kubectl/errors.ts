// How kubectl reports failures: API Status errors as `Error from server (Reason): message`, its
// own as `error: message`, flag mistakes followed by a pointer to `--help`.
// Models staging/src/k8s.io/kubectl/pkg/cmd/util/helpers.go StandardErrorMessage and checkErr.

export interface Status {
  kind?: string;
  apiVersion?: string;
  status?: string;
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; causes?: { reason?: string; message?: string; field?: string }[] };
  code?: number;
}

/** A failure kubectl prints and exits with. */
export class KubectlError extends Error {
  constructor(
    message: string,
    readonly code = 1,
    /** "usage": a flag or argument mistake (cobra adds a pointer to the command's help). */
    readonly kind?: "usage" | "help",
  ) {
    super(message);
  }
}

/** An error the API server answered with. */
export class StatusError extends Error {
  constructor(readonly status: Status) {
    super(status.message ?? "");
  }
  get reason(): string {
    return this.status.reason ?? "";
  }
  get statusCode(): number {
    return this.status.code ?? 0;
  }
}

/** Several errors printed one per line (utilerrors.Aggregate as checkErr prints it). */
export class AggregateError extends Error {
  constructor(readonly errors: Error[]) {
    super(errors.map((e) => e.message).join("\n"));
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof StatusError && (e.reason === "NotFound" || e.statusCode === 404);
}

export function isAlreadyExists(e: unknown): boolean {
  return e instanceof StatusError && e.reason === "AlreadyExists";
}

export function isConflict(e: unknown): boolean {
  return e instanceof StatusError && e.statusCode === 409;
}

/** The line kubectl prints for one error. */
export function standardErrorMessage(e: Error): string {
  if (e instanceof StatusError) {
    const s = e.status;
    if (s.reason === "Unauthorized") return `error: You must be logged in to the server (${s.message})`;
    if (s.reason) return `Error from server (${s.reason}): ${e.message}`;
    return `Error from server: ${e.message}`;
  }
  const msg = e.message;
  return msg.startsWith("error: ") ? msg : `error: ${msg}`;
}
