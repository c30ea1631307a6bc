// The console by keyboard alone, in a real browser: out of the terminal (Escape, then Tab, as the
// hint beside it says), through the cluster tabs with the arrow keys, to a pod with Tab, its detail
// opened with Enter and closed with Escape (the focus comes back to the pod); pods say their state in
// words; xterm.js runs in screen-reader mode; and the colours that carry text meet WCAG AA contrast.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, kubectlOk } from "./harness";
import { consoleReady, launchBrowser, openPage, screenshot } from "./console-harness";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** A short description of the focused element. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const a = document.activeElement as HTMLElement | null;
    if (!a) return "";
    if (a.closest("#terminal")) return "terminal";
    return a.dataset.tab ? `tab:${a.dataset.tab}` : a.dataset.open ? `open:${a.dataset.open}` : `${a.tagName.toLowerCase()}#${a.id}`;
  });

/** Presses Tab until `want` has the focus (at most `max` times); returns the presses it took. */
async function tabTo(page: Page, want: (f: string) => boolean, max = 60): Promise<number> {
  for (let i = 0; i < max; i++) {
    if (want(await focused(page))) return i;
    await page.keyboard.press("Tab");
  }
  throw new Error(`focus never reached the element; last: ${await focused(page)}`);
}

/** WCAG 2 contrast ratio of two CSS colours as the browser computes them. */
function contrast(page: Page, selector: string): Promise<number> {
  return page.evaluate((s) => {
    const el = document.querySelector(s) as HTMLElement;
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const lum = (c: number[]) => {
      const [r, g, b] = c.map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    let bgEl: HTMLElement | null = el;
    let bg = "rgba(0, 0, 0, 0)";
    while (bgEl && /rgba\(0, 0, 0, 0\)|transparent/.test((bg = getComputedStyle(bgEl).backgroundColor))) bgEl = bgEl.parentElement;
    if (!bgEl) bg = "rgb(255, 255, 255)";
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(rgb(bg))];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }, selector);
}

describe("keyboard and screen readers", () => {
  it("leaves the terminal with Esc then Tab, moves through the tabs, opens a pod with Enter and closes it with Escape", async () => {
    const sb = await createSandbox();
    kubectlOk(sb, ["run", "kb", "--image=nginx:1.27"]);
    const { page, errors } = await openPage(browser, sb.url);
    await consoleReady(page);
    await page.waitForFunction(() => /^connected to /.test(document.getElementById("terminal-state")?.textContent ?? ""), undefined, { timeout: 15_000 });
    // The terminal has the focus; the way out is written beside it.
    expect(await focused(page)).toBe("terminal");
    expect(await page.locator("#terminal-keys").innerText()).toBe("Esc then Tab leaves the terminal");
    expect(await page.locator("#terminal .xterm-accessibility").count()).toBe(1);
    // Tab alone stays in the terminal (it completes).
    await page.keyboard.type("kubectl ver");
    await page.keyboard.press("Tab");
    await page.waitForFunction(() => (document.querySelector(".xterm-rows") as HTMLElement).innerText.includes("kubectl version"), undefined, { timeout: 10_000 });
    expect(await focused(page)).toBe("terminal");
    await page.keyboard.press("Escape");
    expect(await page.locator("#terminal-keys").innerText()).toContain("Tab next control");
    await page.keyboard.press("Tab");
    expect(await focused(page)).not.toBe("terminal");
    // Nothing of that reached the shell: the line is as it was.
    expect(await page.evaluate(() => (document.querySelector(".xterm-rows") as HTMLElement).innerText.replace(/\u00a0/g, " "))).toMatch(/# kubectl version *$/m);

    // The cluster tabs: Tab reaches the selected one, the arrow keys move between them.
    await tabTo(page, (f) => f === "tab:nodes");
    await page.keyboard.press("ArrowRight");
    expect(await focused(page)).toBe("tab:workloads");
    expect(await page.getAttribute('button[data-tab="workloads"]', "aria-selected")).toBe("true");
    await page.keyboard.press("End");
    expect(await focused(page)).toBe("tab:events");
    await page.keyboard.press("Home");
    expect(await focused(page)).toBe("tab:nodes");
    expect(await page.getAttribute('button[data-tab="nodes"]', "aria-selected")).toBe("true");

    // A pod chip says its state in words, not only by colour.
    await page.waitForSelector('[data-open="pods/default/kb"]', { timeout: 15_000 });
    expect(await page.locator('[data-open="pods/default/kb"] .pod-state').innerText()).toMatch(/^(Pending|ContainerCreating|Running)$/);
    // Tab to it, Enter opens its detail, Escape closes it and the focus is back on the pod.
    await tabTo(page, (f) => f === "open:pods/default/kb");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#detail[open]");
    await page.keyboard.press("Escape");
    await page.waitForSelector("#detail:not([open])", { state: "attached" });
    await page.waitForFunction(() => (document.activeElement as HTMLElement | null)?.dataset.open === "pods/default/kb", undefined, { timeout: 5_000 });
    await screenshot(page, "keyboard");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("text colours meet WCAG AA (4.5:1): warnings and the Ready pill", async () => {
    const sb = await createSandbox();
    kubectlOk(sb, ["run", "broken", "--image=nginx:no-such-tag"]);
    const { page } = await openPage(browser, sb.url);
    await consoleReady(page);
    await page.waitForSelector(".pill.ok");
    expect(await contrast(page, ".pill.ok")).toBeGreaterThanOrEqual(4.5);
    await page.click('button[data-tab="events"]');
    await page.waitForSelector("#cluster-panel .warn", { timeout: 15_000 });
    expect(await contrast(page, "#cluster-panel .warn")).toBeGreaterThanOrEqual(4.5);
    await page.close();
  });
});
