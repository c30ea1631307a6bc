// Units the runtime reads and prints: resource quantities (memory limits, `stress --vm-bytes`),
// Go-formatted durations (event and status messages), and `sleep` arguments.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A Kubernetes quantity (`100Mi`, `0.5Gi`, `128974848`, `129e6`) in base units; undefined when malformed. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === "number") return q;
  if (typeof q !== "string") return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|K|M|G|T|P|E)?)$/.exec(q.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2]) return n * 10 ** Number(m[2].slice(1));
  const suffix = m[3] ?? "";
  return n * (BINARY[suffix] ?? DECIMAL[suffix] ?? 1);
}

/** Byte sizes as `stress --vm-bytes` and friends take them: `250M`, `1G`, `512k`, `100Mi`, plain bytes. */
export function parseByteSize(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(i?)[bB]?$/.exec(s.trim());
  if (!m) return undefined;
  const power = { "": 0, k: 1, m: 2, g: 3, t: 4 }[m[2].toLowerCase() as "" | "k" | "m" | "g" | "t"];
  return Math.round(Number(m[1]) * 1024 ** power);
}

// Models go/src/time/time.go Duration.String
/** A duration as Go prints it: `830ms`, `1.393s`, `1m20s`, `5m0s`, `2h0m0s`. */
export function goDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${trimZeros(ms.toFixed(3))}ms`;
  let rest = ms / 1000;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest -= m * 60;
  const s = `${trimZeros(rest.toFixed(3))}s`;
  if (h > 0) return `${h}h${m}m${s}`;
  if (m > 0) return `${m}m${s}`;
  return s;
}

function trimZeros(fixed: string): string {
  return fixed.includes(".") ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
}

/** `sleep` operands (`30`, `0.5`, `1m`, `2h`, `1d`, `infinity`) in ms; undefined when invalid. */
export function parseSleep(arg: string): number | undefined {
  if (arg === "infinity" || arg === "inf") return Infinity;
  const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(arg);
  if (!m) return undefined;
  const unit = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "" | "s" | "m" | "h" | "d"];
  return Math.round(Number(m[1]) * unit * 1000);
}

/** A human size for memory messages (`250Mi`). */
export function formatMi(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)}Mi`;
}
