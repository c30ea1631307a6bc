// Copying and moving files (`cp`, `mv`): what tutorials do to static-pod manifests and config files.
// Error wording follows the image's userland: GNU coreutils where the shell is bash or dash,
// BusyBox otherwise.
import { DIRECTORY } from "../types";
import type { Io, Proc, Program } from "./proc";

const gnu = (p: Proc) => p.image.shell === "bash" || p.image.shell === "dash";
const basename = (path: string) => path.replace(/\/+$/, "").slice(path.replace(/\/+$/, "").lastIndexOf("/") + 1);

function missing(p: Proc, tool: string, path: string): string {
  return gnu(p) ? `${tool}: cannot stat '${path}': No such file or directory\n` : `${tool}: can't stat '${path}': No such file or directory\n`;
}

/** Every file under `dir` (absolute paths), depth first. */
function walk(p: Proc, dir: string): string[] {
  const out: string[] = [];
  for (const name of p.list(dir)) {
    const child = `${dir === "/" ? "" : dir}/${name}`;
    const c = p.readFile(child);
    if (c === DIRECTORY || (c === undefined && p.isDir(child))) {
      out.push(child);
      out.push(...walk(p, child));
    } else if (c !== undefined) out.push(child);
  }
  return out;
}

/** Copies `src` to `dest` (a file or a tree); returns false when the source is missing. */
function copy(p: Proc, src: string, dest: string, recursive: boolean, tool: string, io: Io): boolean {
  const from = p.resolvePath(src);
  const content = p.readFile(from);
  const isDir = content === DIRECTORY || (content === undefined && p.isDir(from));
  if (content === undefined && !isDir) {
    io.err(missing(p, tool, src));
    return false;
  }
  let to = p.resolvePath(dest);
  if (p.isDir(to)) to = `${to === "/" ? "" : to}/${basename(from)}`;
  if (!isDir) {
    p.writeFile(to, content ?? "");
    return true;
  }
  if (!recursive) {
    io.err(gnu(p) ? `${tool}: -r not specified; omitting directory '${src}'\n` : `${tool}: omitting directory '${src}'\n`);
    return false;
  }
  // A tree copied or moved into itself (`cp -r / /tmp/all`) is refused, as coreutils and BusyBox refuse it.
  if (to === from || to.startsWith(from === "/" ? "/" : `${from}/`)) {
    if (tool === "mv") io.err(gnu(p) ? `mv: cannot move '${src}' to a subdirectory of itself, '${to}'\n` : `mv: can't rename '${src}': Invalid argument\n`);
    else io.err(gnu(p) ? `cp: cannot copy a directory, '${src}', into itself, '${to}'\n` : `cp: recursion detected, omitting directory '${src}'\n`);
    return false;
  }
  p.mkdir(to);
  for (const path of walk(p, from)) {
    const c = p.readFile(path);
    const target = to + path.slice(from.length);
    if (c === DIRECTORY || c === undefined) p.mkdir(target);
    else p.writeFile(target, c);
  }
  return true;
}

function operands(argv: string[]): { flags: string; paths: string[] } {
  const paths: string[] = [];
  let flags = "";
  for (const a of argv.slice(1)) {
    if (a.startsWith("-") && a.length > 1 && paths.length === 0) flags += a.slice(1);
    else paths.push(a);
  }
  return { flags, paths };
}

function usage(p: Proc, tool: string, paths: string[], io: Io): boolean {
  if (paths.length >= 2) return false;
  if (paths.length === 0) io.err(gnu(p) ? `${tool}: missing file operand\nTry '${tool} --help' for more information.\n` : `BusyBox v1.37.0 multi-call binary.\n\nUsage: ${tool} [-fin] SOURCE DEST\n`);
  else io.err(gnu(p) ? `${tool}: missing destination file operand after '${paths[0]}'\nTry '${tool} --help' for more information.\n` : `BusyBox v1.37.0 multi-call binary.\n\nUsage: ${tool} [-fin] SOURCE DEST\n`);
  return true;
}

export const cp: Program = (p, argv, io) => {
  const { flags, paths } = operands(argv);
  if (usage(p, "cp", paths, io)) return 1;
  const dest = paths.pop()!;
  const recursive = /[rRa]/.test(flags);
  let status = 0;
  for (const src of paths) if (!copy(p, src, dest, recursive, "cp", io)) status = 1;
  return status;
};

export const mv: Program = (p, argv, io) => {
  const { paths } = operands(argv);
  if (usage(p, "mv", paths, io)) return 1;
  const dest = paths.pop()!;
  let status = 0;
  for (const src of paths) {
    if (!copy(p, src, dest, true, "mv", io)) {
      status = 1;
      continue;
    }
    p.removeFile(src);
  }
  return status;
};

export const FILE_PROGRAMS: Record<string, Program> = { cp, mv };
