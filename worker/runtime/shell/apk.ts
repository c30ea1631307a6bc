// apk on the Alpine images. Without a resolver beyond the cluster's the repositories cannot be
// fetched: `update` warns for each and counts them unavailable (exit 0 all the same), `add` cannot
// select the package.
// Models apk-tools 2.14 (Alpine 3.19–3.21) messages.
import type { Io, Program, Proc } from "./proc";

function repositories(p: Proc): string[] {
  const version = /^VERSION_ID="?(\d+\.\d+)/m.exec(p.readFile("/etc/os-release") ?? "")?.[1] ?? "3.21";
  return ["main", "community"].map((r) => `https://dl-cdn.alpinelinux.org/alpine/v${version}/${r}`);
}

/** Fetching every index fails; the count of what is unavailable. */
function fetchIndexes(p: Proc, io: Io): number {
  const repos = repositories(p);
  for (const r of repos) {
    io.out(`fetch ${r}/x86_64/APKINDEX.tar.gz\n`);
    io.err(`WARNING: updating and opening ${r}: DNS lookup error\n`);
  }
  return repos.length;
}

export const apk: Program = (p, argv, io) => {
  const args = argv.slice(1);
  const words = args.filter((a) => !a.startsWith("-"));
  switch (words[0]) {
    case "update": {
      const unavailable = fetchIndexes(p, io);
      io.out(`${unavailable} unavailable, 0 stale; 15 distinct packages available\n`);
      return 0;
    }
    case "add": {
      const names = words.slice(1);
      if (args.includes("--no-cache") || args.includes("--update") || args.includes("-U")) fetchIndexes(p, io);
      else for (const r of repositories(p)) io.err(`WARNING: opening from cache ${r}: No such file or directory\n`);
      if (names.length === 0) return 0;
      io.err(`ERROR: unable to select packages:\n${names.map((n) => `  ${n} (no such package):\n    required by: world[${n}]\n`).join("")}`);
      return 1;
    }
    default:
      io.err(`apk-tools 2.14.6, compiled for x86_64.\n\nusage: apk [<OPTIONS>...] COMMAND [<ARGUMENTS>...]\n`);
      return 1;
  }
};
