// The console's share of `npm run bench`, in headless Chromium (Debian's, driven by Playwright):
// bytes of the first load (the page's own files, and everything on the wire until the terminal is
// usable), time until the cluster is on screen and until the terminal takes input, and the time from a command typed in
// the terminal to the view showing its pod. Each time sits next to a floor measured in the same run:
// a bare page from the same server, and the same pod seen by a plain watch.
import { existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/** Loads `url` with the cache off, counting the document, script and stylesheet bytes it fetched. */
async function firstLoad(browser, url, ready) {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const pending = [];
  // Everything the load moved over the network, headers and compression included (CDP's count of
  // the bytes received for each finished request; the open watch stream never finishes).
  const wire = { bytes: 0, requests: 0 };
  cdp.on("Network.loadingFinished", (e) => {
    wire.bytes += e.encodedDataLength;
    wire.requests++;
  });
  page.on("response", (r) => {
    if (!["document", "script", "stylesheet"].includes(r.request().resourceType())) return;
    pending.push(r.body().then((b) => ({ url: r.url(), bytes: b.length, gzip: gzipSync(b).length }), () => undefined));
  });
  const t0 = Date.now();
  await page.goto(url);
  await ready(page);
  const wallMs = Date.now() - t0;
  const loaded = (await Promise.all(pending)).filter(Boolean);
  return { page, loaded, wallMs, wire };
}

const total = (l, k) => l.reduce((n, x) => n + x[k], 0);

async function createSandbox(base) {
  const res = await fetch(`${base}/api/sandboxes`, { method: "POST" });
  if (!res.ok) throw new Error(`create sandbox: ${res.status}`);
  return res.json();
}

/** Runs the console benchmark against a running server; `rounds` loads and commands each. */
export async function consoleBench(base, rounds = 5) {
  if (!existsSync(CHROMIUM)) return { skipped: `${CHROMIUM} is missing (apt-get install chromium)` };
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"] });
  try {
    const landing = await firstLoad(browser, `${base}/`, (p) => p.waitForSelector("button[data-template]"));
    await landing.page.close();

    const ready = [];
    const floor = [];
    const command = [];
    const commandFloor = [];
    const terminal = [];
    const wire = [];
    let sizes;
    for (let i = 0; i < rounds; i++) {
      // Floor: a static page of the same server, fetched and rendered the same way.
      const bare = await firstLoad(browser, `${base}/healthz`, async () => undefined);
      floor.push(await bare.page.evaluate(() => performance.getEntriesByType("navigation")[0].loadEventEnd));
      await bare.page.close();

      const sb = await createSandbox(base);
      const loaded = await firstLoad(browser, sb.url, (p) => p.waitForSelector("html[data-ready]", { timeout: 30_000 }));
      const page = loaded.page;
      ready.push(await page.evaluate(() => performance.getEntriesByName("kubeplay:ready")[0]?.startTime ?? NaN));
      await page.waitForSelector(".xterm-rows", { timeout: 30_000 });
      // Interactive: the terminal's session is open and takes input (time since navigation started).
      const connected = await page.waitForFunction(() => document.getElementById("terminal-state")?.textContent?.startsWith("connected") && performance.now(), undefined, { timeout: 30_000 });
      terminal.push(await connected.jsonValue());
      wire.push(loaded.wire.bytes);
      if (!sizes) {
        const own = loaded.loaded.filter((l) => !/xterm/.test(l.url));
        const xterm = loaded.loaded.filter((l) => /xterm/.test(l.url));
        sizes = { pageBytes: total(own, "bytes"), pageGzip: total(own, "gzip"), files: own.length, terminalBytes: total(xterm, "bytes"), terminalGzip: total(xterm, "gzip"), requestsToInteractive: loaded.wire.requests };
      }

      // A command typed in the terminal, until its pod is in the view.
      const name = `bench-${i}`;
      await page.locator(".xterm-helper-textarea").focus();
      await page.keyboard.type(`kubectl run ${name} --image=nginx`);
      // The clock starts at Enter, so typing speed is not part of the figure.
      const seen = page.evaluate((n) => {
        return new Promise((resolve) => {
          const check = () => document.querySelector(`[data-open="pods/default/${n}"]`) && resolve(performance.now() - window.kubeplayBenchEnter);
          new MutationObserver(check).observe(document.body, { childList: true, subtree: true });
          window.kubeplayBenchEnter = performance.now();
        });
      }, name);
      await page.keyboard.press("Enter");
      command.push(await seen);

      // Floor: the same write through fetch, until a plain watch stream in the page sees it.
      commandFloor.push(
        await page.evaluate(async (n) => {
          const id = location.pathname.split("/")[2];
          const list = await (await fetch(`/s/${id}/api/v1/namespaces/default/pods`)).json();
          const ctl = new AbortController();
          const res = await fetch(`/s/${id}/api/v1/namespaces/default/pods?watch=1&resourceVersion=${list.metadata.resourceVersion}`, { signal: ctl.signal });
          const reader = res.body.getReader();
          const t0 = performance.now();
          await fetch(`/s/${id}/api/v1/namespaces/default/pods`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: n }, spec: { containers: [{ name: "c", image: "nginx" }] } }),
          });
          let text = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            text += new TextDecoder().decode(value);
            if (text.includes(`"name":"${n}"`)) break;
          }
          const ms = performance.now() - t0;
          ctl.abort();
          return ms;
        }, `${name}-floor`),
      );
      await page.close();
    }
    const readyMs = median(ready);
    const floorMs = median(floor);
    const commandMs = median(command);
    const commandFloorMs = median(commandFloor);
    return {
      rounds,
      landing: { bytes: total(landing.loaded, "bytes"), gzip: total(landing.loaded, "gzip"), files: landing.loaded.length },
      sandboxPage: sizes,
      clusterOnScreenMs: +readyMs.toFixed(0),
      barePageMs: +floorMs.toFixed(0),
      clusterOnScreenRatio: +(readyMs / floorMs).toFixed(2),
      terminalInteractiveMs: +median(terminal).toFixed(0),
      terminalInteractiveRatio: +(median(terminal) / floorMs).toFixed(2),
      wireBytesToInteractive: median(wire),
      commandToViewMs: +commandMs.toFixed(0),
      writeToWatchMs: +commandFloorMs.toFixed(0),
      commandToViewRatio: +(commandMs / commandFloorMs).toFixed(2),
    };
  } finally {
    await browser.close();
  }
}
