/**
 * One database connection for a command: from `--database-url`, else `DATABASE_URL`, else the
 * libpq variables (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`). A failure to connect
 * becomes exit code 3; the password never appears in messages.
 */
import pg from 'pg';
import { DatabaseUnreachableError, type CliIo } from './io.js';

/** How long to wait for the server to accept the connection. */
const CONNECT_TIMEOUT_MS = 10_000;

export function connectionConfig(databaseUrl: string | undefined, io: CliIo): pg.ClientConfig {
  const url = databaseUrl ?? io.env.DATABASE_URL;
  const base: pg.ClientConfig = { application_name: 'temporal-pg cli', connectionTimeoutMillis: CONNECT_TIMEOUT_MS };
  if (url) return { ...base, connectionString: url };
  const { PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE } = io.env;
  return { ...base, host: PGHOST, port: PGPORT ? Number(PGPORT) : undefined, user: PGUSER, password: PGPASSWORD, database: PGDATABASE };
}

/** `host:port/database` of a config, without credentials. */
export function describeTarget(config: pg.ClientConfig): string {
  if (config.connectionString) {
    try {
      const url = new URL(config.connectionString);
      return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
    } catch {
      return 'the given database URL';
    }
  }
  return `${config.host ?? 'localhost'}:${config.port ?? 5432}/${config.database ?? config.user ?? ''}`;
}

/** Connects, runs `fn`, disconnects. */
export async function withDatabase<T>(databaseUrl: string | undefined, io: CliIo, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const config = connectionConfig(databaseUrl, io);
  const client = new pg.Client(config);
  // A dropped connection surfaces through the failing query; never as an unhandled 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw unreachable(config, error);
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A pool of at most `max` connections (default 4) for `fn`, checked to connect first (so an
 * unreachable server is exit code 3, not a failure halfway through), ended afterwards.
 */
export async function withPool<T>(databaseUrl: string | undefined, io: CliIo, fn: (pool: pg.Pool) => Promise<T>, max = 4): Promise<T> {
  const config = connectionConfig(databaseUrl, io);
  const pool = new pg.Pool({ ...config, max });
  pool.on('error', () => undefined);
  try {
    try {
      (await pool.connect()).release();
    } catch (error) {
      throw unreachable(config, error);
    }
    return await fn(pool);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

function unreachable(config: pg.ClientConfig, error: unknown): DatabaseUnreachableError {
  return new DatabaseUnreachableError(`cannot connect to the database at ${describeTarget(config)}: ${(error as Error).message || String(error)}`, { cause: error });
}
