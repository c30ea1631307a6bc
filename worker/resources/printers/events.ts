// Event printing. events.k8s.io/v1 Events are the same stored objects as core/v1 Events upstream, so
// both are printed by one routine after mapping the newer field names onto the core ones.
import type { Event as CoreEvent } from "kubernetes-types/core/v1";
import { eventsV1ToCoreEvent } from "../event-conversion";
import type { KubeObject, PrintContext, Printer, TableCell } from "../types";
import { as, col, nameColumn, nameOf } from "./common";
import { parseTimestamp, translateTimestampSince } from "./duration";

interface EventFields {
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  count?: number;
  series?: { count?: number; lastObservedTime?: string };
  involvedKind: string;
  involvedName: string;
  fieldPath: string;
  sourceComponent: string;
  sourceHost: string;
  reportingController: string;
  reportingInstance: string;
  type: string;
  reason: string;
  message: string;
}

function fromCore(ev: CoreEvent): EventFields {
  return {
    firstTimestamp: ev.firstTimestamp,
    lastTimestamp: ev.lastTimestamp,
    eventTime: ev.eventTime,
    count: ev.count,
    series: ev.series,
    involvedKind: ev.involvedObject?.kind ?? "",
    involvedName: ev.involvedObject?.name ?? "",
    fieldPath: ev.involvedObject?.fieldPath ?? "",
    sourceComponent: ev.source?.component ?? "",
    sourceHost: ev.source?.host ?? "",
    reportingController: ev.reportingComponent ?? "",
    reportingInstance: ev.reportingInstance ?? "",
    type: ev.type ?? "",
    reason: ev.reason ?? "",
    message: ev.message ?? "",
  };
}

// Models pkg/printers/internalversion/printers.go formatEventSource
function formatEventSource(e: EventFields): string {
  const component = e.sourceComponent || e.reportingController;
  const instance = e.sourceHost || e.reportingInstance;
  return instance ? `${component}, ${instance}` : component;
}

// Models pkg/printers/internalversion/printers.go printEvent
function eventRow(e: EventFields, name: string, now: number): TableCell[] {
  let firstSeen = translateTimestampSince(e.firstTimestamp, now);
  if (parseTimestamp(e.firstTimestamp) === undefined) firstSeen = translateTimestampSince(e.eventTime, now);
  let lastSeen = translateTimestampSince(e.lastTimestamp, now);
  if (parseTimestamp(e.lastTimestamp) === undefined) lastSeen = firstSeen;
  let count = e.count ?? 0;
  if (e.series) {
    lastSeen = translateTimestampSince(e.series.lastObservedTime, now);
    count = e.series.count ?? 0;
  } else if (count === 0) {
    // Singleton events carry no count in the newer API.
    count = 1;
  }
  const kind = e.involvedKind.toLowerCase();
  const target = e.involvedName ? `${kind}/${e.involvedName}` : kind;
  return [lastSeen, e.type, e.reason, target, e.fieldPath, formatEventSource(e), e.message.trim(), firstSeen, count, name];
}

const columns = [
  col("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."),
  col("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future"),
  col("Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  col("Object", "string", "The object that this event is about."),
  col("Subobject", "string", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.", 1),
  col("Source", "string", "The component reporting this event. Should be a short machine understandable string.", 1),
  col("Message", "string", "A human-readable description of the status of this operation."),
  col("First Seen", "string", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", 1),
  col("Count", "string", "The number of times this event has occurred.", 1),
  { ...nameColumn, priority: 1 },
];

export const coreEventPrinter: Printer = {
  columns,
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    return eventRow(fromCore(as<CoreEvent>(obj)), nameOf(obj), ctx.now);
  },
};

export const eventsV1EventPrinter: Printer = {
  columns,
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    return eventRow(fromCore(as<CoreEvent>(eventsV1ToCoreEvent(obj))), nameOf(obj), ctx.now);
  },
};
