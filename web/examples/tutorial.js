// Drives the embedded sandbox through kubeplay's postMessage API:
//   {type: "kubeplay:run", id, command}  → {type: "kubeplay:result", id, stdout, stderr, exitCode}
//   {type: "kubeplay:apply", id, yaml}   → {type: "kubeplay:result", id, ok, results}
//   {type: "kubeplay:get", id, path}     → {type: "kubeplay:result", id, status, body}
// The sandbox says {type: "kubeplay:ready", sandbox: {id, url}} once it can take requests.
const frame = document.getElementById("sandbox");
const origin = new URL(frame.src, location.href).origin;
const pending = new Map();
let nextId = 1;
let sandbox;

window.addEventListener("message", (event) => {
  if (event.source !== frame.contentWindow || event.origin !== origin) return;
  const msg = event.data;
  if (msg?.type === "kubeplay:ready") {
    sandbox = msg.sandbox;
    const status = document.getElementById("sandbox-status");
    status.textContent = "Sandbox ready: ";
    const link = document.createElement("a");
    link.href = sandbox.url;
    link.target = "_blank";
    link.textContent = "open it in a tab of its own";
    status.append(link);
    for (const b of document.querySelectorAll("button[disabled]")) b.disabled = false;
  } else if (msg?.type === "kubeplay:result" && pending.has(msg.id)) {
    pending.get(msg.id)(msg);
    pending.delete(msg.id);
  }
});

function call(message) {
  return new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    frame.contentWindow.postMessage({ ...message, id }, origin);
  });
}

function show(button, text) {
  button.nextElementSibling.textContent = text;
}

for (const button of document.querySelectorAll("button[data-run]")) {
  button.addEventListener("click", async () => {
    const r = await call({ type: "kubeplay:run", command: button.dataset.run });
    show(button, r.error ?? (r.stdout + r.stderr || `exit code ${r.exitCode}`));
  });
}
for (const button of document.querySelectorAll("button[data-apply]")) {
  button.addEventListener("click", async () => {
    const yaml = button.parentElement.querySelector("[data-yaml]").textContent;
    const r = await call({ type: "kubeplay:apply", yaml });
    show(button, r.error ?? r.results.map((d) => `${d.kind.toLowerCase()}/${d.name} ${d.message}`).join("\n"));
  });
}
for (const button of document.querySelectorAll("button[data-get]")) {
  button.addEventListener("click", async () => {
    const r = await call({ type: "kubeplay:get", path: button.dataset.get });
    show(button, r.error ?? `HTTP ${r.status}: spec.replicas = ${r.body?.spec?.replicas}, ready = ${r.body?.status?.readyReplicas ?? 0}`);
  });
}
