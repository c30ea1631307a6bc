import type { LimitVars } from "./sandbox/limits";

/**
 * Bindings and vars of the kubeplay Worker (see wrangler.toml). The per-sandbox limits
 * (sandbox/limits.ts; README "Limits") are vars too: "0" turns one off.
 */
export interface Env extends LimitVars {
  DB: D1Database;
  SANDBOX: DurableObjectNamespace;
  ASSETS: Fetcher;
  MAX_BODY_BYTES?: string;
  /** The D1 shards new sandboxes are placed on, e.g. "DB,DB_1" (default "DB"); shards are bound as DB, DB_1, … (store/shards.ts). */
  D1_SHARDS?: string;
  /** Sandboxes one client (address) may create per clock hour; "0" for no limit (service/client-limits.ts). */
  MAX_SANDBOXES_PER_CLIENT_PER_HOUR?: string;
  /** "off" stops the per-client request limit of REQUEST_RATE_LIMITER. */
  REQUEST_RATE_LIMIT?: string;
  /** Requests per client across all sandboxes: the Workers rate-limiting binding of wrangler.toml. */
  REQUEST_RATE_LIMITER?: RateLimit;
  /** Days without a request after which the hourly sweep deletes a sandbox; "0" keeps sandboxes forever. */
  IDLE_EXPIRY_DAYS?: string;
  /** Idle sandboxes each hourly sweep deletes per shard, oldest first (default 40). */
  EXPIRY_BATCH?: string;
  /** Hours without a request after which a sandbox's own timers stop waking it (it catches up on the next visit); "0" never. */
  DORMANT_AFTER_HOURS?: string;
}
