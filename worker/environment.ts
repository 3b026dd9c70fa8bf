/**
 * A worker's configuration from environment variables, the only configuration the process entry
 * takes. Connection strings and passwords stay in the pool configuration: what may be printed is
 * `databaseTarget` (`host:port/database`).
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | `TEMPORAL_ADDRESS` | `localhost:7233` | the Temporal frontend |
 * | `TEMPORAL_NAMESPACE` | `default` | |
 * | `TEMPORAL_TASK_QUEUE` | `temporal-pg` | the queue the worker polls |
 * | `DATABASE_URL`, else `PGHOST` `PGPORT` `PGUSER` `PGPASSWORD` `PGDATABASE` | node-postgres' | the database registered as `default` |
 * | `TEMPORAL_PG_DATABASE_<NAME>` | none | a connection string registered as database `<name>` (lower case), e.g. `TEMPORAL_PG_DATABASE_WAREHOUSE` → `warehouse`; what workflows and the `postgres-table` source name |
 * | `TEMPORAL_PG_SOURCES` | none | a module exporting more batch sources (see `sources-module.ts`) |
 * | `TEMPORAL_PG_SOURCE_ROOT` | the current directory | the directory the built-in file sources may read under |
 */
import { resolve } from 'node:path';
import type pg from 'pg';
import { WorkerConfigurationError } from './errors.js';

/** What {@link readWorkerEnvironment} found. */
export interface WorkerEnvironment {
  readonly address: string;
  readonly namespace: string;
  readonly taskQueue: string;
  /** The `default` database's pool configuration (may hold a password: never print it). */
  readonly database: pg.PoolConfig;
  /** `host:port/database` of it, safe to print. */
  readonly databaseTarget: string;
  /** More databases by name, from `TEMPORAL_PG_DATABASE_<NAME>` (their configurations may hold passwords). */
  readonly namedDatabases: readonly NamedDatabase[];
  /** Secrets to keep out of anything printed (the connection string, the password). */
  readonly secrets: readonly string[];
  /** Absolute path of the sources module, when one is named. */
  readonly sourcesModule: string | undefined;
  /** Absolute path the built-in file sources are confined to. */
  readonly sourceRoot: string;
}

/** A database registered under a name of its own. */
export interface NamedDatabase {
  readonly name: string;
  readonly config: pg.PoolConfig;
  /** `host:port/database`, safe to print. */
  readonly target: string;
}

/** Prefix of the variables that register more databases by name. */
export const NAMED_DATABASE_PREFIX = 'TEMPORAL_PG_DATABASE_';

/** Environment variables, as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Reads the configuration of a worker from `env`; relative paths are taken from `cwd`. @throws WorkerConfigurationError */
export function readWorkerEnvironment(env: Environment, cwd: string = process.cwd()): WorkerEnvironment {
  const text = (name: string, fallback: string): string => {
    const value = env[name];
    if (value === undefined) return fallback;
    if (value.trim() === '') throw new WorkerConfigurationError(`${name} is set but empty`, { details: { variable: name } });
    return value.trim();
  };
  const sources = env.TEMPORAL_PG_SOURCES?.trim();
  const defaultDatabase = databaseConfig(env);
  const named = namedDatabases(env);
  return {
    address: text('TEMPORAL_ADDRESS', 'localhost:7233'),
    namespace: text('TEMPORAL_NAMESPACE', 'default'),
    taskQueue: text('TEMPORAL_TASK_QUEUE', 'temporal-pg'),
    ...defaultDatabase,
    namedDatabases: named.map(({ secrets: _secrets, ...database }) => database),
    secrets: [...defaultDatabase.secrets, ...named.flatMap((database) => database.secrets)],
    sourcesModule: sources ? resolve(cwd, sources) : undefined,
    sourceRoot: resolve(cwd, text('TEMPORAL_PG_SOURCE_ROOT', '.')),
  };
}

const POOL_BASE: pg.PoolConfig = { application_name: 'temporal-pg worker' };

function databaseConfig(env: Environment): Pick<WorkerEnvironment, 'database' | 'databaseTarget' | 'secrets'> {
  const url = env.DATABASE_URL?.trim();
  if (url) {
    const { config, target, secrets } = fromConnectionString(url, 'DATABASE_URL');
    return { database: config, databaseTarget: target, secrets };
  }
  const { PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE } = env;
  const port = PGPORT === undefined || PGPORT === '' ? undefined : Number(PGPORT);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new WorkerConfigurationError(`PGPORT must be a port number, got ${JSON.stringify(PGPORT)}`, { details: { variable: 'PGPORT' } });
  }
  const config: pg.PoolConfig = { ...POOL_BASE };
  if (PGHOST) config.host = PGHOST;
  if (port !== undefined) config.port = port;
  if (PGUSER) config.user = PGUSER;
  if (PGPASSWORD) config.password = PGPASSWORD;
  if (PGDATABASE) config.database = PGDATABASE;
  return {
    database: config,
    databaseTarget: `${PGHOST || 'localhost'}:${port ?? 5432}/${PGDATABASE || PGUSER || ''}`,
    secrets: PGPASSWORD ? [PGPASSWORD] : [],
  };
}

/** The databases of `TEMPORAL_PG_DATABASE_<NAME>` variables, sorted by name. */
function namedDatabases(env: Environment): Array<NamedDatabase & { secrets: string[] }> {
  return Object.keys(env)
    .filter((variable) => variable.startsWith(NAMED_DATABASE_PREFIX) && env[variable] !== undefined)
    .sort()
    .map((variable) => {
      const name = variable.slice(NAMED_DATABASE_PREFIX.length).toLowerCase();
      if (!/^[a-z0-9_]+$/.test(name)) {
        throw new WorkerConfigurationError(`${variable}: a database name is letters, digits and underscores`, { details: { variable } });
      }
      if (name === 'default') {
        throw new WorkerConfigurationError(`${variable}: the default database comes from DATABASE_URL or PG*`, { details: { variable } });
      }
      return { name, ...fromConnectionString((env[variable] ?? '').trim(), variable) };
    });
}

/** A pool configuration from a connection string, what may be printed of it, and its secrets. */
function fromConnectionString(url: string, variable: string): { config: pg.PoolConfig; target: string; secrets: string[] } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WorkerConfigurationError(`${variable} is not a URL (postgres://user:password@host:port/database)`, { details: { variable } });
  }
  const password = decodeURIComponent(parsed.password);
  return {
    config: { ...POOL_BASE, connectionString: url },
    target: `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}${parsed.pathname}`,
    secrets: [url, ...(password ? [password, parsed.password] : [])],
  };
}

/** `text` with every secret replaced by `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) if (secret.length > 0) result = result.replaceAll(secret, '***');
  return result;
}
