// What an API request handler works with: the sandbox's store, clock and random generator.
import type { SandboxClock } from "../sandbox/clock";
import type { Rng } from "../sandbox/rng";
import type { ObjectStore } from "../store/object-store";
import type { SandboxGuard } from "../sandbox/limits";

export interface ApiContext {
  store: ObjectStore;
  clock: SandboxClock;
  rng: Rng;
  /** A read-only link: every mutating verb is refused. */
  readOnly: boolean;
  maxBodyBytes: number;
  /** The URL path prefix of this sandbox (`/s/<id>`), for links the API hands out. */
  prefix: string;
  /** Called after every successful write, so the cluster can react. */
  afterWrite(): void;
  /** The sandbox's limits and open connections (absent: nothing limited). */
  guard?: SandboxGuard;
}
