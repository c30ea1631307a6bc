// Every program the simulated images can run, and how an image's PATH finds them: shells and core
// utilities where the image has a shell, the image's own programs, and per-image overrides where
// two images ship different programs under one name (`docker-entrypoint.sh`, `stress`).
import type { CatalogImage } from "./images";
import { DATABASE_PROGRAMS, databaseEntrypoint } from "./images/databases";
import { LANGUAGE_PROGRAMS } from "./images/languages";
import { SYSTEM_PROGRAMS } from "./images/system";
import { TUTORIAL_OVERRIDES, TUTORIAL_PROGRAMS } from "./images/tutorials";
import { nginxEntrypoint, WEB_PROGRAMS } from "./images/web";
import { curl } from "../network/curl";
import { nslookup, ping } from "../network/lookup-tools";
import { wget } from "../network/wget";
import { COREUTILS } from "./shell/coreutils";
import { Shell } from "./shell/interp";
import { apk } from "./shell/apk";
import { APT_PROGRAMS } from "./shell/apt";
import { nc } from "./shell/nc";
import { killall, ps, top } from "./shell/procs";
import { npm, pip } from "./shell/registries";
import { parseScript, ShellSyntaxError } from "./shell/parse";
import type { Io, Proc, Program } from "./shell/proc";

const basename = (p: string) => p.slice(p.lastIndexOf("/") + 1);

/** `sh -c 'script' [$0 [args…]]`, `sh script.sh`, or a bare shell reading an empty stdin. */
const shell: Program = (p: Proc, argv: string[], io: Io) => {
  const name = basename(argv[0]);
  const args = argv.slice(1);
  let i = 0;
  let command = false;
  while (i < args.length && args[i].startsWith("-") && args[i] !== "-" && args[i] !== "--") {
    if (args[i].includes("c")) command = true;
    i++;
  }
  let script: string;
  if (command) {
    script = args[i] ?? "";
    p.positional = args.slice(i + 2);
  } else if (args[i] !== undefined) {
    const file = p.readFile(args[i]);
    if (file === undefined) {
      io.err(p.image.shell === "busybox" ? `${name}: can't open '${args[i]}': No such file or directory\n` : `${name}: 0: cannot open ${args[i]}: No such file\n`);
      return 2;
    }
    script = file;
    p.positional = args.slice(i + 1);
  } else {
    // No script: the shell reads its commands from stdin — end-of-file at once, unless the
    // container keeps stdin open (`kubectl run -it`), where it waits for whoever attaches.
    if (p.opts.stdinOpen) return p.block();
    return 0;
  }
  p.shells.push(argv.join(" "));
  const sh = new Shell(p, name);
  let list;
  try {
    list = parseScript(script);
  } catch (e) {
    if (!(e instanceof ShellSyntaxError)) throw e;
    io.err(`${name}: ${e.message}\n`);
    return 2;
  }
  // A lone simple command is exec'd by the shell: it becomes PID 1 and gets the signals.
  const lone = list.length === 1 && !list[0].background && list[0].rest.length === 0 && list[0].first.commands.length === 1 && list[0].first.commands[0].type === "simple";
  if (!lone) p.term = null;
  p.shellIsInit = !lone;
  sh.runList(list, io);
  return p.status;
};

const PROGRAMS: Record<string, Program> = {
  ...WEB_PROGRAMS,
  ...DATABASE_PROGRAMS,
  ...LANGUAGE_PROGRAMS,
  ...TUTORIAL_PROGRAMS,
  ...SYSTEM_PROGRAMS,
  // The network clients live with the network they talk to.
  wget,
  curl,
  nslookup,
  ping,
  nc,
  apk,
  pip,
  npm,
  ps,
  killall,
  top,
  ...APT_PROGRAMS,
  "entrypoint.sh": (p, argv, io) => {
    const prog = p.opts.resolve(argv[1] ?? "curl");
    return prog ? prog(p, argv.slice(1), io) : 0;
  },
};

const SHELLS = new Set(["sh", "bash", "ash", "dash"]);

const OVERRIDES: Record<string, Record<string, Program>> = {
  ...TUTORIAL_OVERRIDES,
  nginx: { "docker-entrypoint.sh": nginxEntrypoint },
};
for (const id of ["redis", "mysql", "mariadb", "postgres", "mongo", "node"]) OVERRIDES[id] = { "docker-entrypoint.sh": databaseEntrypoint };

/** The program `name` (a bare name or a path) in `image`, or undefined when it is not there. */
export function resolveProgram(image: CatalogImage, name: string): Program | undefined {
  const base = basename(name);
  const own = OVERRIDES[image.id]?.[base];
  if (own) return own;
  if (image.programs.includes(base)) return PROGRAMS[base] ?? (SHELLS.has(base) ? shell : COREUTILS[base]) ?? (() => 0);
  if (image.shell === "none") return undefined;
  if (base === "bash" && image.shell === "busybox") return undefined;
  if (SHELLS.has(base)) return shell;
  return COREUTILS[base];
}
