// The sandbox's virtual clock. Simulation code reads time only from here; the wall clock is read in
// exactly one place (the `wallNow` function handed in by the Durable Object).

export interface ClockState {
  /** Virtual epoch ms at the wall instant `baseWall`. */
  baseVirtual: number;
  /** Wall epoch ms the clock was last re-based at. */
  baseWall: number;
  /** Virtual seconds per wall second. */
  timeScale: number;
  paused: boolean;
}

export class SandboxClock {
  private state: ClockState;

  constructor(
    state: Partial<ClockState> | undefined,
    private readonly wallNow: () => number,
  ) {
    const wall = wallNow();
    this.state = {
      baseVirtual: state?.baseVirtual ?? wall,
      baseWall: state?.baseWall ?? wall,
      timeScale: state?.timeScale ?? 1,
      paused: state?.paused ?? false,
    };
  }

  /** Virtual now, epoch ms. */
  now(): number {
    const s = this.state;
    if (s.paused) return s.baseVirtual;
    return s.baseVirtual + (this.wallNow() - s.baseWall) * s.timeScale;
  }

  /** Virtual now as an RFC 3339 timestamp with second precision, as Kubernetes stamps objects. */
  nowRfc3339(): string {
    return rfc3339(this.now());
  }

  get timeScale(): number {
    return this.state.timeScale;
  }

  get paused(): boolean {
    return this.state.paused;
  }

  /** Moves virtual time forward by `ms` at once. */
  advance(ms: number): void {
    this.rebase();
    this.state.baseVirtual += ms;
  }

  /** Moves virtual time forward to `virtualMs` (never backwards). */
  advanceTo(virtualMs: number): void {
    const now = this.now();
    if (virtualMs > now) this.advance(virtualMs - now);
  }

  setTimeScale(scale: number): void {
    this.rebase();
    this.state.timeScale = scale;
  }

  setPaused(paused: boolean): void {
    this.rebase();
    this.state.paused = paused;
  }

  /** Wall time at which virtual time reaches `virtualMs` (undefined while paused). */
  wallTimeFor(virtualMs: number): number | undefined {
    const s = this.state;
    if (s.paused || s.timeScale <= 0) return undefined;
    return s.baseWall + Math.max(0, virtualMs - this.now()) / s.timeScale + (this.wallNow() - s.baseWall);
  }

  /** Puts the clock back to a stored state (an advance that did not commit). */
  restore(state: Partial<ClockState>): void {
    const s = this.state;
    this.state = {
      baseVirtual: state.baseVirtual ?? s.baseVirtual,
      baseWall: state.baseWall ?? s.baseWall,
      timeScale: state.timeScale ?? s.timeScale,
      paused: state.paused ?? s.paused,
    };
  }

  snapshot(): ClockState {
    return { ...this.state };
  }

  private rebase(): void {
    const now = this.now();
    this.state.baseWall = this.wallNow();
    this.state.baseVirtual = now;
  }
}

/** The last second formatted: a pass stamps thousands of fields with the same few seconds. */
let lastSecond = NaN;
let lastText = "";

export function rfc3339(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().replace(".000Z", "Z");
    lastSecond = second;
  }
  return lastText;
}

export function rfc3339Micro(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
