// The landing page: a sandbox in one click, or from a template; the sandboxes this browser made.
import { createSandbox, deleteSandbox, getJson, rememberedSandboxes } from "./api";
import { $, h, replace } from "./dom";

interface TemplateInfo {
  name: string;
  title: string;
  description: string;
}

const status = $("#status");

async function start(template?: string, button?: HTMLButtonElement): Promise<void> {
  for (const b of document.querySelectorAll<HTMLButtonElement>("button[data-create]")) b.disabled = true;
  status.textContent = "Creating a sandbox…";
  try {
    const created = await createSandbox(template ? { template } : {});
    location.assign(new URL(created.url).pathname);
  } catch (e) {
    status.textContent = `Could not create a sandbox: ${e instanceof Error ? e.message : e}`;
    for (const b of document.querySelectorAll<HTMLButtonElement>("button[data-create]")) b.disabled = false;
    button?.focus();
  }
}

function renderMine(): void {
  const list = $("#mine");
  const mine = rememberedSandboxes();
  $("#mine-section").hidden = mine.length === 0;
  replace(
    list,
    mine.map((s) =>
      h(
        "li",
        null,
        h("a", { href: `/s/${s.id}` }, h("code", null, s.id.slice(0, 12))),
        ` created ${new Date(s.createdAt).toLocaleString()} `,
        h("button", {
          type: "button",
          class: "small",
          "aria-label": `Delete sandbox ${s.id.slice(0, 12)}`,
          onclick: async () => {
            if (!confirm("Delete this sandbox for everyone who has its link?")) return;
            await deleteSandbox(s.id, s.ownerToken).catch((e: Error) => alert(e.message));
            renderMine();
          },
        }, "Delete"),
      ),
    ),
  );
}

const create = $("#create") as HTMLButtonElement;
create.addEventListener("click", () => start(undefined, create));
$("#curl").textContent = `curl -s -X POST ${location.origin}/api/sandboxes`;
renderMine();

getJson<{ templates: TemplateInfo[] }>("/api/sandboxes/templates")
  .then(({ templates }) => {
    replace(
      $("#templates"),
      templates
        .filter((t) => t.name !== "empty")
        .map((t) => {
          const b = h("button", { type: "button", "data-create": "", "data-template": t.name }, t.title);
          b.addEventListener("click", () => start(t.name, b));
          return h("li", null, b, h("p", null, t.description));
        }),
    );
  })
  .catch(() => undefined);
