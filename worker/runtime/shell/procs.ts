// The process tools: ps, kill (a shell builtin everywhere), killall and top. A container's process
// table is small and known: PID 1 (its main process), the shell an exec started, and the tool
// itself. Signals reach nothing here: PID 1 ignores those it has no handler for, and what a
// handler would do to the running container is not modelled.
import type { Io, Program, Proc } from "./proc";

interface Entry {
  pid: number;
  ppid: number;
  argv: string[];
}

/** On a node (no container around the process) PID 1 is systemd. */
const NODE_INIT = ["/sbin/init"];

/** PID 1, then the shells this process went through (not PID 1 itself), then the caller. */
function table(p: Proc, self: string[]): Entry[] {
  const init = p.opts.initArgv?.() ?? NODE_INIT;
  const initLine = init.join(" ");
  const shells = p.shells.filter((s) => s !== initLine);
  if (shells.length === 0 && self.join(" ") === initLine) return [{ pid: 1, ppid: 0, argv: init }];
  const out: Entry[] = [{ pid: 1, ppid: 0, argv: init }];
  let pid = 7;
  let ppid = 0;
  for (const s of shells) {
    out.push({ pid, ppid, argv: s.split(" ") });
    ppid = pid;
    pid += 6;
  }
  out.push({ pid, ppid, argv: self });
  return out;
}

const base = (s: string) => s.slice(s.lastIndexOf("/") + 1);

/** The process name procps shows: the executable's (systemd for /sbin/init), at most 15 characters. */
const comm = (argv: string[]) => (argv === NODE_INIT ? "systemd" : base(argv[0] ?? "").slice(0, 15));

function hhmm(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

/** BusyBox ps: every process, its whole command line. */
function busyboxPs(p: Proc, argv: string[], io: Io): number {
  io.out("PID   USER     TIME  COMMAND\n");
  for (const e of table(p, argv)) io.out(`${String(e.pid).padStart(5)} ${"root".padEnd(8)} ${"0:00".padStart(5)} ${e.argv.join(" ")}\n`);
  return 0;
}

/** procps-ng ps: without options the processes of no terminal (an exec without -t), `-ef` full. */
function procpsPs(p: Proc, argv: string[], io: Io): number {
  const opts = argv.slice(1).join(" ");
  const rows = table(p, argv);
  if (/(^|\s)-\w*[ef]/.test(opts) && /e/.test(opts) && /f/.test(opts)) {
    io.out("UID          PID    PPID  C STIME TTY          TIME CMD\n");
    for (const e of rows) io.out(`${"root".padEnd(8)} ${String(e.pid).padStart(7)} ${String(e.ppid).padStart(7)}  0 ${hhmm(p.now())} ?        00:00:00 ${e.argv.join(" ")}\n`);
    return 0;
  }
  io.out("    PID TTY          TIME CMD\n");
  for (const e of rows) io.out(`${String(e.pid).padStart(7)} ?        00:00:00 ${comm(e.argv)}\n`);
  return 0;
}

export const ps: Program = (p, argv, io) => (p.image.shell === "busybox" ? busyboxPs(p, argv, io) : procpsPs(p, argv, io));

const SIGNALS = ["HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM"];

/** The shell's kill builtin (BusyBox's applet in ash): signals go to known PIDs only. */
export const kill: Program = (p, argv, io) => {
  const args = argv.slice(1);
  // Worded by the shell it is a builtin of: the one running it, else the image's `sh`.
  const running = base(p.shells.at(-1)?.split(" ")[0] ?? "sh");
  const shell = running === "bash" || p.image.shell === "bash" ? "bash" : p.image.shell;
  if (args[0] === "-l") {
    io.out(shell === "bash" ? `${SIGNALS.map((s, i) => `${String(i + 1).padStart(2)}) SIG${s}`).join("\t")}\n` : `${SIGNALS.join("\n")}\n`);
    return 0;
  }
  let i = 0;
  if (args[i] === "-s" || args[i] === "-n") i += 2;
  else if (args[i]?.startsWith("-") && args[i] !== "--") i++;
  if (args[i] === "--") i++;
  const pids = args.slice(i);
  if (pids.length === 0) {
    if (shell === "bash") io.err(`${running}: line 1: kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n`);
    else if (shell === "busybox") io.err("kill: usage: kill [-s SIG | -SIG] PID...\n");
    else io.err("sh: 1: kill: Usage: kill [-s sigspec | -signum | -sigspec] [pid | job]... or\nkill -l [exitstatus]\n");
    return shell === "busybox" ? 1 : 2;
  }
  const known = new Set(table(p, argv).map((e) => String(e.pid)));
  let status = 0;
  for (const pid of pids) {
    if (known.has(pid)) continue;
    status = 1;
    if (shell === "bash") io.err(/^\d+$/.test(pid) ? `${running}: line 1: kill: (${pid}) - No such process\n` : `${running}: line 1: kill: ${pid}: arguments must be process or job IDs\n`);
    else if (shell === "busybox") io.err(/^\d+$/.test(pid) ? `sh: can't kill pid ${pid}: No such process\n` : `sh: invalid number '${pid}'\n`);
    else io.err(/^\d+$/.test(pid) ? "sh: 1: kill: No such process\n" : `sh: 1: kill: Illegal number: ${pid}\n`);
  }
  return status;
};

/** BusyBox killall: by program name, among the known processes other than itself. */
export const killall: Program = (p, argv, io) => {
  const names = argv.slice(1).filter((a) => !a.startsWith("-"));
  if (names.length === 0) {
    io.err("killall: usage: killall [-l] [-q] [-SIG] PROCESS_NAME...\n");
    return 1;
  }
  const others = table(p, argv).slice(0, -1);
  let status = 0;
  for (const n of names) {
    if (others.some((e) => base(e.argv[0] ?? "") === n)) continue;
    io.err(`killall: ${n}: no process killed\n`);
    status = 1;
  }
  return status;
};

/** BusyBox top: one frame (`-n N`: N frames, `-d` seconds apart); without -n it keeps running. */
export const top: Program = (p, argv, io) => {
  const flag = (f: string) => {
    const i = argv.indexOf(f);
    return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(f) && a.length > f.length)?.slice(f.length);
  };
  const frames = Number(flag("-n") ?? 0);
  const delay = Number(flag("-d") ?? 5) * 1000;
  const rows = table(p, argv);
  const usedK = Math.round(Math.max(p.memory, 2 ** 20) / 1024);
  for (let n = 0; frames === 0 || n < frames; n++) {
    if (n > 0) p.sleep(delay);
    io.out(`Mem: ${usedK}K used, ${8_000_000 - usedK}K free, 0K shrd, 0K buff, 0K cached\n`);
    io.out("CPU:   0% usr   0% sys   0% nic 100% idle   0% io   0% irq   0% sirq\n");
    io.out(`Load average: 0.00 0.00 0.00 1/${rows.length} ${rows[rows.length - 1].pid}\n`);
    io.out("  PID  PPID USER     STAT   VSZ %VSZ CPU %CPU COMMAND\n");
    for (const e of [...rows].reverse()) io.out(`${String(e.pid).padStart(5)} ${String(e.ppid).padStart(5)} root     ${e === rows[rows.length - 1] ? "R" : "S"}     1332   0%   0   0% ${e.argv.join(" ")}\n`);
    if (frames === 0) return p.block();
  }
  return 0;
};
