// The sandbox limits as the real kubectl meets them, on a server of its own started with low limits
// (MAX_PODS, MAX_WATCHES and the sandbox's request rate as wrangler vars): the 403 exceeded-quota
// and 429 TooManyRequests Statuses printed as kubectl prints an API server's, and client-go waiting
// as long as Retry-After says before it tries again.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM helper shared with `npm start`
import { startServer } from "../../scripts/dev-server.mjs";
import { fetchRetry, kubectl, type Sandbox } from "./harness";
import { freePort } from "./ports";

const MAX_PODS = 12;
const VARS = { MAX_PODS: String(MAX_PODS), MAX_WATCHES: "2", RATE_SANDBOX_RPS: "0.5", RATE_SANDBOX_BURST: "60", RATE_CLIENT_RPS: "0" };

const persistTo = mkdtempSync(path.join(tmpdir(), "kubeplay-limits-"));
let server: { url: string; stop(): Promise<void> };

beforeAll(async () => {
  server = await startServer({ port: await freePort(), persistTo, vars: VARS });
});

afterAll(async () => {
  await server?.stop();
  rmSync(persistTo, { recursive: true, force: true });
});

async function sandbox(): Promise<Sandbox> {
  const res = await fetchRetry(`${server.url}/api/sandboxes`, { method: "POST" });
  const sb = (await res.json()) as { id: string; url: string; readOnlyUrl: string; ownerToken: string; kubeconfigUrl: string };
  const dir = mkdtempSync(path.join(tmpdir(), `kubeplay-${sb.id.slice(0, 6)}-`));
  const kubeconfig = path.join(dir, "kubeconfig");
  writeFileSync(kubeconfig, await (await fetchRetry(sb.kubeconfigUrl)).text());
  return { ...sb, kubeconfig, dir };
}

/** Waits (by the sandbox's clock endpoint, which answers once the controllers settled) for the cluster to react. */
async function settle(sb: Sandbox): Promise<void> {
  await fetchRetry(`${server.url}/api/sandboxes/${sb.id}/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ advanceSeconds: 1 }) });
}

describe("limits, as kubectl sees them", () => {
  it("the pod quota: kubectl prints the API server's 403, and a Deployment's ReplicaSet says why it stopped", async () => {
    const sb = await sandbox();
    const pods = (await (await fetchRetry(`${sb.url}/api/v1/pods`)).json()) as { items: unknown[] };
    const free = MAX_PODS - pods.items.length;
    expect(free).toBeGreaterThan(0);
    for (let i = 0; i < free; i++) expect(kubectl(sb, ["run", `p${i}`, "--image=nginx", "--restart=Never"])).toMatchObject({ code: 0, stdout: `pod/p${i} created\n` });
    expect(kubectl(sb, ["run", "over", "--image=nginx", "--restart=Never"])).toEqual({
      code: 1,
      stdout: "",
      stderr: `Error from server (Forbidden): pods "over" is forbidden: exceeded quota: kubeplay-sandbox, requested: pods=1, used: pods=${MAX_PODS}, limited: pods=${MAX_PODS}\n`,
    });
    expect(kubectl(sb, ["create", "deployment", "web", "--image=nginx", "--replicas=2"]).code).toBe(0);
    await settle(sb);
    const described = kubectl(sb, ["describe", "rs"]);
    expect(described.stdout).toMatch(new RegExp(`Warning {2}FailedCreate {2}.* replicaset-controller {2}Error creating: pods "web-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: kubeplay-sandbox, requested: pods=1, used: pods=${MAX_PODS}, limited: pods=${MAX_PODS}`));
    expect(described.stdout).toMatch(/ReplicaFailure +True +FailedCreate/);
  });

  it("the request rate: a 429 with Retry-After, which client-go honours by waiting and trying again", async () => {
    const sb = await sandbox();
    // Use up the sandbox's burst.
    let refused: Response | undefined;
    for (let i = 0; i < 100 && !refused; i++) {
      const res = await fetchRetry(`${sb.url}/api/v1/namespaces/default/pods`);
      if (res.status === 429) refused = res;
      else await res.arrayBuffer();
    }
    expect(refused).toBeDefined();
    // One token every two seconds: the wait left is two seconds, or one when part of a token has
    // come back while the burst was being used up (a slow machine).
    const wait = Number(refused!.headers.get("retry-after"));
    expect([1, 2]).toContain(wait);
    expect(await refused!.json()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Too many requests, please try again later.",
      reason: "TooManyRequests",
      details: { retryAfterSeconds: wait },
      code: 429,
    });
    // kubectl is told to wait: it logs the 429, waits the two seconds it was told, and gets its answer.
    const r = kubectl(sb, ["get", "pods", "-v=8"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/No resources found in default namespace\.\n$/);
    expect(r.stderr).toMatch(/Response Status: 429 Too Many Requests in \d+ milliseconds$/m);
    expect(r.stderr).toMatch(/ {4}Retry-After: [12]$/m);
    expect(r.stderr).toMatch(/Got a Retry-After [12]s response for attempt 1 to /);
  });

  it("open watches: past the limit kubectl's watch gets 429, retries as told, then prints the error", async () => {
    const sb = await sandbox();
    const held = await Promise.all([0, 1].map(() => fetchRetry(`${sb.url}/api/v1/namespaces/default/configmaps?watch=1`)));
    expect(held.map((r) => r.status)).toEqual([200, 200]);
    try {
      const r = kubectl(sb, ["get", "configmaps", "--watch-only"]);
      expect(r).toEqual({
        code: 1,
        stdout: "",
        stderr: "Error from server (TooManyRequests): Too many requests: this sandbox allows 2 open watches at a time; close one and try again\n",
      });
    } finally {
      await Promise.all(held.map((r) => r.body?.cancel()));
    }
  });
});
