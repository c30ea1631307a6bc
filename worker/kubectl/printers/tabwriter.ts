// Elastic tabstops as Go's text/tabwriter lays them out: tab-terminated cells in consecutive lines
// form a column block as wide as its widest cell plus padding; the text after a line's last tab is
// not part of any column. kubectl's tables use (minwidth 6, tabwidth 4, padding 3), describe uses
// (0, 8, 2); `get -w` remembers widths between flushes (github.com/liggitt/tabwriter RememberWidths).
// Models go/src/text/tabwriter/tabwriter.go format/writeLines.

interface Cell {
  text: string;
  width: number;
  htab: boolean;
}

export interface TabWriterOptions {
  minwidth: number;
  padding: number;
  rememberWidths?: boolean;
}

export const TABLE_OPTIONS: TabWriterOptions = { minwidth: 6, padding: 3 };
export const DESCRIBE_OPTIONS: TabWriterOptions = { minwidth: 0, padding: 2 };

const runeCount = (s: string) => [...s].length;

export class TabWriter {
  private pending = "";
  private maxwidths: number[] = [];

  constructor(private readonly opts: TabWriterOptions) {}

  write(text: string): void {
    this.pending += text;
  }

  /** Lays out everything written since the last flush. */
  flush(): string {
    const text = this.pending;
    this.pending = "";
    if (!text) return "";
    const lines: Cell[][] = [];
    let line: Cell[] = [];
    let cell = "";
    for (const ch of text) {
      if (ch === "\t" || ch === "\v" || ch === "\n" || ch === "\f") {
        line.push({ text: cell, width: runeCount(cell), htab: ch === "\t" });
        cell = "";
        if (ch === "\n" || ch === "\f") {
          lines.push(line);
          line = [];
        }
      } else cell += ch;
    }
    // The text after the last newline stays a partial line, written as is.
    const tail = cell;
    if (line.length || tail) {
      line.push({ text: tail, width: runeCount(tail), htab: false });
      lines.push(line);
    }
    const endsWithNewline = !(line.length || tail);
    const widths: number[] = [];
    const out: string[] = [];
    const writeLines = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const cells = lines[i];
        let s = "";
        cells.forEach((c, j) => {
          s += c.text;
          if (j < widths.length) s += " ".repeat(Math.max(0, widths[j] - c.width));
        });
        out.push(i + 1 === lines.length && !endsWithNewline ? s : `${s}\n`);
      }
    };
    const format = (line0: number, line1: number): void => {
      const column = widths.length;
      for (let t = line0; t < line1; t++) {
        if (column >= lines[t].length - 1) continue;
        writeLines(line0, t);
        line0 = t;
        let width = this.opts.minwidth;
        for (; t < line1; t++) {
          const l = lines[t];
          if (column >= l.length - 1) break;
          const w = l[column].width + this.opts.padding;
          if (w > width) width = w;
        }
        if (this.opts.rememberWidths) {
          if (column < this.maxwidths.length && this.maxwidths[column] > width) width = this.maxwidths[column];
          this.maxwidths[column] = width;
        }
        widths.push(width);
        format(line0, t);
        widths.pop();
        line0 = t;
        t--;
      }
      writeLines(line0, line1);
    };
    format(0, lines.length);
    return out.join("");
  }

  /** Forgets remembered widths (a new table starts). */
  resetWidths(): void {
    this.maxwidths = [];
  }
}

/** Lays out a whole text at once. */
export function tabwrite(text: string, opts: TabWriterOptions = TABLE_OPTIONS): string {
  const w = new TabWriter(opts);
  w.write(text);
  return w.flush();
}
