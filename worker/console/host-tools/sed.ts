// sed: s///flags, d, p, addresses (line numbers, $, /regex/), -n, -i, -e, -E.
import type { Program } from "../../runtime/shell/proc";
import { DIRECTORY } from "../../runtime/types";
import { inputs, lines, bre } from "./common";
import { regcompError, userRegExp } from "../../runtime/shell/regex";

interface SedCommand {
  address?: { line?: number; last?: boolean; re?: RegExp };
  op: "s" | "d" | "p";
  re?: RegExp;
  replacement?: string;
  global?: boolean;
  print?: boolean;
}

/** A pattern of one command; one regcomp refuses is reported as GNU sed reports it. */
function compile(source: string, flags: string, part: string): RegExp {
  try {
    return userRegExp(source, flags);
  } catch (e) {
    throw new Error(`-e expression #1, char ${part.length}: ${regcompError(e)}`);
  }
}

function parseSed(script: string, extended: boolean): SedCommand[] {
  const out: SedCommand[] = [];
  for (const part of script.split(/;|\n/).map((s) => s.trim()).filter(Boolean)) {
    let rest = part;
    const cmd: Partial<SedCommand> = {};
    let m: RegExpExecArray | null;
    if ((m = /^(\d+)/.exec(rest))) {
      cmd.address = { line: Number(m[1]) };
      rest = rest.slice(m[0].length);
    } else if (rest.startsWith("$")) {
      cmd.address = { last: true };
      rest = rest.slice(1);
    } else if (rest.startsWith("/")) {
      const end = rest.indexOf("/", 1);
      cmd.address = { re: compile(extended ? rest.slice(1, end) : bre(rest.slice(1, end)), "", part) };
      rest = rest.slice(end + 1);
    }
    rest = rest.trim();
    if (rest[0] === "s") {
      const d = rest[1];
      const parts: string[] = [];
      let cur = "";
      for (let i = 2; i < rest.length; i++) {
        if (rest[i] === "\\" && rest[i + 1] === d) {
          cur += d === "/" ? "\\/" : d;
          i++;
        } else if (rest[i] === d) {
          parts.push(cur);
          cur = "";
        } else cur += rest[i];
      }
      parts.push(cur);
      const [pattern, replacement = "", flags = ""] = parts;
      const src = extended ? pattern : bre(pattern);
      out.push({ ...cmd, op: "s", re: compile(src, flags.includes("I") || flags.includes("i") ? "gi" : "g", part), replacement, global: flags.includes("g"), print: flags.includes("p") });
    } else if (rest === "d" || rest === "p") out.push({ ...cmd, op: rest });
    else throw new Error(`-e expression #1, char ${part.length}: unknown command: \`${rest[0] ?? ""}'`);
  }
  return out;
}

function sedReplace(line: string, c: SedCommand): { text: string; changed: boolean } {
  let count = 0;
  let changed = false;
  const text = line.replace(c.re!, (...m: unknown[]) => {
    count++;
    if (!c.global && count > 1) return m[0] as string;
    changed = true;
    const groups = m.slice(0, -2) as string[];
    return c.replacement!.replace(/\\(\d)|&|\\n|\\t|\\(.)/g, (r, d: string, other: string) => {
      if (r === "&") return groups[0];
      if (d !== undefined) return groups[Number(d)] ?? "";
      if (r === "\\n") return "\n";
      if (r === "\\t") return "\t";
      return other ?? "";
    });
  });
  return { text, changed };
}

export const sed: Program = (p, argv, io) => {
  const args = argv.slice(1);
  let quiet = false;
  let inPlace = false;
  let extended = false;
  const scripts: string[] = [];
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-n") quiet = true;
    else if (a === "-i" || a.startsWith("-i")) inPlace = true;
    else if (a === "-E" || a === "-r") extended = true;
    else if (a === "-e") scripts.push(args[++i] ?? "");
    else if (/^-[nEri]+$/.test(a)) {
      quiet ||= a.includes("n");
      inPlace ||= a.includes("i");
      extended ||= a.includes("E") || a.includes("r");
    } else if (!scripts.length && !files.length && !a.startsWith("-")) scripts.push(a);
    else files.push(a);
  }
  let cmds: SedCommand[];
  try {
    cmds = parseSed(scripts.join("\n"), extended);
  } catch (e) {
    io.err(`sed: ${(e as Error).message}\n`);
    return 1;
  }
  const apply = (text: string): string => {
    const ls = lines(text);
    let out = "";
    ls.forEach((line, idx) => {
      let cur = line;
      let deleted = false;
      for (const c of cmds) {
        const a = c.address;
        if (a && !((a.line !== undefined && a.line === idx + 1) || (a.last && idx === ls.length - 1) || (a.re && a.re.test(cur)))) continue;
        if (c.op === "d") {
          deleted = true;
          break;
        }
        if (c.op === "p") out += `${cur}\n`;
        if (c.op === "s") {
          const r = sedReplace(cur, c);
          cur = r.text;
          if (r.changed && c.print) out += `${cur}\n`;
        }
      }
      if (!deleted && !quiet) out += `${cur}\n`;
    });
    return out;
  };
  if (inPlace) {
    let status = 0;
    for (const f of files) {
      const c = p.readFile(f);
      if (c === undefined || c === DIRECTORY) {
        io.err(`sed: can't read ${f}: No such file or directory\n`);
        status = 2;
        continue;
      }
      p.writeFile(f, apply(c));
    }
    return status;
  }
  const { text, status } = inputs(p, "sed", files, io);
  io.out(apply(text));
  return status;
};
