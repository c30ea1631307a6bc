// CronJob schedules: standard 5-field specs, `@hourly`-style descriptors, `@every <duration>`,
// a `TZ=`/`CRON_TZ=` prefix or the CronJob's timeZone (UTC otherwise), evaluated with croner; and
// the controller's arithmetic over them (the most recent missed time, when to look again).
// Models pkg/controller/cronjob/utils.go mostRecentScheduleTime / nextScheduleTimeDuration
import { Cron } from "croner";

export interface CronSchedule {
  /** The first activation strictly after `after` (epoch ms), undefined when there is none. */
  next(after: number): number | undefined;
}

// Models github.com/robfig/cron/v3 parser.go parseDescriptor
const DESCRIPTORS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in ms; undefined when it does not parse. */
function goDuration(s: string): number | undefined {
  if (s === "0") return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let sign = 1;
  let i = 0;
  if (s[0] === "-" || s[0] === "+") {
    sign = s[0] === "-" ? -1 : 1;
    i = 1;
  }
  let total = 0;
  re.lastIndex = i;
  if (i >= s.length) return undefined;
  while (re.lastIndex < s.length) {
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]];
  }
  return sign * total;
}

const parsed = new Map<string, CronSchedule | string>();

/** Parses a schedule (memoized: every pass reads every CronJob); returns the parser's message when it cannot. */
export function parseCronSchedule(schedule: string, timeZone?: string): CronSchedule | string {
  const key = `${timeZone ?? ""}\u0000${schedule}`;
  let result = parsed.get(key);
  if (result === undefined) {
    if (parsed.size >= 1024) parsed.clear();
    result = parse(schedule, timeZone);
    parsed.set(key, result);
  }
  return result;
}

function parse(schedule: string, timeZone?: string): CronSchedule | string {
  let spec = schedule.trim();
  let tz = timeZone || "UTC";
  const prefixed = /^(?:CRON_)?TZ=(\S+)\s+(.*)$/.exec(spec);
  if (prefixed) {
    tz = prefixed[1];
    spec = prefixed[2].trim();
  }
  if (spec.startsWith("@every ")) {
    const d = goDuration(spec.slice("@every ".length).trim());
    if (d === undefined) return `failed to parse duration ${spec}`;
    // Models github.com/robfig/cron/v3 constantdelay.go Every / ConstantDelaySchedule.Next
    const delay = Math.max(1000, d - (d % 1000));
    return { next: (t) => Math.floor(t / 1000) * 1000 + delay };
  }
  const fields = (DESCRIPTORS[spec] ?? spec).split(/\s+/).map((f) => (f === "?" ? "*" : f));
  try {
    // Day-of-month and day-of-week combine with OR unless one is `*`, as Vixie cron and robfig/cron do.
    const cron = new Cron(fields.join(" "), { mode: "5-part", timezone: tz, sloppyRanges: true });
    return { next: (t) => cron.nextRun(new Date(t))?.getTime() };
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export type Missed = "none" | "few" | "many";

export interface ScheduleTimes {
  /** The last schedule time, or the CronJob's creation (or the starting deadline when later). */
  earliest: number;
  /** The most recent time a Job should have started, when one is due. */
  mostRecent?: number;
  missed: Missed;
  /** How many runs were missed (an estimate, as upstream's). */
  missedCount: number;
  error?: string;
}

/**
 * The most recent unmet schedule time at `now`. Only the latest missed run is reported, however
 * many there were: a controller that was away does not replay every run it missed.
 */
export function mostRecentScheduleTime(
  created: number,
  lastSchedule: number | undefined,
  startingDeadlineSeconds: number | undefined,
  now: number,
  schedule: CronSchedule,
): ScheduleTimes {
  let earliest = lastSchedule ?? created;
  if (startingDeadlineSeconds != null) earliest = Math.max(earliest, now - startingDeadlineSeconds * 1000);
  const t1 = schedule.next(earliest);
  if (t1 === undefined || now < t1) return { earliest, missed: "none", missedCount: 0 };
  const t2 = schedule.next(t1);
  if (t2 === undefined || now < t2) return { earliest, mostRecent: t1, missed: "none", missedCount: 0 };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) return { earliest, missed: "none", missedCount: 0, error: "time difference between two schedules is less than 1 second" };
  // Estimate the number of runs from the interval between the first two, then walk the last few
  // for the exact time. E.g. every 5 min, 3 h away: 36 missed; start the walk near the end.
  const missedCount = Math.floor((now - t1) / 1000 / between) + 1;
  let mostRecent: number | undefined;
  for (let t = schedule.next(t1 + (missedCount - 2) * between * 1000); t !== undefined && t <= now; t = schedule.next(t)) mostRecent = t;
  const missed: Missed = missedCount > 100 ? "many" : missedCount > 0 ? "few" : "none";
  return { earliest, mostRecent, missed, missedCount };
}

/** Upstream looks again 100 ms after the next schedule time. */
const NEXT_SCHEDULE_DELTA_MS = 100;

/** When the controller should look at the CronJob next. Models utils.go nextScheduleTimeDuration */
export function nextScheduleWakeup(created: number, lastSchedule: number | undefined, now: number, schedule: CronSchedule): number | undefined {
  const times = mostRecentScheduleTime(created, lastSchedule, undefined, now, schedule);
  let base = times.mostRecent;
  if (times.error) base = now;
  else if (base === undefined) base = times.missed === "none" ? times.earliest : now;
  const next = schedule.next(base);
  return next === undefined ? undefined : next + NEXT_SCHEDULE_DELTA_MS;
}

/** RFC 3339 of `ms` in a time zone, with its offset (`Z` for UTC), as Go's Time.In(loc).Format. */
export function rfc3339InZone(ms: number, timeZone?: string): string {
  const whole = Math.floor(ms / 1000) * 1000;
  if (!timeZone || timeZone === "UTC") return new Date(whole).toISOString().replace(".000Z", "Z");
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(new Date(whole))
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offset = Math.round((local - whole) / 60_000);
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
