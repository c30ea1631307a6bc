// Startup, liveness and readiness probes. Each probe ticks every period after its initial delay;
// a result flips after successThreshold/failureThreshold ticks in a row. Only what can be seen is
// simulated: a passing probe is not run again until something about the container changes, and a
// failing one wakes the kubelet only when an event would get past the recorder's spam filter.
// Models pkg/kubelet/prober/worker.go doProbe and pkg/kubelet/prober/prober_manager.go
import type { Probe } from "kubernetes-types/core/v1";
import { nextTokenAt, record } from "./events";
import { evaluateProbe, nextChange, type Outcome } from "./probe-eval";
import type { ContainerRuntime, Instance, ProbeKind, ProbeState } from "./record";
import { stopContainer } from "./termination";
import { containerSpec, isSidecar, restartPolicy, wake, type PodWork } from "./work";

const LABEL: Record<ProbeKind, string> = { startup: "Startup", liveness: "Liveness", readiness: "Readiness" };

export function probeOf(w: PodWork, c: ContainerRuntime, kind: ProbeKind): Probe | undefined {
  return containerSpec(w, c)?.[`${kind}Probe`];
}

function periodMs(p: Probe): number {
  return (p.periodSeconds ?? 10) * 1000;
}

/**
 * A probe's first tick: its initial delay after the container started (and after whatever gates
 * it), plus up to one period for the prober's ticker to come round (at most a second).
 */
function newState(p: Probe, startedAt: number, gate: number): ProbeState {
  const base = Math.max(startedAt + (p.initialDelaySeconds ?? 0) * 1000, gate);
  const origin = base + Math.min(periodMs(p), 1000);
  return { origin, seen: origin - periodMs(p), successes: 0, failures: 0, result: "Unknown" };
}

/** Sets up the probes of an instance that just started; liveness/readiness wait for startup. */
export function initProbes(w: PodWork, c: ContainerRuntime, inst: Instance): void {
  const gate = inst.postStartUntil ?? inst.startedAt;
  const probes: Partial<Record<ProbeKind, ProbeState>> = {};
  const startup = probeOf(w, c, "startup");
  if (startup) probes.startup = newState(startup, inst.startedAt, gate);
  else inst.startedOk = gate;
  inst.probes = probes;
  if (!startup) startGated(w, c, inst);
}

function startGated(w: PodWork, c: ContainerRuntime, inst: Instance): void {
  const gate = inst.startedOk ?? inst.startedAt;
  for (const kind of ["liveness", "readiness"] as const) {
    const p = probeOf(w, c, kind);
    if (p && inst.probes && !inst.probes[kind]) inst.probes[kind] = newState(p, inst.startedAt, gate);
  }
}

/** Counts `n` ticks with the same outcome, flipping the result at the thresholds. */
function count(st: ProbeState, p: Probe, o: Outcome, n: number): void {
  if (o.ok) {
    st.failures = 0;
    st.successes = Math.min(st.successes + n, p.successThreshold ?? 1);
    if (st.successes >= (p.successThreshold ?? 1)) st.result = "Success";
  } else {
    st.successes = 0;
    st.failures = Math.min(st.failures + n, p.failureThreshold ?? 3);
    if (st.failures >= (p.failureThreshold ?? 3)) st.result = "Failure";
  }
}

function same(a: ProbeState, b: ProbeState): boolean {
  return a.successes === b.successes && a.failures === b.failures && a.result === b.result && a.raw?.ok === b.raw?.ok && a.raw?.message === b.raw?.message;
}

/** Runs the ticks due by now; true when the container was killed. */
function tick(w: PodWork, c: ContainerRuntime, inst: Instance, kind: ProbeKind, p: Probe, st: ProbeState): boolean {
  const period = periodMs(p);
  if (w.now < st.origin) return false;
  const last = st.origin + Math.floor((w.now - st.origin) / period) * period;
  if (last <= st.seen) return false;
  const n = Math.round((last - st.seen) / period);
  const fresh = evaluateProbe(w, c, p, last);
  const before = { ...st };
  const earlier = st.raw ?? fresh;
  // Ticks before the last one saw what the previous tick saw: nothing changed in between, or the
  // kubelet would have been woken at the change.
  const events: Outcome[] = [];
  if (n > 1) {
    count(st, p, earlier, n - 1);
    if (!earlier.ok) for (let i = 0; i < Math.min(n - 1, 30); i++) events.push(earlier);
  }
  count(st, p, fresh, 1);
  if (!fresh.ok) events.push(fresh);
  st.raw = fresh;
  if (same(before, st) && events.length === 0) return false;
  st.seen = last;
  for (const e of events) record(w, "Warning", "Unhealthy", `${LABEL[kind]} probe failed: ${e.message}`, c);
  if (kind === "startup" && st.result === "Success" && inst.startedOk === undefined) {
    inst.startedOk = last;
    startGated(w, c, inst);
  }
  if ((kind === "liveness" || kind === "startup") && st.result === "Failure") {
    const restart = restartPolicy(w) !== "Never" || isSidecar(w, c);
    const grace = p.terminationGracePeriodSeconds ?? undefined;
    record(w, "Normal", "Killing", `Container ${c.name} failed ${kind} probe${restart ? ", will be restarted" : ""}`, c);
    stopContainer(w, c, kind, grace === undefined ? undefined : grace * 1000);
    return true;
  }
  return false;
}

/** When this probe next does something observable. */
function nextObservable(w: PodWork, c: ContainerRuntime, p: Probe, st: ProbeState, kind: ProbeKind): number | undefined {
  const period = periodMs(p);
  const next = w.now < st.origin ? st.origin : st.origin + (Math.floor((w.now - st.origin) / period) + 1) * period;
  const exitAt = c.current?.exit?.at;
  if (exitAt !== undefined && exitAt <= next) return undefined;
  const o = evaluateProbe(w, c, p, next);
  const firstTickFrom = (t: number) => (t <= next ? next : next + Math.ceil((t - next) / period) * period);
  let at: number | undefined;
  if (!o.ok) {
    // The tick that reaches the threshold flips the result (and kills, but for readiness) whether or
    // not the event filter lets its events through; before it, only an event shows.
    const decisive = kind !== "readiness" || st.result !== "Failure";
    const thresholdAt = next + Math.max(0, (p.failureThreshold ?? 3) - st.failures - 1) * period;
    const eventAt = firstTickFrom(nextTokenAt(w));
    at = decisive ? Math.min(thresholdAt, eventAt) : eventAt;
  } else if (st.result !== "Success") {
    at = next + Math.max(0, (p.successThreshold ?? 1) - st.successes - 1) * period;
  } else if (st.failures > 0) at = next;
  const change = nextChange(w, c, w.now);
  if (change !== undefined) {
    const t = firstTickFrom(change);
    if (at === undefined || t < at) at = t;
  }
  return at;
}

/** Probes of `c`'s running instance for this pass; true when one killed it. */
export function runProbes(w: PodWork, c: ContainerRuntime): boolean {
  const inst = c.current;
  if (!inst || inst.stopping || (inst.exit && inst.exit.at <= w.now)) return false;
  // A container found running but not ready (adopted) is probed from now on.
  if (!inst.probes) {
    const fresh: Instance = { ...inst, startedAt: w.now, postStartUntil: undefined, startedOk: undefined, probes: undefined };
    initProbes(w, c, fresh);
    inst.probes = fresh.probes;
    inst.startedOk ??= fresh.startedOk;
  }
  const probes = inst.probes ?? {};
  if (inst.postStartUntil !== undefined && inst.postStartUntil > w.now) {
    wake(w, inst.postStartUntil);
    return false;
  }
  for (const kind of ["startup", "liveness", "readiness"] as const) {
    const st = probes[kind];
    const p = probeOf(w, c, kind);
    if (!st || !p) continue;
    if (kind === "startup" && inst.startedOk !== undefined) continue;
    if (tick(w, c, inst, kind, p, st)) return true;
  }
  for (const kind of ["startup", "liveness", "readiness"] as const) {
    const st = probes[kind];
    const p = probeOf(w, c, kind);
    if (!st || !p || (kind === "startup" && inst.startedOk !== undefined)) continue;
    wake(w, nextObservable(w, c, p, st, kind));
  }
  return false;
}

/** Whether the container counts as started and ready now (what the status reports). */
export function probeFlags(w: PodWork, c: ContainerRuntime): { started: boolean; ready: boolean } {
  const inst = c.current;
  if (!inst || inst.startedOk === undefined || inst.startedOk > w.now) return { started: false, ready: false };
  if (inst.stopping && c.init) return { started: true, ready: false };
  const readiness = inst.probes?.readiness;
  const hasReadiness = !!probeOf(w, c, "readiness");
  return { started: true, ready: hasReadiness ? readiness?.result === "Success" : true };
}
