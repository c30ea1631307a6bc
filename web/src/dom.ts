// A tiny element builder. Text always goes in as text nodes and attributes through setAttribute, so
// anything an object carries (names, labels, event messages) is shown as text, never parsed as HTML.

export type Child = Node | string | number | null | undefined | false | Child[];
type Handler = (event: Event) => void;
export type Attrs = Record<string, string | number | boolean | null | undefined | Handler>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces an element's content, keeping keyboard focus on the element with the same `data-key`. */
export function replace(el: Element, ...children: Child[]): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && el.contains(active) ? active.dataset.key : undefined;
  el.replaceChildren();
  append(el, children);
  if (key) el.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`)?.focus();
}

export function $(selector: string, root: ParentNode = document): HTMLElement {
  const el = root.querySelector<HTMLElement>(selector);
  if (!el) throw new Error(`missing element ${selector}`);
  return el;
}

/**
 * Tabs with the WAI-ARIA pattern: arrow keys move between tabs, each tab controls one panel.
 * Returns a function that selects a tab by name.
 */
export function tabs(list: HTMLElement, panels: Record<string, HTMLElement>, onSelect?: (name: string) => void): (name: string) => void {
  list.setAttribute("role", "tablist");
  const buttons = [...list.querySelectorAll<HTMLButtonElement>("button[data-tab]")];
  const select = (name: string) => {
    for (const b of buttons) {
      const on = b.dataset.tab === name;
      b.setAttribute("aria-selected", String(on));
      b.tabIndex = on ? 0 : -1;
      const panel = panels[b.dataset.tab ?? ""];
      if (panel) panel.hidden = !on;
    }
    onSelect?.(name);
  };
  for (const b of buttons) {
    b.setAttribute("role", "tab");
    const panel = panels[b.dataset.tab ?? ""];
    if (panel) {
      panel.setAttribute("role", "tabpanel");
      panel.id ||= `panel-${b.dataset.tab}`;
      b.setAttribute("aria-controls", panel.id);
    }
    b.addEventListener("click", () => select(b.dataset.tab ?? ""));
    b.addEventListener("keydown", (e) => {
      const i = buttons.indexOf(b);
      const next = e.key === "ArrowRight" ? i + 1 : e.key === "ArrowLeft" ? i - 1 : e.key === "Home" ? 0 : e.key === "End" ? buttons.length - 1 : -2;
      if (next === -2) return;
      e.preventDefault();
      const target = buttons[(next + buttons.length) % buttons.length];
      target.focus();
      select(target.dataset.tab ?? "");
    });
  }
  return select;
}

/** Copies text, falling back to selecting it where the clipboard API is unavailable (plain http). */
export async function copyText(text: string, fallback: HTMLElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const range = document.createRange();
    range.selectNodeContents(fallback);
    const sel = getSelection();
    sel?.removeAllRanges();
    sel?.addRange(range);
    return false;
  }
}
