// What each image does when started: what it serves and when, how it exits, how it takes SIGTERM,
// and memory limits.
import { describe, expect, it } from "vitest";
import { layeredFs } from "../../../worker/runtime/fs";
import { resolveImage } from "../../../worker/runtime/images";
import { containerArgv, runProcess } from "../../../worker/runtime/process";
import type { ProcessSpec } from "../../../worker/runtime/types";

const START = Date.parse("2026-01-01T00:00:00Z");

function run(image: string, extra: Partial<ProcessSpec> = {}, mounts: { path: string; files: Record<string, string> }[] = []) {
  const r = resolveImage(image);
  if (!r.ok) throw new Error(r.message);
  const fs = layeredFs({ image: r.image.files, mounts });
  const model = runProcess({ image, env: {}, hostname: "web-0", startedAt: START, ...extra }, { fs, podIP: "10.244.1.5" });
  const get = (port: number, path: string, at = 60_000) => {
    const l = model.listeners.find((x) => x.port === port && x.after <= at);
    return l?.http?.({ method: "GET", path }, { at, now: START + at, fs, hostname: "web-0", podIP: "10.244.1.5", env: {} });
  };
  return { model, get };
}

describe("image behaviour", () => {
  it("command and args combine with the image's entrypoint and cmd as Kubernetes says", () => {
    const nginx = resolveImage("nginx");
    if (!nginx.ok) throw new Error();
    expect(containerArgv(nginx.image)).toEqual(["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"]);
    expect(containerArgv(nginx.image, undefined, ["nginx-debug"])).toEqual(["/docker-entrypoint.sh", "nginx-debug"]);
    expect(containerArgv(nginx.image, ["sleep"], undefined)).toEqual(["sleep"]);
    expect(containerArgv(nginx.image, ["sh", "-c"], ["exit 1"])).toEqual(["sh", "-c", "exit 1"]);
  });

  it("nginx serves its welcome page from /usr/share/nginx/html, 404 for the rest, and stops on SIGTERM", () => {
    const { model, get } = run("nginx:1.25");
    expect(model.exit).toBeUndefined();
    expect(get(80, "/")?.status).toBe(200);
    expect(get(80, "/")?.body).toContain("<title>Welcome to nginx!</title>");
    expect(get(80, "/nope.html")).toMatchObject({ status: 404, body: expect.stringContaining("<hr><center>nginx/1.25.0</center>") });
    expect(model.term).toEqual({ after: 100, code: 0 });
    expect(model.output[0].text).toBe("/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration");
  });

  it("nginx follows a mounted config's listen port and root; an empty root answers 403", () => {
    const conf = "server { listen 8080; location / { root /data/www; } }";
    const { get } = run("nginx:1.25", {}, [
      { path: "/etc/nginx/conf.d", files: { "default.conf": conf } },
      { path: "/data/www", files: {} },
    ]);
    expect(get(8080, "/")?.status).toBe(403);
    expect(get(80, "/")).toBeUndefined();
  });

  it("httpd answers It works!", () => {
    expect(run("httpd:2.4").get(80, "/")?.body).toBe("<html><body><h1>It works!</h1></body></html>\n");
  });

  it("the tutorial apps answer what the tutorials show", () => {
    expect(run("gcr.io/google-samples/kubernetes-bootcamp:v1").get(8080, "/")?.body).toBe("Hello Kubernetes bootcamp! | Running on: web-0 | v=1\n");
    expect(run("gcr.io/google-samples/hello-app:2.0").get(8080, "/")?.body).toBe("Hello, world!\nVersion: 2.0.0\nHostname: web-0\n");
    const liveness = run("registry.k8s.io/e2e-test-images/agnhost:2.40", { args: ["liveness"] });
    expect(liveness.get(8080, "/healthz", 5_000)?.status).toBe(200);
    expect(liveness.get(8080, "/healthz", 11_000)?.status).toBe(500);
  });

  it("databases refuse to start without a password, and listen after their start-up", () => {
    expect(run("mysql:8.0").model.exit).toEqual({ at: 0, code: 1 });
    expect(run("postgres:16").model.exit?.code).toBe(1);
    const db = run("mysql:8.0", { env: { MYSQL_ROOT_PASSWORD: "secret" } }).model;
    expect(db.exit).toBeUndefined();
    expect(db.listeners.map((l) => [l.port, l.after])).toEqual([
      [3306, 12_000],
      [33060, 12_000],
    ]);
    expect(run("redis:7.2").model.listeners[0]).toMatchObject({ port: 6379 });
  });

  it("shells and sleeps as PID 1 ignore SIGTERM; a trap handles it", () => {
    expect(run("busybox:1.28", { command: ["sleep", "3600"] }).model).toMatchObject({ term: null, exit: { at: 3_600_000, code: 0 } });
    expect(run("busybox:1.28", { command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"] }).model.term).toEqual({ after: 0, code: 0 });
    // `sh -c 'nginx …'` execs nginx, which then handles the signal itself.
    expect(run("nginx:1.25", { command: ["sh", "-c", "nginx -g 'daemon off;'"] }).model.term).toEqual({ after: 100, code: 0 });
  });

  it("memory: over the limit the process is OOM-killed (137)", () => {
    const stress = (bytes: string, limit: number) => run("polinux/stress", { command: ["stress"], args: ["--vm", "1", "--vm-bytes", bytes, "--vm-hang", "1"], memoryLimit: limit * 2 ** 20 }).model;
    expect(stress("250M", 100).exit).toEqual({ at: 100, code: 137, reason: "OOMKilled" });
    expect(stress("150M", 200).exit).toBeUndefined();
    const vish = run("vish/stress", { args: ["-mem-total", "150Mi", "-mem-alloc-size", "10Mi", "-mem-alloc-sleep", "1s"], memoryLimit: 100 * 2 ** 20 }).model;
    expect(vish.exit).toMatchObject({ code: 137, reason: "OOMKilled", at: 9000 });
  });

  it("an executable missing from the image is a start error", () => {
    expect(run("hello-app:1.0".replace("hello-app", "gcr.io/google-samples/hello-app"), { command: ["sh"] }).model.exit).toMatchObject({ code: 128, reason: "StartError" });
  });
});

describe("the Job tutorial's perl", () => {
  it("computes π for a while, prints 2000 digits and exits 0", () => {
    const { model } = run("perl:5.34.0", { command: ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"] });
    expect(model.exit).toEqual({ at: 10_000, code: 0 });
    expect(model.output[0].text.slice(0, 20)).toBe("3.141592653589793238");
    expect(model.output[0].text).toHaveLength(2001);
    expect(model.output[0].text.slice(-10)).toBe("4780275901");
  });
});
