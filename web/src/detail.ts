// An object's detail, in a dialog: describe-like text, its YAML (read from the API), and for a pod
// its story. Describe and story follow the cache live; a deleted pod keeps its story.
import type { Event as CoreV1Event, Node, Pod, Service } from "kubernetes-types/core/v1";
import type { EndpointSlice } from "kubernetes-types/discovery/v1";
import { getJson, type KubeObject } from "./api";
import { toEditableYaml, toYaml } from "./apply";
import { RESOURCES, type ClusterCache } from "./cache";
import { describe } from "./describe";
import { h, replace, tabs } from "./dom";
import { podStory, type StoryStep } from "./story";
import { clockText } from "./status";

export interface DetailContext {
  base: string;
  cache: ClusterCache;
  now(): number;
  readOnly: boolean;
  edit(yaml: string): void;
}

const KIND_OF: Record<string, string> = {
  ReplicaSet: "replicasets",
  Deployment: "deployments",
  StatefulSet: "statefulsets",
  DaemonSet: "daemonsets",
  Job: "jobs",
  CronJob: "cronjobs",
};

/** The API path of one object, from the collection path of its resource. */
export function objectPath(resource: string, namespace: string, name: string): string {
  const r = RESOURCES.find((x) => x.key === resource);
  if (!r) throw new Error(`unknown resource ${resource}`);
  const i = r.path.lastIndexOf("/");
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${r.path.slice(0, i)}${ns}${r.path.slice(i)}/${encodeURIComponent(name)}`;
}

function storyList(steps: StoryStep[]): HTMLElement {
  let phase = "";
  const items: HTMLElement[] = [];
  for (const s of steps) {
    if (s.phase !== phase) {
      phase = s.phase;
      items.push(h("li", { class: "phase" }, h("h4", null, phase === "create" ? "Creation" : "Deletion")));
    }
    items.push(
      h(
        "li",
        { class: `step ${s.state}`, "data-step": s.key },
        h("div", { class: "when" }, s.time ? clockText(Date.parse(s.time)) : "—"),
        h("div", { class: "who" }, s.component),
        h("div", { class: "what" }, h("strong", null, s.title), s.detail.map((d) => h("div", { class: "detail" }, d))),
      ),
    );
  }
  return h("ol", { class: "story", "aria-label": "The pod's story" }, items);
}

export function createDetail(ctx: DetailContext) {
  const title = h("h2", { id: "detail-title" });
  const tablist = h(
    "div",
    { class: "tabs" },
    h("button", { type: "button", "data-tab": "describe" }, "Describe"),
    h("button", { type: "button", "data-tab": "yaml" }, "YAML"),
    h("button", { type: "button", "data-tab": "story" }, "Story"),
  );
  const panels = {
    describe: h("pre", { class: "code", id: "detail-describe", tabindex: 0 }),
    yaml: h("pre", { class: "code", id: "detail-yaml", tabindex: 0 }),
    story: h("div", { id: "detail-story" }),
  };
  const editButton = h("button", { type: "button", id: "detail-edit", hidden: ctx.readOnly }, "Edit in YAML editor");
  const dialog = h(
    "dialog",
    { id: "detail", "aria-labelledby": "detail-title" },
    h("header", null, title, editButton, h("form", { method: "dialog" }, h("button", { type: "submit", "aria-label": "Close" }, "Close"))),
    tablist,
    panels.describe,
    panels.yaml,
    panels.story,
  );
  let current: { resource: string; namespace: string; name: string; uid?: string; tab: string } | undefined;
  let lastSeen: KubeObject | undefined;

  const object = (): KubeObject | undefined => {
    if (!current) return undefined;
    const live = ctx.cache.get(current.resource, current.namespace, current.name);
    if (live && (!current.uid || live.metadata.uid === current.uid)) return (lastSeen = live);
    return current.uid ? (ctx.cache.gone.get(current.uid) ?? lastSeen) : lastSeen;
  };
  const gone = () => !!current && !ctx.cache.get(current.resource, current.namespace, current.name);

  const renderDescribe = () => {
    const o = object();
    panels.describe.textContent = o ? `${gone() ? "(deleted)\n" : ""}${describe(current!.resource, o, ctx.cache.list<CoreV1Event & KubeObject>("events"), ctx.now())}` : "not found";
  };
  const renderStory = () => {
    const o = object();
    if (!o || current?.resource !== "pods") return;
    const steps = podStory(o as Pod & KubeObject, {
      events: ctx.cache.list<CoreV1Event & KubeObject>("events"),
      owner: (kind, ns, name) => (KIND_OF[kind] ? ctx.cache.get(KIND_OF[kind], ns, name) : undefined),
      endpointSlices: ctx.cache.list<EndpointSlice & KubeObject>("endpointslices"),
      services: ctx.cache.list<Service & KubeObject>("services"),
      gone: gone(),
      nodes: ctx.cache.list<Node & KubeObject>("nodes"),
    });
    replace(panels.story, storyList(steps));
  };
  const renderYaml = async (fetchIt: boolean) => {
    if (!current) return;
    const c = current;
    let o = object();
    if (fetchIt && !gone()) {
      try {
        o = await getJson<KubeObject>(`${ctx.base}${objectPath(c.resource, c.namespace, c.name)}`);
      } catch (e) {
        panels.yaml.textContent = e instanceof Error ? e.message : String(e);
        return;
      }
    }
    if (current === c && o) panels.yaml.textContent = await toYaml(o);
  };

  const render = (tab: string, fetchYaml = false) => {
    if (!current) return;
    current.tab = tab;
    if (tab === "describe") renderDescribe();
    else if (tab === "story") renderStory();
    else void renderYaml(fetchYaml);
  };
  const select = tabs(tablist, panels, (tab) => render(tab, true));

  editButton.addEventListener("click", async () => {
    const o = object();
    if (!o) return;
    ctx.edit(await toEditableYaml(o));
    dialog.close();
  });
  // Closing gives the focus back to what opened the dialog, even if the live view has redrawn it
  // meanwhile (the new element carries the same data-key).
  let opener: string | undefined;
  dialog.addEventListener("close", () => {
    current = undefined;
    const key = opener;
    opener = undefined;
    if (!key) return;
    setTimeout(() => {
      const active = document.activeElement;
      if (!active || active === document.body || !active.isConnected) document.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`)?.focus();
    });
  });

  return {
    element: dialog,
    open(resource: string, namespace: string, name: string, tab?: string) {
      const live = ctx.cache.get(resource, namespace, name);
      lastSeen = live;
      if (!dialog.open) opener = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.key : undefined;
      current = { resource, namespace, name, uid: live?.metadata.uid, tab: "describe" };
      title.textContent = `${resource.replace(/s$/, "")} ${namespace ? `${namespace}/` : ""}${name}`;
      (tablist.querySelector("[data-tab=story]") as HTMLElement).hidden = resource !== "pods";
      if (!dialog.open) dialog.showModal();
      select(tab ?? (resource === "pods" ? "story" : "describe"));
    },
    /** Follows the cache: re-renders the open tab (the YAML too, from the watched copy). */
    refresh() {
      if (current && dialog.open) render(current.tab);
    },
  };
}
