// An object named `<img src=x onerror=alert(1)>` (a valid ClusterRole name: only "/" and "%" are
// refused in it) applied from the YAML editor, in a real browser: its name shows as text in the
// editor's results, in the terminal's `kubectl get clusterrole`, and — through an Event about it —
// in the events view (reason, object and message); no <img> element ever appears, and no dialog or page
// error fires.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox } from "./harness";
import { consoleReady, launchBrowser, openPage, screenshot, waitForText } from "./console-harness";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const EVIL = "<img src=x onerror=alert(1)>";

const MANIFEST = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: "${EVIL}"
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get"]
---
apiVersion: v1
kind: Event
metadata:
  name: about-the-role
  namespace: default
involvedObject:
  apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  name: "${EVIL}"
reason: "${EVIL}"
message: "role ${EVIL} applied"
type: Normal
source:
  component: "${EVIL}"
`;

const imgCount = (page: Page) => page.evaluate(() => document.querySelectorAll("img").length);

async function waitForScreen(page: Page, text: string): Promise<void> {
  await page.waitForFunction((t) => ((document.querySelector(".xterm-rows") as HTMLElement | null)?.innerText.replace(/\u00a0/g, " ") ?? "").includes(t), text, { timeout: 15_000, polling: 100 });
}

describe("user-supplied text is shown as text", () => {
  it("a ClusterRole named <img src=x onerror=alert(1)>: editor results, terminal, events view", async () => {
    const sb = await createSandbox();
    const { page, errors } = await openPage(browser, sb.url);
    await consoleReady(page);
    expect(await imgCount(page)).toBe(0);

    await page.click('button[data-tab="yaml"]');
    await page.locator("#yaml-input").fill(MANIFEST);
    await page.click("#yaml-apply");
    await page.waitForFunction(() => document.querySelectorAll("#yaml-results li[data-doc]").length === 2, undefined, { timeout: 15_000 });
    await waitForText(page, "#yaml-results", EVIL);
    const results = await page.locator("#yaml-results").innerText();
    expect(results).toContain(`clusterrole/${EVIL}`);
    expect(results).toContain("event/about-the-role");
    // Both applied: no document shows a refusal.
    expect(await page.locator("#yaml-results li[data-doc].bad").count()).toBe(0);
    expect(await imgCount(page)).toBe(0);

    // The terminal: kubectl prints the name; xterm.js puts it on screen as text.
    await page.click('button[data-tab="terminal"]');
    await page.waitForFunction(() => /^connected to /.test(document.getElementById("terminal-state")?.textContent ?? ""), undefined, { timeout: 15_000 });
    await page.click("#terminal");
    await page.keyboard.type(`kubectl get clusterrole '${EVIL}'`);
    await page.keyboard.press("Enter");
    await waitForScreen(page, `${EVIL}   `);
    await page.keyboard.type("kubectl get clusterrole | head -2");
    await page.keyboard.press("Enter");
    await waitForScreen(page, "NAME");
    expect(await imgCount(page)).toBe(0);

    // The events view: the Event about the role shows its reason, object and message as text.
    await page.click('button[data-tab="events"]');
    await waitForText(page, "#cluster-panel", `role ${EVIL} applied`);
    const events = await page.locator("#cluster-panel").innerText();
    expect(events).toContain(EVIL);
    expect(await imgCount(page)).toBe(0);
    await screenshot(page, "xss");
    // No alert() dialog, no page error, no CSP violation.
    expect(errors).toEqual([]);
    await page.close();
  });
});
