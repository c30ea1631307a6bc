// Image references resolved as a registry would: normalisation, mirrors, tags that exist or not.
import { describe, expect, it } from "vitest";
import { parseImageRef } from "../../../worker/runtime/image-ref";
import { pullDurationMs, resolveImage } from "../../../worker/runtime/images";
import { serveFile } from "../../../worker/runtime/images/http-files";
import { layeredFs } from "../../../worker/runtime/fs";

describe("image references", () => {
  it.each([
    ["nginx", "docker.io/library/nginx:latest"],
    ["nginx:1.25", "docker.io/library/nginx:1.25"],
    ["library/nginx:1.25", "docker.io/library/nginx:1.25"],
    ["docker.io/nginx", "docker.io/library/nginx:latest"],
    ["index.docker.io/library/nginx", "docker.io/library/nginx:latest"],
    ["bitnami/redis:7.2", "docker.io/bitnami/redis:7.2"],
    ["localhost:5000/app", "localhost:5000/app:latest"],
    ["harbor.example.com/team/nginx:1.25.1-alpine", "harbor.example.com/team/nginx:1.25.1-alpine"],
    [`nginx@sha256:${"a".repeat(64)}`, `docker.io/library/nginx@sha256:${"a".repeat(64)}`],
  ])("%s → %s", (ref, canonical) => {
    const r = parseImageRef(ref);
    expect("error" in r ? r.error : r.canonical).toBe(canonical);
  });

  it("rejects malformed references with the parser's words", () => {
    expect(parseImageRef("NGINX")).toEqual({ error: "invalid reference format: repository name (library/NGINX) must be lowercase" });
    expect(parseImageRef("nginx:")).toEqual({ error: "invalid reference format" });
    expect(parseImageRef("nginx@sha256:xyz")).toEqual({ error: "invalid reference format" });
  });
});

describe("the catalog", () => {
  it.each([
    "nginx",
    "nginx:1.14.0",
    "nginx:1.25.1-alpine",
    "nginx:stable-alpine",
    "busybox:1.28",
    "alpine:3.19",
    "ubuntu:22.04",
    "debian:bookworm-slim",
    "redis:7.2-alpine",
    "mysql:8.0",
    "mariadb:11.4",
    "postgres:16-alpine",
    "mongo:7.0",
    "node:20-alpine",
    "python:3.12-slim",
    "httpd:2.4",
    "gcr.io/google-samples/kubernetes-bootcamp:v1",
    "gcr.io/google-samples/hello-app:1.0",
    "us-docker.pkg.dev/google-samples/containers/gke/hello-app:2.0",
    "registry.k8s.io/echoserver:1.4",
    "registry.k8s.io/e2e-test-images/agnhost:2.39",
    "registry.k8s.io/pause:3.10",
    "registry.k8s.io/kube-apiserver:v1.32.3",
    "registry.k8s.io/etcd:3.5.16-0",
    "registry.k8s.io/coredns/coredns:v1.11.3",
    "harbor.koten.com/koten-web/nginx:1.24.0-alpine",
  ])("%s exists", (image) => {
    const r = resolveImage(image);
    expect(r.ok).toBe(true);
  });

  it("unknown tags and repositories fail as a pull would", () => {
    const tag = resolveImage("nginx:1.999");
    expect(tag).toMatchObject({ ok: false, reason: "NotFound" });
    expect(!tag.ok && tag.message).toBe(
      'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.999": failed to resolve reference "docker.io/library/nginx:1.999": docker.io/library/nginx:1.999: not found',
    );
    expect(resolveImage("ngnix")).toMatchObject({ ok: false, reason: "AccessDenied" });
    expect(resolveImage("registry.k8s.io/nope:1")).toMatchObject({ ok: false, reason: "NotFound" });
    expect(resolveImage("harbor.example.com/team/myapp:v1")).toMatchObject({ ok: false, reason: "NotFound" });
  });

  it("has no kubernetes-bootcamp:v10, the tag the rolling-update tutorial uses to show a failed pull", () => {
    expect(resolveImage("docker.io/jocatalin/kubernetes-bootcamp:v2").ok).toBe(true);
    const v10 = resolveImage("gcr.io/google-samples/kubernetes-bootcamp:v10");
    expect(v10).toMatchObject({ ok: false, reason: "NotFound" });
    expect(!v10.ok && v10.message).toBe(
      'rpc error: code = NotFound desc = failed to pull and unpack image "gcr.io/google-samples/kubernetes-bootcamp:v10": failed to resolve reference "gcr.io/google-samples/kubernetes-bootcamp:v10": gcr.io/google-samples/kubernetes-bootcamp:v10: not found',
    );
    expect(resolveImage("docker.io/jocatalin/kubernetes-bootcamp:v10")).toMatchObject({ ok: false, reason: "NotFound" });
  });

  it("knows sizes and digests, and pulls in time proportional to size", () => {
    const r = resolveImage("nginx:1.25");
    expect(r.ok && [r.size, r.imageID]).toEqual([72_099_501, expect.stringMatching(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/)]);
    const alpine = resolveImage("nginx:alpine");
    expect(alpine.ok && alpine.size).toBeLessThan(72_099_501);
    expect(pullDurationMs(72_099_501)).toBe(2202);
  });
});

describe("web servers' file serving", () => {
  const fs = layeredFs({ image: { "/usr/share/nginx/html/index.html": "hi\n" } });

  it("answers a broken escape or a path above the root with 400, as nginx does", () => {
    // decodeURIComponent threw on `%zz`: a 500 through the API server's proxy.
    for (const path of ["/%zz", "/a%E0%A4%A", "/../../etc/passwd"]) {
      const res = serveFile("nginx", "1.25.5", fs, "/usr/share/nginx/html", path);
      expect(res.status, path).toBe(400);
      expect(res.body, path).toContain("<title>400 Bad Request</title>");
    }
    expect(serveFile("nginx", "1.25.5", fs, "/usr/share/nginx/html", "/index%2Ehtml")).toMatchObject({ status: 200, body: "hi\n" });
  });
});
