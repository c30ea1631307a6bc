// The terminal page in a real browser. Its side of the protocol is checked against a fake shell the
// test serves (console-harness.ts): JSON input and resize frames out, output rendered by xterm.js,
// exit shown, Enter for a new session, the node picker. Against the server's own terminal, when it has
// one, a real command.
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, createSandbox, fetchRetry } from "./harness";
import { consoleReady, launchBrowser, openPage, screenshot, startConsoleProxy, type ConsoleProxy } from "./console-harness";

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

const screen = (page: Page) => page.$eval(".xterm-rows", (el) => (el as HTMLElement).innerText.replace(/\u00a0/g, " "));

async function waitForScreen(page: Page, text: string, timeout = 15_000): Promise<void> {
  await page.waitForFunction((t: string) => (document.querySelector(".xterm-rows") as HTMLElement | null)?.innerText.replace(/\u00a0/g, " ").includes(t), { timeout, polling: 100 }, text);
}

describe("terminal (against a fake shell)", () => {
  it("speaks the protocol: resize and input frames out, output rendered, exit, a new session on Enter, node switching", async () => {
    const sb = await createSandbox();
    const before = proxy.sessions.length;
    const { page, errors } = await openPage(browser, `${proxy.url}/s/${sb.id}?embed=terminal`, { width: 900, height: 500 });
    await consoleReady(page);
    await waitForScreen(page, "fake shell on k8s-master");
    const session = proxy.sessions[before];
    // The control-plane node is the default, and the first frame says how big the terminal is.
    expect(session.node).toBe("k8s-master");
    expect(session.frames[0]).toMatchObject({ type: "resize", cols: expect.any(Number), rows: expect.any(Number) });
    expect(session.frames[0].cols).toBeGreaterThan(40);

    await page.keyboard.type("echo hello");
    await page.keyboard.press("Enter");
    await waitForScreen(page, "hello\n$");
    const typed = session.frames.filter((f) => f.type === "input").map((f) => f.data).join("");
    expect(typed).toBe("echo hello\r");

    // Resizing the page resizes the terminal, and the server is told.
    const resizes = session.frames.filter((f) => f.type === "resize").length;
    await page.setViewport({ width: 600, height: 400 });
    for (const deadline = Date.now() + 5000; Date.now() < deadline && session.frames.filter((f) => f.type === "resize").length === resizes; ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(session.frames.filter((f) => f.type === "resize").length).toBeGreaterThan(resizes);

    // exit → the server's exit frame is shown; Enter starts a new session.
    await page.keyboard.type("exit");
    await page.keyboard.press("Enter");
    await waitForScreen(page, "exited with code 0");
    expect(await page.$eval("#terminal-state", (e) => e.textContent)).toBe("exited with code 0");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.getElementById("terminal-state")?.textContent === "connected to k8s-master");
    expect(proxy.sessions.length).toBe(before + 2);

    // Another node: a session of its own there.
    await page.select("#terminal-node", "k8s-node1");
    await waitForScreen(page, "fake shell on k8s-node1");
    expect(proxy.sessions[proxy.sessions.length - 1].node).toBe("k8s-node1");
    await screenshot(page, "terminal");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("loads xterm.js only when a terminal is shown", async () => {
    const sb = await createSandbox();
    const { page, requests } = await openPage(browser, `${sb.url}?embed=view`);
    await consoleReady(page);
    expect(requests.some((u) => u.includes("/chunks/xterm-"))).toBe(false);
    await page.close();
  });
});

describe("terminal (the server's own)", () => {
  it("runs kubectl on the control-plane node", async ({ skip }) => {
    const sb = await createSandbox();
    const probe = await fetchRetry(`${sb.url}/console/run`, { method: "POST", body: JSON.stringify({ command: "true" }) });
    if (probe.status === 404) skip("the server has no console terminal");
    await probe.text();
    const { page } = await openPage(browser, `${sb.url}?embed=terminal`, { width: 1000, height: 500 });
    await consoleReady(page);
    await page.waitForFunction(() => document.getElementById("terminal-state")?.textContent === "connected to k8s-master", { timeout: 15_000 });
    await page.click("#terminal");
    await page.keyboard.type("kubectl get nodes");
    await page.keyboard.press("Enter");
    await waitForScreen(page, "k8s-node2");
    expect(await screen(page)).toMatch(/NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);
    await page.close();
  });
});
