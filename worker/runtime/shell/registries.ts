// pip and npm on the Python and Node images. The package registries are outside the cluster, whose
// CoreDNS answers NXDOMAIN for them: pip retries and finds no version, npm fails with ENOTFOUND.
import type { Io, Proc, Program } from "./proc";

const isoLog = (ms: number) => new Date(ms).toISOString().replace(/:/g, "_").replace(".", "_");

/** pip install: urllib3's five retries (0.5 s doubling), then no matching distribution. */
export const pip: Program = (p, argv, io) => {
  const args = argv.slice(1);
  if (args[0] !== "install") {
    if (args[0] === "--version" || args[0] === "-V") {
      io.out("pip 24.0 from /usr/local/lib/python3.12/site-packages/pip (python 3.12)\n");
      return 0;
    }
    io.err(`ERROR: unknown command "${args[0] ?? ""}"\n`);
    return 1;
  }
  const names = args.slice(1).filter((a) => !a.startsWith("-"));
  if (names.length === 0) {
    io.err("ERROR: You must give at least one requirement to install (see \"pip help install\")\n");
    return 1;
  }
  const name = names[0];
  const project = name.replace(/[<>=!~\[].*$/, "").toLowerCase().replace(/[._]+/g, "-");
  for (let left = 4; left >= 0; left--) {
    if (left < 4) p.sleep(500 * 2 ** (3 - left));
    io.err(
      `WARNING: Retrying (Retry(total=${left}, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f3a1c2b5d90>: Failed to establish a new connection: [Errno -2] Name or service not known')': /simple/${project}/\n`,
    );
  }
  io.err(`ERROR: Could not find a version that satisfies the requirement ${name} (from versions: none)\nERROR: No matching distribution found for ${name}\n`);
  return 1;
};

function npmErrors(p: Proc, io: Io, lines: string[]): number {
  lines.push(`A complete log of this run can be found in: /root/.npm/_logs/${isoLog(p.now())}-debug-0.log`);
  io.err(lines.map((l) => `${`npm error ${l}`.trimEnd()}\n`).join(""));
  return 1;
}

/** npm start / test / run NAME: the package.json script, run by sh after npm's banner. */
function runScript(p: Proc, io: Io, name: string): number {
  const dir = p.cwd.replace(/\/$/, "");
  const text = p.readFile(`${dir}/package.json`);
  if (text === undefined) {
    return npmErrors(p, io, [
      "code ENOENT",
      "syscall open",
      `path ${dir}/package.json`,
      "errno -2",
      `enoent Could not read package.json: Error: ENOENT: no such file or directory, open '${dir}/package.json'`,
      "enoent This is related to npm not being able to find a file.",
      "enoent",
    ]);
  }
  let pkg: { name?: string; version?: string; scripts?: Record<string, string> } = {};
  try {
    pkg = JSON.parse(text);
  } catch {
    return npmErrors(p, io, ["code EJSONPARSE", `path ${dir}/package.json`, "JSON.parse Invalid package.json"]);
  }
  // Models npm's default start script: `node server.js` when there is a server.js.
  const script = pkg.scripts?.[name] ?? (name === "start" && p.readFile(`${dir}/server.js`) !== undefined ? "node server.js" : undefined);
  if (script === undefined) return npmErrors(p, io, [`Missing script: "${name}"`, "", "To see a list of scripts, run:", "  npm run"]);
  io.out(`\n> ${pkg.name ?? ""}${pkg.version ? `@${pkg.version}` : ""} ${name}\n> ${script}\n\n`);
  const sh = p.opts.resolve("sh");
  return sh ? sh(p, ["sh", "-c", script], io) : 127;
}

/** npm install <pkg>: the registry's name does not resolve. */
export const npm: Program = (p, argv, io) => {
  const args = argv.slice(1);
  const cmd = args[0];
  if (cmd === "--version" || cmd === "-v") {
    io.out("10.8.2\n");
    return 0;
  }
  if (cmd === "start" || cmd === "test" || cmd === "run" || cmd === "run-script") {
    const script = cmd === "start" || cmd === "test" ? cmd : args[1];
    return runScript(p, io, script ?? "");
  }
  if (cmd !== "install" && cmd !== "i" && cmd !== "add" && cmd !== "ci") {
    io.err(`Unknown command: "${cmd ?? ""}"\n\nTo see a list of supported npm commands, run:\n  npm help\n`);
    return 1;
  }
  const pkg = args.slice(1).find((a) => !a.startsWith("-"));
  const target = pkg ? pkg.replace(/(.)@.*$/, "$1").replace("/", "%2f") : undefined;
  // With nothing named and no package.json there is nothing to fetch.
  if (!target) {
    if (p.readFile(`${p.cwd.replace(/\/$/, "")}/package.json`) === undefined) {
      io.out("\nup to date, audited 1 package in 150ms\n\nfound 0 vulnerabilities\n");
      return 0;
    }
  }
  // fetch-retries 2, 10 s to 60 s apart.
  p.sleep(30_000);
  const url = `https://registry.npmjs.org/${target ?? "npm"}`;
  const lines = [
    "code ENOTFOUND",
    "syscall getaddrinfo",
    "errno ENOTFOUND",
    `network request to ${url} failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org`,
    "network This is a problem related to network connectivity.",
    "network In most cases you are behind a proxy or have bad network settings.",
    "network",
    "network If you are behind a proxy, please make sure that the",
    "network 'proxy' config is set properly.  See: 'npm help config'",
  ];
  return npmErrors(p, io, lines);
};
