// The built-in ingress controller's routing: which Ingresses it serves (class, legacy annotation, no
// class), host matching (exact before a one-label wildcard, the catch-all server), pathType
// semantics and the longest match, default backends, the address it publishes, and what the entry
// Service answers when nothing matches (nginx's 404) or the backend has no endpoints (503).
import { describe, expect, it } from "vitest";
import { ClusterNetwork } from "../../../worker/network/network";
import { buildIngressTable, matchIngress, nginxErrorPage, publishedAddresses, servedByNginx } from "../../../worker/network/ingress";
import type { KubeObject } from "../../../worker/resources/types";
import { cluster, type Objects } from "./fixture";

const NOW = Date.parse("2026-01-02T00:00:00Z");
const NGINX_CLASS: KubeObject = { apiVersion: "networking.k8s.io/v1", kind: "IngressClass", metadata: { name: "nginx" }, spec: { controller: "k8s.io/ingress-nginx" } };
const OTHER_CLASS: KubeObject = { apiVersion: "networking.k8s.io/v1", kind: "IngressClass", metadata: { name: "traefik" }, spec: { controller: "traefik.io/ingress-controller" } };

const backend = (name: string, port: number | string = 80) => ({ service: { name, port: typeof port === "number" ? { number: port } : { name: port } } });
const path = (p: string, pathType: string, svc: string) => ({ path: p, pathType, backend: backend(svc) });

let seq = 0;
function ingress(spec: Record<string, unknown>, extra: { annotations?: Record<string, string>; namespace?: string; created?: string; name?: string } = {}): KubeObject {
  seq++;
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: extra.name ?? `ing${seq}`, namespace: extra.namespace ?? "default", creationTimestamp: extra.created ?? `2026-01-01T00:00:${String(seq % 60).padStart(2, "0")}Z`, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec,
  };
}

describe("which Ingresses the controller serves", () => {
  const cases: [string, KubeObject, boolean][] = [
    ["class nginx", ingress({ ingressClassName: "nginx" }), true],
    ["another controller's class", ingress({ ingressClassName: "traefik" }), false],
    ["a class that does not exist", ingress({ ingressClassName: "missing" }), false],
    ["the legacy annotation for nginx", ingress({}, { annotations: { "kubernetes.io/ingress.class": "nginx" } }), true],
    ["the legacy annotation for another", ingress({}, { annotations: { "kubernetes.io/ingress.class": "traefik" } }), false],
    ["no class at all (--watch-ingress-without-class)", ingress({}), true],
  ];
  for (const [name, ing, served] of cases) it(name, () => expect(servedByNginx(ing, [NGINX_CLASS, OTHER_CLASS])).toBe(served));
});

describe("routing", () => {
  const table = buildIngressTable(
    [
      ingress({
        rules: [
          { host: "foo.example.com", http: { paths: [path("/", "Prefix", "foo-root"), path("/api", "Prefix", "foo-api"), path("/api/v2", "Prefix", "foo-v2"), path("/login", "Exact", "foo-login"), path("/static", "ImplementationSpecific", "foo-static"), path("/docs/", "Prefix", "foo-docs")] } },
          { host: "*.example.com", http: { paths: [path("/", "Prefix", "wild")] } },
          { http: { paths: [path("/anyhost", "Prefix", "anyhost")] } },
        ],
      }),
      ingress({ defaultBackend: backend("fallback"), rules: [{ host: "bar.example.com", http: { paths: [path("/exact", "Exact", "bar-exact")] } }] }),
      // A younger Ingress cannot take a path an older one holds; a new path on the same host merges.
      ingress({ rules: [{ host: "foo.example.com", http: { paths: [path("/api", "Prefix", "late"), path("/new", "Prefix", "foo-new")] } }] }),
      ingress({ ingressClassName: "traefik", rules: [{ host: "traefik.test", http: { paths: [path("/", "Prefix", "traefik")] } }] }),
    ],
    [NGINX_CLASS, OTHER_CLASS],
  );
  const cases: [string, string, string | undefined][] = [
    ["foo.example.com", "/", "foo-root"],
    ["FOO.example.com", "/", "foo-root"],
    ["foo.example.com", "/api", "foo-api"],
    ["foo.example.com", "/api/", "foo-api"],
    ["foo.example.com", "/api/users", "foo-api"],
    ["foo.example.com", "/apix", "foo-root"],
    ["foo.example.com", "/api/v2/x", "foo-v2"],
    ["foo.example.com", "/api/v2x", "foo-api"],
    ["foo.example.com", "/login", "foo-login"],
    ["foo.example.com", "/login/", "foo-root"],
    ["foo.example.com", "/staticfiles/a.css", "foo-static"],
    ["foo.example.com", "/docs", "foo-docs"],
    ["foo.example.com", "/docs/intro", "foo-docs"],
    ["foo.example.com", "/new/thing", "foo-new"],
    ["a.example.com", "/x", "wild"],
    ["a.b.example.com", "/x", "fallback"],
    ["example.com", "/x", "fallback"],
    ["bar.example.com", "/exact", "bar-exact"],
    ["bar.example.com", "/other", "fallback"],
    ["unknown.test", "/anyhost/1", "anyhost"],
    ["unknown.test", "/", "fallback"],
    ["traefik.test", "/", "fallback"],
  ];
  for (const [host, p, want] of cases) it(`${host}${p} → ${want}`, () => expect(matchIngress(table, host, p)?.backend.service?.name).toBe(want));

  it("without any default backend, an unmatched request goes to the controller's 404", () => {
    const t = buildIngressTable([ingress({ rules: [{ host: "foo.example.com", http: { paths: [path("/app", "Prefix", "app")] } }] })], [NGINX_CLASS]);
    expect(matchIngress(t, "foo.example.com", "/")).toBeUndefined();
    expect(matchIngress(t, "other", "/app")).toBeUndefined();
  });
});

function withEntry(o: Objects): Objects {
  o.add("networking.k8s.io/ingressclasses", NGINX_CLASS);
  o.service(
    "ingress-nginx-controller",
    { type: "LoadBalancer", clusterIP: "10.96.5.5", ports: [{ name: "http", port: 80, targetPort: "http", nodePort: 32080, protocol: "TCP" }, { name: "https", port: 443, targetPort: "https", nodePort: 32443, protocol: "TCP" }] },
    "ingress-nginx",
  );
  (o.get("/services", "ingress-nginx", "ingress-nginx-controller") as { status?: unknown }).status = { loadBalancer: { ingress: [{ ip: "172.18.255.200", ipMode: "VIP" }] } };
  return o;
}

describe("the entry Service", () => {
  it("publishes the balancer's address, else externalIPs, else the ClusterIP", () => {
    const o = withEntry(cluster());
    expect(publishedAddresses(o)).toEqual([{ ip: "172.18.255.200" }]);
    const svc = o.get("/services", "ingress-nginx", "ingress-nginx-controller")!;
    (svc.spec as Record<string, unknown>).type = "NodePort";
    expect(publishedAddresses(o)).toEqual([{ ip: "10.96.5.5" }]);
    (svc.spec as Record<string, unknown>).externalIPs = ["203.0.113.9"];
    expect(publishedAddresses(o)).toEqual([{ ip: "203.0.113.9" }]);
    expect(publishedAddresses(cluster())).toEqual([]);
  });

  it("is answered by the controller on its ClusterIP, LoadBalancer IP and NodePorts", () => {
    const o = withEntry(cluster());
    const req = { method: "GET", path: "/", headers: { Host: "nothing.example.com" } };
    const fromPod = new ClusterNetwork({ reader: o, now: NOW }, { ip: "10.244.2.9", node: "k8s-node2", kind: "pod" });
    const outside = new ClusterNetwork({ reader: o, now: NOW }, { ip: "192.168.1.1", kind: "outside" });
    for (const [net, ip, port] of [
      [fromPod, "10.96.5.5", 80],
      [fromPod, "10.96.5.5", 443],
      [fromPod, "172.18.255.200", 80],
      [outside, "172.18.255.200", 80],
      [outside, "192.168.1.11", 32080],
    ] as const) {
      const out = net.http(ip, port, req, NOW);
      expect(out).toMatchObject({ kind: "response", status: 404, body: nginxErrorPage(404) });
    }
    // A port the Service does not have is dropped like any other.
    expect(fromPod.http("10.96.5.5", 8080, req, NOW).kind).toBe("timeout");
  });

  it("answers nginx's 404 page and 503 for a backend without endpoints", () => {
    const o = withEntry(cluster());
    o.add("networking.k8s.io/ingresses", ingress({ rules: [{ host: "web.test", http: { paths: [path("/", "Prefix", "empty"), path("/gone", "Prefix", "nosuch")] } }] }));
    o.service("empty", { clusterIP: "10.96.7.7", selector: { app: "none" }, ports: [{ port: 80, targetPort: 80, protocol: "TCP" }] });
    const net = new ClusterNetwork({ reader: o, now: NOW }, { ip: "192.168.1.12", node: "k8s-node2", kind: "host" });
    const get = (host: string, p: string) => net.http("172.18.255.200", 80, { method: "GET", path: p, headers: { Host: host } }, NOW);
    const notFound = get("other.test", "/");
    expect(notFound).toMatchObject({ kind: "response", status: 404 });
    if (notFound.kind !== "response") throw new Error("no response");
    expect(notFound.body).toBe("<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n");
    expect(notFound.headers).toEqual({ Date: "Fri, 02 Jan 2026 00:00:00 GMT", "Content-Type": "text/html", "Content-Length": "146", Connection: "keep-alive" });
    const unavailable = get("web.test:80", "/");
    expect(unavailable).toMatchObject({ kind: "response", status: 503, body: expect.stringContaining("<title>503 Service Temporarily Unavailable</title>") });
    expect(get("web.test", "/gone")).toMatchObject({ kind: "response", status: 503 });
  });
});
