// Serves kubeplay with wrangler's dev server started through its API, with the debugger's inspector
// off. Used by the API benchmark only: with the inspector on, wrangler relays every chunk of every
// streamed response (each watch event) to its Node process for devtools, a cost of the dev tool
// that the platform does not have. Arguments: a JSON object { port, persistTo, vars, protocol }.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { unstable_startWorker } from "wrangler";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { port, persistTo, vars = {}, protocol = "http" } = JSON.parse(process.argv[2] ?? "{}");
const worker = await unstable_startWorker({
  config: path.join(root, "wrangler.toml"),
  bindings: Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, { type: "plain_text", value: String(v) }])),
  dev: {
    inspector: false,
    server: { hostname: "127.0.0.1", port, secure: protocol === "https" },
    persist: persistTo,
    logLevel: "warn",
    watch: false,
    remote: false,
  },
});
await worker.ready;
const stop = () => worker.dispose().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
