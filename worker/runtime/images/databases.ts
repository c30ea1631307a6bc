// Databases: redis, MySQL/MariaDB, PostgreSQL, MongoDB. The official entrypoints refuse to
// initialise without a root password, exactly as they do for real, and the servers take their
// real-ish time to start listening.
import type { CatalogImage } from "../images";
import type { Io, Proc, Program } from "../shell/proc";
import { execArgv } from "./web";

function stamp(p: Proc): string {
  return new Date(p.now()).toISOString().replace("T", " ").replace(/\.\d+Z$/, "+00:00");
}

function has(p: Proc, names: string[]): boolean {
  return names.some((n) => (p.vars.get(n) ?? "") !== "");
}

const redis: Program = (p, _argv, io) => {
  const t = new Date(p.now()).toUTCString().slice(5, 25).replace(/ (\d\d:\d\d:\d\d)$/, " $1.000");
  io.out(`1:C ${t} # WARNING Memory overcommit must be enabled! Without it, a background save or replication may fail under low memory condition.\n`);
  io.out(`1:C ${t} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo\n`);
  io.out(`1:M ${t} * Running mode=standalone, port=6379.\n`);
  io.out(`1:M ${t} * Server initialized\n`);
  io.out(`1:M ${t} * Ready to accept connections tcp\n`);
  p.listen({ port: Number(p.vars.get("REDIS_PORT") ?? 6379) || 6379, protocol: "TCP", after: 50, server: "redis" });
  p.term = { after: 100, code: 0 };
  return p.block();
};

const mysqld: Program = (p, _argv, io) => {
  const maria = p.image.id === "mariadb";
  const product = maria ? "MariaDB" : "MySQL";
  io.out(`${stamp(p)} [Note] [Entrypoint]: Entrypoint script for ${product} Server started.\n`);
  const vars = maria
    ? ["MARIADB_ROOT_PASSWORD", "MYSQL_ROOT_PASSWORD", "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "MYSQL_ALLOW_EMPTY_PASSWORD", "MARIADB_RANDOM_ROOT_PASSWORD", "MYSQL_RANDOM_ROOT_PASSWORD", "MARIADB_ROOT_PASSWORD_HASH"]
    : ["MYSQL_ROOT_PASSWORD", "MYSQL_ALLOW_EMPTY_PASSWORD", "MYSQL_RANDOM_ROOT_PASSWORD"];
  if (!has(p, vars)) {
    const list = maria ? "MARIADB_ROOT_PASSWORD, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD, MARIADB_RANDOM_ROOT_PASSWORD or MARIADB_ROOT_PASSWORD_HASH" : "";
    if (maria) io.err(`${stamp(p)} [ERROR] [Entrypoint]: Database is uninitialized and password option is not specified\n\tYou need to specify one of ${list}\n`);
    else io.err(`${stamp(p)} [ERROR] [Entrypoint]: Database is uninitialized and password option is not specified\n    You need to specify one of the following as an environment variable:\n    - MYSQL_ROOT_PASSWORD\n    - MYSQL_ALLOW_EMPTY_PASSWORD\n    - MYSQL_RANDOM_ROOT_PASSWORD\n`);
    return 1;
  }
  io.out(`${stamp(p)} [Note] [Entrypoint]: Initializing database files\n`);
  p.alloc(350 * 2 ** 20);
  // First start initialises the data directory before the server listens.
  p.listen({ port: 3306, protocol: "TCP", after: 12_000, server: "mysqld" });
  if (!maria) p.listen({ port: 33060, protocol: "TCP", after: 12_000, server: "mysqld" });
  p.term = { after: 1500, code: 0 };
  return p.block();
};

const postgres: Program = (p, argv, io) => {
  if (!has(p, ["POSTGRES_PASSWORD"]) && p.vars.get("POSTGRES_HOST_AUTH_METHOD") !== "trust") {
    io.err(
      "Error: Database is uninitialized and superuser password is not specified.\n       You must specify POSTGRES_PASSWORD to a non-empty value for the\n       superuser. For example, \"-e POSTGRES_PASSWORD=password\" on \"docker run\".\n\n       You may also use \"POSTGRES_HOST_AUTH_METHOD=trust\" to allow all\n       connections without a password. This is *not* recommended.\n\n       See PostgreSQL documentation about \"trust\":\n       https://www.postgresql.org/docs/current/auth-trust.html\n",
    );
    return 1;
  }
  void argv;
  io.out("The files belonging to this database system will be owned by user \"postgres\".\n");
  io.out(`${stamp(p).replace("+00:00", ".000 UTC")} [1] LOG:  database system is ready to accept connections\n`);
  p.alloc(40 * 2 ** 20);
  p.listen({ port: 5432, protocol: "TCP", after: 3000, server: "postgres" });
  p.term = { after: 500, code: 0 };
  return p.block();
};

const mongod: Program = (p, _argv, io) => {
  io.out(`{"t":{"$date":"${new Date(p.now()).toISOString()}"},"s":"I",  "c":"NETWORK",  "id":23016,   "ctx":"listener","msg":"Waiting for connections","attr":{"port":27017,"ssl":"off"}}\n`);
  p.alloc(80 * 2 ** 20);
  p.listen({ port: 27017, protocol: "TCP", after: 1500, server: "mongod" });
  p.term = { after: 500, code: 0 };
  return p.block();
};

const SERVER_OF: Record<string, string> = { redis: "redis-server", mysql: "mysqld", mariadb: "mariadbd", postgres: "postgres", mongo: "mongod" };

/** The official images' `docker-entrypoint.sh`: a first argument that is a flag goes to the server. */
export const databaseEntrypoint = (p: Proc, argv: string[], io: Io): number => {
  let cmd = argv.slice(1);
  const server = SERVER_OF[p.image.id];
  if (server && (cmd.length === 0 || cmd[0].startsWith("-"))) cmd = [server, ...cmd];
  return cmd.length ? execArgv(p, cmd, io) : 0;
};

export const DATABASE_PROGRAMS: Record<string, Program> = {
  "redis-server": redis,
  mysqld,
  mariadbd: mysqld,
  postgres,
  mongod,
};

export const DATABASE_IMAGES: CatalogImage[] = [
  {
    id: "redis",
    repositories: ["docker.io/library/redis", "docker.io/bitnami/redis", "registry.k8s.io/redis", "k8s.gcr.io/redis"],
    names: ["redis"],
    tags: { named: ["latest", "bookworm"], lines: { "3.0": 7, "3.2": 12, "4.0": 14, "5.0": 14, "6.0": 20, "6.2": 17, "7.0": 15, "7.2": 7, "7.4": 2, "8.0": 0 }, variants: ["alpine", "bookworm", "alpine3.20", "alpine3.21"] },
    size: 45_040_000,
    variantSizes: { alpine: 17_200_000 },
    config: { entrypoint: ["docker-entrypoint.sh"], cmd: ["redis-server"], workingDir: "/data", ports: [6379] },
    shell: "dash",
    memoryMi: 8,
    programs: ["redis-server", "redis-cli", "docker-entrypoint.sh", "bash"],
    files: {},
  },
  {
    id: "mysql",
    repositories: ["docker.io/library/mysql", "docker.io/bitnami/mysql", "container-registry.oracle.com/mysql/community-server"],
    names: ["mysql", "mysql-server", "community-server"],
    tags: { named: ["latest", "lts", "innovation", "oracle", "debian"], lines: { "5.5": 62, "5.6": 51, "5.7": 44, "8.0": 41, "8.1": 0, "8.2": 0, "8.3": 0, "8.4": 4, "9.0": 1, "9.1": 0, "9.2": 0 }, variants: ["oracle", "debian", "oraclelinux8", "oraclelinux9"] },
    size: 170_400_000,
    config: { entrypoint: ["docker-entrypoint.sh"], cmd: ["mysqld"], ports: [3306, 33060] },
    shell: "bash",
    memoryMi: 30,
    programs: ["mysqld", "mysql", "docker-entrypoint.sh", "bash"],
    files: {},
  },
  {
    id: "mariadb",
    repositories: ["docker.io/library/mariadb", "docker.io/bitnami/mariadb"],
    names: ["mariadb"],
    tags: { named: ["latest", "lts", "jammy", "noble", "ubi"], lines: { "10.1": 48, "10.2": 44, "10.3": 39, "10.4": 34, "10.5": 27, "10.6": 20, "10.11": 10, "11.0": 6, "11.1": 6, "11.2": 6, "11.3": 2, "11.4": 4, "11.5": 2, "11.6": 2, "11.7": 1 }, variants: ["jammy", "noble", "ubi", "ubi9"] },
    size: 120_300_000,
    config: { entrypoint: ["docker-entrypoint.sh"], cmd: ["mariadbd"], ports: [3306] },
    shell: "bash",
    memoryMi: 30,
    programs: ["mariadbd", "mysqld", "mariadb", "docker-entrypoint.sh", "bash"],
    files: {},
  },
  {
    id: "postgres",
    repositories: ["docker.io/library/postgres", "docker.io/bitnami/postgresql"],
    names: ["postgres", "postgresql"],
    tags: { named: ["latest", "bookworm", "bullseye"], lines: { "9.6": 24, "10": 23, "11": 22, "12": 22, "13": 18, "14": 15, "15": 10, "16": 6, "17": 2 }, variants: ["alpine", "bookworm", "bullseye", "alpine3.20", "alpine3.21"] },
    size: 158_700_000,
    variantSizes: { alpine: 105_000_000 },
    config: { entrypoint: ["docker-entrypoint.sh"], cmd: ["postgres"], env: { PGDATA: "/var/lib/postgresql/data" }, ports: [5432] },
    shell: "bash",
    memoryMi: 20,
    programs: ["postgres", "psql", "docker-entrypoint.sh", "bash"],
    files: {},
  },
  {
    id: "mongo",
    repositories: ["docker.io/library/mongo", "docker.io/bitnami/mongodb", "docker.io/mongodb/mongodb-community-server"],
    names: ["mongo", "mongodb"],
    tags: { named: ["latest", "jammy", "noble"], lines: { "3.6": 23, "4.0": 28, "4.2": 24, "4.4": 29, "5.0": 30, "6.0": 19, "7.0": 16, "8.0": 4 }, variants: ["jammy", "noble", "focal"] },
    size: 273_800_000,
    config: { entrypoint: ["docker-entrypoint.sh"], cmd: ["mongod"], ports: [27017] },
    shell: "bash",
    memoryMi: 60,
    programs: ["mongod", "mongosh", "docker-entrypoint.sh", "bash"],
    files: {},
  },
];
