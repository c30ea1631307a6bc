// The sandbox page (`/s/<id>`, and `/embed`, which first creates a sandbox): the live cluster view,
// the terminal and YAML editor, time controls and sharing. `?embed=terminal|view|both` drops the
// chrome for tutorial pages, which drive the sandbox through postMessage (embed-api.ts).
import { ApiError, createSandbox, deleteSandbox, forkSandbox, rememberedSandboxes, sandboxBase, sandboxIdFromPath, sandboxInfo, type SandboxInfo } from "./api";
import { ClusterCache } from "./cache";
import { createClock } from "./clock";
import { createDetail } from "./detail";
import { $, h, replace, tabs } from "./dom";
import { createEditor } from "./editor";
import { announceReady, listenForEmbedder } from "./embed-api";
import { sharePanel } from "./share";
import { createTerminal } from "./terminal";
import { renderEvents, renderNodes, renderServices, renderVolumes, renderWorkloads, type ViewContext } from "./view";
import type { Node } from "kubernetes-types/core/v1";
import type { KubeObject } from "./api";

type EmbedMode = "terminal" | "view" | "both";
const EMBED_MODES: EmbedMode[] = ["terminal", "view", "both"];

function fail(root: HTMLElement, message: string): void {
  replace(root, h("main", { class: "message" }, h("h1", null, "kubeplay"), h("p", { role: "alert" }, message), h("p", null, h("a", { href: "/" }, "Create a new sandbox"))));
}

/** `/embed?template=…|manifests=…`: make the sandbox, then become its page without reloading. */
async function createForEmbed(root: HTMLElement, params: URLSearchParams): Promise<string> {
  replace(root, h("main", { class: "message" }, h("p", { role: "status" }, "Creating a sandbox…")));
  const body: Record<string, unknown> = {};
  const template = params.get("template");
  const manifests = params.get("manifests");
  if (template) body.template = template;
  if (manifests) body.manifests = manifests;
  const created = await createSandbox(body);
  const mode = (params.get("embed") as EmbedMode | null) ?? "both";
  history.replaceState(null, "", `/s/${created.id}?embed=${EMBED_MODES.includes(mode) ? mode : "both"}`);
  return created.id;
}

/**
 * `/s/<id>?fork`: the fork link. Opening it (a GET, which changes nothing by itself) makes a private
 * copy of the sandbox as it is at that moment, then this page becomes the copy; the link's entry in
 * the history is replaced, so going back does not fork again.
 */
async function forkAndOpen(root: HTMLElement, id: string, params: URLSearchParams): Promise<void> {
  replace(root, h("main", { class: "message" }, h("p", { role: "status", id: "forking" }, "Making your own copy of this sandbox…")));
  try {
    const copy = await forkSandbox(id);
    const mode = params.get("embed") as EmbedMode | null;
    location.replace(`/s/${copy.id}${mode && EMBED_MODES.includes(mode) ? `?embed=${mode}` : ""}`);
  } catch (e) {
    fail(root, e instanceof ApiError && e.status === 404 ? "This sandbox does not exist (or was deleted), so it cannot be copied." : `Could not copy the sandbox: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function boot(): Promise<void> {
  const root = $("#app");
  let id = sandboxIdFromPath(location.pathname);
  const query = new URLSearchParams(location.search);
  if (id && query.has("fork")) return forkAndOpen(root, id, query);
  try {
    if (/^\/embed\/?$/.test(location.pathname)) id = await createForEmbed(root, new URLSearchParams(location.search));
  } catch (e) {
    return fail(root, `Could not create the sandbox: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!id) return fail(root, "This is not a sandbox address.");
  let info: SandboxInfo;
  try {
    info = await sandboxInfo(id);
  } catch (e) {
    return fail(root, e instanceof ApiError && e.status === 404 ? "This sandbox does not exist (or was deleted)." : `The sandbox did not answer: ${e instanceof Error ? e.message : e}`);
  }
  const embedParam = new URLSearchParams(location.search).get("embed");
  const embed = EMBED_MODES.includes(embedParam as EmbedMode) ? (embedParam as EmbedMode) : undefined;
  const base = sandboxBase(id);
  const readOnly = info.readOnly;
  document.title = `kubeplay · ${id.slice(0, 12)}${readOnly ? " (read-only)" : ""}`;
  const target = { base, id, url: info.url, readOnly };
  listenForEmbedder(target);

  const cache = new ClusterCache(base);
  const clock = createClock(id, info.clock, !readOnly);
  const namespace = h("select", { id: "namespace", "aria-label": "Namespace" }, h("option", { value: "" }, "All namespaces"));
  const ctx: ViewContext = { cache, now: clock.now, namespace: () => namespace.value };
  const showWork = !readOnly && embed !== "view";
  // A read-only link has no terminal: embedded as one, it shows the cluster instead.
  const showCluster = embed !== "terminal" || readOnly;

  // The work pane: terminal and YAML editor.
  const terminal = createTerminal(base);
  const editor = createEditor(base);
  const workTabs = h("div", { class: "tabs" }, h("button", { type: "button", "data-tab": "terminal" }, "Terminal"), embed === "terminal" ? null : h("button", { type: "button", "data-tab": "yaml" }, "Apply YAML"));
  const workPanels = { terminal: terminal.element, yaml: editor.element };
  let work = "terminal";
  const selectWork = tabs(workTabs, workPanels, (tab) => {
    work = tab;
    // The terminal needs the node list; before the first list it starts once that is in.
    if (tab === "terminal" && cache.state !== "loading") void terminal.start();
  });
  selectWork(work);

  // The cluster pane.
  const views: Record<string, (c: ViewContext) => unknown> = { nodes: renderNodes, workloads: renderWorkloads, services: renderServices, volumes: renderVolumes, events: renderEvents };
  const clusterTabs = h("div", { class: "tabs" }, Object.keys(views).map((v) => h("button", { type: "button", "data-tab": v }, v[0].toUpperCase() + v.slice(1))));
  const panel = h("div", { class: "panel", id: "cluster-panel", tabindex: -1 });
  let view = "nodes";
  const renderView = () => replace(panel, views[view](ctx) as HTMLElement);
  // One panel shows whichever view is selected.
  const selectView = tabs(clusterTabs, {}, (v) => {
    view = v;
    panel.setAttribute("aria-label", v);
    renderView();
  });
  panel.setAttribute("role", "tabpanel");
  for (const b of clusterTabs.querySelectorAll("button")) b.setAttribute("aria-controls", panel.id);
  selectView(view);
  const connection = h("span", { class: "conn", id: "connection", role: "status" }, "loading…");

  const detail = createDetail({
    base,
    cache,
    now: clock.now,
    readOnly,
    edit: (yaml) => {
      selectWork("yaml");
      editor.setText(yaml);
    },
  });
  const share = h("dialog", { id: "share", "aria-labelledby": "share-title" }, h("header", null, h("h2", { id: "share-title" }, "Share and connect"), h("form", { method: "dialog" }, h("button", { type: "submit" }, "Close"))), sharePanel(info));

  const fork = h("button", { type: "button", id: "fork", title: "Make a private copy of this sandbox as it is now" }, "Fork");
  fork.addEventListener("click", async () => {
    fork.disabled = true;
    try {
      const copy = await forkSandbox(id);
      location.assign(new URL(copy.url).pathname);
    } catch (e) {
      fork.disabled = false;
      alert(`Fork failed: ${e instanceof Error ? e.message : e}`);
    }
  });
  const owned = rememberedSandboxes().find((s) => s.id === id);
  const remove = owned
    ? h("button", {
        type: "button",
        id: "delete",
        onclick: async () => {
          if (!confirm("Delete this sandbox for everyone?")) return;
          await deleteSandbox(id, owned.ownerToken);
          location.assign("/");
        },
      }, "Delete")
    : null;

  const header = embed
    ? null
    : h(
        "header",
        { class: "bar" },
        h("a", { class: "brand", href: "/" }, "kubeplay"),
        h("span", { class: "sandbox" }, h("code", { title: id }, id.slice(0, 12)), readOnly ? h("span", { class: "tag ro", id: "readonly-badge" }, "read-only") : null),
        clock.element,
        h("nav", { class: "actions", "aria-label": "Sandbox" }, h("button", { type: "button", id: "share-open", onclick: () => share.showModal() }, "Share · kubectl"), fork, remove),
      );
  const layout = h(
    "main",
    { class: `layout${showWork && showCluster ? " split" : ""}${embed ? " embedded" : ""}` },
    showWork ? h("section", { class: "work", "aria-label": "Terminal and editor" }, workTabs, terminal.element, embed === "terminal" ? null : editor.element) : null,
    showCluster
      ? h(
          "section",
          { class: "cluster", "aria-label": "Cluster" },
          h("div", { class: "toolbar" }, clusterTabs, namespace, connection, embed ? h("a", { href: `/s/${id}`, target: "_blank", rel: "noopener", class: "hint" }, "open in kubeplay ↗") : null),
          embed ? h("div", { class: "embed-clock" }, clock.element) : null,
          panel,
        )
      : null,
  );
  replace(root, header, layout, detail.element, share);

  // Opening objects: every `[data-open]` button names resource/namespace/name.
  document.addEventListener("click", (e) => {
    const el = (e.target as HTMLElement).closest<HTMLElement>("[data-open]");
    if (!el) return;
    const [resource, ns, name] = (el.dataset.open ?? "").split("/");
    detail.open(resource, ns, name);
  });
  namespace.addEventListener("change", renderView);

  const nodesForTerminal = () => {
    const nodes = cache.list<Node & KubeObject>("nodes");
    const names = nodes.map((n) => n.metadata.name ?? "").sort();
    const cp = nodes.find((n) => "node-role.kubernetes.io/control-plane" in (n.metadata.labels ?? {}))?.metadata.name;
    terminal.setNodes(names, cp ?? names[0] ?? "");
  };
  const syncNamespaces = () => {
    const names = cache.list("namespaces").map((n) => n.metadata.name ?? "").sort();
    const current = namespace.value;
    if ([...namespace.options].slice(1).map((o) => o.value).join() === names.join()) return;
    namespace.replaceChildren(h("option", { value: "" }, "All namespaces"), ...names.map((n) => h("option", { value: n }, n)));
    namespace.value = names.includes(current) ? current : "";
  };
  cache.subscribe((changed) => {
    if (changed.has("connection")) connection.textContent = cache.state === "live" ? "live" : cache.state;
    if (changed.has("nodes")) nodesForTerminal();
    if (changed.has("namespaces")) syncNamespaces();
    renderView();
    detail.refresh();
  });
  // Ages move with the virtual clock: redraw now and then, and at once when the clock jumps.
  setInterval(renderView, 5000);
  clock.onChange(() => {
    renderView();
    detail.refresh();
  });
  // A change made anywhere (another tab, the API, the owner) reaches every page on the watch stream.
  cache.onClock = (state) => clock.set(state);

  try {
    await cache.start();
  } catch (e) {
    connection.textContent = `could not load the cluster: ${e instanceof Error ? e.message : e}`;
    return;
  }
  nodesForTerminal();
  if (showWork && work === "terminal") void terminal.start();
  document.documentElement.dataset.ready = "true";
  performance.mark("kubeplay:ready");
  announceReady(target);
}

void boot();
