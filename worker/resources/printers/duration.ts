// Human-readable durations for AGE-like cells, matching what kubectl users see from a real apiserver.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Go's int(x) on a float truncates toward zero; durations here are milliseconds. */
function whole(ms: number, unit: number): number {
  return Math.trunc(ms / unit);
}

// Models staging/src/k8s.io/apimachinery/pkg/util/duration/duration.go HumanDuration
/** ~2-3 significant figures: "45s", "3m20s", "5m", "2d3h", "2y1d"; "<invalid>" when more than 1s in the future. */
export function humanDuration(ms: number): string {
  // Up to a second of clock skew is treated as "now".
  const seconds = whole(ms, SECOND);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return `${seconds}s`;

  const minutes = whole(ms, MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;

  const hours = whole(ms, HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    const days = Math.trunc(hours / 24);
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  const years = Math.trunc(hours / 24 / 365);
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

/** Epoch ms of an RFC 3339 timestamp, or undefined for a missing/zero/unparseable one (Go's IsZero). */
export function parseTimestamp(ts: string | null | undefined): number | undefined {
  if (!ts) return undefined;
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return undefined;
  // Go's zero time.Time (0001-01-01T00:00:00Z) means "unset".
  if (ts.startsWith("0001-01-01T00:00:00")) return undefined;
  return t;
}

// Models pkg/printers/internalversion/printers.go translateTimestampSince
/** Elapsed time since `ts` as seen at `now` (epoch ms); "<unknown>" when the timestamp is unset. */
export function translateTimestampSince(ts: string | null | undefined, now: number): string {
  const t = parseTimestamp(ts);
  if (t === undefined) return "<unknown>";
  return humanDuration(now - t);
}
