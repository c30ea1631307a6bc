// Shard routing by id (worker/store/shards.ts) and the migrate/deploy commands for every configured
// shard (scripts/d1-shards.mjs, used by `npm start` and `npm run deploy`).
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { isReadOnlyId, isSandboxId, newReadOnlyId, newSandboxId } from "../../worker/service/ids";
import { boundShards, databaseFor, placementShards, shardBinding, shardDatabase, shardIndexOf, shardIndexOfBinding } from "../../worker/store/shards";
// @ts-expect-error plain ESM helper shared with the npm scripts
import { configuredShards, deployCommands, deployProblems, localMigrationCommands } from "../../scripts/d1-shards.mjs";

describe("shard routing", () => {
  it("writes the shard into both ids, which keep their shape and 125 random bits", () => {
    for (const shard of [0, 1, 5, 31]) {
      const id = newSandboxId(shard);
      const ro = newReadOnlyId(shard);
      expect(isSandboxId(id) && isReadOnlyId(ro)).toBe(true);
      expect(shardIndexOf(id)).toBe(shard);
      expect(shardIndexOf(ro)).toBe(shard);
    }
    expect(newSandboxId(1)[0]).toBe("b");
    const ids = new Set(Array.from({ length: 1000 }, () => newSandboxId(0).slice(1)));
    expect(ids.size).toBe(1000);
    expect(() => newSandboxId(32)).toThrow();
  });

  it("names shards DB, DB_1 … DB_31", () => {
    expect([0, 1, 31].map(shardBinding)).toEqual(["DB", "DB_1", "DB_31"]);
    expect(["DB", "DB_1", "DB_31", "DB_0", "DB_32", "DB_01", "db", "DB1"].map(shardIndexOfBinding)).toEqual([0, 1, 31, undefined, undefined, undefined, undefined, undefined]);
  });

  it("finds the database from the id alone; ids of shards that are not bound (and older ids) go to DB", () => {
    expect(databaseFor(env, newSandboxId(0))).toBe(env.DB);
    expect(databaseFor(env, newReadOnlyId(1))).toBe(shardDatabase(env, 1));
    expect(databaseFor(env, "z".repeat(26))).toBe(env.DB);
    expect(boundShards(env).map((s) => s.name)).toEqual(["DB", "DB_1"]);
  });

  it("places new sandboxes on the shards D1_SHARDS lists, and refuses names that are not bound shards", () => {
    expect(placementShards(env)).toEqual([0]);
    expect(placementShards({ ...env, D1_SHARDS: " DB_1 , DB ,DB" })).toEqual([1, 0]);
    expect(() => placementShards({ ...env, D1_SHARDS: "DB,DB_7" })).toThrow(/DB_7.*not a bound D1 database/);
    expect(() => placementShards({ ...env, D1_SHARDS: "OTHER" })).toThrow(/not a shard binding name/);
  });
});

describe("migrating and deploying every shard", () => {
  const config = {
    d1_databases: [
      { binding: "DB_1", database_name: "kubeplay-1", database_id: "11111111-2222-3333-4444-555555555555" },
      { binding: "DB", database_name: "kubeplay", database_id: "aaaaaaaa-2222-3333-4444-555555555555" },
      { binding: "OTHER", database_name: "other", database_id: "bbbbbbbb-2222-3333-4444-555555555555" },
    ],
    vars: { D1_SHARDS: "DB,DB_1" },
  };

  it("migrates every shard remotely, then deploys", () => {
    expect(configuredShards(config).map((s: { binding: string }) => s.binding)).toEqual(["DB", "DB_1"]);
    expect(deployProblems(config)).toEqual([]);
    expect(deployCommands(config, ["--minify"])).toEqual([
      ["d1", "migrations", "apply", "DB", "--remote"],
      ["d1", "migrations", "apply", "DB_1", "--remote"],
      ["deploy", "--minify"],
    ]);
    expect(localMigrationCommands(config, "/tmp/p")).toEqual([
      ["d1", "migrations", "apply", "DB", "--local", "--persist-to", "/tmp/p"],
      ["d1", "migrations", "apply", "DB_1", "--local", "--persist-to", "/tmp/p"],
    ]);
  });

  it("names what keeps a configuration from deploying", () => {
    const placeholder = { d1_databases: [{ binding: "DB", database_name: "kubeplay", database_id: "00000000-0000-0000-0000-000000000000" }], vars: { D1_SHARDS: "DB,DB_1" } };
    expect(deployProblems(placeholder)).toEqual([
      "DB: database_id is the local placeholder; run `wrangler d1 create kubeplay` and put the id it prints into wrangler.toml",
      "D1_SHARDS names DB_1, which is not a [[d1_databases]] binding (DB, DB_1, … DB_31)",
    ]);
    const same = { d1_databases: [config.d1_databases[1], { ...config.d1_databases[0], database_id: config.d1_databases[1].database_id }] };
    expect(deployProblems(same)).toEqual(["two shards name the same database_id"]);
  });
});
