/**
 * One database per test file, created before the file's tests and dropped afterwards.
 *
 *   const db = useTestDatabase();
 *   it('…', async () => { await db.pool.query('SELECT 1'); const c = await db.client(); … });
 *
 * Every pool and client handed out is closed after the file. If sessions are still connected
 * to the file's database after that (a leak in the code under test), the file fails.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { TEST_DATABASE_PREFIX } from '../support/naming.js';

export interface TestDatabase {
  /** Name of the file's database. */
  readonly name: string;
  /** Superuser connection string of the file's database. */
  readonly url: string;
  /** Major version of the server (e.g. 18 or 14). */
  readonly major: number;
  /** A shared pool on the file's database (superuser). */
  readonly pool: pg.Pool;
  /** A new connected client (closed after the file unless closed earlier). */
  client(options?: { applicationName?: string; url?: string }): Promise<pg.Client>;
  /** A new pool (closed after the file unless ended earlier). */
  newPool(config?: pg.PoolConfig): pg.Pool;
  /** Connection string for another role on the file's database. */
  urlFor(user: string, password: string): string;
  /** Creates a login role (dropped with the database's objects after the file). */
  createRole(name: string, options?: { superuser?: boolean; extra?: string }): Promise<{ name: string; url: string }>;
}

export function useTestDatabase(): TestDatabase {
  const adminUrl = inject('pgAdminUrl');
  const name = `${TEST_DATABASE_PREFIX}${randomBytes(6).toString('hex')}`;
  const url = withDatabase(adminUrl, name);
  const pools = new Set<pg.Pool>();
  const clients = new Set<pg.Client>();
  const roles: string[] = [];
  let sharedPool: pg.Pool | undefined;

  const trackPool = (config: pg.PoolConfig): pg.Pool => {
    const pool = new pg.Pool({ connectionString: url, ...config });
    // A test that terminates sessions on purpose must not crash the worker.
    pool.on('error', () => undefined);
    const end = pool.end.bind(pool);
    pool.end = (async () => {
      pools.delete(pool);
      if (!pool.ended) await end();
    }) as typeof pool.end;
    pools.add(pool);
    return pool;
  };

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
  });

  afterAll(async () => {
    for (const client of clients) await client.end().catch(() => undefined);
    for (const pool of [...pools]) await pool.end().catch(() => undefined);
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      const leftovers = await waitForNoSessions(admin, name);
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      for (const role of roles) await admin.query(`DROP ROLE IF EXISTS "${role}"`).catch(() => undefined);
      if (leftovers.length > 0) {
        throw new Error(
          `the test file left ${leftovers.length} session(s) open on its database: ` +
            leftovers.map((s) => `pid ${s.pid} ${s.application_name || '(no application_name)'} ${s.state}`).join('; '),
        );
      }
    } finally {
      await admin.end();
    }
  });

  const db: TestDatabase = {
    name,
    url,
    get major() {
      return inject('pgMajor');
    },
    get pool() {
      sharedPool ??= trackPool({ max: 10 });
      return sharedPool;
    },
    async client(options = {}) {
      const client = new pg.Client({
        connectionString: options.url ?? url,
        application_name: options.applicationName ?? 'temporal-pg-test',
      });
      client.on('error', () => undefined);
      const end = client.end.bind(client);
      client.end = (async () => {
        clients.delete(client);
        await end().catch(() => undefined);
      }) as typeof client.end;
      clients.add(client);
      await client.connect();
      return client;
    },
    newPool(config = {}) {
      return trackPool(config);
    },
    urlFor(user, password) {
      const u = new URL(url);
      u.username = user;
      u.password = password;
      return u.toString();
    },
    async createRole(roleName, options = {}) {
      const role = `${name}_${roleName}`;
      const password = randomBytes(8).toString('hex');
      const attrs = options.superuser ? 'SUPERUSER' : 'NOSUPERUSER';
      await db.pool.query(`CREATE ROLE "${role}" LOGIN ${attrs} PASSWORD '${password}' ${options.extra ?? ''}`);
      await db.pool.query(`GRANT ALL ON DATABASE ${name} TO "${role}"`);
      roles.unshift(role);
      return { name: role, url: db.urlFor(role, password) };
    },
  };
  return db;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Gives closing sockets a moment, then reports sessions still connected to `database`. */
async function waitForNoSessions(
  admin: pg.Client,
  database: string,
): Promise<Array<{ pid: number; application_name: string; state: string }>> {
  let rows: Array<{ pid: number; application_name: string; state: string }> = [];
  for (let attempt = 0; attempt < 30; attempt++) {
    ({ rows } = await admin.query(
      `SELECT pid, application_name, coalesce(state, '') AS state FROM pg_stat_activity WHERE datname = $1`,
      [database],
    ));
    if (rows.length === 0) return rows;
    await sleep(100);
  }
  return rows;
}
