// resource.Quantity: parsing, comparison and the canonical form the apiserver serializes.
// Models staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go ParseQuantity, CanonicalizeBytes

export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const SUFFIX_ERROR = "unable to parse quantity's suffix";
const NUMERIC_ERROR = "unable to parse numeric part of quantity";

type Format = "DecimalSI" | "BinarySI" | "DecimalExponent";

/** value = n × 10^scale. */
export interface Quantity {
  n: bigint;
  scale: number;
  format: Format;
}

const DEC_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BIN_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

function pow10(k: number): bigint {
  return 10n ** BigInt(k);
}

/** Rounds away from zero to the given scale (inf.Dec RoundUp). */
function roundUp(q: Quantity, scale: number): Quantity {
  if (q.scale >= scale) return q;
  const d = pow10(scale - q.scale);
  let n = q.n / d;
  if (n * d !== q.n) n += q.n < 0n ? -1n : 1n;
  return { n, scale, format: q.format };
}

export function parseQuantity(input: unknown): Quantity | string {
  if (typeof input === "number") input = Number.isInteger(input) ? BigInt(input).toString() : String(input);
  if (typeof input !== "string" || !input.length) return QUANTITY_FORMAT_ERROR;
  const m = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/.exec(input);
  if (!m) return QUANTITY_FORMAT_ERROR;
  const numeric = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(m[1]);
  if (!numeric || (numeric[2] === "" && !numeric[3])) return NUMERIC_ERROR;
  const [, sign, whole, frac = ""] = numeric;
  let n = BigInt((whole || "0") + frac);
  if (sign === "-") n = -n;
  let scale = -frac.length;
  const suffix = m[2];
  let format: Format;
  if (suffix in DEC_SUFFIX) {
    format = "DecimalSI";
    scale += DEC_SUFFIX[suffix];
  } else if (suffix in BIN_SUFFIX) {
    format = "BinarySI";
    n *= 2n ** BigInt(BIN_SUFFIX[suffix]);
  } else if (/^[eE][-+]?\d+$/.test(suffix)) {
    format = "DecimalExponent";
    scale += Number(suffix.slice(1));
  } else {
    return SUFFIX_ERROR;
  }
  // Precision beyond nano is rounded up, as upstream does at parse time.
  return roundUp({ n, scale, format }, -9);
}

export function cmpQuantity(a: Quantity, b: Quantity): number {
  const s = Math.min(a.scale, b.scale);
  const x = a.n * pow10(a.scale - s);
  const y = b.n * pow10(b.scale - s);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function isZero(q: Quantity): boolean {
  return q.n === 0n;
}

export function sign(q: Quantity): number {
  return q.n < 0n ? -1 : q.n > 0n ? 1 : 0;
}

/** Integer value when the quantity has no fractional part. */
function asInteger(q: Quantity): bigint | undefined {
  if (q.scale >= 0) return q.n * pow10(q.scale);
  const d = pow10(-q.scale);
  return q.n % d === 0n ? q.n / d : undefined;
}

export function isInteger(q: Quantity): boolean {
  return asInteger(q) !== undefined;
}

export function formatQuantity(q: Quantity): string {
  if (q.n === 0n) return "0";
  let format = q.format;
  let whole: bigint | undefined;
  if (format === "BinarySI") {
    const abs = q.n < 0n ? -q.n : q.n;
    const small = cmpQuantity({ n: abs, scale: q.scale, format }, { n: 1024n, scale: 0, format }) < 0;
    whole = small ? undefined : asInteger(q);
    if (whole === undefined) format = "DecimalSI";
  }
  if (format === "BinarySI" && whole !== undefined) {
    let exp = 0;
    while (exp < 60 && whole % 1024n === 0n) {
      whole /= 1024n;
      exp += 10;
    }
    const suffix = Object.keys(BIN_SUFFIX).find((k) => BIN_SUFFIX[k] === exp) ?? "";
    return `${whole}${suffix}`;
  }
  let n = q.n;
  let exp = q.scale;
  while (n % 10n === 0n) {
    n /= 10n;
    exp++;
  }
  const rem = ((exp % 3) + 3) % 3;
  if (rem) {
    n *= pow10(rem);
    exp -= rem;
  }
  if (format === "DecimalExponent") return exp === 0 ? `${n}` : `${n}e${exp}`;
  const suffix = Object.keys(DEC_SUFFIX).find((k) => DEC_SUFFIX[k] === exp);
  return suffix === undefined ? `${n}e${exp}` : `${n}${suffix}`;
}

/** Canonical text of a quantity value; undefined when it does not parse. `milli` rounds up to milli first. */
export function canonicalQuantity(v: unknown, milli = false): string | undefined {
  const q = parseQuantity(v);
  if (typeof q === "string") return undefined;
  return formatQuantity(milli ? roundUp(q, -3) : q);
}
