// Embedding, in a real browser: the example tutorial page starts a sandbox from a template in an
// iframe and drives it through the postMessage API (run, apply, get; `run` answered by the test's
// fake shell, which records the command, and by the server's own console); the embed modes drop the
// chrome; `/embed?manifests=` preloads a sandbox with the page's own manifests; the Share panel's snippet
// works on a page of another origin.
import type { Browser, Frame, Page } from "playwright-core";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embedSnippet } from "../../web/src/share";
import { baseUrl, createSandbox, fetchRetry } from "./harness";
import { freePort } from "./ports";
import { consoleReady, launchBrowser, openPage, screenshot, startConsoleProxy, textOf, waitForText, type ConsoleProxy } from "./console-harness";

let browser: Browser;
let proxy: ConsoleProxy;
beforeAll(async () => {
  browser = await launchBrowser();
  proxy = await startConsoleProxy(baseUrl());
});
afterAll(async () => {
  await browser?.close();
  await proxy?.stop();
});

/** Sends one message to the sandbox iframe from its parent page and resolves with the answer. */
function embedCall(page: Page, msg: Record<string, unknown>): Promise<Record<string, any>> {
  return page.evaluate(
    (m) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const frame = document.getElementById("sandbox") as HTMLIFrameElement;
        const id = `t${Math.random()}`;
        addEventListener("message", function onMessage(e) {
          if (e.data?.type === "kubeplay:result" && e.data.id === id) {
            removeEventListener("message", onMessage);
            resolve(e.data);
          }
        });
        frame.contentWindow!.postMessage({ ...m, id }, "*");
      }),
    msg,
  );
}

async function sandboxFrame(page: Page): Promise<Frame> {
  await page.waitForFunction(() => /\/s\/[a-z2-7]{26}\?embed=both$/.test((document.getElementById("sandbox") as HTMLIFrameElement).contentWindow?.location.href ?? ""), undefined, { timeout: 20_000 });
  const frame = page.frames().find((f) => f.url().includes("/s/"));
  if (!frame) throw new Error("no sandbox frame");
  return frame;
}

describe("the example tutorial page", () => {
  it("starts a sandbox from a template and runs, applies and reads through postMessage", async () => {
    const { page, errors } = await openPage(browser, `${proxy.url}/examples/tutorial`);
    await waitForText(page, "#sandbox-status", "Sandbox ready");
    const frame = await sandboxFrame(page);
    const id = new URL(frame.url()).pathname.split("/")[2];
    // No chrome in the embed: no header bar, but the view and the terminal.
    expect(await frame.locator(".bar").count()).toBe(0);
    expect(await frame.locator("#cluster-panel").count()).toBeGreaterThan(0);
    expect(await frame.locator("#terminal").count()).toBeGreaterThan(0);
    await frame.waitForFunction(() => document.querySelectorAll('[data-open^="pods/default/nginx-"]').length === 2, undefined, { timeout: 15_000 });

    // run → kubeplay:result with the command's output (the console's /console/run).
    const run = await page.locator("button[data-run]").first().elementHandle();
    await run.click();
    await page.waitForFunction((b) => b.nextElementSibling?.textContent !== "", run);
    expect(proxy.runs).toContain("kubectl get deployments,pods -o wide");
    expect(await run.evaluate((b) => b.nextElementSibling?.textContent)).toBe("fake: kubectl get deployments,pods -o wide\n");

    // apply → the ConfigMap exists.
    await page.click("button[data-apply]");
    await page.waitForFunction(() => document.querySelector("button[data-apply]")?.nextElementSibling?.textContent === "configmap/greeting created");
    const cm = await fetchRetry(`${baseUrl()}/s/${id}/api/v1/namespaces/default/configmaps/greeting`);
    expect(((await cm.json()) as { data: Record<string, string> }).data).toEqual({ message: "hello from the tutorial" });

    // get → the API's answer.
    await page.click("button[data-get]");
    await page.waitForFunction(() => document.querySelector("button[data-get]")?.nextElementSibling?.textContent?.startsWith("HTTP 200"));
    expect(await page.locator("button[data-get]").evaluate((b) => b.nextElementSibling?.textContent)).toMatch(/^HTTP 200: spec.replicas = 2, ready = \d$/);
    await screenshot(page, "tutorial-example");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("answers each request by its id, errors included", async () => {
    const { page } = await openPage(browser, `${proxy.url}/examples/tutorial`);
    await waitForText(page, "#sandbox-status", "Sandbox ready");
    const results = await Promise.all([
      embedCall(page, { type: "kubeplay:get", path: "/api/v1/nodes" }),
      embedCall(page, { type: "kubeplay:get", path: "/api/v1/namespaces/default/pods/missing" }),
      embedCall(page, { type: "kubeplay:get", path: "no-slash" }),
      embedCall(page, { type: "kubeplay:apply", yaml: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad" }),
      embedCall(page, { type: "kubeplay:run", command: "false" }),
      embedCall(page, { type: "kubeplay:launch" }),
    ]);
    expect(results[0].status).toBe(200);
    expect(results[0].body.items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual(["k8s-master", "k8s-node1", "k8s-node2"]);
    expect(results[1]).toMatchObject({ status: 404, body: { reason: "NotFound" } });
    expect(results[2].error).toContain("path must start with /");
    expect(results[3].ok).toBe(false);
    expect(results[3].results[0].message).toContain('ConfigMap "Bad" is invalid');
    expect(results[4]).toMatchObject({ exitCode: 1 });
    expect(results[5].error).toBe("unknown message type kubeplay:launch");
    await page.close();
  });

  it("runs real commands through the server's console", async () => {
    const { page } = await openPage(browser, `${baseUrl()}/examples/tutorial`);
    await waitForText(page, "#sandbox-status", "Sandbox ready");
    const r = await embedCall(page, { type: "kubeplay:run", command: "kubectl get nodes" });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n/);
    expect(r.stdout).toContain("k8s-node2");
    await page.close();
  });
});

describe("embed modes", () => {
  it("?embed=terminal shows only the terminal, ?embed=view only the cluster, ?embed=both both, none with chrome", async () => {
    const sb = await createSandbox();
    const cases: [string, string[], string[]][] = [
      ["terminal", ["#terminal"], ["#cluster-panel", ".bar", "#yaml-input"]],
      ["view", ["#cluster-panel"], ["#terminal", ".bar", "#yaml-input"]],
      ["both", ["#terminal", "#cluster-panel", "#yaml-input"], [".bar"]],
    ];
    for (const [mode, present, absent] of cases) {
      const { page, errors } = await openPage(browser, `${sb.url}?embed=${mode}`, { width: 800, height: 560 });
      await consoleReady(page);
      for (const s of present) expect(await page.locator(s).count(), `${mode}: ${s}`).toBeGreaterThan(0);
      for (const s of absent) expect(await page.locator(s).count(), `${mode}: ${s}`).toBe(0);
      await screenshot(page, `embed-${mode}`);
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it("/embed?manifests= starts a sandbox with the page's own manifests", async () => {
    const yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mine\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: mine}\n  template:\n    metadata:\n      labels: {app: mine}\n    spec:\n      containers:\n      - name: c\n        image: nginx:1.27\n";
    const { page } = await openPage(browser, `${baseUrl()}/embed?embed=view&manifests=${encodeURIComponent(yaml)}`);
    await consoleReady(page);
    expect(page.url()).toMatch(/\/s\/[a-z2-7]{26}\?embed=view$/);
    await page.waitForSelector('[data-open^="pods/default/mine-"]', { timeout: 15_000 });
    await page.close();
  });

  it("/embed with a template that does not exist says why", async () => {
    const { page } = await openPage(browser, `${baseUrl()}/embed?template=nope`);
    await waitForText(page, "#app", 'unknown template "nope"');
    await page.close();
  });
});

describe("the Share panel's snippet on another site", () => {
  it("embeds the sandbox cross-origin and answers run, apply and get to that site's page", async () => {
    const sb = await createSandbox();
    // A tutorial site of its own origin (another port), its page holding the snippet as the Share panel gives it.
    const snippet = embedSnippet(`${baseUrl()}/s/${sb.id}`, "terminal").replace("<iframe ", '<iframe id="sandbox" ');
    // The page listens before the frame loads, so the ready message cannot come first.
    const listen = `<script>window.ready = new Promise((r) => addEventListener("message", (e) => e.data?.type === "kubeplay:ready" && r({ ...e.data, origin: e.origin })));</script>`;
    const html = `<!doctype html><meta charset="utf-8"><title>A tutorial</title>${listen}<h1>Step 1</h1>${snippet}`;
    const port = await freePort();
    const site: Server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(html);
    });
    await new Promise<void>((r) => site.listen(port, "127.0.0.1", r));
    const origin = `http://localhost:${port}`;
    expect(new URL(origin).origin).not.toBe(new URL(baseUrl()).origin);
    try {
      const { page, errors } = await openPage(browser, `${origin}/`);
      const ready = await page.evaluate(() => (window as unknown as { ready: Promise<Record<string, any>> }).ready);
      expect(ready.sandbox).toMatchObject({ id: sb.id, readOnly: false });
      expect(ready.origin).toBe(new URL(baseUrl()).origin);
      const run = await embedCall(page, { type: "kubeplay:run", command: "kubectl get nodes -o name" });
      expect(run).toMatchObject({ exitCode: 0, stdout: "node/k8s-master\nnode/k8s-node1\nnode/k8s-node2\n" });
      const applied = await embedCall(page, { type: "kubeplay:apply", yaml: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-another-site\ndata:\n  a: b\n" });
      expect(applied.ok).toBe(true);
      const got = await embedCall(page, { type: "kubeplay:get", path: "/api/v1/namespaces/default/configmaps/from-another-site" });
      expect(got).toMatchObject({ status: 200, body: { data: { a: "b" } } });
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await new Promise((r) => site.close(r));
    }
  });
});
