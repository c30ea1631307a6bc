// apt-get and apt on the Debian and Ubuntu images. A sandbox has no resolver beyond the cluster's,
// whose CoreDNS answers NXDOMAIN for the archives' names (apt's "Could not resolve", not the
// "Temporary failure resolving" of an unreachable resolver): `update` fails to fetch every index (a
// warning, exit 0) and `install` finds no package it could locate (exit 100).
import type { Io, Program, Proc } from "./proc";

interface Source {
  host: string;
  path: string;
  suite: string;
}

const CODENAMES: Record<string, string> = { "11": "bullseye", "12": "bookworm", "13": "trixie", "20.04": "focal", "22.04": "jammy", "24.04": "noble" };

/** The archives the image's sources list names, in the order apt fetches them. */
function sources(p: Proc): Source[] {
  const osRelease = p.readFile("/etc/os-release") ?? "";
  const id = /^ID=(\S+)$/m.exec(osRelease)?.[1]?.replace(/"/g, "");
  const version = /^VERSION_ID="?([^"\n]+)"?$/m.exec(osRelease)?.[1] ?? "";
  const code = CODENAMES[version] ?? "bookworm";
  if (id === "ubuntu") {
    return [
      { host: "archive.ubuntu.com", path: "ubuntu", suite: code },
      { host: "security.ubuntu.com", path: "ubuntu", suite: `${code}-security` },
      { host: "archive.ubuntu.com", path: "ubuntu", suite: `${code}-updates` },
      { host: "archive.ubuntu.com", path: "ubuntu", suite: `${code}-backports` },
    ];
  }
  return [
    { host: "deb.debian.org", path: "debian", suite: code },
    { host: "deb.debian.org", path: "debian", suite: `${code}-updates` },
    { host: "deb.debian.org", path: "debian-security", suite: `${code}-security` },
  ];
}

/** Progress lines end in "Done" on a terminal only. */
function progress(p: Proc, io: Io, text: string): void {
  io.out(p.vars.get("TERM") ? `${text}... Done\n` : `${text}...\n`);
}

function update(p: Proc, io: Io): number {
  const list = sources(p);
  list.forEach((s, i) => io.out(`Err:${i + 1} http://${s.host}/${s.path} ${s.suite} InRelease\n  Could not resolve '${s.host}'\n`));
  progress(p, io, "Reading package lists");
  for (const s of list) io.err(`W: Failed to fetch http://${s.host}/${s.path}/dists/${s.suite}/InRelease  Could not resolve '${s.host}'\n`);
  io.err("W: Some index files failed to download. They have been ignored, or old ones used instead.\n");
  return 0;
}

function install(p: Proc, io: Io, names: string[]): number {
  progress(p, io, "Reading package lists");
  progress(p, io, "Building dependency tree");
  progress(p, io, "Reading state information");
  if (names.length === 0) {
    io.out("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n");
    return 0;
  }
  io.err(`E: Unable to locate package ${names[0]}\n`);
  return 100;
}

function aptLike(name: "apt-get" | "apt"): Program {
  return (p, argv, io) => {
    const args = argv.slice(1);
    const words = args.filter((a) => !a.startsWith("-"));
    // apt warns scripts that its output may change (it has no terminal here, or a script reads it).
    if (name === "apt" && !p.vars.get("TERM")) io.err("\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n");
    switch (words[0]) {
      case "update":
        return update(p, io);
      case "install":
        return install(p, io, words.slice(1));
      case undefined:
        io.err(name === "apt-get" ? "E: No command given\n" : "apt 2.6.1 (amd64)\nUsage: apt [options] command\n");
        return 1;
      default:
        io.err(`E: Invalid operation ${words[0]}\n`);
        return 100;
    }
  };
}

export const APT_PROGRAMS: Record<string, Program> = { "apt-get": aptLike("apt-get"), apt: aptLike("apt") };
