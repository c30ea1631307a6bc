// Draws a benchmark results file (bench/results/<date>.json, written by `npm run bench`) as one
// self-contained SVG: API latency as a multiple of the platform floor, and CPU time next to the peer
// simulator per workload. No dependencies. The white card keeps it readable on light and dark pages.
// Alone: `node scripts/bench-chart.mjs [results.json] [out.svg]` (defaults: the newest results file,
// docs/bench.svg). A section missing from the results leaves its panel out.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const WIDTH = 880;
const PAD = 24;
const FONT = "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
const INK = "#1f2328";
const MUTED = "#59636e";
const GRID = "#d1d9e0";
const KUBEPLAY = "#2f6fdf";
const PEER = "#e0823d";
const OVER = "#cf222e";

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const text = (x, y, s, { size = 12, anchor = "start", weight = "normal", fill = INK, halo = false } = {}) =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${size}" text-anchor="${anchor}" font-weight="${weight}" fill="${fill}"${halo ? ' stroke="#ffffff" stroke-width="3" paint-order="stroke"' : ""}>${esc(s)}</text>`;
const rect = (x, y, w, h, fill, extra = "") => `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(0, w).toFixed(1)}" height="${h.toFixed(1)}" fill="${fill}"${extra}/>`;
const line = (x1, y1, x2, y2, stroke, extra = "") => `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" stroke="${stroke}"${extra}/>`;
/** Rough width of a label at 12 px, enough to lay out the label column. */
const textWidth = (s, size = 12) => [...String(s)].length * size * 0.56;

const fmtMs = (ms) => (ms >= 1000 ? `${+(ms / 1000).toFixed(ms >= 10_000 ? 1 : 2)} s` : `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`);
/** Axis labels: round numbers without decimals. */
const fmtTick = (ms) => (ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`);
const fmtRatio = (r) => `${+r.toFixed(r >= 10 ? 0 : r >= 1 ? 2 : r >= 0.1 ? 2 : 3)}×`;

/** Panel (a): each operation's p50 as a multiple of the floor's, with the 1× floor and the 2× target. */
function apiPanel(api, y0) {
  const floor = api.find((r) => r.name === "floor");
  const rows = api.filter((r) => r.name !== "floor" && Number.isFinite(r.ratio));
  if (rows.length === 0) return undefined;
  const out = [];
  out.push(text(PAD, y0 + 16, "API latency, p50 as a multiple of the floor", { size: 15, weight: "600" }));
  out.push(
    text(PAD, y0 + 34, `floor: a Worker → Durable Object → D1 read in the same run${floor ? ` (p50 ${fmtMs(floor.p50)})` : ""}; bars past an operation's own target are red`, { size: 11.5, fill: MUTED }),
  );
  // Rows measured against a floor of their own kind say so under the title.
  const ownFloors = [
    rows.some((r) => r.floor === "fan-out") && "WATCH fan-out, the read then a line to as many open streams",
    rows.some((r) => r.floor === "payload") && "the big LIST, the read then the same body sent back",
  ].filter(Boolean);
  if (ownFloors.length) out.push(text(PAD, y0 + 50, `own floors: ${ownFloors.join("; ")}`, { size: 11.5, fill: MUTED }));
  const fanOut = ownFloors.length > 0;
  const labelW = Math.max(...rows.map((r) => textWidth(r.name))) + 12;
  const x0 = PAD + labelW;
  const x1 = WIDTH - PAD - 200;
  // An operation far past the others (a list of thousands of pods) would squash them: the axis
  // stops at 6× and such a bar is cut, marked and labelled with its value.
  const max = Math.min(6, Math.max(2.5, ...rows.map((r) => r.ratio * 1.1), ...rows.map((r) => (r.target ?? 0) * 1.1)));
  const sx = (v) => x0 + (Math.min(v, max) / max) * (x1 - x0);
  const step = max <= 3 ? 0.5 : 1;
  const top = y0 + 66 + (fanOut ? 16 : 0);
  const rowH = 26;
  const bottom = top + rows.length * rowH;
  // Grid every 0.5×, labelled underneath.
  for (let v = 0; v <= max + 1e-9; v += step) {
    out.push(line(sx(v), top - 4, sx(v), bottom, GRID, v === 0 ? "" : ' stroke-width="0.6"'));
    out.push(text(sx(v), bottom + 14, `${v}×`, { size: 10.5, anchor: "middle", fill: MUTED }));
  }
  // The reference lines go under the bars and labels, which carry a white halo.
  out.push(line(sx(1), top - 8, sx(1), bottom + 2, INK, ' stroke-width="1.5"'));
  out.push(text(sx(1), top - 11, "1× floor", { size: 10.5, anchor: "middle" }));
  out.push(line(sx(2), top - 8, sx(2), bottom + 2, OVER, ' stroke-width="1.5" stroke-dasharray="5 3"'));
  out.push(text(sx(2), top - 11, "2× target", { size: 10.5, anchor: "middle", fill: OVER }));
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const over = r.target != null && r.ratio > r.target;
    out.push(text(x0 - 10, y + 16, r.name, { anchor: "end" }));
    out.push(rect(sx(0), y + 5, sx(r.ratio) - sx(0), 15, over ? OVER : KUBEPLAY, ' rx="2"'));
    if (r.ratio > max) out.push(`<path d="M${(sx(max) - 9).toFixed(1)} ${y + 4} l5 8.5 l-5 8.5 M${(sx(max) - 4).toFixed(1)} ${y + 4} l5 8.5 l-5 8.5" stroke="#ffffff" stroke-width="2" fill="none"/>`);
    if (r.target != null && r.target !== 2) out.push(line(sx(r.target), y + 2, sx(r.target), y + 23, INK, ' stroke-width="2"'));
    out.push(text(sx(r.ratio) + 6, y + 16, `${fmtRatio(r.ratio)}  (p50 ${fmtMs(r.p50)}, p99 ${fmtMs(r.p99)})`, { size: 11, halo: true }));
  });
  const targets = rows.filter((r) => r.target != null && r.target !== 2);
  let h = bottom + 22 - y0;
  if (targets.length) {
    out.push(line(x0, bottom + 27, x0, bottom + 37, INK, ' stroke-width="2"'));
    out.push(text(x0 + 6, bottom + 36, `an operation's own tighter target (${targets.map((r) => `${r.name} ≤ ${r.target}×`).join(", ")})`, { size: 10.5, fill: MUTED }));
    h += 18;
  }
  return { svg: out.join("\n"), height: h };
}

/** Panel (b): CPU time per workload, kubeplay next to the peer, on a log scale. */
function peerPanel(peer, y0) {
  const rows = (peer?.workloads ?? []).filter((w) => Number.isFinite(w.kubeplay?.cpuMs) || Number.isFinite(w.webernetes?.cpuMs));
  if (rows.length === 0) return undefined;
  const name = `${peer.peer ?? "peer"}${peer.version ? ` ${peer.version}` : ""}`;
  const out = [];
  out.push(text(PAD, y0 + 16, `CPU time per workload: kubeplay vs ${name}`, { size: 15, weight: "600" }));
  out.push(text(PAD, y0 + 34, "median over rounds, log scale; ratio = kubeplay / peer (below 1× kubeplay uses less)", { size: 11.5, fill: MUTED }));
  const values = rows.flatMap((w) => [w.kubeplay?.cpuMs, w.webernetes?.cpuMs]).filter((v) => Number.isFinite(v) && v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values) * 1.05));
  const labelW = Math.max(...rows.map((w) => textWidth(w.workload))) + 12;
  const x0 = PAD + labelW;
  const x1 = WIDTH - PAD - 120;
  const sx = (v) => x0 + ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (x1 - x0);
  const legendY = y0 + 52;
  out.push(rect(x0, legendY - 9, 12, 10, KUBEPLAY, ' rx="2"'), text(x0 + 17, legendY, "kubeplay", { size: 11.5 }));
  out.push(rect(x0 + 90, legendY - 9, 12, 10, PEER, ' rx="2"'), text(x0 + 107, legendY, name, { size: 11.5 }));
  const top = legendY + 14;
  const rowH = 40;
  const bottom = top + rows.length * rowH;
  for (let v = lo; v <= hi * 1.0001; v *= 10) {
    out.push(line(sx(v), top - 2, sx(v), bottom, GRID, ' stroke-width="0.6"'));
    out.push(text(sx(v), bottom + 14, fmtTick(v), { size: 10.5, anchor: "middle", fill: MUTED }));
  }
  rows.forEach((w, i) => {
    const y = top + i * rowH;
    out.push(text(x0 - 10, y + 22, w.workload, { anchor: "end" }));
    const bar = (v, yy, fill) => {
      if (!Number.isFinite(v) || v <= 0) return out.push(text(x0 + 4, yy + 10, "not measured", { size: 10.5, fill: MUTED }));
      out.push(rect(x0, yy, sx(v) - x0, 14, fill, ' rx="2"'));
      out.push(text(sx(v) + 5, yy + 11, fmtMs(v), { size: 11, halo: true }));
    };
    bar(w.kubeplay?.cpuMs, y + 4, KUBEPLAY);
    bar(w.webernetes?.cpuMs, y + 20, PEER);
    const ratio = w.ratio?.cpu ?? (w.kubeplay?.cpuMs && w.webernetes?.cpuMs ? w.kubeplay.cpuMs / w.webernetes.cpuMs : undefined);
    if (Number.isFinite(ratio)) out.push(text(WIDTH - PAD, y + 22, fmtRatio(ratio), { anchor: "end", weight: "600", fill: ratio > 1 ? OVER : INK }));
  });
  out.push(text(WIDTH - PAD, top - 4, "ratio", { size: 10.5, anchor: "end", fill: MUTED }));
  return { svg: out.join("\n"), height: bottom + 24 - y0 };
}

/** Writes `results` (a bench/results JSON object) as an SVG chart to `file`; answers the SVG. */
export function writeChart(results, file) {
  const parts = [];
  let y = PAD;
  const title = `kubeplay benchmarks${results.date ? ` — ${String(results.date).slice(0, 10)}` : ""}`;
  parts.push(text(PAD, y + 18, title, { size: 18, weight: "700" }));
  const sub = [results.node && `Node ${results.node}`, results.rounds && `${results.rounds} requests per API figure${results.repeats > 1 ? `, median of ${results.repeats} repeats` : ""}`].filter(Boolean).join(", ");
  if (sub) parts.push(text(WIDTH - PAD, y + 18, sub, { size: 11.5, anchor: "end", fill: MUTED }));
  y += 36;
  const panels = [(at) => Array.isArray(results.api) && apiPanel(results.api, at), (at) => results.peer && peerPanel(results.peer, at)];
  let drawn = 0;
  for (const make of panels) {
    const gap = drawn ? 16 : 0;
    const p = make(y + gap);
    if (!p) continue;
    if (drawn++) parts.push(line(PAD, y + 4, WIDTH - PAD, y + 4, GRID));
    parts.push(p.svg);
    y += gap + p.height;
  }
  if (drawn === 0) {
    parts.push(text(PAD, y + 20, "no API or peer figures in these results", { fill: MUTED }));
    y += 32;
  }
  const height = Math.ceil(y + PAD);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="${FONT}" role="img" aria-label="${esc(title)}">
<title>${esc(title)}</title>
${rect(0.5, 0.5, WIDTH - 1, height - 1, "#ffffff", ` rx="8" stroke="${GRID}"`)}
${parts.join("\n")}
</svg>
`;
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, svg);
  return svg;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = path.join(root, "bench", "results");
  const input =
    process.argv[2] ??
    path.join(
      dir,
      readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .sort()
        .at(-1) ?? "",
    );
  const out = process.argv[3] ?? path.join(root, "docs", "bench.svg");
  writeChart(JSON.parse(readFileSync(input, "utf8")), out);
  console.log(`written ${path.relative(process.cwd(), out)} from ${path.relative(process.cwd(), input)}`);
}
