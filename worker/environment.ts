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
  /** Secrets to keep out of anything printed (the connection string, the password). */
  readonly secrets: readonly string[];
  /** Absolute path of the sources module, when one is named. */
  readonly sourcesModule: string | undefined;
  /** Absolute path the built-in file sources are confined to. */
  readonly sourceRoot: string;
}

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
  return {
    address: text('TEMPORAL_ADDRESS', 'localhost:7233'),
    namespace: text('TEMPORAL_NAMESPACE', 'default'),
    taskQueue: text('TEMPORAL_TASK_QUEUE', 'temporal-pg'),
    ...databaseConfig(env),
    sourcesModule: sources ? resolve(cwd, sources) : undefined,
    sourceRoot: resolve(cwd, text('TEMPORAL_PG_SOURCE_ROOT', '.')),
  };
}

function databaseConfig(env: Environment): Pick<WorkerEnvironment, 'database' | 'databaseTarget' | 'secrets'> {
  const base: pg.PoolConfig = { application_name: 'temporal-pg worker' };
  const url = env.DATABASE_URL?.trim();
  if (url) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new WorkerConfigurationError('DATABASE_URL is not a URL (postgres://user:password@host:port/database)', { details: { variable: 'DATABASE_URL' } });
    }
    const password = decodeURIComponent(parsed.password);
    return {
      database: { ...base, connectionString: url },
      databaseTarget: `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}${parsed.pathname}`,
      secrets: [url, ...(password ? [password, parsed.password] : [])],
    };
  }
  const { PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE } = env;
  const port = PGPORT === undefined || PGPORT === '' ? undefined : Number(PGPORT);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new WorkerConfigurationError(`PGPORT must be a port number, got ${JSON.stringify(PGPORT)}`, { details: { variable: 'PGPORT' } });
  }
  const config: pg.PoolConfig = { ...base };
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

/** `text` with every secret replaced by `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) if (secret.length > 0) result = result.replaceAll(secret, '***');
  return result;
}
