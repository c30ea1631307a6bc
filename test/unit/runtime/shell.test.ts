// The shell commands in containers' specs run for real: quoting, expansion, lists, loops, files.
import { describe, expect, it } from "vitest";
import { layeredFs } from "../../../worker/runtime/fs";
import { resolveImage } from "../../../worker/runtime/images";
import { runCommand, runProcess } from "../../../worker/runtime/process";
import { nestedQuantifier } from "../../../worker/runtime/shell/regex";

const START = Date.parse("2026-01-01T00:00:00Z");

function spec(image: string, command: string[], env: Record<string, string> = {}) {
  return { image, command, env, hostname: "web-0", startedAt: START };
}

function fs(image: string, files: Record<string, string> = {}) {
  const r = resolveImage(image);
  if (!r.ok) throw new Error(r.message);
  return layeredFs({ image: r.image.files, mounts: [{ path: "/etc/config", files }] });
}

function sh(script: string, env: Record<string, string> = {}, files: Record<string, string> = {}) {
  const m = runProcess(spec("busybox:1.28", ["sh", "-c", script], env), { fs: fs("busybox:1.28", files) });
  return { out: m.output.map((o) => `${o.at / 1000}:${o.text}`), exit: m.exit };
}

describe("shell", () => {
  it("printf and echo -e read backslash escapes; printf reuses its format; arguments stay as given", () => {
    expect(sh("printf 'a\\tb\\r\\n'; printf '%s=%d\\n' x 1 y 2; printf '%s\\n' 'a\\nb'; echo -e 'c\\td\\x41\\0101'")).toEqual({
      out: ["0:a\tb\r", "0:x=1", "0:y=2", "0:a\\nb", "0:c\tdAA"],
      exit: { at: 0, code: 0 },
    });
  });

  it("runs lists with ; && || and exit codes", () => {
    expect(sh("echo hi; false && echo no || echo fallback; exit 3")).toEqual({ out: ["0:hi", "0:fallback"], exit: { at: 0, code: 3 } });
  });

  it("expands variables, defaults, arithmetic and command substitution", () => {
    expect(sh('N=2; echo "$GREETING ${NAME:-world} $((N * 21)) $(hostname)"', { GREETING: "hello" }).out).toEqual(["0:hello world 42 web-0"]);
  });

  it("keeps single quotes literal and splits unquoted expansions", () => {
    expect(sh("X='a  b'; echo '$X' $X \"$X\"").out).toEqual(["0:$X a b a  b"]);
  });

  it("moves time with sleep and prints as it goes", () => {
    expect(sh("for i in 1 2 3; do echo tick $i; sleep 2; done; echo done")).toEqual({ out: ["0:tick 1", "2:tick 2", "4:tick 3", "6:done"], exit: { at: 6000, code: 0 } });
  });

  it("recognises a loop that never ends without replaying it", () => {
    const r = sh("while true; do echo $(date +%T) alive; sleep 5; done");
    expect(r.exit).toBeUndefined();
    expect(r.out[0]).toBe("0:00:00:00 alive");
  });

  it("runs counted loops and if/case to their end", () => {
    expect(sh('i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; if [ $i -eq 3 ]; then echo three; else echo other; fi; case "$i" in 3) echo case3;; *) echo no;; esac').out).toEqual([
      "0:three",
      "0:case3",
    ]);
  });

  it("reads mounted files and writes its own", () => {
    const r = runProcess(spec("busybox:1.28", ["sh", "-c", "cat /etc/config/app.conf; echo saved > /tmp/out; cat /tmp/out; cat /nope"]), { fs: fs("busybox:1.28", { "app.conf": "port=8080\n" }) });
    expect(r.output.map((o) => `${o.stream}:${o.text}`)).toEqual(["stdout:port=8080", "stdout:saved", "stderr:cat: can't open '/nope': No such file or directory"]);
    expect(r.effects.filter((e) => e.op !== "write" || e.content).map((e) => [e.path, e.op, e.content])).toEqual([["/tmp/out", "append", "saved\n"]]);
    expect(r.exit).toEqual({ at: 0, code: 1 });
  });

  it("reports unknown commands the way the image's shell does", () => {
    expect(sh("nosuch").out).toEqual(["0:sh: nosuch: not found"]);
    expect(sh("nosuch").exit?.code).toBe(127);
    const dash = runProcess(spec("nginx:1.25", ["sh", "-c", "nosuch"]), { fs: fs("nginx:1.25") });
    expect(dash.output[0].text).toBe("sh: 1: nosuch: not found");
  });

  it("runs exec probe commands against the container's files", () => {
    expect(runCommand(spec("busybox:1.28", ["sleep", "1"]), ["cat", "/tmp/healthy"], { fs: fs("busybox:1.28") })).toMatchObject({ code: 1, stderr: "cat: can't open '/tmp/healthy': No such file or directory\n" });
    expect(runCommand(spec("busybox:1.28", ["sleep", "1"]), ["test", "-f", "/etc/config/app.conf"], { fs: fs("busybox:1.28", { "app.conf": "" }) }).code).toBe(0);
  });
});

// Command lines that once hung the interpreter, exhausted the Worker's stack or memory, or threw.
describe("hostile command lines", () => {
  const run = (script: string) => runCommand(spec("busybox:1.36", ["sleep", "1"]), ["sh", "-c", script], { fs: fs("busybox:1.36") });

  it("ends an unterminated expansion built at run time with an error, not an endless scan", () => {
    expect(run("x='echo ${'; eval \"$x\"; echo after")).toMatchObject({ code: 0, stdout: "after\n", stderr: "sh: bad substitution\n" });
    expect(run("eval 'echo $(('; echo after")).toMatchObject({ code: 0, stdout: "after\n", stderr: "sh: unterminated command substitution\n" });
  });

  it("matches nested braces and parentheses", () => {
    expect(run("echo ${a:-${b:-nested}} $(((1+(2))*3))").stdout).toBe("nested 9\n");
  });

  it("refuses nesting past 100 levels in the shell's words", () => {
    expect(run(`${"if true; then ".repeat(150)}echo x${"; fi".repeat(150)}`)).toMatchObject({ code: 2, stderr: "sh: syntax error: commands nested more than 100 deep\n" });
    expect(run(`echo ${"$(echo ".repeat(150)}x${")".repeat(150)}; echo after`)).toMatchObject({ stdout: "\nafter\n", stderr: "sh: maximum nesting level exceeded (100)\n" });
    expect(run(`echo ${"${a:-".repeat(150)}x${"}".repeat(150)}; echo after`)).toMatchObject({ stdout: "after\n", stderr: "sh: ${a:-${a:-${a:-${a:-${…}: bad substitution: nested more than 100 deep\n" });
    expect(run(`echo $((${"(".repeat(300)}1${")".repeat(300)})); echo after`).stderr).toBe("sh: ((((((((((((((((((((…: expression recursion level exceeded\n");
  });

  it("dies as bash does when a value doubled in a loop cannot be allocated", () => {
    expect(run("x=a; while true; do x=$x$x; done; echo unreachable")).toMatchObject({ code: 2, stdout: "", stderr: "sh: xmalloc: cannot allocate 33554432 bytes\n" });
  });

  it("matches nothing with a bracket range JavaScript refuses", () => {
    expect(run("case x in [z-a]) echo y;; *) echo n;; esac").stdout).toBe("n\n");
  });

  it("runs a pattern that could backtrack exponentially only on lines short enough", () => {
    // JavaScript's engine backtracks where grep's does not: `(a+)+b` on 40 a's took minutes.
    expect(run("echo aab | grep -E '(a+)+b'")).toMatchObject({ code: 0, stdout: "aab\n" });
    expect(run(`printf '${"a".repeat(40)}!\\n' | grep -E '(a+)+b'`)).toMatchObject({ code: 2, stderr: "grep: memory exhausted\n" });
    expect(run("echo 'a(b' | grep '('")).toMatchObject({ code: 2, stderr: "grep: bad regex '('\n" });
  });
});

describe("repeated groups that can match one text more than one way", () => {
  it.each([
    ["(a+)+b", true],
    ["(x*)*", true],
    ["((ab)?)+", true],
    ["(a{2,})*", true],
    ["(?:a|b+)*", true],
    ["(a|aa)+$", true],
    ["(a|ab)*c", true],
    ["(\\w|x)+", true],
    ["(a|)*", true],
    ["(foo|bar)+", false],
    ["(?<n>foo|bar)+", false],
    ["(a+)?b", false],
    ["(abc)+", false],
    ["[(a+)]+", false],
    ["\\(a+\\)+", false],
    ["^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", false],
  ])("%s → %s", (source, risky) => {
    expect(nestedQuantifier(source)).toBe(risky);
  });
});


describe("ps outside a container", () => {
  it("on a node PID 1 is systemd", async () => {
    const { Proc } = await import("../../../worker/runtime/shell/proc");
    const { ps } = await import("../../../worker/runtime/shell/procs");
    const r = resolveImage("ubuntu:22.04");
    if (!r.ok) throw new Error(r.message);
    const p = new Proc({ image: r.image, fs: fs("ubuntu:22.04"), env: {}, startedAt: START, hostname: "k8s-node1", horizon: Infinity, resolve: () => undefined });
    let out = "";
    ps(p, ["ps"], { stdin: "", out: (t) => (out += t), err: () => undefined });
    expect(out).toBe("    PID TTY          TIME CMD\n      1 ?        00:00:00 systemd\n      7 ?        00:00:00 ps\n");
  });
});
