// Bearer tokens with the real kubectl, which sends them only over TLS: a server of its own on https
// (wrangler's self-signed certificate). The kubeconfig's token works for every verb (exec over
// WebSocket included), the read-only link's kubeconfig reads and is refused changes, and a wrong token
// gets kubectl's "You must be logged in to the server (Unauthorized)".
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
// @ts-expect-error plain ESM helper shared with `npm start`
import { startServer } from "../../scripts/dev-server.mjs";
import { kubectl, kubectlOk, type Sandbox } from "./harness";
import { freePort } from "./ports";

/** A request to the https server, which has a self-signed certificate. */
function request(url: string, method = "GET"): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, rejectUnauthorized: false }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end();
  });
}

let server: { url: string; stop(): Promise<void> };
let persistDir: string;

beforeAll(async () => {
  persistDir = mkdtempSync(path.join(tmpdir(), "kubeplay-e2e-https-"));
  server = await startServer({ port: await freePort(), persistTo: persistDir, protocol: "https" });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(persistDir, { recursive: true, force: true });
});

/** The kubeconfig served at `url`, trusting the self-signed certificate, as a harness Sandbox. */
async function withKubeconfig(url: string, id: string): Promise<Sandbox> {
  const res = await request(`${url}/kubeconfig`);
  expect(res.status).toBe(200);
  const config = YAML.parse(res.text);
  config.clusters[0].cluster["insecure-skip-tls-verify"] = true;
  const dir = mkdtempSync(path.join(tmpdir(), `kubeplay-${id.slice(0, 6)}-`));
  const kubeconfig = path.join(dir, "kubeconfig");
  writeFileSync(kubeconfig, YAML.stringify(config));
  return { id, url, readOnlyUrl: "", ownerToken: "", kubeconfig, dir };
}

describe("bearer tokens with kubectl over https", () => {
  it("the kubeconfig's token is honoured, the read-only one reads only, a wrong one is Unauthorized", async () => {
    const created = await request(`${server.url}/api/sandboxes`, "POST");
    expect(created.status).toBe(201);
    const { id, url, readOnlyUrl } = JSON.parse(created.text) as { id: string; url: string; readOnlyUrl: string };
    const sb = await withKubeconfig(url, id);
    const ro = await withKubeconfig(readOnlyUrl, id);
    const token = (s: Sandbox) => YAML.parse(readFileSync(s.kubeconfig, "utf8")).users[0].user.token as string;
    expect(token(sb)).toMatch(/^[a-z2-7]{52}$/);

    for (const version of ["1.27", "1.33"]) {
      expect(kubectlOk(sb, ["get", "nodes", "-o", "name"], { version })).toBe("node/k8s-master\nnode/k8s-node1\nnode/k8s-node2\n");
      const wrong = kubectl(sb, ["--token", "not-this-sandboxes", "get", "pods"], { version });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain("error: You must be logged in to the server (Unauthorized)");
    }
    expect(kubectlOk(sb, ["run", "box", "--image=busybox:1.36", "--", "sleep", "3600"])).toBe("pod/box created\n");
    kubectlOk(sb, ["wait", "--for=condition=Ready", "pod/box", "--timeout=60s"]);
    expect(kubectlOk(sb, ["exec", "box", "--", "echo", "in-box"])).toBe("in-box\n");

    expect(kubectlOk(ro, ["get", "pod", "box", "-o", "name"])).toBe("pod/box\n");
    const refused = kubectl(ro, ["delete", "pod", "box"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Error from server (Forbidden)");
    const exec = kubectl(ro, ["exec", "box", "--", "touch", "/x"]);
    expect(exec.code).not.toBe(0);
    expect(exec.stderr).toContain("Forbidden");
    // The read-only token on the writable URL is read-only too.
    expect(kubectl(sb, ["--token", token(ro), "delete", "pod", "box"]).stderr).toContain("Error from server (Forbidden)");
    expect(kubectlOk(sb, ["get", "pod", "box", "-o", "name"])).toBe("pod/box\n");
  });
});
