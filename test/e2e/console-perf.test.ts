// What the console costs a browser: bytes of the first load (the page's own HTML, JS and CSS, and
// xterm.js apart), time until the cluster is on screen, and the time from an API write to the view
// showing it. The numbers are printed; the bounds are loose enough for a busy two-core machine.
import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, createSandbox } from "./harness";
import { consoleReady, launchBrowser } from "./console-harness";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

interface Loaded {
  url: string;
  bytes: number;
  gzip: number;
}

async function firstLoad(url: string, ready: (p: Page) => Promise<void>) {
  // As on a first visit: nothing comes from a cache, every file of the load is fetched and counted.
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const pending: Promise<Loaded | undefined>[] = [];
  page.on("response", (r) => {
    const type = r.request().resourceType();
    if (!["document", "script", "stylesheet"].includes(type)) return;
    pending.push(r.body().then((b) => ({ url: r.url(), bytes: b.length, gzip: gzipSync(b).length }), () => undefined));
  });
  await page.goto(url);
  await ready(page);
  const collect = async () => (await Promise.all(pending)).filter((x): x is Loaded => !!x);
  return { page, loaded: await collect(), collect };
}

const sum = (l: Loaded[], k: "bytes" | "gzip") => l.reduce((n, x) => n + x[k], 0);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

describe("console performance", () => {
  it("first load: small pages, xterm.js apart, the cluster on screen quickly", async () => {
    const landing = await firstLoad(`${baseUrl()}/`, async (p) => void (await p.waitForSelector("button[data-template]")));
    const sb = await createSandbox();
    const console_ = await firstLoad(sb.url, consoleReady);
    const tti = await console_.page.evaluate(() => performance.getEntriesByName("kubeplay:ready")[0]?.startTime ?? -1);
    // The terminal loads xterm.js once the cluster is on screen.
    await console_.page.waitForSelector(".xterm-rows", { timeout: 15_000 });
    const all = await console_.collect();
    const own = all.filter((l) => !/xterm/.test(l.url));
    const xterm = all.filter((l) => /xterm/.test(l.url));
    // The YAML library is for the editor and the YAML view: not part of the first load.
    expect(all.some((l) => /chunks\/browser-/.test(l.url))).toBe(false);
    console.log(
      [
        `landing: ${kb(sum(landing.loaded, "bytes"))} (${kb(sum(landing.loaded, "gzip"))} gzip) in ${landing.loaded.length} files`,
        `sandbox page: ${kb(sum(own, "bytes"))} (${kb(sum(own, "gzip"))} gzip) in ${own.length} files, plus xterm.js ${kb(sum(xterm, "bytes"))} (${kb(sum(xterm, "gzip"))} gzip)`,
        `sandbox page: cluster on screen ${tti.toFixed(0)} ms after navigation`,
      ].join("\n"),
    );
    expect(sum(landing.loaded, "bytes")).toBeLessThan(20 * 1024);
    expect(sum(own, "bytes")).toBeLessThan(90 * 1024);
    expect(tti).toBeGreaterThan(0);
    expect(tti).toBeLessThan(10_000);
    await landing.page.close();
    await console_.page.close();
  });

  it("an API write reaches the view within a moment", async () => {
    const sb = await createSandbox();
    const page = await browser.newPage();
    await page.goto(sb.url);
    await consoleReady(page);
    const ms = await page.evaluate(async () => {
      const id = location.pathname.split("/")[2];
      const seen = new Promise<number>((resolve) => {
        const check = () => document.querySelector('[data-open="pods/default/perf"]') && resolve(performance.now());
        new MutationObserver(check).observe(document.body, { childList: true, subtree: true });
      });
      const t0 = performance.now();
      await fetch(`/s/${id}/api/v1/namespaces/default/pods`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "perf" }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } }),
      });
      return (await seen) - t0;
    });
    console.log(`API write → pod in the view: ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(3000);
    await page.close();
  });
});
