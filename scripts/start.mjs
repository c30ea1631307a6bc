// `npm start`: serve kubeplay on http://127.0.0.1:${PORT:-8787} with a local, migrated D1.
import { startServer } from "./dev-server.mjs";

const port = Number(process.env.PORT ?? 8787);
const server = await startServer({ port, stdio: "inherit" });
console.log(`kubeplay is serving ${server.url}`);
console.log(`  create a sandbox: curl -s -X POST ${server.url}/api/sandboxes`);
const shutdown = async () => {
  await server.stop();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
server.child.on("exit", (code) => process.exit(code ?? 0));
