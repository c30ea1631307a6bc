// The landing page and the sandbox page in a real browser: one click makes a sandbox and opens its
// page, which shows the nodes with the kube-system pods on them; a template's objects are there;
// the pages carry a strict CSP, and what objects carry is shown as text.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, createSandbox, fetchRetry, kubectlOk, writeFile } from "./harness";
import { clickOn, consoleReady, launchBrowser, openPage, screenshot, textOf, waitForText } from "./console-harness";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe("landing page", () => {
  it("creates a sandbox in one click, opens its page and remembers the owner token", async () => {
    const { page, errors } = await openPage(browser, `${baseUrl()}/`);
    await screenshot(page, "landing");
    await page.click("#create");
    await page.waitForURL(/\/s\/[a-z2-7]{26}$/);
    await consoleReady(page);
    const id = page.url().split("/s/")[1];
    // The three nodes, each with the kube-system pods placed on it.
    const nodes = await page.locator("[data-node]").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.node));
    expect(nodes).toEqual(["k8s-master", "k8s-node1", "k8s-node2"]);
    const master = await textOf(page, '[data-node="k8s-master"]');
    for (const pod of ["etcd-k8s-master", "kube-apiserver-k8s-master", "kube-controller-manager-k8s-master", "kube-scheduler-k8s-master", "coredns-"]) {
      expect(master).toContain(pod);
    }
    expect(await textOf(page, '[data-node="k8s-node1"]')).toContain("kube-proxy-");
    // Running and ready pods are green.
    expect(await page.locator('[data-node="k8s-master"] .pod').first().evaluate((el) => el.className)).toContain("ok");
    const stored = await page.evaluate(() => localStorage.getItem("kubeplay.sandboxes"));
    expect(JSON.parse(stored ?? "[]")[0]).toMatchObject({ id, ownerToken: expect.any(String) });
    await screenshot(page, "sandbox");
    // Back on the landing page, the sandbox is listed as this browser's.
    await page.goto(`${baseUrl()}/`);
    await waitForText(page, "#mine", id.slice(0, 12));
    expect(errors).toEqual([]);
    await page.close();
  });

  it("creates a sandbox from a template: its objects are in the view", async () => {
    const { page, errors } = await openPage(browser, `${baseUrl()}/`);
    await page.click('button[data-template="nginx"]');
    await page.waitForURL(/\/s\/[a-z2-7]{26}$/);
    await consoleReady(page);
    await waitForText(page, "#cluster-panel", "nginx-");
    await page.click('button[data-tab="workloads"]');
    await waitForText(page, "#cluster-panel", "Deployment");
    expect(await textOf(page, "#cluster-panel")).toMatch(/Deployment\s+default\s+nginx\s+\d\/2/);
    await page.click('button[data-tab="services"]');
    await waitForText(page, "#cluster-panel", "nginx");
    await screenshot(page, "services");
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("sandbox page", () => {
  it("says so for a sandbox that does not exist", async () => {
    const { page } = await openPage(browser, `${baseUrl()}/s/${"a".repeat(26)}`);
    await waitForText(page, "#app", "does not exist");
    await page.close();
  });

  it("serves every page with a strict Content-Security-Policy", async () => {
    const sb = await createSandbox();
    for (const url of [`${baseUrl()}/`, `${sb.url}`, `${baseUrl()}/embed`, `${baseUrl()}/examples/tutorial`]) {
      const res = await fetchRetry(url, { headers: { accept: "text/html" } });
      expect(res.status, url).toBe(200);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).toContain("default-src 'none'");
      expect(csp, url).not.toMatch(/script-src[^;]*unsafe/);
      await res.text();
    }
  });

  it("shows what objects carry as text, never as markup", async () => {
    const sb = await createSandbox();
    const evil = "<img src=x onerror=\"document.title='pwned'\">";
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "evil", annotations: { note: evil } }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } };
    writeFile(sb, "evil.json", JSON.stringify(pod));
    kubectlOk(sb, ["apply", "-f", "evil.json"]);
    const { page, errors } = await openPage(browser, sb.url);
    await consoleReady(page);
    await page.waitForSelector('[data-open="pods/default/evil"]');
    await clickOn(page, '[data-open="pods/default/evil"]');
    await page.click('#detail button[data-tab="describe"]');
    await waitForText(page, "#detail-describe", "note=<img");
    expect(await textOf(page, "#detail-describe")).toContain(evil);
    expect(await page.locator("#detail img").count()).toBe(0);
    expect(await page.title()).not.toBe("pwned");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("works on a narrow screen: one column, every pane reachable", async () => {
    const sb = await createSandbox();
    const { page } = await openPage(browser, sb.url, { width: 390, height: 844 });
    await consoleReady(page);
    const columns = await page.locator(".layout").evaluate((el) => getComputedStyle(el).gridTemplateColumns.split(" ").length);
    expect(columns).toBe(1);
    // Nothing wider than the screen but the scrollable tables.
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(wide).toBeLessThanOrEqual(390);
    await screenshot(page, "sandbox-narrow");
    await page.close();
  });

  it("on a narrow screen the landing page, an object's detail and an embed fit the width too", async () => {
    const narrow = { width: 390, height: 844 };
    const fits = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);
    const landing = await openPage(browser, `${baseUrl()}/`, narrow);
    await landing.page.waitForSelector("button");
    expect(await fits(landing.page)).toBeLessThanOrEqual(390);
    await screenshot(landing.page, "landing-narrow");
    await landing.page.close();

    const sb = await createSandbox();
    kubectlOk(sb, ["run", "web", "--image=nginx:1.27"]);
    const { page } = await openPage(browser, sb.url, narrow);
    await consoleReady(page);
    await clickOn(page, '[data-open="pods/default/web"]');
    await page.waitForFunction(() => (document.getElementById("detail") as HTMLDialogElement).open);
    const dialog = await page.locator("#detail").evaluate((el) => el.getBoundingClientRect().width);
    expect(dialog).toBeLessThanOrEqual(390);
    expect(await fits(page)).toBeLessThanOrEqual(390);
    await screenshot(page, "detail-narrow");
    await page.close();

    const embed = await openPage(browser, `${sb.url}?embed=both`, narrow);
    await consoleReady(embed.page);
    expect(await fits(embed.page)).toBeLessThanOrEqual(390);
    await screenshot(embed.page, "embed-narrow");
    await embed.page.close();
  });
});
