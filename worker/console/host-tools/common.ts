// What the node's text tools share: reading their input files the GNU way, splitting lines, and
// POSIX basic regular expressions.
import type { Io, Proc } from "../../runtime/shell/proc";
import { DIRECTORY } from "../../runtime/types";

/** The text of the files named (or stdin), as the GNU tools read them; errors go to stderr. */
export function inputs(p: Proc, tool: string, files: string[], io: Io): { text: string; status: number } {
  if (files.length === 0 || (files.length === 1 && files[0] === "-")) return { text: io.stdin, status: 0 };
  let text = "";
  let status = 0;
  for (const f of files) {
    const c = f === "-" ? io.stdin : p.readFile(f);
    if (c === undefined) {
      io.err(`${tool}: ${f}: No such file or directory\n`);
      status = 2;
    } else if (c === DIRECTORY) {
      io.err(`${tool}: ${f}: Is a directory\n`);
      status = 2;
    } else text += c;
  }
  return { text, status };
}

export const lines = (text: string) => (text === "" ? [] : text.replace(/\n$/, "").split("\n"));

/** POSIX basic regular expressions (sed, grep without -E) as JavaScript ones. */
export function bre(src: string): string {
  let out = "";
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === "\\" && i + 1 < src.length) {
      const n = src[++i];
      out += "(){}+?|".includes(n) ? n : `\\${n}`;
    } else if ("(){}+?|".includes(c)) out += `\\${c}`;
    else out += c;
  }
  return out;
}
