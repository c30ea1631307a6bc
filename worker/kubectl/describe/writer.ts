// The pieces every describer shares: a prefix writer whose text is laid out by a tabwriter
// (minwidth 0, padding 2), the multi-line label/annotation/taint/toleration blocks, the Events
// table, RFC 1123 times and ages, and quantity arithmetic.
// Models staging/src/k8s.io/kubectl/pkg/describe/describe.go (PrefixWriter, tabbedString,
// printLabelsMultiline, printAnnotationsMultiline, DescribeEvents, translateTimestampSince).
import { humanDuration, parseTimestamp } from "../../resources/printers/duration";
import { cmpQuantity, formatQuantity, parseQuantity, type Quantity } from "../../resources/validation/quantity";
import { DESCRIBE_OPTIONS, tabwrite } from "../printers/tabwriter";

export class PrefixWriter {
  text = "";
  /** Text already flushed: laid out on its own, as a tabwriter Flush ends every column block. */
  readonly segments: string[] = [];
  write(level: number, s: string): void {
    this.text += "  ".repeat(level) + escapeTerminal(s);
  }
  line(s = ""): void {
    this.text += `${escapeTerminal(s)}\n`;
  }
  flush(): void {
    this.segments.push(this.text);
    this.text = "";
  }
}

/** Control characters a terminal would act on are printed escaped (printers.WriteEscaped). */
function escapeTerminal(s: string): string {
  return s.replace(/\x1b/g, "^[");
}

export function tabbed(f: (w: PrefixWriter) => void): string {
  const w = new PrefixWriter();
  f(w);
  w.flush();
  return w.segments.map((s) => tabwrite(s, DESCRIBE_OPTIONS)).join("");
}

/** `Mon, 02 Jan 2006 15:04:05 -0700` in UTC (the console's time zone). */
export function rfc1123z(ts: string | undefined | null): string {
  const t = parseTimestamp(ts ?? undefined);
  const d = new Date(t ?? Date.parse("0001-01-01T00:00:00Z"));
  if (t === undefined) return "Mon, 01 Jan 0001 00:00:00 +0000";
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** Age of a timestamp from "now" (`<unknown>` when unset). */
export function since(ts: string | undefined | null, now: number): string {
  const t = parseTimestamp(ts ?? undefined);
  if (t === undefined) return "<unknown>";
  return humanDuration(now - t);
}

export function labelsInline(m: Record<string, string> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${m![k]}`).join(",") : "<none>";
}

export function printLabelsMultiline(w: PrefixWriter, title: string, labels: Record<string, string> | undefined, initialIndent = "", innerIndent = "\t"): void {
  w.write(0, `${initialIndent}${title}:${innerIndent}`);
  const keys = Object.keys(labels ?? {}).sort();
  if (!keys.length) return w.line("<none>");
  keys.forEach((k, i) => {
    if (i) w.write(0, `${initialIndent}${innerIndent}`);
    w.write(0, `${k}=${labels![k]}\n`);
  });
}

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
const MAX_ANNOTATION_LEN = 140;

export function printAnnotationsMultiline(w: PrefixWriter, title: string, annotations: Record<string, string> | undefined): void {
  w.write(0, `${title}:\t`);
  const keys = Object.keys(annotations ?? {})
    .filter((k) => k !== LAST_APPLIED)
    .sort();
  if (!keys.length) return w.line("<none>");
  const indent = "\t";
  keys.forEach((k, i) => {
    if (i) w.write(0, indent);
    const value = annotations![k].replace(/\n$/, "");
    if (value.length + k.length + 2 > MAX_ANNOTATION_LEN || value.includes("\n")) {
      w.write(0, `${k}:\n`);
      for (const s of value.split("\n")) w.write(0, `${indent}  ${s.length > MAX_ANNOTATION_LEN - 2 ? `${s.slice(0, MAX_ANNOTATION_LEN - 2)}...` : s}\n`);
    } else w.write(0, `${k}: ${value}\n`);
  });
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export function taintString(t: Taint): string {
  return `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`;
}

export function printTaintsMultiline(w: PrefixWriter, title: string, taints: Taint[] | undefined, initialIndent = "", innerIndent = "\t"): void {
  w.write(0, `${initialIndent}${title}:${innerIndent}`);
  if (!taints?.length) return w.line("<none>");
  const sorted = [...taints].sort((a, b) => {
    const ka = `${a.effect},${a.key}`;
    const kb = `${b.effect},${b.key}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  sorted.forEach((t, i) => {
    if (i) w.write(0, `${initialIndent}${innerIndent}`);
    w.write(0, `${taintString(t)}\n`);
  });
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export function printTolerationsMultiline(w: PrefixWriter, title: string, tolerations: Toleration[] | undefined, initialIndent = "", innerIndent = "\t"): void {
  w.write(0, `${initialIndent}${title}:${innerIndent}`);
  if (!tolerations?.length) return w.line("<none>");
  const sorted = stableSort(tolerations, (a, b) => ((a.key ?? "") < (b.key ?? "") ? -1 : (a.key ?? "") > (b.key ?? "") ? 1 : 0));
  sorted.forEach((t, i) => {
    if (i) w.write(0, `${initialIndent}${innerIndent}`);
    let s = t.key ?? "";
    if (t.value) s += `=${t.value}`;
    if (t.effect) s += `:${t.effect}`;
    if (t.operator === "Exists" && !t.value) s += t.key || t.effect ? " op=Exists" : "op=Exists";
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) s += ` for ${t.tolerationSeconds}s`;
    w.write(0, `${s}\n`);
  });
}

export function stableSort<T>(xs: T[], cmp: (a: T, b: T) => number): T[] {
  return xs
    .map((x, i) => ({ x, i }))
    .sort((a, b) => cmp(a.x, b.x) || a.i - b.i)
    .map((p) => p.x);
}

export interface KubeEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  source?: { component?: string };
  reportingComponent?: string;
  reportingController?: string;
  involvedObject?: { fieldPath?: string };
}

/** The Events table, oldest first by last timestamp. Models DescribeEvents and event.SortableEvents. */
export function describeEvents(w: PrefixWriter, events: KubeEvent[] | undefined, now: number): void {
  if (events === undefined) return;
  if (events.length === 0) {
    w.write(0, "Events:\t<none>\n");
    return;
  }
  w.flush();
  const t = (e: KubeEvent) => parseTimestamp(e.lastTimestamp ?? undefined) ?? 0;
  const sorted = stableSort(events, (a, b) => t(a) - t(b));
  w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
  w.write(1, "----\t------\t----\t----\t-------\n");
  for (const e of sorted) {
    let first = since(e.eventTime, now);
    if (!parseTimestamp(e.eventTime ?? undefined)) first = since(e.firstTimestamp, now);
    let interval: string;
    if (e.series) interval = `${since(e.series.lastObservedTime, now)} (x${e.series.count ?? 0} over ${first})`;
    else if ((e.count ?? 0) > 1) interval = `${since(e.lastTimestamp, now)} (x${e.count} over ${first})`;
    else interval = first;
    const source = e.source?.component || e.reportingController || "";
    // kubectl 1.32 does not yet show the involved object's field path before the message.
    const message = (e.message ?? "").trim();
    w.write(1, `${e.type ?? ""}\t${e.reason ?? ""}\t${interval}\t${source}\t${message}\n`);
  }
}

// --- quantities ---

export function quantity(v: unknown): Quantity | undefined {
  const q = parseQuantity(v);
  return typeof q === "string" ? undefined : q;
}

export function qString(q: Quantity | undefined): string {
  return q ? formatQuantity(q) : "0";
}

export function qAdd(a: Quantity | undefined, b: Quantity | undefined): Quantity | undefined {
  if (!a) return b;
  if (!b) return a;
  const s = Math.min(a.scale, b.scale);
  const n = a.n * 10n ** BigInt(a.scale - s) + b.n * 10n ** BigInt(b.scale - s);
  return { n, scale: s, format: a.format };
}

export function qMax(a: Quantity | undefined, b: Quantity | undefined): Quantity | undefined {
  if (!a) return b;
  if (!b) return a;
  return cmpQuantity(a, b) >= 0 ? a : b;
}

/** Value in thousandths, rounded up (Quantity.MilliValue). */
export function milliValue(q: Quantity | undefined): number {
  if (!q) return 0;
  const scaled = q.scale + 3;
  if (scaled >= 0) return Number(q.n * 10n ** BigInt(scaled));
  const d = 10n ** BigInt(-scaled);
  let v = q.n / d;
  if (v * d !== q.n && q.n > 0n) v += 1n;
  return Number(v);
}

/** Value in units, rounded up (Quantity.Value). */
export function value(q: Quantity | undefined): number {
  if (!q) return 0;
  if (q.scale >= 0) return Number(q.n * 10n ** BigInt(q.scale));
  const d = 10n ** BigInt(-q.scale);
  let v = q.n / d;
  if (v * d !== q.n && q.n > 0n) v += 1n;
  return Number(v);
}
