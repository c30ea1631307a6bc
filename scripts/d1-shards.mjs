// The D1 shards of a wrangler configuration (as wrangler's `unstable_readConfig` returns it) and the
// commands that migrate and deploy them. Plain functions of the configuration, so they are tested
// without running wrangler (test/unit/d1-shards.test.ts); see worker/store/shards.ts for the routing.

const PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000";

/** The shard index a binding name stands for: DB → 0, DB_<i> → i (1–31); undefined otherwise. */
export function shardIndexOfBinding(name) {
  if (name === "DB") return 0;
  const m = /^DB_([1-9][0-9]?)$/.exec(name);
  const index = m ? Number(m[1]) : NaN;
  return index > 0 && index < 32 ? index : undefined;
}

/** Every D1 shard the configuration binds, in index order: [{ binding, index, databaseName, databaseId }]. */
export function configuredShards(config) {
  return (config.d1_databases ?? [])
    .filter((d) => shardIndexOfBinding(d.binding) !== undefined)
    .map((d) => ({ binding: d.binding, index: shardIndexOfBinding(d.binding), databaseName: d.database_name, databaseId: d.database_id }))
    .sort((a, b) => a.index - b.index);
}

/** What is wrong with the configuration for a deployment (empty when nothing is). */
export function deployProblems(config) {
  const problems = [];
  const shards = configuredShards(config);
  if (!shards.some((s) => s.index === 0)) problems.push('no D1 database is bound as "DB" (shard 0)');
  for (const s of shards) {
    if (!s.databaseId || s.databaseId === PLACEHOLDER_ID) {
      problems.push(`${s.binding}: database_id is the local placeholder; run \`wrangler d1 create ${s.databaseName ?? "<name>"}\` and put the id it prints into wrangler.toml`);
    }
  }
  const ids = shards.map((s) => s.databaseId).filter((id) => id && id !== PLACEHOLDER_ID);
  if (new Set(ids).size !== ids.length) problems.push("two shards name the same database_id");
  const bound = new Set(shards.map((s) => s.binding));
  for (const name of String(config.vars?.D1_SHARDS ?? "DB").split(",").map((s) => s.trim()).filter(Boolean)) {
    if (!bound.has(name)) problems.push(`D1_SHARDS names ${name}, which is not a [[d1_databases]] binding (DB, DB_1, … DB_31)`);
  }
  return problems;
}

/** `npm run deploy`: the remote migrations of every shard, then the Worker (wrangler's arguments). */
export function deployCommands(config, deployArgs = []) {
  return [...configuredShards(config).map((s) => ["d1", "migrations", "apply", s.binding, "--remote"]), ["deploy", ...deployArgs]];
}

/** `npm start` and the tests' server: the local migrations of every shard. */
export function localMigrationCommands(config, persistTo) {
  return configuredShards(config).map((s) => ["d1", "migrations", "apply", s.binding, "--local", ...(persistTo ? ["--persist-to", persistTo] : [])]);
}
