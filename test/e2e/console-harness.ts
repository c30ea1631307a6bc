// Helpers for the web console's browser tests: headless Chromium (Debian's, at /usr/bin/chromium)
// driven by Playwright (playwright-core, which downloads no browser of its own), screenshots kept as
// artifacts, and a small proxy in front of the dev server whose fake shell answers the console's
// terminal WebSocket and `console/run`: it records every frame the page sends (input, resize), which
// the server's own terminal does not show.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "console-screenshots");

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run"],
  });
}

export interface OpenedPage {
  page: Page;
  /** Uncaught errors and CSP violations seen in the page. */
  errors: string[];
  /** URLs the page requested, in order. */
  requests: string[];
}

/** Opens `url` in a page of its own browser context: no storage or cache shared with other tests. */
export async function openPage(browser: Browser, url: string, viewport = { width: 1400, height: 900 }): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Uncaught/.test(m.text())) errors.push(m.text());
  });
  page.on("request", (r) => requests.push(r.url()));
  page.on("dialog", (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(url, { waitUntil: "domcontentloaded" });
  return { page, errors, requests };
}

/** Waits for the console to have loaded the cluster (it marks <html data-ready>). */
export async function consoleReady(page: Page): Promise<void> {
  await page.waitForSelector("html[data-ready]", { state: "attached", timeout: 20_000 });
}

/**
 * Clicks the element once it exists. The click happens inside the page, in one step: the live view
 * re-renders as the cluster changes, so an element found earlier may already be gone.
 */
export async function clickOn(page: Page, selector: string, timeout = 20_000): Promise<void> {
  await page.waitForFunction(
    (s) => {
      const el = document.querySelector<HTMLElement>(s);
      el?.click();
      return !!el;
    },
    selector,
    { timeout, polling: 100 },
  );
}

export async function textOf(page: Page, selector: string): Promise<string> {
  return page.locator(selector).innerText();
}

/** Waits until the element's text contains `text`. */
export async function waitForText(page: Page, selector: string, text: string, timeout = 20_000): Promise<void> {
  await page.waitForFunction(([s, t]) => !!(document.querySelector(s) as HTMLElement | null)?.innerText.includes(t), [selector, text] as const, { timeout, polling: 100 });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Artifacts of a run, not sources.
  writeFileSync(path.join(SCREENSHOTS, ".gitignore"), "*\n");
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

// ── A proxy with a fake terminal ──────────────────────────────────────────────────────────────

export interface TerminalSession {
  node: string;
  /** Every JSON frame the page sent. */
  frames: { type: string; data?: string; cols?: number; rows?: number }[];
  send(msg: unknown): void;
  close(): void;
}

export interface ConsoleProxy {
  url: string;
  sessions: TerminalSession[];
  runs: string[];
  stop(): Promise<void>;
}

function wsFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x81, len]) : len < 65536 ? Buffer.from([0x81, 126, len >> 8, len & 255]) : Buffer.concat([Buffer.from([0x81, 127]), Buffer.alloc(4), Buffer.from([(len >>> 24) & 255, (len >>> 16) & 255, (len >>> 8) & 255, len & 255])]);
  return Buffer.concat([head, payload]);
}

/** Reads the client's (masked) frames: text frames to `onText`, close to `onClose`. */
function readFrames(socket: Socket, onText: (s: string) => void, onClose: () => void): void {
  let buf = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length < 2) return;
      const op = buf[0] & 0x0f;
      let len = buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        off = 10;
      }
      const masked = (buf[1] & 0x80) !== 0;
      const end = off + (masked ? 4 : 0) + len;
      if (buf.length < end) return;
      const mask = masked ? buf.subarray(off, off + 4) : undefined;
      const data = Buffer.from(buf.subarray(end - len, end));
      if (mask) for (let i = 0; i < data.length; i++) data[i] ^= mask[i % 4];
      buf = buf.subarray(end);
      if (op === 1) onText(data.toString());
      else if (op === 8) return onClose();
    }
  });
}

/**
 * Serves `target` (the dev server) through a local port, except for the console's terminal
 * WebSocket and `console/run`, which a fake shell answers: it echoes keystrokes, runs `echo …`,
 * and exits on `exit`.
 */
export async function startConsoleProxy(target: string): Promise<ConsoleProxy> {
  const t = new URL(target);
  const sessions: TerminalSession[] = [];
  const runs: string[] = [];
  const server: Server = createServer((req, res) => {
    if (req.method === "POST" && /^\/s\/[^/]+\/console\/run$/.test(req.url ?? "")) {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        const { command } = JSON.parse(body) as { command: string };
        runs.push(command);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ stdout: `fake: ${command}\n`, stderr: "", exitCode: command.startsWith("false") ? 1 : 0 }));
      });
      return;
    }
    const upstream = httpRequest({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (!/^\/s\/[^/]+\/console\/terminal$/.test(url.pathname)) {
      // Anything else upgrading goes to the dev server untouched.
      const up = connect(Number(t.port), t.hostname, () => {
        up.write(`${req.method} ${req.url} HTTP/1.1\r\n${Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n`);
        up.write(head);
        up.pipe(socket).pipe(up);
      });
      up.on("error", () => socket.destroy());
      return;
    }
    const accept = createHash("sha1").update(`${req.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    const node = url.searchParams.get("node") ?? "";
    const session: TerminalSession = {
      node,
      frames: [],
      send: (msg) => socket.write(wsFrame(JSON.stringify(msg))),
      close: () => socket.end(Buffer.from([0x88, 0])),
    };
    sessions.push(session);
    let line = "";
    session.send({ type: "output", data: `fake shell on ${node}\r\n$ ` });
    readFrames(
      socket,
      (text) => {
        const msg = JSON.parse(text) as TerminalSession["frames"][number];
        session.frames.push(msg);
        if (msg.type !== "input" || msg.data === undefined) return;
        for (const ch of msg.data) {
          if (ch === "\r") {
            const cmd = line.trim();
            line = "";
            if (cmd === "exit") {
              session.send({ type: "output", data: "\r\n" });
              session.send({ type: "exit", code: 0 });
              return session.close();
            }
            session.send({ type: "output", data: `\r\n${cmd.startsWith("echo ") ? `${cmd.slice(5)}\r\n` : ""}$ ` });
          } else {
            line += ch;
            session.send({ type: "output", data: ch });
          }
        }
      },
      () => socket.end(),
    );
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    sessions,
    runs,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
