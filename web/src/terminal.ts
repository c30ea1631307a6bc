// The terminal: xterm.js (loaded on first use) over the WebSocket `/s/<id>/console/terminal?node=…`.
// Client → server text frames: {"type":"input","data":…} and {"type":"resize","cols":…,"rows":…};
// server → client: {"type":"output","data":…} and {"type":"exit","code":…}.
// The terminal keeps Tab (completion), so leaving it by keyboard is Escape, then Tab (or Shift+Tab):
// the hint beside it says so. xterm.js runs in screen-reader mode (its rows mirrored for assistive
// technology, output announced).
import type { Terminal } from "@xterm/xterm";
import { h } from "./dom";

export interface TerminalPanel {
  element: HTMLElement;
  /** Loads xterm.js and connects (once); later calls just focus it. */
  start(): Promise<void>;
  /** Keeps the node list current. */
  setNodes(nodes: string[], preferred: string): void;
}

function loadStyles(): void {
  if (document.querySelector("link[data-xterm]")) return;
  document.head.append(h("link", { rel: "stylesheet", href: "/app/xterm.css", "data-xterm": "" }));
}

export function createTerminal(base: string): TerminalPanel {
  const screen = h("div", { class: "term-screen", id: "terminal" });
  const select = h("select", { id: "terminal-node", "aria-label": "Node the shell runs on" });
  const state = h("span", { class: "hint", id: "terminal-state", "aria-live": "polite" }, "not connected");
  const keys = h("span", { class: "hint keys", id: "terminal-keys", "aria-live": "polite" });
  const hint = (leaving: boolean) =>
    keys.replaceChildren(...(leaving ? [h("kbd", null, "Tab"), " next control, ", h("kbd", null, "Shift+Tab"), " previous, ", h("kbd", null, "Esc"), " sends Esc"] : [h("kbd", null, "Esc"), " then ", h("kbd", null, "Tab"), " leaves the terminal"]));
  hint(false);
  const element = h("div", { class: "terminal" }, h("div", { class: "toolbar" }, h("label", null, "Shell on ", select), state, keys), screen);

  let term: Terminal | undefined;
  let socket: WebSocket | undefined;
  let ended = false;
  let starting: Promise<void> | undefined;

  const send = (msg: unknown) => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(msg));
  };

  const connect = () => {
    if (!term) return;
    const t = term;
    socket?.close();
    ended = false;
    const node = select.value;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}${base}/console/terminal?node=${encodeURIComponent(node)}`);
    socket = ws;
    state.textContent = `connecting to ${node}…`;
    ws.onopen = () => {
      state.textContent = `connected to ${node}`;
      send({ type: "resize", cols: t.cols, rows: t.rows });
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data !== "string") return;
      let msg: { type?: string; data?: string; code?: number };
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (msg.type === "output" && typeof msg.data === "string") t.write(msg.data);
      else if (msg.type === "exit") finish(`exited with code ${msg.code ?? 0}`);
    };
    ws.onclose = () => {
      if (socket === ws) finish("connection closed");
    };
  };

  const finish = (why: string) => {
    if (ended) return;
    ended = true;
    state.textContent = why;
    term?.write(`\r\n\x1b[2m[${why}: press Enter for a new session]\x1b[0m\r\n`);
  };

  const start = async () => {
    if (term) return term.focus();
    starting ??= (async () => {
      loadStyles();
      const [{ Terminal }, { FitAddon }] = await Promise.all([import("@xterm/xterm"), import("@xterm/addon-fit")]);
      const t = new Terminal({ cursorBlink: true, fontSize: 13, convertEol: false, scrollback: 5000, theme: { background: "#0f172a" }, screenReaderMode: true });
      // Escape arms leaving: a Tab right after it goes to the browser (focus moves on), not to the shell.
      let leaving = false;
      t.attachCustomKeyEventHandler((e) => {
        if (e.type !== "keydown" || ["Shift", "Control", "Alt", "Meta"].includes(e.key)) return true;
        if (e.key === "Escape" && !e.ctrlKey && !e.altKey && !e.metaKey && !leaving) {
          leaving = true;
          hint(true);
          return false;
        }
        const wasLeaving = leaving;
        leaving = false;
        if (wasLeaving) hint(false);
        return !(wasLeaving && e.key === "Tab");
      });
      const fit = new FitAddon();
      t.loadAddon(fit);
      t.open(screen);
      t.textarea?.addEventListener("blur", () => {
        leaving = false;
        hint(false);
      });
      fit.fit();
      new ResizeObserver(() => {
        if (screen.offsetParent) fit.fit();
      }).observe(screen);
      t.onResize(({ cols, rows }) => send({ type: "resize", cols, rows }));
      t.onData((data) => {
        if (ended) {
          if (data.includes("\r")) connect();
          return;
        }
        send({ type: "input", data });
      });
      term = t;
      connect();
      t.focus();
    })();
    await starting;
  };

  select.addEventListener("change", () => {
    if (!term) return;
    term.reset();
    connect();
    term.focus();
  });

  const setNodes = (nodes: string[], preferred: string) => {
    const current = select.value || preferred;
    if ([...select.options].map((o) => o.value).join() === nodes.join()) return;
    select.replaceChildren(...nodes.map((n) => h("option", { value: n }, n)));
    select.value = nodes.includes(current) ? current : nodes[0] ?? "";
  };

  return { element, start, setNodes };
}
