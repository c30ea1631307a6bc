// Web servers: nginx (its welcome page, config-driven port and root), Apache httpd ("It works!"),
// the echoserver and the HPA walkthrough's php-apache.
import type { CatalogImage } from "../images";
import type { Io, Proc, Program } from "../shell/proc";
import type { HttpServer } from "../types";
import { serveFile } from "./http-files";

const NGINX_LATEST = "1.27.3";

export const NGINX_WELCOME = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

const NGINX_DEFAULT_CONF = `server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    #access_log  /var/log/nginx/host.access.log  main;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    #error_page  404              /404.html;

    # redirect server error pages to the static page /50x.html
    #
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`;

const NGINX_CONF = `
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
`;

const NGINX_50X = `<!DOCTYPE html>
<html>
<head>
<title>Error</title>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
</body>
</html>
`;

function logTime(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace(/-/g, "/").slice(0, 19);
}

/** One request a server answered, as its access log sees it (the kubelet's probes, requests served through the network). */
export interface AccessRecord {
  /** Virtual epoch ms it was answered at. */
  at: number;
  client: string;
  method: string;
  /** Path with its query, as sent. */
  path: string;
  status: number;
  /** Bytes of the response body. */
  bytes: number;
  userAgent: string;
  referer?: string;
  forwardedFor?: string;
}

/** How a server logs a request it answered: the stream its access log goes to, and the lines. */
export type AccessLog = (r: AccessRecord) => { stream: "stdout" | "stderr"; lines: string[] };

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const two = (n: number) => String(n).padStart(2, "0");

/** `23/Nov/2026:10:00:05 +0000`: nginx's $time_local and Apache's %t in a UTC container. */
export function clfTime(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

const dash = (s: string | undefined) => (s ? s : "-");
const requestLine = (r: AccessRecord) => `${r.method} ${r.path} HTTP/1.1`;

// The official image's nginx.conf: `log_format main` (combined plus X-Forwarded-For), access.log → stdout.
const nginxAccess: AccessLog = (r) => ({
  stream: "stdout",
  lines: [`${r.client} - - [${clfTime(r.at)}] "${requestLine(r)}" ${r.status} ${r.bytes} "${dash(r.referer)}" "${dash(r.userAgent)}" "${dash(r.forwardedFor)}"`],
});

// The echoserver's nginx logs in nginx's predefined `combined` format.
const echoserverAccess: AccessLog = (r) => ({
  stream: "stdout",
  lines: [`${r.client} - - [${clfTime(r.at)}] "${requestLine(r)}" ${r.status} ${r.bytes} "${dash(r.referer)}" "${dash(r.userAgent)}"`],
});

// The official httpd image: `CustomLog /proc/self/fd/1 common`; %b is "-" for an empty body.
const httpdAccess: AccessLog = (r) => ({
  stream: "stdout",
  lines: [`${r.client} - - [${clfTime(r.at)}] "${requestLine(r)}" ${r.status} ${r.bytes || "-"}`],
});

/** Debian's Apache (php:apache images) logs `combined` with %O, the bytes sent including headers. */
function apacheSent(r: AccessRecord): number {
  const d = new Date(r.at);
  const date = `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} GMT`;
  const head = `HTTP/1.1 ${r.status} OK\r\nDate: ${date}\r\nServer: Apache/2.4.10 (Debian)\r\nX-Powered-By: PHP/5.6.40\r\nContent-Length: ${r.bytes}\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n`;
  return head.length + r.bytes;
}

const phpApacheAccess: AccessLog = (r) => ({
  stream: "stdout",
  lines: [`${r.client} - - [${clfTime(r.at)}] "${requestLine(r)}" ${r.status} ${apacheSent(r)} "${dash(r.referer)}" "${dash(r.userAgent)}"`],
});

/** Access-log formats of the web servers, by listener `server` name. */
export const WEB_ACCESS_LOGS: Record<string, AccessLog> = { nginx: nginxAccess, echoserver: echoserverAccess, httpd: httpdAccess, apache: phpApacheAccess };

/** The version a server reports: the image tag's version when it names one. */
export function versionOf(p: Proc, fallback: string): string {
  const m = /(\d+\.\d+(?:\.\d+)?)/.exec(p.opts.imageTag ?? "");
  return m ? (m[1].split(".").length === 2 ? `${m[1]}.0` : m[1]) : fallback;
}

/** nginx's listen port and root from its configuration files (the first server block wins). */
function nginxSite(p: Proc): { port: number; root: string } {
  const confs = [p.readFile("/etc/nginx/nginx.conf") ?? "", ...p.list("/etc/nginx/conf.d").filter((n) => n.endsWith(".conf")).map((n) => p.readFile(`/etc/nginx/conf.d/${n}`) ?? "")];
  const all = confs.join("\n");
  let site = nginxSites.get(all);
  if (!site) {
    const text = all.replace(/#.*$/gm, "");
    const listen = /\blisten\s+(?:[\d.]+:)?(\d+)/.exec(text);
    const root = /\broot\s+([^;\s]+)\s*;/.exec(text);
    site = { port: listen ? Number(listen[1]) : 80, root: root?.[1] ?? "/usr/share/nginx/html" };
    if (nginxSites.size >= 100) nginxSites.clear();
    nginxSites.set(all, site);
  }
  return { ...site };
}

/** Sites by configuration text: every nginx container of an image reads the same files. */
const nginxSites = new Map<string, { port: number; root: string }>();

const nginx: Program = (p: Proc, argv: string[], io: Io) => {
  if (argv.includes("-v") || argv.includes("-V")) {
    io.err(`nginx version: nginx/${versionOf(p, NGINX_LATEST)}\n`);
    return 0;
  }
  if (argv.includes("-t")) {
    io.err("nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n");
    return 0;
  }
  if (argv.includes("-s")) return 0;
  const version = versionOf(p, NGINX_LATEST);
  const site = nginxSite(p);
  const t = logTime(p.now());
  for (const line of ["using the \"epoll\" event method", `nginx/${version}`, "built by gcc 12.2.0 (Debian 12.2.0-14)", "OS: Linux 5.15.0-119-generic", "getrlimit(RLIMIT_NOFILE): 1048576:1048576", "start worker processes", "start worker process 29", "start worker process 30"]) {
    io.err(`${t} [notice] 1#1: ${line}\n`);
  }
  const http: HttpServer = (req, ctx) => serveFile("nginx", version, ctx.fs, site.root, req.path);
  p.listen({ port: site.port, protocol: "TCP", after: 50, http, server: "nginx" });
  // nginx exits on SIGTERM after its workers finish the requests in flight.
  p.term = { after: 100, code: 0 };
  if (argv.join(" ").includes("daemon off")) p.block();
  return 0;
};

/** The official image's entrypoint: announces its configuration scripts, then execs the command. */
export const nginxEntrypoint: Program = (p, argv, io) => {
  const cmd = argv.slice(1);
  if (cmd[0] === "nginx" || cmd[0] === "nginx-debug") {
    for (const line of [
      "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
      "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
      "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
      "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
      "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
      "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
      "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
      "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
      "/docker-entrypoint.sh: Configuration complete; ready for start up",
    ]) {
      io.out(`${line}\n`);
    }
  }
  return cmd.length ? execArgv(p, cmd, io) : 0;
};

/** Runs argv as the process itself (what `exec "$@"` does at the end of an entrypoint). */
export function execArgv(p: Proc, argv: string[], io: Io): number {
  const prog = p.opts.resolve(argv[0]);
  if (!prog) {
    io.err(`${p.notFound(argv[0], "/docker-entrypoint.sh")}\n`);
    return 127;
  }
  return prog(p, argv, io);
}

const httpd: Program = (p, _argv, io) => {
  const version = versionOf(p, "2.4.62");
  const ip = p.opts.podIP || "127.0.0.1";
  const t = new Date(p.now()).toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) ([\d:]+) GMT$/, "$1 $3 $2 $5.000000 $4");
  const msg = `AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using ${ip}. Set the 'ServerName' directive globally to suppress this message`;
  io.err(`${msg}\n${msg}\n`);
  io.err(`[${t}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/${version} (Unix) configured -- resuming normal operations\n`);
  io.err(`[${t}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'\n`);
  p.listen({ port: 80, protocol: "TCP", after: 100, http: (req, ctx) => serveFile("apache", version, ctx.fs, "/usr/local/apache2/htdocs", req.path), server: "httpd" });
  p.term = { after: 200, code: 0 };
  return p.block();
};

const echoserver: Program = (p) => {
  p.listen({
    port: 8080,
    protocol: "TCP",
    after: 100,
    server: "echoserver",
    http: (req, ctx) => ({
      status: 200,
      body: `\n\nHostname: ${ctx.hostname}\n\nPod Information:\n\t-no pod information available-\n\nServer values:\n\tserver_version=nginx: 1.13.3 - lua: 10008\n\nRequest Information:\n\tclient_address=${ctx.podIP}\n\tmethod=${req.method}\n\treal path=${req.path.split("?")[0]}\n\tquery=${req.path.split("?")[1] ?? ""}\n\trequest_version=1.1\n\trequest_scheme=http\n\trequest_uri=http://${ctx.podIP}:8080${req.path}\n\nRequest Headers:\n\taccept=*/*\n\thost=${ctx.podIP}:8080\n\tuser-agent=curl/7.81.0\n\nRequest Body:\n\t-no body in request-\n\n`,
    }),
  });
  p.term = { after: 100, code: 0 };
  return p.block();
};

const phpApache: Program = (p) => {
  p.listen({ port: 80, protocol: "TCP", after: 500, server: "apache", http: () => ({ status: 200, body: "OK!" }) });
  p.term = { after: 200, code: 0 };
  return p.block();
};

export const WEB_PROGRAMS: Record<string, Program> = {
  nginx,
  "nginx-debug": nginx,
  "httpd-foreground": httpd,
  httpd,
  "run-echoserver.sh": echoserver,
  "apache2-foreground": phpApache,
};

const nginxLines = { "1.9": 15, "1.10": 3, "1.11": 13, "1.12": 2, "1.13": 12, "1.14": 2, "1.15": 12, "1.16": 1, "1.17": 10, "1.18": 0, "1.19": 10, "1.20": 2, "1.21": 6, "1.22": 1, "1.23": 4, "1.24": 0, "1.25": 5, "1.26": 3, "1.27": 5, "1.28": 0, "1.29": 1 };

export const WEB_IMAGES: CatalogImage[] = [
  {
    id: "nginx",
    repositories: ["docker.io/library/nginx", "docker.io/nginxinc/nginx-unprivileged", "docker.io/bitnami/nginx", "public.ecr.aws/nginx/nginx", "mcr.microsoft.com/oss/nginx/nginx"],
    names: ["nginx", "nginx-unprivileged"],
    tags: { named: ["latest", "stable", "mainline", "perl", "otel", "bookworm", "bullseye"], lines: nginxLines, variants: ["alpine", "alpine-slim", "alpine-perl", "alpine-otel", "perl", "otel", "bookworm", "bullseye", "bookworm-perl"] },
    size: 72_099_501,
    variantSizes: { alpine: 20_506_178, "alpine-slim": 5_289_024, "alpine-perl": 31_000_912 },
    config: { entrypoint: ["/docker-entrypoint.sh"], cmd: ["nginx", "-g", "daemon off;"], ports: [80] },
    shell: "dash",
    memoryMi: 3,
    // The Debian image installs curl with nginx (its Dockerfile: `apt-get install … gettext-base curl`).
    programs: ["nginx", "nginx-debug", "docker-entrypoint.sh", "bash", "curl"],
    files: {
      "/usr/share/nginx/html/index.html": NGINX_WELCOME,
      "/usr/share/nginx/html/50x.html": NGINX_50X,
      "/etc/nginx/nginx.conf": NGINX_CONF,
      "/etc/nginx/conf.d/default.conf": NGINX_DEFAULT_CONF,
      "/etc/os-release": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n',
    },
  },
  {
    id: "httpd",
    repositories: ["docker.io/library/httpd", "docker.io/bitnami/apache"],
    names: ["httpd", "apache"],
    tags: { named: ["latest", "bookworm"], lines: { "2.2": 34, "2.4": 62 }, variants: ["alpine", "bookworm", "alpine3.20", "alpine3.21"] },
    size: 58_200_000,
    variantSizes: { alpine: 22_300_000 },
    config: { cmd: ["httpd-foreground"], workingDir: "/usr/local/apache2", ports: [80] },
    shell: "dash",
    memoryMi: 6,
    programs: ["httpd-foreground", "httpd", "bash"],
    files: {
      "/usr/local/apache2/htdocs/index.html": "<html><body><h1>It works!</h1></body></html>\n",
      "/usr/local/apache2/conf/httpd.conf": "ServerRoot \"/usr/local/apache2\"\nListen 80\nDocumentRoot \"/usr/local/apache2/htdocs\"\n",
    },
  },
  {
    id: "echoserver",
    repositories: ["registry.k8s.io/echoserver", "k8s.gcr.io/echoserver", "gcr.io/google_containers/echoserver"],
    names: ["echoserver"],
    tags: { named: ["1.4", "1.10"] },
    size: 46_360_000,
    config: { cmd: ["/usr/local/bin/run.sh"], ports: [8080] },
    shell: "dash",
    memoryMi: 5,
    programs: ["run.sh", "run-echoserver.sh", "nginx"],
    files: {},
  },
  {
    id: "hpa-example",
    repositories: ["registry.k8s.io/hpa-example", "k8s.gcr.io/hpa-example", "gcr.io/google_containers/hpa-example"],
    names: ["hpa-example"],
    tags: { named: ["latest"] },
    size: 146_000_000,
    config: { cmd: ["apache2-foreground"], ports: [80] },
    shell: "dash",
    memoryMi: 12,
    programs: ["apache2-foreground"],
    files: { "/var/www/html/index.php": '<?php\n  $x = 0.0001;\n  for ($i = 0; $i <= 1000000; $i++) {\n    $x += sqrt($x);\n  }\n  echo "OK!";\n?>\n' },
  },
];

// echoserver's run.sh is its own program name in the image.
WEB_PROGRAMS["run.sh"] = echoserver;
