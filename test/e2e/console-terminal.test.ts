// The terminal page in a real browser. Against the server's own terminal: kubectl on the
// control-plane node, and a tutorial typed into xterm.js on the sandbox page — create, get, a
// here-document, expose, a watch ended by Ctrl-C — whose objects show up in the cluster view. The
// page's side of the protocol is checked in detail against a fake shell the test serves
// (console-harness.ts), which records each frame: input and resize frames out, output rendered by
// xterm.js, exit shown, Enter for a new session, the node picker.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, createSandbox, kubectlOk } from "./harness";
import { consoleReady, launchBrowser, openPage, screenshot, startConsoleProxy, textOf, type ConsoleProxy } from "./console-harness";

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

const PROMPT = "[root@k8s-master ~]# ";

/** What xterm.js shows, row by row (its rows pad with no-break spaces). */
const screen = (page: Page) => page.locator(".xterm-rows").evaluate((el) => (el as HTMLElement).innerText.replace(/\u00a0/g, " "));

/** Waits until the terminal shows `text`, or a match of the pattern. */
async function waitForScreen(page: Page, text: string | RegExp, timeout = 15_000): Promise<void> {
  const re = typeof text === "string" ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : text;
  await page.waitForFunction(
    ([source, flags]) => new RegExp(source, flags).test((document.querySelector(".xterm-rows") as HTMLElement | null)?.innerText.replace(/\u00a0/g, " ") ?? ""),
    [re.source, re.flags] as const,
    { timeout, polling: 100 },
  );
}

async function connected(page: Page, node = "k8s-master"): Promise<void> {
  await page.waitForFunction((n) => document.getElementById("terminal-state")?.textContent === `connected to ${n}`, node, { timeout: 15_000 });
}

/** Types one line into the terminal as a user would, and presses Enter. */
async function typeLine(page: Page, line: string): Promise<void> {
  await page.keyboard.type(line);
  await page.keyboard.press("Enter");
}

describe("terminal (the server's own)", () => {
  it("runs kubectl on the control-plane node", async () => {
    const sb = await createSandbox();
    const { page, errors } = await openPage(browser, `${sb.url}?embed=terminal`, { width: 1000, height: 500 });
    await consoleReady(page);
    await connected(page);
    await page.click("#terminal");
    await typeLine(page, "kubectl get nodes");
    await waitForScreen(page, "k8s-node2");
    expect(await screen(page)).toMatch(/NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("runs a tutorial on the sandbox page: create, get, a here-document, expose, and Ctrl-C ending a watch", async () => {
    const sb = await createSandbox();
    const { page, errors } = await openPage(browser, sb.url);
    await consoleReady(page);
    await connected(page);
    await waitForScreen(page, PROMPT);
    await page.click("#terminal");

    await typeLine(page, "kubectl create deployment web --image=nginx");
    await waitForScreen(page, "deployment.apps/web created");
    // The Deployment's pod shows up in the cluster view, on a node.
    await page.waitForSelector('[data-node] [data-open^="pods/default/web-"]', { timeout: 15_000 });

    await typeLine(page, "kubectl get pods");
    await waitForScreen(page, /kubectl get pods *\nNAME +READY +STATUS +RESTARTS +AGE *\nweb-[a-z0-9]+-[a-z0-9]+ +[01]\/1 /);

    // A here-document: each line after the first continues with `> ` until EOF.
    await typeLine(page, "kubectl apply -f - <<EOF");
    await waitForScreen(page, "<<EOF\n> ");
    for (const line of ["apiVersion: v1", "kind: Pod", "metadata:", "  name: hello", "spec:", "  containers:", "  - name: c", "    image: nginx:1.27", "EOF"]) {
      await typeLine(page, line);
    }
    await waitForScreen(page, "pod/hello created");
    await page.waitForSelector('[data-node] [data-open="pods/default/hello"]', { timeout: 15_000 });
    expect(kubectlOk(sb, ["get", "pod", "hello", "-o", "jsonpath={.spec.containers[0].image}"])).toBe("nginx:1.27");

    await typeLine(page, "kubectl expose deployment web --port=80");
    await waitForScreen(page, "service/web exposed");
    await page.click('button[data-tab="services"]');
    await page.waitForSelector('[data-open="services/default/web"]', { timeout: 15_000 });
    expect(await textOf(page, "#cluster-panel")).toMatch(/default\s+web\s+ClusterIP\s+10\.[\d.]+\s+80\/TCP/);

    // A watch keeps the shell busy until Ctrl-C; what is typed after it runs only if the watch ended.
    await page.click("#terminal");
    await typeLine(page, "kubectl get pods -w");
    await waitForScreen(page, /kubectl get pods -w *\nNAME +READY +STATUS +RESTARTS +AGE *\nhello +/);
    await page.keyboard.press("Control+c");
    await waitForScreen(page, `^C\n${PROMPT}`);
    await typeLine(page, "kubectl get svc web");
    await waitForScreen(page, /kubectl get svc web *\nNAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\(S\) +AGE *\nweb +ClusterIP +10\.[\d.]+ +<none> +80\/TCP /);
    expect(await textOf(page, "#terminal-state")).toBe("connected to k8s-master");
    await screenshot(page, "terminal");
    expect(errors).toEqual([]);
    await page.close();
  });
});

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

    await typeLine(page, "echo hello");
    await waitForScreen(page, "hello\n$");
    const typed = session.frames.filter((f) => f.type === "input").map((f) => f.data).join("");
    expect(typed).toBe("echo hello\r");

    // Resizing the page resizes the terminal, and the server is told.
    const resizes = () => session.frames.filter((f) => f.type === "resize").length;
    const sent = resizes();
    await page.setViewportSize({ width: 600, height: 400 });
    await expect.poll(resizes, { timeout: 5000 }).toBeGreaterThan(sent);

    // exit → the server's exit frame is shown; Enter starts a new session.
    await typeLine(page, "exit");
    await waitForScreen(page, "exited with code 0");
    expect(await textOf(page, "#terminal-state")).toBe("exited with code 0");
    await page.keyboard.press("Enter");
    await connected(page);
    expect(proxy.sessions.length).toBe(before + 2);

    // Another node: a session of its own there.
    await page.selectOption("#terminal-node", "k8s-node1");
    await waitForScreen(page, "fake shell on k8s-node1");
    expect(proxy.sessions[proxy.sessions.length - 1].node).toBe("k8s-node1");
    await screenshot(page, "terminal-protocol");
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
