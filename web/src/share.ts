// Sharing: the read-only link, the fork link, an <iframe> snippet for tutorial pages, and what it takes to use the
// sandbox from one's own kubectl or curl.
import type { SandboxInfo } from "./api";
import { copyText, h } from "./dom";

function copyable(label: string, value: string, id: string): HTMLElement {
  const code = h("code", { id }, value);
  const note = h("span", { class: "hint", role: "status" });
  return h(
    "div",
    { class: "copyable" },
    h("div", { class: "label" }, label),
    h("pre", null, code),
    h("button", { type: "button", onclick: async () => (note.textContent = (await copyText(value, code)) ? "copied" : "selected: press Ctrl+C") }, "Copy"),
    note,
  );
}

export function embedSnippet(url: string, mode: string): string {
  return `<iframe src="${url}?embed=${mode}" width="100%" height="560" style="border:0" title="Kubernetes sandbox" allow="clipboard-write"></iframe>`;
}

/** The fork link: the console page at `?fork` copies the sandbox when opened. Built on the read-only link, so it gives away no write access. */
export function forkLink(readOnlyUrl: string): string {
  return `${readOnlyUrl}?fork`;
}

export function sharePanel(info: SandboxInfo): HTMLElement {
  const origin = location.origin;
  const url = `${origin}/s/${info.id}`;
  const ro = info.readOnlyUrl;
  const mode = h("select", { id: "embed-mode", "aria-label": "What the embedded sandbox shows" }, ["both", "terminal", "view"].map((m) => h("option", { value: m }, m)));
  const target = h("select", { id: "embed-target", "aria-label": "Which link the embed uses" }, h("option", { value: ro }, "read-only"), info.readOnly ? null : h("option", { value: url }, "full access"));
  const snippet = h("div");
  const renderSnippet = () => snippet.replaceChildren(copyable("Snippet", embedSnippet(target.value, mode.value), "embed-snippet"));
  mode.addEventListener("change", renderSnippet);
  target.addEventListener("change", renderSnippet);
  renderSnippet();
  const kubeconfig = `${url}/kubeconfig`;
  const curl = [
    `curl -s ${kubeconfig} > kubeconfig`,
    `export KUBECONFIG=$PWD/kubeconfig`,
    `kubectl get nodes`,
    ``,
    `curl -s ${url}/api/v1/namespaces/default/pods`,
    info.readOnly ? "" : `curl -s -X POST ${origin}/api/sandboxes/${info.id}/clock -d '{"advanceSeconds":60}'`,
  ].join("\n");
  return h(
    "div",
    { class: "share" },
    h("h3", null, "Links"),
    info.readOnly ? null : copyable("This sandbox (anyone with it can change it)", url, "share-url"),
    copyable("Read-only link (sees everything live, changes nothing)", ro, "share-readonly"),
    copyable("Fork link (whoever opens it gets a private copy of this sandbox as it is then)", forkLink(ro), "share-fork"),
    h("h3", null, "Embed in a page"),
    h("p", null, h("label", null, "Shows ", mode), " ", h("label", null, "using the ", target, " link")),
    snippet,
    h("h3", null, "Use with your own kubectl"),
    h("p", null, h("a", { href: kubeconfig, download: "kubeconfig", id: "kubeconfig-download" }, "Download kubeconfig"), " — its server is this sandbox's URL."),
    copyable("Commands", curl, "share-commands"),
  );
}
