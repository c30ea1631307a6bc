// What the console costs a browser in bytes: the first load (the page's own HTML, JS and CSS, and
// xterm.js apart) stays within a budget, and the heavy parts load only when needed. Times (cluster
// on screen, terminal command to view) are measured by `npm run bench` (scripts/bench-console.mjs).
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
  it("first load: small pages, xterm.js and the YAML library apart", async () => {
    const landing = await firstLoad(`${baseUrl()}/`, async (p) => void (await p.waitForSelector("button[data-template]")));
    const sb = await createSandbox();
    const console_ = await firstLoad(sb.url, consoleReady);
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
      ].join("\n"),
    );
    expect(sum(landing.loaded, "bytes")).toBeLessThan(20 * 1024);
    expect(sum(own, "bytes")).toBeLessThan(90 * 1024);
    // The page marks the moment the cluster is on screen; the benchmark reads it.
    expect(await console_.page.evaluate(() => performance.getEntriesByName("kubeplay:ready").length)).toBe(1);
    await landing.page.close();
    await console_.page.close();
  });
});
