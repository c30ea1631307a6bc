// The process tools in a container: ps listing PID 1, the exec'd shell and itself (BusyBox's and
// procps' formats), the kill builtin and killall refusing PIDs and names that do not exist, a frame of
// BusyBox top, and images without them answering "not found".
import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import { container, exec, pod, row, running } from "./helpers";

const sleeper = (image: string) => ({ containers: [container("c", image, { command: ["sleep", "3600"] })] });

describe("process tools", () => {
  it("BusyBox ps: PID 1, the shell the exec started, and ps itself", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "bb", sleeper("busybox:1.36"));
    expect(await exec(cluster, "bb", ["ps"])).toMatchObject({ out: "PID   USER     TIME  COMMAND\n    1 root      0:00 sleep 3600\n    7 root      0:00 ps\n", end: { code: 0 } });
    expect((await exec(cluster, "bb", ["sh", "-c", "ps"])).out).toBe("PID   USER     TIME  COMMAND\n    1 root      0:00 sleep 3600\n    7 root      0:00 sh -c ps\n   13 root      0:00 ps\n");
  });

  it("procps ps on Ubuntu: without options and with -ef", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "u", sleeper("ubuntu:22.04"));
    expect((await exec(cluster, "u", ["ps"])).out).toBe("    PID TTY          TIME CMD\n      1 ?        00:00:00 sleep\n      7 ?        00:00:00 ps\n");
    const ef = (await exec(cluster, "u", ["ps", "-ef"])).out.split("\n");
    expect(ef[0]).toBe("UID          PID    PPID  C STIME TTY          TIME CMD");
    expect(ef[1]).toMatch(/^root {11}1 {7}0  0 \d\d:\d\d \? {8}00:00:00 sleep 3600$/);
  });

  it("images without ps say so (nginx is Debian without procps)", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "web", { containers: [container("c", "nginx:1.27")] });
    expect(await exec(cluster, "web", ["sh", "-c", "ps"])).toMatchObject({ err: "sh: 1: ps: not found\n", end: { code: 127 } });
    expect(await exec(cluster, "web", ["sh", "-c", "top -n 1"])).toMatchObject({ err: "sh: 1: top: not found\n", end: { code: 127 } });
  });

  it("kill and killall refuse what does not exist, in each shell's words", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "bb", sleeper("busybox:1.36"));
    expect(await exec(cluster, "bb", ["sh", "-c", "kill 99"])).toMatchObject({ err: "sh: can't kill pid 99: No such process\n", end: { code: 1 } });
    expect(await exec(cluster, "bb", ["sh", "-c", "kill -0 1"])).toMatchObject({ err: "", end: { code: 0 } });
    expect(await exec(cluster, "bb", ["killall", "nginx"])).toMatchObject({ err: "killall: nginx: no process killed\n", end: { code: 1 } });
    expect(await exec(cluster, "bb", ["killall", "-0", "sleep"])).toMatchObject({ err: "", end: { code: 0 } });
    await running(cluster, "web", { containers: [container("c", "nginx:1.27")] });
    expect(await exec(cluster, "web", ["sh", "-c", "kill 99"])).toMatchObject({ err: "sh: 1: kill: No such process\n", end: { code: 1 } });
    expect(await exec(cluster, "web", ["bash", "-c", "kill 99"])).toMatchObject({ err: "bash: line 1: kill: (99) - No such process\n", end: { code: 1 } });
  });

  it("BusyBox top -n 1 prints one frame with the processes", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "bb", sleeper("busybox:1.36"));
    const r = await exec(cluster, "bb", ["top", "-b", "-n", "1"]);
    expect(r.end).toEqual({ code: 0 });
    const lines = r.out.split("\n");
    expect(lines[0]).toMatch(/^Mem: \d+K used, \d+K free, 0K shrd, 0K buff, 0K cached$/);
    expect(lines[3]).toBe("  PID  PPID USER     STAT   VSZ %VSZ CPU %CPU COMMAND");
    expect(lines.slice(4, 6)).toEqual(["    7     0 root     R     1332   0%   0   0% top -b -n 1", "    1     0 root     S     1332   0%   0   0% sleep 3600"]);
  });
});

describe("package managers without a way out", () => {
  it("apt-get update cannot resolve the archives; apt-get install finds no package", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "deb", sleeper("debian:bookworm"));
    const up = await exec(cluster, "deb", ["apt-get", "update"]);
    expect(up.end).toEqual({ code: 0 });
    expect(up.out).toBe(
      "Err:1 http://deb.debian.org/debian bookworm InRelease\n  Could not resolve 'deb.debian.org'\n" +
        "Err:2 http://deb.debian.org/debian bookworm-updates InRelease\n  Could not resolve 'deb.debian.org'\n" +
        "Err:3 http://deb.debian.org/debian-security bookworm-security InRelease\n  Could not resolve 'deb.debian.org'\n" +
        "Reading package lists...\n",
    );
    expect(up.err).toContain("W: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease  Could not resolve 'deb.debian.org'\n");
    expect(up.err).toContain("W: Some index files failed to download. They have been ignored, or old ones used instead.\n");
    const inst = await exec(cluster, "deb", ["sh", "-c", "apt-get update >/dev/null 2>&1 && apt-get install -y curl"]);
    expect(inst).toMatchObject({ out: "Reading package lists...\nBuilding dependency tree...\nReading state information...\n", err: "E: Unable to locate package curl\n", end: { code: 100 } });
  });

  it("Ubuntu's archives, and apt's warning to scripts", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "u", sleeper("ubuntu:24.04"));
    const r = await exec(cluster, "u", ["apt", "update"]);
    expect(r.out.split("\n")[0]).toBe("Err:1 http://archive.ubuntu.com/ubuntu noble InRelease");
    expect(r.out).toContain("Err:2 http://security.ubuntu.com/ubuntu noble-security InRelease\n  Could not resolve 'security.ubuntu.com'\n");
    expect(r.err.startsWith("\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n")).toBe(true);
  });
});

describe("BusyBox nc", () => {
  it("checks a port, sends an HTTP request from stdin, and listens", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "web", { containers: [container("c", "nginx:1.27")] });
    await running(cluster, "bb", sleeper("busybox:1.36"));
    const ip = (cluster.get({ apiVersion: "v1", kind: "Pod" }, "default", "web") as unknown as { status: { podIP: string } }).status.podIP;
    expect(await exec(cluster, "bb", ["nc", "-zv", ip, "80"])).toMatchObject({ out: "", err: `${ip} (${ip}:80) open\n`, end: { code: 0 } });
    // One -v leaves a refusal unreported; two report it.
    expect(await exec(cluster, "bb", ["nc", "-zv", ip, "81"])).toMatchObject({ err: "", end: { code: 1 } });
    expect(await exec(cluster, "bb", ["nc", "-zvv", ip, "81"])).toMatchObject({ err: `nc: ${ip} (${ip}:81): Connection refused\n`, end: { code: 1 } });
    const get = await exec(cluster, "bb", ["sh", "-c", `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc ${ip} 80`]);
    expect(get.out.startsWith("HTTP/1.1 200 OK\r\n")).toBe(true);
    expect(get.out).toContain("<title>Welcome to nginx!</title>");
    expect(await exec(cluster, "bb", ["nc", "-z", "nowhere.invalid", "80"])).toMatchObject({ err: "nc: bad address 'nowhere.invalid'\n", end: { code: 1 } });
    // A listener a tcpSocket probe finds open.
    await cluster.apply(pod("listener", { containers: [container("c", "busybox:1.36", { command: ["nc", "-lk", "-p", "8080"], readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } })] }));
    await cluster.advance(5);
    expect(row(cluster, "listener")).toEqual({ ready: "1/1", status: "Running", restarts: "0" });
  });
});

describe("apk without a way out", () => {
  it("update cannot fetch the indexes; add cannot select the package", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "a", sleeper("alpine:3.21"));
    const up = await exec(cluster, "a", ["apk", "update"]);
    expect(up).toMatchObject({
      out: "fetch https://dl-cdn.alpinelinux.org/alpine/v3.21/main/x86_64/APKINDEX.tar.gz\nfetch https://dl-cdn.alpinelinux.org/alpine/v3.21/community/x86_64/APKINDEX.tar.gz\n2 unavailable, 0 stale; 15 distinct packages available\n",
      err: "WARNING: updating and opening https://dl-cdn.alpinelinux.org/alpine/v3.21/main: DNS lookup error\nWARNING: updating and opening https://dl-cdn.alpinelinux.org/alpine/v3.21/community: DNS lookup error\n",
      end: { code: 0 },
    });
    const add = await exec(cluster, "a", ["apk", "add", "curl"]);
    expect(add).toMatchObject({
      err:
        "WARNING: opening from cache https://dl-cdn.alpinelinux.org/alpine/v3.21/main: No such file or directory\nWARNING: opening from cache https://dl-cdn.alpinelinux.org/alpine/v3.21/community: No such file or directory\n" +
        "ERROR: unable to select packages:\n  curl (no such package):\n    required by: world[curl]\n",
      end: { code: 1 },
    });
  });
});

describe("pip and npm without their registries", () => {
  it("pip retries and finds no version; npm cannot resolve the registry", async () => {
    const cluster = await TestCluster.create();
    await running(cluster, "py", sleeper("python:3.12-slim"));
    const pipRun = await exec(cluster, "py", ["pip", "install", "requests"]);
    expect(pipRun.end).toEqual({ code: 1 });
    const lines = pipRun.err.trimEnd().split("\n");
    expect(lines).toHaveLength(7);
    expect(lines[0]).toMatch(/^WARNING: Retrying \(Retry\(total=4, connect=None, read=None, redirect=None, status=None\)\) after connection broken by 'NewConnectionError\('<pip\._vendor\.urllib3\.connection\.HTTPSConnection object at 0x[0-9a-f]+>: Failed to establish a new connection: \[Errno -2\] Name or service not known'\)': \/simple\/requests\/$/);
    expect(lines.slice(5)).toEqual(["ERROR: Could not find a version that satisfies the requirement requests (from versions: none)", "ERROR: No matching distribution found for requests"]);
    await running(cluster, "node", sleeper("node:20-alpine"));
    const npmRun = await exec(cluster, "node", ["npm", "install", "express@4"]);
    expect(npmRun.end).toEqual({ code: 1 });
    expect(npmRun.err.split("\n").slice(0, 4)).toEqual([
      "npm error code ENOTFOUND",
      "npm error syscall getaddrinfo",
      "npm error errno ENOTFOUND",
      "npm error network request to https://registry.npmjs.org/express failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org",
    ]);
    const start = await exec(cluster, "node", ["sh", "-c", `mkdir -p /app && echo '{"name":"web","version":"1.0.0","scripts":{"start":"echo serving"}}' > /app/package.json && cd /app && npm start`]);
    expect(start).toMatchObject({ out: "\n> web@1.0.0 start\n> echo serving\n\nserving\n", end: { code: 0 } });
    const missing = await exec(cluster, "node", ["sh", "-c", `mkdir -p /app && echo '{"name":"web"}' > /app/package.json && cd /app && npm run build`]);
    expect(missing.err.split("\n").slice(0, 4)).toEqual(['npm error Missing script: "build"', "npm error", "npm error To see a list of scripts, run:", "npm error   npm run"]);
    expect(missing.end).toEqual({ code: 1 });
    expect(npmRun.err).toMatch(/npm error A complete log of this run can be found in: \/root\/\.npm\/_logs\/\d{4}-\d\d-\d\dT\d\d_\d\d_\d\d_\d{3}Z-debug-0\.log\n$/);
  });
});
