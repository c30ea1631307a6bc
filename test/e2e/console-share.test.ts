// Time controls, the read-only link, fork, and the "use with your own kubectl" panel, in a real browser.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, createSandbox, fetchRetry, kubectlOk } from "./harness";
import { clickOn, consoleReady, launchBrowser, openPage, screenshot, textOf, waitForText } from "./console-harness";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function clockOf(id: string): Promise<{ now: string; timeScale: number; paused: boolean }> {
  const res = await fetchRetry(`${baseUrl()}/api/sandboxes/${id}`);
  return ((await res.json()) as { clock: { now: string; timeScale: number; paused: boolean } }).clock;
}

describe("time controls", () => {
  it("pause, speed, skip ahead and play change the sandbox's clock", async () => {
    const sb = await createSandbox();
    const { page, errors } = await openPage(browser, sb.url);
    await consoleReady(page);
    await page.click("#clock-pause");
    await page.waitForFunction(() => document.getElementById("clock-pause")?.textContent === "Play");
    expect((await clockOf(sb.id)).paused).toBe(true);
    const before = Date.parse((await clockOf(sb.id)).now);
    const shown = await page.locator("#clock-now").evaluate((e) => (e as HTMLTimeElement).dateTime);
    expect(Math.abs(Date.parse(shown) - before)).toBeLessThan(1500);

    // Skipping an hour runs the clock an hour on, and the page shows the new time.
    await page.click('button[data-skip="3600"]');
    await page.waitForFunction((t) => Date.parse((document.getElementById("clock-now") as HTMLTimeElement).dateTime) >= t, before + 3600_000, { timeout: 15_000 });
    const after = Date.parse((await clockOf(sb.id)).now);
    expect(after - before).toBeGreaterThanOrEqual(3600_000);
    expect(after - before).toBeLessThan(3602_000);

    await page.selectOption("#clock-speed", "10");
    await page.waitForFunction(async (id) => (await (await fetch(`/api/sandboxes/${id}`)).json()).clock.timeScale === 10, sb.id, { polling: 100 });
    await page.click("#clock-pause");
    await page.waitForFunction(() => document.getElementById("clock-pause")?.textContent === "Pause");
    expect(await clockOf(sb.id)).toMatchObject({ paused: false, timeScale: 10 });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("ages in the view follow a skip ahead", async () => {
    const sb = await createSandbox();
    const { page } = await openPage(browser, sb.url);
    await consoleReady(page);
    await page.click('button[data-tab="events"]');
    kubectlOk(sb, ["run", "web", "--image=nginx:1.27"]);
    await waitForText(page, "#cluster-panel", "Scheduled");
    await page.click('button[data-skip="300"]');
    // Five virtual minutes on, the events are five minutes old.
    await page.waitForFunction(() => /\b5m\d*s?\b/.test((document.getElementById("cluster-panel") as HTMLElement).innerText), undefined, { timeout: 15_000 });
    await page.close();
  });

  it("an open read-only page follows the clock when it is changed elsewhere (the API), ages too", async () => {
    const sb = await createSandbox();
    kubectlOk(sb, ["run", "aged", "--image=nginx:1.27"]);
    const { page, errors } = await openPage(browser, sb.readOnlyUrl);
    await consoleReady(page);
    await page.click('button[data-tab="events"]');
    await waitForText(page, "#cluster-panel", "Scheduled");
    expect(await page.locator("#clock-paused").evaluate((e) => (e as HTMLElement).hidden)).toBe(true);
    const post = (body: unknown) => fetchRetry(`${baseUrl()}/api/sandboxes/${sb.id}/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect((await post({ paused: true })).status).toBe(200);
    await page.waitForFunction(() => !(document.getElementById("clock-paused") as HTMLElement).hidden, undefined, { timeout: 15_000 });
    const before = Date.parse((await clockOf(sb.id)).now);
    expect((await post({ advanceSeconds: 1800 })).status).toBe(200);
    // The page shows the new virtual time (paused, so exactly it), and the events are half an hour old.
    await page.waitForFunction((t) => Date.parse((document.getElementById("clock-now") as HTMLTimeElement).dateTime) >= t, before + 1800_000, { timeout: 15_000 });
    const shown = Date.parse(await page.locator("#clock-now").evaluate((e) => (e as HTMLTimeElement).dateTime));
    expect(Math.abs(shown - Date.parse((await clockOf(sb.id)).now))).toBeLessThan(1000);
    await page.waitForFunction(() => /\b3[01]m\b/.test((document.getElementById("cluster-panel") as HTMLElement).innerText), undefined, { timeout: 15_000 });
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("sharing", () => {
  it("the read-only link shows the live cluster, hides every control that changes it, and the API refuses changes", async () => {
    const sb = await createSandbox();
    const { page, errors } = await openPage(browser, sb.readOnlyUrl);
    await consoleReady(page);
    expect(await textOf(page, "#readonly-badge")).toBe("read-only");
    for (const hidden of ["#clock-pause", "#clock-speed", "button[data-skip]", "#yaml-apply", "#yaml-input", "#terminal", "#delete"]) {
      expect(await page.locator(hidden).count(), hidden).toBe(0);
    }
    expect(await page.locator("#fork").count()).toBeGreaterThan(0);
    // Live all the same.
    kubectlOk(sb, ["run", "seen", "--image=nginx:1.27"]);
    await page.waitForSelector('[data-open="pods/default/seen"]', { timeout: 15_000 });
    // No "Edit" in the detail.
    await clickOn(page, '[data-open="pods/default/seen"]');
    expect(await page.locator("#detail-edit").evaluate((e) => (e as HTMLElement).hidden)).toBe(true);
    await page.keyboard.press("Escape");
    // What the editor would send is refused by the API itself.
    const refused = await page.evaluate(async () => {
      const id = location.pathname.split("/")[2];
      const res = await fetch(`/s/${id}/api/v1/namespaces/default/configmaps/x?fieldManager=kubeplay-console`, {
        method: "PATCH",
        headers: { "content-type": "application/apply-patch+yaml" },
        body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }),
      });
      const clock = await fetch(`/api/sandboxes/${id}/clock`, { method: "POST", body: JSON.stringify({ advanceSeconds: 60 }) });
      return [res.status, clock.status];
    });
    expect(refused).toEqual([403, 403]);
    await screenshot(page, "read-only");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("fork opens a private copy of the sandbox as it is", async () => {
    const sb = await createSandbox();
    kubectlOk(sb, ["create", "deployment", "web", "--image=nginx:1.27"]);
    const { page, errors } = await openPage(browser, sb.url);
    await consoleReady(page);
    await page.click("#fork");
    await page.waitForURL((u) => u.pathname.startsWith("/s/") && !u.pathname.includes(sb.id));
    const copy = page.url().split("/s/")[1];
    expect(copy).toMatch(/^[a-z2-7]{26}$/);
    expect(copy).not.toBe(sb.id);
    await consoleReady(page);
    await page.click('button[data-tab="workloads"]');
    await waitForText(page, "#cluster-panel", "Deployment");
    expect(await textOf(page, "#cluster-panel")).toMatch(/Deployment\s+default\s+web/);
    // The copy is this browser's: its owner token was kept.
    const stored = JSON.parse((await page.evaluate(() => localStorage.getItem("kubeplay.sandboxes"))) ?? "[]") as { id: string }[];
    expect(stored.map((s) => s.id)).toContain(copy);
    // And it is independent of the original.
    kubectlOk(sb, ["delete", "deployment", "web"]);
    const res = await fetchRetry(`${baseUrl()}/s/${copy}/apis/apps/v1/namespaces/default/deployments/web`);
    expect(res.status).toBe(200);
    await res.text();
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the fork link, offered in the Share panel of a read-only page, forks when opened and lands on the copy", async () => {
    const sb = await createSandbox();
    kubectlOk(sb, ["create", "deployment", "shared", "--image=nginx:1.27"]);
    const viewer = await openPage(browser, sb.readOnlyUrl);
    await consoleReady(viewer.page);
    await viewer.page.click("#share-open");
    await viewer.page.waitForSelector("#share[open]");
    const link = await textOf(viewer.page, "#share-fork");
    expect(link).toBe(`${sb.readOnlyUrl}?fork`);
    await viewer.page.close();

    // A GET of the link is only the page: it forks nothing by itself.
    const get = await fetchRetry(link, { headers: { accept: "text/html" } });
    expect(get.status).toBe(200);
    expect(await get.text()).toContain("/app/console.js");

    kubectlOk(sb, ["create", "deployment", "later", "--image=nginx:1.27"]);
    const { page, errors } = await openPage(browser, link);
    await page.waitForURL((u) => /^\/s\/[a-z2-7]{26}$/.test(u.pathname) && !u.pathname.includes(sb.id), { timeout: 20_000 });
    const copy = new URL(page.url()).pathname.split("/")[2];
    expect(copy).not.toBe(sb.id);
    expect(sb.readOnlyUrl).not.toContain(copy);
    await consoleReady(page);
    // The copy is private and writable: no read-only badge, the terminal is there, and it has what the
    // original had when the link was opened.
    expect(await page.locator("#readonly-badge").count()).toBe(0);
    expect(await page.locator("#terminal").count()).toBe(1);
    await page.click('button[data-tab="workloads"]');
    await waitForText(page, "#cluster-panel", "later");
    expect(await textOf(page, "#cluster-panel")).toMatch(/Deployment\s+default\s+shared/);
    expect(errors).toEqual([]);
    // Going back does not fork again: the link's history entry was replaced by the copy's.
    await page.goBack();
    expect(page.url()).not.toContain("fork");
    await page.close();
  });

  it("the share panel gives the read-only link, an embed snippet, the kubeconfig and curl commands", async () => {
    const sb = await createSandbox();
    const { page } = await openPage(browser, sb.url);
    await consoleReady(page);
    await page.click("#share-open");
    await page.waitForSelector("#share[open]");
    expect(await textOf(page, "#share-readonly")).toBe(sb.readOnlyUrl);
    expect(await textOf(page, "#share-url")).toBe(sb.url);
    expect(await textOf(page, "#embed-snippet")).toBe(`<iframe src="${sb.readOnlyUrl}?embed=both" width="100%" height="560" style="border:0" title="Kubernetes sandbox" allow="clipboard-write"></iframe>`);
    await page.selectOption("#embed-mode", "terminal");
    await page.selectOption("#embed-target", sb.url);
    expect(await textOf(page, "#embed-snippet")).toContain(`src="${sb.url}?embed=terminal"`);
    const commands = await textOf(page, "#share-commands");
    expect(commands).toContain(`curl -s ${sb.url}/kubeconfig > kubeconfig`);
    expect(commands).toContain("kubectl get nodes");
    // The download link serves a kubeconfig whose server is this sandbox.
    const href = await page.locator("#kubeconfig-download").evaluate((a) => (a as HTMLAnchorElement).href);
    const kubeconfig = await (await fetchRetry(href)).text();
    expect(kubeconfig).toContain(`server: ${sb.url}`);
    await screenshot(page, "share");
    await page.close();
  });
});
