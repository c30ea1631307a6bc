// The images of the kubernetes.io tutorials: kubernetes-bootcamp, hello-app, agnhost (its
// netexec, serve-hostname, liveness and pause modes), and the memory stress images.
import type { CatalogImage } from "../images";
import type { Program } from "../shell/proc";
import { parseQuantity, parseSleep } from "../units";
import type { AccessLog } from "./web";
import { tryUnescapeUrl } from "../../util/url";

const bootcamp: Program = (p) => {
  const version = (p.opts.imageTag ?? "v1").replace(/^v/, "") || "1";
  p.listen({
    port: 8080,
    protocol: "TCP",
    after: 300,
    server: "node",
    http: (_req, ctx) => ({ status: 200, body: `Hello Kubernetes bootcamp! | Running on: ${ctx.hostname} | v=${version}\n` }),
  });
  // node as PID 1 installs no SIGTERM handler: it waits for SIGKILL.
  p.term = null;
  return p.block();
};

const helloApp: Program = (p, _argv, io) => {
  const version = (p.opts.imageTag ?? "1.0").startsWith("2") ? "2.0.0" : "1.0.0";
  const port = p.vars.get("PORT") || "8080";
  io.err(`${new Date(p.now()).toISOString().replace("T", " ").replace(/-/g, "/").slice(0, 19)} Server listening on port ${port}\n`);
  p.listen({ port: Number(port), protocol: "TCP", after: 50, server: "hello-app", http: (_r, ctx) => ({ status: 200, body: `Hello, world!\nVersion: ${version}\nHostname: ${ctx.hostname}\n` }) });
  p.term = { after: 0, code: 2 };
  return p.block();
};

function flag(argv: string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}` || argv[i] === `-${name}`) return argv[i + 1];
    if (argv[i].startsWith(`--${name}=`) || argv[i].startsWith(`-${name}=`)) return argv[i].slice(argv[i].indexOf("=") + 1);
  }
  return undefined;
}

const agnhost: Program = (p, argv, io) => {
  const sub = argv[1];
  p.term = { after: 0, code: 2 };
  switch (sub) {
    case "netexec": {
      const port = Number(flag(argv, "http-port") ?? 8080);
      io.err(`Started HTTP server on port ${port}\n`);
      p.listen({
        port,
        protocol: "TCP",
        after: 50,
        server: "agnhost",
        http: (req, ctx) => {
          const path = req.path.split("?")[0];
          if (path === "/hostname") return { status: 200, body: ctx.hostname };
          if (path === "/clientip") return { status: 200, body: `${ctx.podIP}:34512` };
          if (path === "/echo") return { status: 200, body: tryUnescapeUrl(/msg=([^&]*)/.exec(req.path)?.[1] ?? "") ?? "" };
          return { status: 200, body: "NOW: " + new Date(ctx.now).toISOString() };
        },
      });
      return p.block();
    }
    case "serve-hostname": {
      const port = Number(flag(argv, "port") ?? 9376);
      p.listen({ port, protocol: "TCP", after: 50, server: "agnhost", http: (_r, ctx) => ({ status: 200, body: ctx.hostname }) });
      return p.block();
    }
    case "liveness": {
      // Models test/images/agnhost/liveness/server.go: /healthz answers 200 for ten seconds, then 500.
      p.listen({
        port: 8080,
        protocol: "TCP",
        after: 0,
        server: "agnhost",
        changesAt: [10_000],
        http: (req, ctx) => {
          if (req.path.split("?")[0] !== "/healthz") return { status: 404, body: "404 page not found\n" };
          const secs = ctx.at / 1000;
          return secs > 10 ? { status: 500, body: `error: ${secs.toFixed(6)}` } : { status: 200, body: "ok" };
        },
      });
      return p.block();
    }
    case "grpc-health-checking": {
      // Models test/images/agnhost/grpc-health-checking: a health server for --service on --port,
      // NOT_SERVING from --delay-unhealthy-sec on (never when negative). The HTTP control server's
      // /make-not-serving would need state a request cannot write here: it is not modelled.
      const port = Number(flag(argv, "port") ?? 5000);
      const httpPort = Number(flag(argv, "http-port") ?? 8080);
      const delay = Number(flag(argv, "delay-unhealthy-sec") ?? -1);
      const log = (text: string) => io.err(`${new Date(p.now()).toISOString().replace("T", " ").replace(/-/g, "/").slice(0, 19)} ${text}\n`);
      log(`Http server starting to listen on :${httpPort}`);
      log(`gRPC server starting to listen on :${port}`);
      p.listen({ port: httpPort, protocol: "TCP", after: 50, server: "agnhost", http: () => ({ status: 404, body: "404 page not found\n" }) });
      const notServingFrom = delay >= 0 ? delay * 1000 : undefined;
      p.listen({
        port,
        protocol: "TCP",
        after: 50,
        server: "agnhost",
        grpc: { health: [flag(argv, "service") ?? ""], ...(notServingFrom !== undefined ? { notServingFrom } : {}) },
        // changesAt counts from the listener's own start, 50 ms in.
        ...(notServingFrom ? { changesAt: [notServingFrom - 50] } : {}),
      });
      return p.block();
    }
    case "pause":
      io.err("Paused\n");
      p.term = { after: 0, code: 0 };
      return p.block();
    case "test-webserver": {
      p.listen({ port: Number(flag(argv, "port") ?? 80), protocol: "TCP", after: 50, server: "agnhost", http: () => ({ status: 200, body: "ok" }) });
      return p.block();
    }
    default:
      io.err(`Error: unknown command "${sub ?? ""}" for "agnhost"\nRun 'agnhost --help' for usage.\n`);
      return 1;
  }
};

/** vish/stress: allocates `-mem-alloc-size` every `-mem-alloc-sleep` up to `-mem-total`, then holds. */
const vishStress: Program = (p, argv, io) => {
  const total = parseQuantity(flag(argv, "mem-total") ?? "0") ?? 0;
  const step = parseQuantity(flag(argv, "mem-alloc-size") ?? "4Ki") || 4096;
  const pause = parseSleep(flag(argv, "mem-alloc-sleep")?.replace(/ms$/, "") ?? "1") ?? 1000;
  io.err(`I0101 00:00:00.000000       1 main.go:26] Allocating "${flag(argv, "mem-total") ?? "0"}" memory, in "${flag(argv, "mem-alloc-size") ?? "4Ki"}" chunks, with a ${flag(argv, "mem-alloc-sleep") ?? "1ms"} sleep between allocations\n`);
  for (let allocated = 0; allocated < total; allocated += step) {
    p.alloc(step);
    p.sleep(pause);
  }
  io.err("I0101 00:00:00.000000       1 main.go:29] Allocated \"" + (flag(argv, "mem-total") ?? "0") + "\" memory\n");
  return p.block();
};

// hello-app's handler: `log.Printf("Serving request: %s", r.URL.Path)` (Go's log: stderr, local time).
const helloAppAccess: AccessLog = (r) => ({
  stream: "stderr",
  lines: [`${new Date(r.at).toISOString().replace("T", " ").replace(/-/g, "/").slice(0, 19)} Serving request: ${r.path.split("?")[0]}`],
});

/** Access-log formats, by listener `server` name. */
export const TUTORIAL_ACCESS_LOGS: Record<string, AccessLog> = { "hello-app": helloAppAccess };

export const TUTORIAL_PROGRAMS: Record<string, Program> = {
  "hello-app": helloApp,
  agnhost,
};

/** Programs whose name other images use for something else. */
export const TUTORIAL_OVERRIDES: Record<string, Record<string, Program>> = {
  "kubernetes-bootcamp": { node: bootcamp },
  "vish-stress": { stress: vishStress },
};

export const TUTORIAL_IMAGES: CatalogImage[] = [
  {
    id: "kubernetes-bootcamp",
    repositories: ["gcr.io/google-samples/kubernetes-bootcamp", "docker.io/jocatalin/kubernetes-bootcamp"],
    names: ["kubernetes-bootcamp"],
    // No v10: the rolling-update tutorial sets that tag to show a pull that fails.
    tags: { named: ["v1", "v2"] },
    size: 76_000_000,
    config: { cmd: ["/bin/sh", "-c", "node server.js"], ports: [8080] },
    shell: "dash",
    memoryMi: 20,
    programs: ["node"],
    files: { "/server.js": "var http = require('http');\nvar handleRequest = function(request, response) {\n  response.setHeader('Content-Type', 'text/plain');\n  response.writeHead(200);\n  response.write(\"Hello Kubernetes bootcamp! | Running on: \");\n  response.write(host);\n  response.end(\" | v=1\\n\");\n}\nvar www = http.createServer(handleRequest);\nwww.listen(8080,function () {});\n" },
  },
  {
    id: "hello-app",
    repositories: ["gcr.io/google-samples/hello-app", "us-docker.pkg.dev/google-samples/containers/gke/hello-app"],
    names: ["hello-app"],
    tags: { named: ["1.0", "2.0"] },
    size: 11_000_000,
    config: { cmd: ["/hello-app"], ports: [8080] },
    shell: "none",
    memoryMi: 4,
    programs: ["hello-app"],
    files: {},
  },
  {
    id: "agnhost",
    repositories: ["registry.k8s.io/e2e-test-images/agnhost", "k8s.gcr.io/e2e-test-images/agnhost"],
    names: ["agnhost"],
    tags: { named: [], lines: Object.fromEntries(Array.from({ length: 44 }, (_, i) => [`2.${i + 10}`, 0])) },
    size: 51_700_000,
    config: { entrypoint: ["/agnhost"] },
    shell: "busybox",
    memoryMi: 6,
    programs: ["agnhost"],
    files: {},
  },
  {
    id: "stress",
    repositories: ["docker.io/polinux/stress", "docker.io/progrium/stress", "docker.io/alexeiled/stress-ng"],
    names: ["stress"],
    tags: { named: ["latest", "1.0.4"] },
    size: 4_100_000,
    config: { cmd: ["stress", "--help"] },
    shell: "busybox",
    memoryMi: 1,
    programs: ["stress"],
    files: {},
  },
  {
    id: "vish-stress",
    repositories: ["docker.io/vish/stress"],
    names: [],
    tags: { named: ["latest"] },
    size: 2_800_000,
    config: { entrypoint: ["/stress"], cmd: ["-logtostderr"] },
    shell: "none",
    memoryMi: 1,
    programs: ["stress"],
    files: {},
  },
];
