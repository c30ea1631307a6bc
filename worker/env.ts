/** Bindings and vars of the kubeplay Worker (see wrangler.toml). */
export interface Env {
  DB: D1Database;
  SANDBOX: DurableObjectNamespace;
  ASSETS: Fetcher;
  MAX_BODY_BYTES?: string;
}
