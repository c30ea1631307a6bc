// Commands exec'd into running containers: the container's files and environment, writes kept in
// its layer, the pod's emptyDir and the node's files, read-only mounts refusing writes, the kubelet's
// and runc's errors, and interactive shells keeping their state between lines.
import { describe, expect, it } from "vitest";
import { AttachSession, type SessionEnd } from "../../../worker/kubelet/exec-session";
import { machineOf } from "../../../worker/kubelet/machine";
import { TestCluster } from "../../cluster";
import { container, exec, pod, runner, running } from "./helpers";

const nginx = (extra: Record<string, unknown> = {}) => ({ containers: [container("c", "nginx:1.27", extra)] });
const busybox = (extra: Record<string, unknown> = {}) => ({ containers: [container("c", "busybox:1.36", { command: ["sleep", "3600"], ...extra })] });

describe("exec: one command", () => {
  it("sees the image's files, the kubelet's files and the container's environment", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "web", nginx({ env: [{ name: "MODE", value: "prod" }] }));
    expect(await exec(cluster, "web", ["cat", "/etc/os-release"])).toMatchObject({ out: expect.stringContaining('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"'), end: { code: 0 } });
    expect((await exec(cluster, "web", ["ls", "/usr/share/nginx/html"])).out).toBe("50x.html\nindex.html\n");
    expect((await exec(cluster, "web", ["cat", "/etc/hostname"])).out).toBe("web\n");
    expect((await exec(cluster, "web", ["sh", "-c", "echo $MODE $HOSTNAME; pwd"])).out).toBe("prod web\n/\n");
  });

  it("reports the exit code and keeps stdout and stderr apart", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "web", nginx());
    expect(await exec(cluster, "web", ["sh", "-c", "echo hi; echo oops >&2; exit 3"])).toMatchObject({ out: "hi\n", err: "oops\n", end: { code: 3 } });
    expect(await exec(cluster, "web", ["sh", "-c", "nope"])).toMatchObject({ err: "sh: 1: nope: not found\n", end: { code: 127 } });
    expect(await exec(cluster, "web", ["bash", "-c", "nope"])).toMatchObject({ err: "bash: line 1: nope: command not found\n", end: { code: 127 } });
  });

  it("fails like containerd and runc for a program the image does not have", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "web", nginx());
    const r = await exec(cluster, "web", ["foo"]);
    expect(r.end).toEqual({ error: expect.stringMatching(/^error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "foo": executable file not found in \$PATH: unknown$/) });
    expect((await exec(cluster, "web", ["/bin/zsh"])).end).toEqual({ error: expect.stringContaining('exec: "/bin/zsh": stat /bin/zsh: no such file or directory: unknown') });
    await running(cluster, "alpine", { containers: [container("c", "nginx:1.27-alpine")] });
    expect((await exec(cluster, "alpine", ["bash"])).end).toEqual({ error: expect.stringContaining('exec: "bash": executable file not found in $PATH') });
  });

  it("has curl in nginx's Debian image, as the official image installs it", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "web", nginx());
    const r = await exec(cluster, "web", ["curl", "-s", "localhost"]);
    expect(r.end).toEqual({ code: 0 });
    expect(r.out).toContain("<h1>Welcome to nginx!</h1>");
  });

  it("refuses a container that is not running with the kubelet's words", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("slow", nginx()));
    expect((await exec(cluster, "slow", ["ls"])).end).toEqual({ error: 'unable to upgrade connection: container not found ("c")' });
  });

  it("keeps what a command writes in the container's layer, appends included", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "web", nginx());
    await exec(cluster, "web", ["sh", "-c", "echo ok > /usr/share/nginx/html/healthz; echo extra >> /usr/share/nginx/html/50x.html; mkdir /srv/empty; rm /etc/nginx/conf.d/default.conf"]);
    expect((await exec(cluster, "web", ["cat", "/usr/share/nginx/html/healthz"])).out).toBe("ok\n");
    expect((await exec(cluster, "web", ["sh", "-c", "tail -n 2 /usr/share/nginx/html/50x.html; ls /srv; ls /etc/nginx/conf.d"])).out).toBe("</html>\nextra\nempty\n");
  });

  it("shares emptyDir between the pod's containers and writes hostPath to the node", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "two", {
      volumes: [{ name: "shared", emptyDir: {} }, { name: "host", hostPath: { path: "/var/kubeplay-data" } }],
      containers: [
        container("c", "busybox:1.36", { command: ["sleep", "3600"], volumeMounts: [{ name: "shared", mountPath: "/shared" }, { name: "host", mountPath: "/host" }] }),
        container("web", "nginx:1.27", { volumeMounts: [{ name: "shared", mountPath: "/usr/share/nginx/html" }] }),
      ],
    });
    await exec(cluster, "two", ["sh", "-c", "echo '<h1>shared</h1>' > /shared/index.html; echo kept > /host/note"]);
    expect((await exec(cluster, "two", ["cat", "/usr/share/nginx/html/index.html"], { container: "web" })).out).toBe("<h1>shared</h1>\n");
    expect(machineOf(cluster.store, "k8s-node1")?.files?.["/var/kubeplay-data/note"]).toBe("kept\n");
  });

  it("writes into a claimed PersistentVolume, which the next pod sees", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "pv-1" }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: "/mnt/pv-1" }, claimRef: { namespace: "default", name: "data" } } });
    await cluster.apply({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data", namespace: "default" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, volumeName: "pv-1" } });
    await cluster.modify({ apiVersion: "v1", kind: "PersistentVolumeClaim" }, "default", "data", (o) => void (o.status = { phase: "Bound" }), "status");
    const spec = { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }], containers: [container("c", "busybox:1.36", { command: ["sleep", "3600"], volumeMounts: [{ name: "data", mountPath: "/data" }] })] };
    await running(cluster, "first", spec);
    await exec(cluster, "first", ["sh", "-c", "echo saved > /data/note"]);
    await running(cluster, "second", spec);
    expect((await exec(cluster, "second", ["cat", "/data/note"])).out).toBe("saved\n");
  });

  it("refuses writes to configMap, secret and readOnly mounts like Linux", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "default" }, data: { "app.conf": "port=80\n" } });
    const mounts = { volumeMounts: [{ name: "cfg", mountPath: "/etc/config" }, { name: "data", mountPath: "/data", readOnly: true }] };
    const volumes = [{ name: "cfg", configMap: { name: "cfg" } }, { name: "data", emptyDir: {} }];
    await running(cluster, "bb", { volumes, containers: [container("c", "busybox:1.36", { command: ["sleep", "3600"], ...mounts })] });
    await running(cluster, "web", { volumes, containers: [container("c", "nginx:1.27", mounts)] });
    expect(await exec(cluster, "bb", ["sh", "-c", "echo x > /etc/config/x; echo next; cat /etc/config/app.conf"])).toMatchObject({ out: "next\nport=80\n", err: "sh: can't create /etc/config/x: Read-only file system\n", end: { code: 0 } });
    expect(await exec(cluster, "bb", ["touch", "/data/x"])).toMatchObject({ err: "touch: /data/x: Read-only file system\n", end: { code: 1 } });
    expect(await exec(cluster, "web", ["sh", "-c", "echo x > /etc/config/app.conf"])).toMatchObject({ err: "sh: 1: cannot create /etc/config/app.conf: Read-only file system\n", end: { code: 2 } });
    expect(await exec(cluster, "web", ["rm", "/etc/config/app.conf"])).toMatchObject({ err: "rm: cannot remove '/etc/config/app.conf': Read-only file system\n", end: { code: 1 } });
    expect((await exec(cluster, "web", ["cat", "/etc/config/app.conf"])).out).toBe("port=80\n");
  });
});

describe("exec: stdin", () => {
  it("feeds a command that reads stdin once it ends, and runs one that does not at once", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "bb", busybox());
    expect(await exec(cluster, "bb", ["sh", "-c", "cat > /tmp/in; wc -l < /tmp/in"], { stdin: "a\nb\n" })).toMatchObject({ out: "2\n", end: { code: 0 } });
    const ls = await exec(cluster, "bb", ["ls", "/tmp"], { stdin: true });
    expect(ls).toMatchObject({ out: "in\n", end: { code: 0 } });
    const cat = await exec(cluster, "bb", ["cat"], { stdin: true });
    expect(cat.end).toBeUndefined();
    await cat.session.input("partial ");
    await cat.session.input("input\n");
    expect(cat.end).toBeUndefined();
    await cat.session.endInput();
    expect(cat).toMatchObject({ out: "partial input\n", end: { code: 0 } });
  });

  it("copies files in and out with tar, as kubectl cp does", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "web", nginx());
    const out = await exec(cluster, "web", ["tar", "cf", "-", "/etc/hostname"]);
    expect(out.err).toBe("tar: Removing leading `/' from member names\n");
    expect(out.out.slice(0, 12)).toBe("etc/hostname");
    await exec(cluster, "web", ["tar", "-xmf", "-", "-C", "/tmp"], { stdin: out.out });
    expect((await exec(cluster, "web", ["cat", "/tmp/etc/hostname"])).out).toBe("web\n");
  });

  it("runs a shell's stdin line by line, keeping variables and the directory", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "bb", busybox());
    const r = await exec(cluster, "bb", ["sh"], { stdin: "cd /tmp\nX=42\nfor i in 1 2; do\necho $i\ndone\necho $X $(pwd) > out\ncat out\nexit 4\necho never\n" });
    expect(r).toMatchObject({ out: "1\n2\n42 /tmp\n", end: { code: 4 } });
  });

  it("keeps a command that never ends open; the terminal's Ctrl-C ends it", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "bb", busybox());
    const r = await exec(cluster, "bb", ["sh", "-c", "echo started; sleep infinity"], { stdin: true, tty: true });
    expect(r.out).toBe("started\r\n");
    expect(r.end).toBeUndefined();
    await r.session.input("\x03");
    expect(r).toMatchObject({ out: "started\r\n^C\r\n", end: { code: 130 } });
  });
});

describe("exec: interactive shells", () => {
  it("busybox sh: prompt, echo, backspace, state across lines, exit code", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "bb", busybox());
    const r = await exec(cluster, "bb", ["sh"], { stdin: true, tty: true });
    expect(r.out).toBe("/ # ");
    await r.session.input("cd /tmpx\x7f\r");
    await r.session.input("A=1; echo $A $(pwd)\r");
    await r.session.input("echo lost\x03");
    await r.session.input("exit 3\r");
    expect(r.out).toBe("/ # cd /tmpx\b \b\r\n/tmp # A=1; echo $A $(pwd)\r\n1 /tmp\r\n/tmp # echo lost^C\r\n/tmp # exit 3\r\n");
    expect(r.end).toEqual({ code: 3 });
  });

  it("prompts as dash and as Debian's bash do, and bash says exit on Ctrl-D", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "web", nginx());
    const sh = await exec(cluster, "web", ["sh"], { stdin: true, tty: true });
    expect(sh.out).toBe("# ");
    const bash = await exec(cluster, "web", ["bash"], { stdin: true, tty: true });
    await bash.session.input("cd /etc/nginx\rnope\r\x04");
    expect(bash.out).toBe("root@web:/# cd /etc/nginx\r\nroot@web:/etc/nginx# nope\r\nbash: nope: command not found\r\nroot@web:/etc/nginx# exit\r\n");
    expect(bash.end).toEqual({ code: 127 });
  });

  it("commits each line's writes as it completes, so the cluster sees them before the session ends", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "web", nginx());
    const r = await exec(cluster, "web", ["sh"], { stdin: true, tty: true });
    await r.session.input("echo ok > /usr/share/nginx/html/ready\r");
    expect((await exec(cluster, "web", ["cat", "/usr/share/nginx/html/ready"])).out).toBe("ok\n");
    expect(r.end).toBeUndefined();
  });

  it("ends with 137 when the container goes away under the session", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "web", nginx());
    const r = await exec(cluster, "web", ["sh"], { stdin: true, tty: true });
    await cluster.delete({ apiVersion: "v1", kind: "Pod", metadata: { namespace: "default", name: "web" } });
    await cluster.advance(40);
    await r.session.input("ls\r");
    expect(r.end).toEqual({ code: 137 });
  });
});

describe("attach", () => {
  it("streams the output printed from now on and ends when the process exits", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "ticker", { restartPolicy: "Never", containers: [container("c", "busybox:1.36", { command: ["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9; do echo tick $i; sleep 4; done"] })] });
    let out = "";
    let end: SessionEnd | undefined;
    const a = new AttachSession({ namespace: "default", pod: "ticker", container: "c" }, false, runner(cluster), { write: (_s, t) => (out += t), end: (e) => (end = e) });
    await a.poll();
    expect(out).toBe("");
    await cluster.advance(8);
    await a.poll();
    expect(out).toMatch(/^tick \d\ntick \d\n$/);
    await cluster.advance(60);
    await a.poll();
    expect(out.split("\n").at(-2)).toBe("tick 9");
    expect(end).toEqual({ code: 0 });
    const late = new AttachSession({ namespace: "default", pod: "ticker", container: "c" }, false, runner(cluster), { write: () => undefined, end: (e) => (end = e) });
    await late.poll();
    expect(end).toEqual({ error: "unable to upgrade connection: container c not found in pod ticker_default" });
  });
});
