// Builds the web console: TypeScript in web/src bundled by esbuild into web/app/ (minified, split so
// that the YAML library and the xterm.js terminal load only when a page first needs them), plus
// xterm.js's stylesheet. wrangler.toml's [build] runs it, so `npm start`, the tests' `wrangler dev`
// and `wrangler deploy` all serve a fresh build; `npm run build:web` runs it alone.
// Several dev servers may share one work tree: files are written only when they change, and by rename,
// so a server never serves a half-written file.
import { build } from "esbuild";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "web", "app");

function writeIfChanged(file, contents) {
  if (existsSync(file) && Buffer.compare(readFileSync(file), Buffer.from(contents)) === 0) return;
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

const result = await build({
  absWorkingDir: root,
  entryPoints: { landing: "web/src/landing.ts", console: "web/src/console.ts" },
  bundle: true,
  splitting: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: "linked",
  outdir: out,
  chunkNames: "chunks/[name]-[hash]",
  legalComments: "linked",
  write: false,
  logLevel: "warning",
});

const files = new Map(result.outputFiles.map((f) => [f.path, f.contents]));
files.set(path.join(out, "xterm.css"), readFileSync(path.join(root, "node_modules/@xterm/xterm/css/xterm.css")));
for (const [file, contents] of files) writeIfChanged(file, contents);

// Chunks of earlier builds (their names carry a content hash) go.
const wanted = new Set(files.keys());
for (const dir of [out, path.join(out, "chunks")]) {
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, name.name);
    if (name.isFile() && !wanted.has(file) && !name.name.endsWith(".tmp")) rmSync(file, { force: true });
  }
}
