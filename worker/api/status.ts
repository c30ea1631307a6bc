// Kubernetes Status errors, worded as k8s.io/apimachinery/pkg/api/errors words them.
import type { FieldError } from "../resources/types";

export type StatusReason =
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Gone"
  | "Invalid"
  | "Timeout"
  | "TooManyRequests"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "RequestEntityTooLarge"
  | "UnsupportedMediaType"
  | "InternalError"
  | "Expired"
  | "ServiceUnavailable";

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Success" | "Failure";
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** An error that the API answers with a Status object. */
export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Status {
    const status: Status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** `pods` or `deployments.apps`: how upstream qualifies a resource in messages. */
export function qualifiedResource(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

function detailsFor(group: string, resource: string, name?: string): StatusDetails {
  const d: StatusDetails = {};
  if (name !== undefined) d.name = name;
  if (group) d.group = group;
  d.kind = resource;
  return d;
}

export function notFound(group: string, resource: string, name: string): KubeError {
  return new KubeError(404, "NotFound", `${qualifiedResource(group, resource)} "${name}" not found`, detailsFor(group, resource, name));
}

export function alreadyExists(group: string, resource: string, name: string): KubeError {
  return new KubeError(409, "AlreadyExists", `${qualifiedResource(group, resource)} "${name}" already exists`, detailsFor(group, resource, name));
}

export function conflict(group: string, resource: string, name: string, why: string): KubeError {
  return new KubeError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedResource(group, resource)} "${name}": ${why}`,
    detailsFor(group, resource, name),
  );
}

export const OBJECT_MODIFIED = "the object has been modified; please apply your changes to the latest version and try again";

export function badRequest(message: string, details?: StatusDetails): KubeError {
  return new KubeError(400, "BadRequest", message, details);
}

export function forbidden(group: string, resource: string, name: string, why: string): KubeError {
  const subject = name ? `${qualifiedResource(group, resource)} "${name}"` : qualifiedResource(group, resource);
  return new KubeError(403, "Forbidden", `${subject} is forbidden: ${why}`, detailsFor(group, resource, name || undefined));
}

export function methodNotAllowed(message = "the server does not allow this method on the requested resource"): KubeError {
  return new KubeError(405, "MethodNotAllowed", message, {});
}

// Models staging/src/k8s.io/apiserver/pkg/endpoints/handlers/negotiation/errors.go errUnsupportedMediaType (no details)
export function unsupportedMediaType(accepted: string[]): KubeError {
  return new KubeError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`);
}

// Models staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go NewRequestEntityTooLargeError (no details)
export function tooLarge(limit: number): KubeError {
  return new KubeError(413, "RequestEntityTooLarge", `Request entity too large: limit is ${limit}`);
}

export function expired(message: string): KubeError {
  return new KubeError(410, "Expired", message, {});
}

export function internalError(message: string): KubeError {
  return new KubeError(500, "InternalError", `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/**
 * 422 Invalid, e.g. `Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`.
 * Several errors are listed in brackets, as utilerrors.NewAggregate prints them.
 */
export function invalid(group: string, kind: string, name: string, errors: FieldError[]): KubeError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const rendered = errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
  const list = rendered.length === 1 ? rendered[0] : `[${rendered.join(", ")}]`;
  const details: StatusDetails = { name, kind };
  if (group) details.group = group;
  details.causes = errors.map((e) => ({ reason: e.type, message: e.message, field: e.field }));
  return new KubeError(422, "Invalid", `${qualifiedKind} "${name}" is invalid: ${list}`, details);
}

// Models staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go applyPatchToCurrentObject: a
// patched object that does not decode is NewInvalid(GroupKind{}, "", …) on the field "patch", the
// whole patched object as the value (hence the message's odd start).
export function invalidPatch(patched: unknown, detail: string): KubeError {
  const message = `Invalid value: ${JSON.stringify(JSON.stringify(patched))}: ${detail}`;
  return new KubeError(422, "Invalid", ` "" is invalid: patch: ${message}`, { causes: [{ reason: "FieldValueInvalid", message, field: "patch" }] });
}
