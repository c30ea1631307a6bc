// Server-side Tables printed the way kubectl prints them: upper-cased headers, `-o wide` columns
// (priority > 0), the NAMESPACE column for `-A`, LABELS for `--show-labels`, `-L` label columns,
// `kind/name` when several kinds are listed, the header once per kind, and watch events.
// Models staging/src/k8s.io/cli-runtime/pkg/printers/tableprinter.go (HumanReadablePrinter, decorateTable, printTable).
import type { KubeObject } from "../../resources/types";
import type { Table } from "../client";

export interface TableOptions {
  wide?: boolean;
  noHeaders?: boolean;
  withNamespace?: boolean;
  showLabels?: boolean;
  columnLabels?: string[];
  /** `deployment.apps`: printed before each name when several kinds are listed. */
  kind?: string;
  /** A watch event's type: an EVENT column first (`--output-watch-events`). */
  eventType?: string;
}

/** `app=web,tier=front` (sorted), or `<none>`. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (!keys.length) return "<none>";
  return keys.map((k) => `${k}=${labels![k]}`).join(",");
}

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return "";
  let s = typeof cell === "string" ? cell : typeof cell === "object" ? JSON.stringify(cell) : String(cell);
  // A cell ends at its first line break, marked with "...".
  const brk = s.search(/[\f\n\r]/);
  if (brk >= 0) s = `${s.slice(0, brk)}...`;
  return s.replace(/\x1b/g, "^[");
}

const EVENT_TYPES: Record<string, string> = { ADDED: "ADDED   ", MODIFIED: "MODIFIED", DELETED: "DELETED ", ERROR: "ERROR   " };

/** Remembers the last columns printed, so a run of same-kind tables has one header. */
export class TablePrinter {
  private lastColumns?: string;
  private printedHeaders = false;

  constructor(private readonly options: TableOptions) {}

  /** Tab-separated lines for `table` (to be laid out by a TabWriter). */
  print(table: Table, eventType?: string): string {
    const o = { ...this.options };
    const key = JSON.stringify(table.columnDefinitions ?? []);
    if (this.printedHeaders && (!table.columnDefinitions?.length || key === this.lastColumns)) o.noHeaders = true;
    if (!table.columnDefinitions?.length) table = { ...table, columnDefinitions: JSON.parse(this.lastColumns ?? "[]") };
    else if (key !== this.lastColumns) {
      this.lastColumns = key;
      this.printedHeaders = false;
    }
    if (table.rows.length > 0) this.printedHeaders = true;
    return printTable(table, o, eventType);
  }
}

export function printTable(table: Table, o: TableOptions, eventType?: string): string {
  const cols = table.columnDefinitions.map((c, i) => ({ ...c, i })).filter((c) => o.wide || !c.priority);
  const nameCol = o.kind ? table.columnDefinitions.findIndex((c) => c.format === "name" && c.type === "string") : -1;
  const headers: string[] = [];
  if (eventType) headers.push("EVENT");
  if (o.withNamespace) headers.push("NAMESPACE");
  headers.push(...cols.map((c) => c.name.toUpperCase()));
  for (const l of o.columnLabels ?? []) headers.push(l.split("/").pop()!.toUpperCase());
  if (o.showLabels) headers.push("LABELS");
  let out = "";
  if (!o.noHeaders) {
    if (table.rows.length === 0) return "";
    out += `${headers.join("\t")}\n`;
  }
  for (const row of table.rows) {
    const meta = (row.object as KubeObject | undefined)?.metadata;
    const cells: string[] = [];
    if (eventType) cells.push(EVENT_TYPES[eventType] ?? eventType);
    if (o.withNamespace) cells.push(meta?.namespace ?? "");
    for (const c of cols) {
      let text = cellText(row.cells[c.i]);
      if (c.i === nameCol) text = `${o.kind}/${text}`;
      cells.push(text);
    }
    for (const l of o.columnLabels ?? []) cells.push(meta?.labels?.[l] ?? "");
    if (o.showLabels) cells.push(formatLabels(meta?.labels));
    out += `${cells.join("\t")}\n`;
  }
  return out;
}
