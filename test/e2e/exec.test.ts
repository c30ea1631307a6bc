// kubectl exec, cp, attach and run -i with the real kubectl: WebSocket streams for 1.30–1.33 (and
// 1.29 with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true), an interactive shell on a pseudo-terminal, files
// copied both ways, what exec writes reaching the kubelet's probes, and the refusal older clients get.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createSandbox, fetchRetry, kubectl, kubectlBackground, kubectlBinary, kubectlOk, type Sandbox, sandboxPost, table, writeFile } from "./harness";

const WEBSOCKET_VERSIONS = ["1.30", "1.31", "1.32", "1.33"];
const SPDY_REFUSAL =
  "Error from server (BadRequest): kubeplay serves exec, attach and cp over WebSocket only, and this kubectl asked for SPDY: use kubectl 1.30 or newer, or with kubectl 1.29 set KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true\n";

const PAIR = `apiVersion: v1
kind: Pod
metadata:
  name: pair
spec:
  containers:
  - name: a
    image: busybox:1.36
    command: ["sleep", "3600"]
  - name: b
    image: nginx:1.27
`;

const PROBED = `apiVersion: v1
kind: Pod
metadata:
  name: probed
spec:
  containers:
  - name: web
    image: nginx:1.27
    readinessProbe:
      httpGet:
        path: /healthz
        port: 80
      periodSeconds: 2
      failureThreshold: 1
`;

let sb: Sandbox;

const clock = async (body: unknown): Promise<void> => void (await sandboxPost(sb, "clock", body));

/** kubectl on a pseudo-terminal (`script`), fed keystrokes as a person would type them. */
function terminal(args: string[], version = "1.32") {
  const cmd = [kubectlBinary(version), ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const child = spawn("script", ["-qec", cmd, "/dev/null"], {
    cwd: sb.dir,
    env: { PATH: process.env.PATH ?? "", HOME: sb.dir, KUBECONFIG: sb.kubeconfig, KUBECACHEDIR: path.join(sb.dir, "cache"), TERM: "xterm" },
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
  return {
    output: () => out,
    type: (keys: string) => child.stdin.write(keys),
    async waitFor(text: string, ms = 20_000) {
      const deadline = Date.now() + ms;
      while (!out.endsWith(text)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(text)}; output so far: ${JSON.stringify(out)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    exited,
  };
}

describe("kubectl exec, cp and attach", () => {
  beforeAll(async () => {
    sb = await createSandbox();
    await clock({ paused: true });
    kubectlOk(sb, ["run", "web", "--image=nginx:1.27"]);
    kubectlOk(sb, ["apply", "-f", writeFile(sb, "pair.yaml", PAIR)]);
    kubectlOk(sb, ["run", "done", "--image=busybox:1.36", "--restart=Never", "--", "true"]);
    await clock({ advanceSeconds: 10 });
    kubectlOk(sb, ["run", "creating", "--image=nginx:1.26"]);
    expect(table(kubectlOk(sb, ["get", "pods", "--no-headers"]))).toBe(
      ["creating 0/1 ContainerCreating 0 AGE", "done 0/1 Completed 0 AGE", "pair 2/2 Running 0 AGE", "web 1/1 Running 0 AGE"].join("\n"),
    );
  });

  it.each(WEBSOCKET_VERSIONS)("kubectl %s: output, exit codes, containers and errors as a real cluster prints them", (version) => {
    const run = (args: string[]) => kubectl(sb, args, { version });
    expect(run(["exec", "web", "--", "ls", "/usr/share/nginx/html"])).toEqual({ code: 0, stdout: "50x.html\nindex.html\n", stderr: "" });
    expect(run(["exec", "web", "--", "cat", "/etc/os-release"]).stdout).toContain('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"');
    expect(run(["exec", "web", "--", "sh", "-c", "echo hi; exit 3"])).toEqual({ code: 3, stdout: "hi\n", stderr: "command terminated with exit code 3\n" });
    expect(run(["exec", "pair", "--", "hostname"])).toEqual({ code: 0, stdout: "pair\n", stderr: 'Defaulted container "a" out of: a, b\n' });
    expect(run(["exec", "pair", "-c", "b", "--", "cat", "/etc/hostname"])).toEqual({ code: 0, stdout: "pair\n", stderr: "" });
    const missing = run(["exec", "web", "--", "foo"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "foo": executable file not found in \$PATH: unknown\n$/,
    );
    expect(run(["exec", "web", "-c", "sidecar", "--", "ls"])).toEqual({ code: 1, stdout: "", stderr: "Error from server (BadRequest): container sidecar is not valid for pod web\n" });
    expect(run(["exec", "creating", "--", "ls"])).toEqual({ code: 1, stdout: "", stderr: 'error: Internal error occurred: unable to upgrade connection: container not found ("creating")\n' });
    expect(run(["exec", "done", "--", "ls"])).toEqual({ code: 1, stdout: "", stderr: "error: cannot exec into a container in a completed pod; current phase is Succeeded\n" });
    expect(run(["exec", "nope", "--", "ls"])).toEqual({ code: 1, stdout: "", stderr: 'Error from server (NotFound): pods "nope" not found\n' });
  });

  it("kubectl exec -i runs a script piped into the container's shell, keeping its state", () => {
    const r = kubectl(sb, ["exec", "-i", "web", "--", "sh"], { input: "cd /usr/share/nginx/html\nGREETING=hello\necho $GREETING > hello.txt\nls\nexit 4\n" });
    expect(r).toEqual({ code: 4, stdout: "50x.html\nhello.txt\nindex.html\n", stderr: "command terminated with exit code 4\n" });
    expect(kubectlOk(sb, ["exec", "web", "--", "cat", "/usr/share/nginx/html/hello.txt"])).toBe("hello\n");
  });

  it.each(["1.30", "1.33"])("kubectl %s exec -it: bash on a terminal with its prompt, echo, line editing and exit code", async (version) => {
    const t = terminal(["exec", "-it", "web", "--", "bash"], version);
    await t.waitFor("root@web:/# ");
    t.type("cd /etc/ngnx\x7f\x7finx\r");
    await t.waitFor("root@web:/etc/nginx# ");
    t.type("ls; false\r");
    await t.waitFor("root@web:/etc/nginx# ");
    t.type("exit 5\r");
    expect(await t.exited).toBe(5);
    expect(t.output()).toBe(
      "root@web:/# cd /etc/ngnx\b \b\b \binx\r\nroot@web:/etc/nginx# ls; false\r\nconf.d\r\nnginx.conf\r\nroot@web:/etc/nginx# exit 5\r\nexit\r\ncommand terminated with exit code 5\r\n",
    );
  });

  it("kubectl exec -it: busybox sh, Ctrl-C at the prompt and in a command that never ends, Ctrl-D to leave", async () => {
    const t = terminal(["exec", "-it", "pair", "-c", "a", "--", "sh"]);
    await t.waitFor("/ # ");
    t.type("echo never\x03");
    await t.waitFor("/ # ");
    t.type("sleep infinity\r");
    await t.waitFor("sleep infinity\r\n");
    t.type("\x03");
    await t.waitFor("/ # ");
    t.type("echo $?\r");
    await t.waitFor("/ # ");
    t.type("false\r");
    await t.waitFor("/ # ");
    t.type("\x04");
    expect(await t.exited).toBe(1);
    expect(t.output()).toBe("/ # echo never^C\r\n/ # sleep infinity\r\n^C\r\n/ # echo $?\r\n130\r\n/ # false\r\n/ # \r\ncommand terminated with exit code 1\r\n");
  });

  it.each(["1.30", "1.33"])("kubectl %s cp copies a file into the pod and one out of it", (version) => {
    writeFile(sb, "notes.txt", "héllo from the host\n");
    expect(kubectl(sb, ["cp", "notes.txt", "web:/tmp/notes.txt"], { version })).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(kubectlOk(sb, ["exec", "web", "--", "cat", "/tmp/notes.txt"])).toBe("héllo from the host\n");
    // kubectl shows tar's stderr on its stdout when copying out of a pod.
    expect(kubectl(sb, ["cp", "web:/etc/hostname", "out.txt"], { version })).toEqual({ code: 0, stdout: "tar: Removing leading `/' from member names\n", stderr: "" });
    expect(readFileSync(path.join(sb.dir, "out.txt"), "utf8")).toBe("web\n");
  });

  it("kubectl cp copies directories both ways", () => {
    writeFile(sb, "site-index.html", "<h1>copied</h1>\n");
    kubectlOk(sb, ["exec", "web", "--", "mkdir", "/tmp/site"]);
    kubectlOk(sb, ["cp", "site-index.html", "web:/tmp/site"]);
    expect(kubectlOk(sb, ["exec", "web", "--", "ls", "/tmp/site"])).toBe("site-index.html\n");
    kubectlOk(sb, ["cp", "web:/tmp/site", "site-back"]);
    expect(readFileSync(path.join(sb.dir, "site-back", "site-index.html"), "utf8")).toBe("<h1>copied</h1>\n");
  });

  it("a file written with kubectl exec makes a failing readiness probe pass", async () => {
    kubectlOk(sb, ["apply", "-f", writeFile(sb, "probed.yaml", PROBED)]);
    await clock({ advanceSeconds: 10 });
    expect(table(kubectlOk(sb, ["get", "pod", "probed", "--no-headers"]))).toBe("probed 0/1 Running 0 AGE");
    expect(kubectl(sb, ["exec", "probed", "--", "sh", "-c", "echo ok > /usr/share/nginx/html/healthz"])).toEqual({ code: 0, stdout: "", stderr: "" });
    await clock({ advanceSeconds: 3 });
    expect(table(kubectlOk(sb, ["get", "pod", "probed", "--no-headers"]))).toBe("probed 1/1 Running 0 AGE");
  });

  it("kubectl 1.29 streams over WebSocket with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true", () => {
    const env = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: "true" };
    expect(kubectl(sb, ["exec", "web", "--", "sh", "-c", "hostname; exit 2"], { version: "1.29", env })).toEqual({ code: 2, stdout: "web\n", stderr: "command terminated with exit code 2\n" });
    expect(kubectl(sb, ["cp", "web:/etc/hostname", "out-129.txt"], { version: "1.29", env }).code).toBe(0);
    expect(readFileSync(path.join(sb.dir, "out-129.txt"), "utf8")).toBe("web\n");
  });

  it.each(["1.27", "1.28", "1.29"])("kubectl %s, speaking SPDY, is told what to use instead", (version) => {
    expect(kubectl(sb, ["exec", "web", "--", "ls"], { version })).toEqual({ code: 1, stdout: "", stderr: SPDY_REFUSAL });
    expect(kubectl(sb, ["cp", "web:/etc/hostname", "x"], { version })).toMatchObject({ code: 1, stderr: SPDY_REFUSAL });
  });

  it("a read-only link refuses exec", async () => {
    const kubeconfig = path.join(sb.dir, "ro-kubeconfig");
    writeFile(sb, "ro-kubeconfig", await (await fetchRetry(`${sb.readOnlyUrl}/kubeconfig`)).text());
    const r = kubectl(sb, ["exec", "web", "--", "ls"], { env: { KUBECONFIG: kubeconfig } });
    expect(r).toEqual({ code: 1, stdout: "", stderr: 'Error from server (Forbidden): pods "web" is forbidden: this is a read-only link to the sandbox; it cannot make changes\n' });
  });

  it("kubectl attach streams what the container prints as the clock moves, until it exits", async () => {
    kubectlOk(sb, ["run", "ticker", "--image=busybox:1.36", "--restart=Never", "--", "sh", "-c", "for i in 1 2 3 4 5 6; do echo tick $i; sleep 10; done"]);
    await clock({ advanceSeconds: 5 });
    const attach = kubectlBackground(sb, ["attach", "ticker", "-v=6"]);
    // Once the upgrade is answered the server has looked at the container: output counts from there.
    await attach.waitFor((e) => e.includes("101 Switching Protocols"), 20_000, "stderr");
    await clock({ advanceSeconds: 10 });
    await attach.waitFor((out) => out.includes("tick 2\n"));
    await clock({ advanceSeconds: 60 });
    expect(await attach.exited).toBe(0);
    expect(attach.output()).toBe("tick 2\ntick 3\ntick 4\ntick 5\ntick 6\n");
  });

  it("kubectl run -it --rm … -- sh gives an interactive shell in the new pod; exit ends and removes it", async () => {
    await clock({ paused: false });
    const t = terminal(["run", "-it", "--rm", "--restart=Never", "shell", "--image=busybox:1.36", "--", "sh"]);
    await t.waitFor("/ # ", 60_000);
    t.type("echo $((6 * 7)) > /tmp/answer; cat /tmp/answer\r");
    await t.waitFor("42\r\n/ # ");
    t.type("exit 0\r");
    expect(await t.exited).toBe(0);
    await clock({ paused: true });
    expect(t.output()).toContain("If you don't see a command prompt, try pressing enter.");
    expect(t.output()).toContain('pod "shell" deleted');
    expect(kubectl(sb, ["get", "pod", "shell"]).code).not.toBe(0);
    // Without --rm the pod stays, its shell (and so its container) ended by `exit 3`.
    await clock({ paused: false });
    const kept = terminal(["run", "-it", "--restart=Never", "kept", "--image=busybox:1.36", "--", "sh"]);
    await kept.waitFor("/ # ", 60_000);
    kept.type("exit 3\r");
    await kept.exited;
    await clock({ paused: true });
    await clock({ advanceSeconds: 2 });
    expect(table(kubectlOk(sb, ["get", "pod", "kept", "--no-headers"]))).toBe("kept 0/1 Error 0 AGE");
    expect(kubectlOk(sb, ["get", "pod", "kept", "-o", "jsonpath={.status.containerStatuses[0].state.terminated.exitCode}"])).toBe("3");
    kubectlOk(sb, ["delete", "pod", "kept", "--wait=false"]);
  });

  it("kubectl run -i --rm prints what the pod printed and removes it", async () => {
    await clock({ paused: false });
    const r = kubectl(sb, ["run", "-i", "--rm", "--restart=Never", "hello", "--image=busybox:1.36", "--", "sh", "-c", "echo hello"]);
    await clock({ paused: true });
    expect(r.stdout).toBe('hello\npod "hello" deleted\n');
    expect(r.code).toBe(0);
  });
});
