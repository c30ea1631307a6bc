// The YAML editor in a real browser: a multi-document manifest applied with server-side apply, the
// API's refusal shown next to the document it refused, and editing an object from its detail.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, kubectlOk } from "./harness";
import { clickOn, consoleReady, launchBrowser, openPage, screenshot, textOf, waitForText } from "./console-harness";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function applyText(page: Page, text: string): Promise<void> {
  await page.click('button[data-tab="yaml"]');
  await page.locator("#yaml-input").fill(text);
  await page.click("#yaml-apply");
  await page.waitForSelector("#yaml-results li[data-doc]");
}

const TWO = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
    spec:
      containers:
      - name: web
        image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  selector:
    app: shop
  ports:
  - port: 80
`;

const INVALID = `apiVersion: v1
kind: ConfigMap
metadata:
  name: fine
data:
  a: b
---
apiVersion: v1
kind: Service
metadata:
  name: Bad_Name
spec:
  ports:
  - port: 80
`;

describe("YAML editor", () => {
  it("applies a two-document manifest, and the objects show up in the view", async () => {
    const sb = await createSandbox();
    const { page, errors } = await openPage(browser, sb.url);
    await consoleReady(page);
    await applyText(page, TWO);
    const results = await page.locator("#yaml-results li").evaluateAll((els) => els.map((e) => [e.className, (e as HTMLElement).innerText]));
    expect(results).toEqual([
      ["ok", expect.stringMatching(/^Document 1 \(line 1\) deployment\/shop in default created$/)],
      ["ok", expect.stringMatching(/^Document 2 \(line 19\) service\/shop in default created$/)],
    ]);
    // Server-side apply, by the console's field manager.
    const deploy = JSON.parse(kubectlOk(sb, ["get", "deployment", "shop", "-o", "json", "--show-managed-fields"]));
    expect(deploy.metadata.managedFields.map((f: { manager: string }) => f.manager)).toContain("kubeplay-console");
    await waitForText(page, "#cluster-panel", "shop-");
    // Applying again changes nothing and says so as kubectl's server-side apply would.
    await page.click("#yaml-apply");
    await page.waitForFunction(() => document.querySelector("#yaml-results li[data-doc]")?.textContent?.includes("configured"));
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows the API's error next to the document that failed, and applies the others", async () => {
    const sb = await createSandbox();
    const { page, errors } = await openPage(browser, sb.url);
    await consoleReady(page);
    await applyText(page, INVALID);
    const ok = await textOf(page, '#yaml-results li[data-doc="1"]');
    expect(ok).toContain("configmap/fine in default created");
    const bad = await page.locator('#yaml-results li[data-doc="2"]').evaluate((e) => [e.className, (e as HTMLElement).innerText]);
    expect(bad[0]).toBe("bad");
    expect(bad[1]).toContain("Document 2 (line 8)");
    expect(bad[1]).toContain('Service "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"');
    expect(await page.locator("#yaml-input").getAttribute("aria-invalid")).toBe("true");
    // Beside the text too: each outcome is pinned at its document's first line.
    const marks = await page.locator(".marks .mark").evaluateAll((els) =>
      els.map((e) => {
        const t = document.getElementById("yaml-input") as HTMLTextAreaElement;
        const line = Number((e as HTMLElement).dataset.line);
        const expected = t.getBoundingClientRect().top + 1 + 8 + (line - 1) * 18;
        return { cls: e.className, line, text: (e as HTMLElement).innerText, offset: Math.round(e.getBoundingClientRect().top - expected) };
      }),
    );
    expect(marks).toEqual([
      { cls: "mark ok", line: 1, text: "✓ created", offset: 0 },
      { cls: "mark bad", line: 8, text: expect.stringContaining('✗ Service "Bad_Name" is invalid'), offset: 0 },
    ]);
    // The document's link selects it in the editor.
    await page.click('#yaml-results li[data-doc="2"] button');
    const selected = await page.locator("#yaml-input").evaluate((e) => {
      const t = e as HTMLTextAreaElement;
      return t.value.slice(t.selectionStart, t.selectionEnd);
    });
    expect(selected).toBe("apiVersion: v1");
    expect(kubectlOk(sb, ["get", "configmap", "fine", "-o", "name"]).trim()).toBe("configmap/fine");
    await screenshot(page, "editor-error");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("reports a document that is not YAML, and one of a kind the API does not serve", async () => {
    const sb = await createSandbox();
    const { page } = await openPage(browser, sb.url);
    await consoleReady(page);
    await applyText(page, "apiVersion: v1\nkind: Gadget\nmetadata:\n  name: g\n---\nkind: [oops\n");
    expect(await textOf(page, '#yaml-results li[data-doc="1"]')).toContain('no matches for kind "Gadget" in version "v1"');
    expect(await page.locator('#yaml-results li[data-doc="2"]').getAttribute("class")).toBe("bad");
    await page.close();
  });

  it("edits an object from its detail and applies the change", async () => {
    const sb = await createSandbox();
    kubectlOk(sb, ["create", "service", "clusterip", "api", "--tcp=80:8080"]);
    const { page } = await openPage(browser, sb.url);
    await consoleReady(page);
    await page.click('button[data-tab="services"]');
    await clickOn(page, '[data-open="services/default/api"]');
    await page.click("#detail-edit");
    await page.waitForFunction(() => (document.getElementById("yaml-input") as HTMLTextAreaElement).value.includes("name: api"));
    const text = await page.locator("#yaml-input").inputValue();
    expect(text).not.toContain("resourceVersion");
    expect(text).not.toContain("status:");
    const edited = text.replace(/\n {2}labels:\n {4}app: api\n/, "\n  labels:\n    app: api\n    tier: backend\n");
    expect(edited).not.toBe(text);
    await page.locator("#yaml-input").fill(edited);
    // kubectl create owns the labels: taking them over is the "force" box.
    await page.click("#yaml-force");
    await page.click("#yaml-apply");
    await page.waitForFunction(() => document.querySelector("#yaml-results li[data-doc]")?.textContent?.includes("configured"));
    expect(JSON.parse(kubectlOk(sb, ["get", "service", "api", "-o", "json"])).metadata.labels).toEqual({ app: "api", tier: "backend" });
    await page.close();
  });
});
