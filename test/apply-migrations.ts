import { applyD1Migrations, env } from "cloudflare:test";
import { boundShards } from "../worker/store/shards";

// Every D1 shard the tests bind (DB, DB_1) gets the schema.
for (const { db } of boundShards(env)) await applyD1Migrations(db, env.TEST_MIGRATIONS);
