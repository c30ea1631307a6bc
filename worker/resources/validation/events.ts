// core/v1 and events.k8s.io/v1 Events.
// Models pkg/apis/core/validation/events.go ValidateEventCreate, legacyValidateEvent
import { deepEqual } from "../../util/equal";
import type { FieldError, KubeObject } from "../types";
import { invalid, rec, required, str } from "./field";
import { isDNS1123Subdomain, isQualifiedName } from "./formats";

/** Legacy core/v1 Events: only the namespace agreement and, for new-style events, the reporter fields. */
export function validateCoreEvent(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const ns = str(obj.metadata.namespace);
  const involvedNs = str(rec(obj.involvedObject)?.namespace);
  if (!obj.eventTime) {
    if (!involvedNs) {
      if (ns && ns !== "default") errs.push(invalid("involvedObject.namespace", involvedNs, "does not match event.namespace"));
    } else if (ns !== involvedNs) errs.push(invalid("involvedObject.namespace", involvedNs, "does not match event.namespace"));
  } else {
    if (!involvedNs && ns !== "default" && ns !== "kube-system") errs.push(invalid("involvedObject.namespace", involvedNs, "does not match event.namespace"));
    const rc = str(obj.reportingComponent);
    if (!rc) errs.push(required("reportingComponent"));
    for (const m of isQualifiedName(rc)) errs.push(invalid("reportingComponent", rc, m));
    if (!str(obj.reportingInstance)) errs.push(required("reportingInstance"));
    if (!str(obj.action)) errs.push(required("action"));
    if (!str(obj.reason)) errs.push(required("reason"));
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(invalid("namespace", ns, m));
  return errs;
}

/** events.k8s.io/v1 Events are held to the strict rules. */
export function validateEventsV1(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (!obj.eventTime) errs.push(required("eventTime"));
  const type = str(obj.type);
  if (type !== "Normal" && type !== "Warning") errs.push(invalid("type", "", `has invalid value: ${type}`));
  const rc = str(obj.reportingController);
  if (!rc) errs.push(required("reportingController"));
  for (const m of isQualifiedName(rc)) errs.push(invalid("reportingController", rc, m));
  if (!str(obj.reportingInstance)) errs.push(required("reportingInstance"));
  if (str(obj.reportingInstance).length > 128) errs.push(invalid("reportingInstance", "", "can have at most 128 characters"));
  if (!str(obj.action)) errs.push(required("action"));
  if (str(obj.action).length > 128) errs.push(invalid("action", "", "can have at most 128 characters"));
  if (!str(obj.reason)) errs.push(required("reason"));
  if (str(obj.reason).length > 128) errs.push(invalid("reason", "", "can have at most 128 characters"));
  if (str(obj.note).length > 1024) errs.push(invalid("note", "", "can have at most 1024 characters"));
  for (const f of ["deprecatedFirstTimestamp", "deprecatedLastTimestamp", "deprecatedCount", "deprecatedSource"]) {
    if (obj[f] != null && obj[f] !== 0 && !deepEqual(obj[f], {})) errs.push(invalid(f, "", "needs to be unset"));
  }
  return errs;
}
