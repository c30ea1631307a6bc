// Quantities in the canonical form resource.Quantity.String() gives them: CPU as metrics-server
// builds it (nanocores, DecimalSI: `1234567n`, `500m`, `2`), memory as bytes (BinarySI: `12344Ki`).
// Models staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go CanonicalizeBytes

const DECIMAL_STEPS: [number, string][] = [
  [1e18, "E"],
  [1e15, "P"],
  [1e12, "T"],
  [1e9, "G"],
  [1e6, "M"],
  [1e3, "k"],
];

function wholeUnits(whole: number): string {
  for (const [f, s] of DECIMAL_STEPS) if (whole % f === 0) return `${whole / f}${s}`;
  return String(whole);
}

/** `n` nanocores as a Quantity string. */
export function formatNanoCores(n: number): string {
  const v = Math.round(n);
  if (v === 0) return "0";
  if (v % 1e9 === 0) return wholeUnits(v / 1e9);
  if (v % 1e6 === 0) return `${v / 1e6}m`;
  if (v % 1e3 === 0) return `${v / 1e3}u`;
  return `${v}n`;
}

const BINARY_SUFFIXES = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

/** `bytes` as a BinarySI Quantity string. */
export function formatBytes(bytes: number): string {
  let v = Math.round(bytes);
  if (v === 0) return "0";
  let i = -1;
  while (v % 1024 === 0 && i < BINARY_SUFFIXES.length - 1) {
    v /= 1024;
    i++;
  }
  return i < 0 ? String(v) : `${v}${BINARY_SUFFIXES[i]}`;
}

/** A milli-value as a DecimalSI Quantity string (how the HPA reports averages: `120m`, `1`, `12640256`). */
export function formatMilli(milli: number): string {
  const v = Math.round(milli);
  if (v === 0) return "0";
  return v % 1000 === 0 ? wholeUnits(v / 1000) : `${v}m`;
}
