// The YAML editor: paste or write manifests (several documents separated by `---`), apply them with
// server-side apply, and see each document's outcome next to it — the API's own message when it
// refused one.
import { applyManifests, type DocResult } from "./apply";
import { h, replace } from "./dom";

const EXAMPLE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
spec:
  replicas: 2
  selector:
    matchLabels:
      app: hello
  template:
    metadata:
      labels:
        app: hello
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata:
  name: hello
spec:
  selector:
    app: hello
  ports:
  - port: 80
`;

export interface Editor {
  element: HTMLElement;
  setText(text: string): void;
}

export function createEditor(base: string): Editor {
  const text = h("textarea", {
    id: "yaml-input",
    class: "code",
    spellcheck: "false",
    autocapitalize: "off",
    wrap: "off",
    "aria-label": "Manifests to apply (YAML, documents separated by ---)",
    placeholder: "Paste manifests here, documents separated by ---",
  });
  // Each document's outcome is pinned beside its first line, over the text: lines do not wrap, so a
  // line's position is its number times the line height.
  const marks = h("div", { class: "marks", "aria-hidden": "true" });
  let placed: { el: HTMLElement; line: number }[] = [];
  const position = () => {
    const style = getComputedStyle(text);
    const lineHeight = parseFloat(style.lineHeight);
    const top = parseFloat(style.paddingTop) + parseFloat(style.borderTopWidth);
    for (const { el, line } of placed) {
      const y = top + (line - 1) * lineHeight - text.scrollTop;
      el.style.top = `${y}px`;
      el.hidden = y < 0 || y > text.clientHeight;
    }
  };
  const mark = (list: DocResult[]) => {
    placed = list.map((r) => {
      const el = h("button", { type: "button", tabindex: -1, class: `mark ${r.ok ? "ok" : "bad"}`, "data-line": r.line, title: r.message, onclick: () => selectLine(r.line) }, `${r.ok ? "✓" : "✗"} ${r.message}`);
      return { el, line: r.line };
    });
    marks.replaceChildren(...placed.map((p) => p.el));
    position();
  };
  text.addEventListener("scroll", position);
  // What was marked no longer matches the text once it changes.
  text.addEventListener("input", () => marks.replaceChildren());
  const force = h("input", { type: "checkbox", id: "yaml-force" });
  const results = h("ol", { class: "results", id: "yaml-results", "aria-live": "polite" });
  const button = h("button", { type: "button", class: "primary", id: "yaml-apply" }, "Apply");

  const selectLine = (line: number) => {
    const lines = text.value.split("\n");
    const start = lines.slice(0, line - 1).join("\n").length + (line > 1 ? 1 : 0);
    text.focus();
    text.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
  };

  const show = (list: DocResult[]) => {
    text.setAttribute("aria-invalid", String(list.some((r) => !r.ok)));
    mark(list);
    replace(
      results,
      list.length === 0 ? h("li", { class: "empty" }, "Nothing to apply.") : null,
      list.map((r) =>
        h(
          "li",
          { class: r.ok ? "ok" : "bad", "data-doc": r.doc },
          h("button", { type: "button", class: "link", onclick: () => selectLine(r.line) }, `Document ${r.doc} (line ${r.line})`),
          " ",
          h("span", { class: "ident" }, r.kind ? `${r.kind.toLowerCase()}/${r.name ?? ""}${r.namespace ? ` in ${r.namespace}` : ""}` : ""),
          " ",
          h("span", { class: "outcome" }, r.message),
        ),
      ),
    );
  };

  const apply = async () => {
    button.disabled = true;
    replace(results, h("li", { class: "empty" }, "Applying…"));
    try {
      show(await applyManifests(base, text.value, { force: force.checked }));
    } catch (e) {
      replace(results, h("li", { class: "bad" }, e instanceof Error ? e.message : String(e)));
    } finally {
      button.disabled = false;
    }
  };
  button.addEventListener("click", apply);
  text.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void apply();
    }
  });

  const element = h(
    "div",
    { class: "editor" },
    h("div", { class: "editing" }, text, marks),
    h(
      "div",
      { class: "toolbar" },
      button,
      h("label", null, force, " Take over fields other managers own"),
      h("button", { type: "button", onclick: () => ((text.value = EXAMPLE), marks.replaceChildren(), text.focus()) }, "Example"),
      h("span", { class: "hint" }, "Ctrl+Enter applies"),
    ),
    results,
  );
  return {
    element,
    setText: (t) => {
      text.value = t;
      marks.replaceChildren();
      text.focus();
    },
  };
}
