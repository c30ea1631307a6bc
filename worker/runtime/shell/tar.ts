// `tar`: ustar archives of a container's files, enough for `kubectl cp` both ways — `tar cf - PATH`
// out of a container and `tar -xmf - -C DIR` into it — plus `tf` listings and archives in files.
// Archives travel as text: every byte of a header is ASCII and file contents are UTF-8, so a
// string whose UTF-8 encoding is the archive carries it exactly. Binary files are not modelled.
// Models the POSIX ustar format (pax "path" records and GNU long names are read, never written).
import { shellOf } from "../images";
import { DIRECTORY } from "../types";
import type { Io, Proc } from "./proc";

const BLOCK = 512;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Options {
  mode?: "c" | "x" | "t";
  file?: string;
  dir?: string;
  verbose: boolean;
  gzip: boolean;
  paths: string[];
}

function parseArgs(argv: string[]): Options {
  const o: Options = { verbose: false, gzip: false, paths: [] };
  const args = argv.slice(1);
  // The first word may bundle letters without a dash (`tar cf - dir`).
  if (args[0] && !args[0].startsWith("-")) args[0] = `-${args[0]}`;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith("--")) {
      const [name, value] = a.slice(2).split("=", 2);
      if (name === "file") o.file = value ?? args[++i];
      else if (name === "directory") o.dir = value ?? args[++i];
      else if (name === "create" || name === "extract" || name === "list") o.mode = name === "create" ? "c" : name === "extract" ? "x" : "t";
      else if (name === "verbose") o.verbose = true;
      else if (name === "gzip") o.gzip = true;
      continue;
    }
    if (!a.startsWith("-") || a === "-") {
      o.paths.push(a);
      continue;
    }
    for (const letter of a.slice(1)) {
      if (letter === "c" || letter === "x" || letter === "t") o.mode = letter;
      else if (letter === "f") o.file = args[++i];
      else if (letter === "C") o.dir = args[++i];
      else if (letter === "v") o.verbose = true;
      else if (letter === "z") o.gzip = true;
    }
  }
  return o;
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, "0")}\0`;
}

function putString(block: Uint8Array, offset: number, width: number, s: string): void {
  block.set(encoder.encode(s).subarray(0, width), offset);
}

/** A ustar header; names longer than 100 bytes are split into prefix and name at a slash. */
function header(name: string, size: number, dir: boolean, mtime: number): Uint8Array {
  const b = new Uint8Array(BLOCK);
  let prefix = "";
  let base = name;
  if (encoder.encode(name).length > 100) {
    const cut = name.lastIndexOf("/", name.length - 2);
    if (cut > 0) {
      prefix = name.slice(0, cut);
      base = name.slice(cut + 1);
    }
  }
  putString(b, 0, 100, base);
  putString(b, 100, 8, octal(dir ? 0o755 : 0o644, 8));
  putString(b, 108, 8, octal(0, 8));
  putString(b, 116, 8, octal(0, 8));
  putString(b, 124, 12, octal(size, 12));
  putString(b, 136, 12, octal(Math.floor(mtime / 1000), 12));
  putString(b, 148, 8, "        ");
  b[156] = (dir ? "5" : "0").charCodeAt(0);
  putString(b, 257, 6, "ustar\0");
  putString(b, 263, 2, "00");
  putString(b, 265, 32, "root");
  putString(b, 297, 32, "root");
  putString(b, 345, 155, prefix);
  const sum = b.reduce((s, x) => s + x, 0);
  putString(b, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return b;
}

function padded(content: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(content.length / BLOCK) * BLOCK);
  out.set(content);
  return out;
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** busybox's wording, or GNU tar's (Debian-based images). */
function busybox(p: Proc): boolean {
  return shellOf({ image: p.image, tag: p.opts.imageTag }) === "busybox";
}

function create(p: Proc, o: Options, io: Io): number {
  const bb = busybox(p);
  if (o.paths.length === 0) {
    io.err(bb ? "tar: empty archive\n" : "tar: Cowardly refusing to create an empty archive\nTry 'tar --help' or 'tar --usage' for more information.\n");
    return bb ? 1 : 2;
  }
  const base = o.dir ? p.resolvePath(o.dir) : p.cwd;
  const at = (rel: string) => (rel.startsWith("/") ? p.resolvePath(rel) : p.resolvePath(`${base}/${rel}`));
  const parts: Uint8Array[] = [];
  let warned = false;
  let failed = false;
  const add = (abs: string, name: string) => {
    const content = p.readFile(abs);
    if (content === DIRECTORY || (content === undefined && p.isDir(abs))) {
      parts.push(header(`${name.replace(/\/$/, "")}/`, 0, true, p.now()));
      if (o.verbose) io.err(`${name.replace(/\/$/, "")}/\n`);
      for (const child of p.list(abs)) add(`${abs.replace(/\/$/, "")}/${child}`, `${name.replace(/\/$/, "")}/${child}`);
      return;
    }
    const bytes = encoder.encode(content ?? "");
    parts.push(header(name, bytes.length, false, p.now()), padded(bytes));
    if (o.verbose) io.err(`${name}\n`);
  };
  for (const path of o.paths) {
    const abs = at(path);
    let name = path.replace(/^\.\//, "");
    if (name.startsWith("/")) {
      if (!warned) io.err(bb ? "tar: removing leading '/' from member names\n" : "tar: Removing leading `/' from member names\n");
      warned = true;
      name = name.replace(/^\/+/, "");
    }
    if (p.readFile(abs) === undefined && !p.isDir(abs)) {
      io.err(bb ? `tar: can't stat '${path}': No such file or directory\n` : `tar: ${path}: Cannot stat: No such file or directory\n`);
      failed = true;
      continue;
    }
    if (name === "") name = ".";
    add(abs, name);
  }
  parts.push(new Uint8Array(BLOCK * 2));
  const archive = decoder.decode(join(parts));
  if (!o.file || o.file === "-") io.out(archive);
  else p.writeFile(o.file, archive);
  if (failed && !bb) io.err("tar: Exiting with failure status due to previous errors\n");
  return failed ? (bb ? 1 : 2) : 0;
}

interface Entry {
  name: string;
  type: string;
  content: Uint8Array;
}

function field(b: Uint8Array, offset: number, width: number): string {
  const raw = b.subarray(offset, offset + width);
  const end = raw.indexOf(0);
  return decoder.decode(end < 0 ? raw : raw.subarray(0, end));
}

/** The entries of an archive; pax and GNU long-name records rename the entry after them. */
export function readArchive(bytes: Uint8Array): Entry[] | "invalid" {
  const out: Entry[] = [];
  let longName: string | undefined;
  for (let at = 0; at + BLOCK <= bytes.length; ) {
    const h = bytes.subarray(at, at + BLOCK);
    if (h.every((x) => x === 0)) break;
    const sum = h.reduce((s, x, i) => s + (i >= 148 && i < 156 ? 32 : x), 0);
    if (parseInt(field(h, 148, 8).trim(), 8) !== sum) return "invalid";
    const size = parseInt(field(h, 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(h[156] || 48);
    const prefix = field(h, 345, 155);
    let name = prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100);
    const content = bytes.subarray(at + BLOCK, at + BLOCK + size);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "x" || type === "g") {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(decoder.decode(content));
      if (path && type === "x") longName = path[1];
      continue;
    }
    if (type === "L") {
      longName = decoder.decode(content).replace(/\0+$/, "");
      continue;
    }
    if (longName !== undefined) name = longName;
    longName = undefined;
    out.push({ name, type, content });
  }
  return out;
}

function extract(p: Proc, o: Options, io: Io, list: boolean): number {
  const bb = busybox(p);
  let text: string | undefined;
  if (!o.file || o.file === "-") text = io.stdin;
  else {
    text = p.readFile(o.file);
    if (text === undefined || text === DIRECTORY) {
      io.err(bb ? `tar: can't open '${o.file}': No such file or directory\n` : `tar: ${o.file}: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n`);
      return bb ? 1 : 2;
    }
  }
  const bytes = encoder.encode(text);
  if (bytes.length === 0) {
    io.err(bb ? "tar: short read\n" : "tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n");
    return bb ? 1 : 2;
  }
  const entries = readArchive(bytes);
  if (entries === "invalid") {
    io.err(bb ? "tar: invalid tar magic\n" : "tar: This does not look like a tar archive\ntar: Skipping to next header\ntar: Exiting with failure status due to previous errors\n");
    return bb ? 1 : 2;
  }
  const dir = o.dir ? p.resolvePath(o.dir) : p.cwd;
  if (!list && !p.isDir(dir)) {
    io.err(bb ? `tar: can't change directory to '${o.dir}': No such file or directory\n` : `tar: ${o.dir}: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n`);
    return bb ? 1 : 2;
  }
  for (const e of entries) {
    if (list || o.verbose) io.out(`${e.name}\n`);
    if (list) continue;
    const target = p.resolvePath(`${dir}/${e.name.replace(/^\/+/, "")}`);
    if (e.type === "5") p.mkdir(target);
    // Symbolic and hard links, devices and FIFOs have no place in the simulated filesystem.
    else if (e.type === "0" || e.type === "7") p.writeFile(target, decoder.decode(e.content));
  }
  return 0;
}

export function tar(p: Proc, argv: string[], io: Io): number {
  const o = parseArgs(argv);
  const bb = busybox(p);
  if (!o.mode) {
    io.err(bb ? "tar: need at least one option\n" : "tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options\nTry 'tar --help' or 'tar --usage' for more information.\n");
    return bb ? 1 : 2;
  }
  if (o.gzip) {
    io.err("tar: can't execute 'gzip': No such file or directory\n");
    return 1;
  }
  return o.mode === "c" ? create(p, o, io) : extract(p, o, io, o.mode === "t");
}
