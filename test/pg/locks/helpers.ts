/** Helpers for lock tests: wait for a backend to queue on a lock, read pg_locks directly. */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { TestDatabase } from '../../helpers/database.js';

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Resolves once backend `pid` is waiting for a lock. */
export async function waitUntilWaiting(pool: pg.Pool, pid: number): Promise<void> {
  await waitFor(`backend ${pid} to wait for a lock`, async () => {
    const { rows } = await pool.query(`SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted`, [pid]);
    return rows.length > 0;
  });
}

/** The advisory lock rows of the current database, as pg_locks shows them. */
export async function advisoryRows(
  pool: pg.Pool,
): Promise<Array<{ pid: number; classid: string; objid: string; objsubid: number; mode: string; granted: boolean }>> {
  const { rows } = await pool.query(
    `SELECT pid, classid::text, objid::text, objsubid, mode, granted FROM pg_locks
      WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY pid`,
  );
  return rows;
}

/** Backend pid of a client. */
export async function backendPid(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return rows[0]!.pid;
}

/** A session running `sql` that is waiting for a lock; `done` settles with its result or error. */
export interface WaitingSession {
  client: pg.Client;
  pid: number;
  done: Promise<unknown>;
}

/** Starts `sql` on a new client of `db` and returns once that client waits for a lock. */
export async function startWaiting(db: TestDatabase, sql: string, applicationName: string): Promise<WaitingSession> {
  const client = await db.client({ applicationName });
  const pid = await backendPid(client);
  const done = client.query(sql).catch((error: unknown) => error);
  await waitUntilWaiting(db.pool, pid);
  return { client, pid, done };
}

/** Whether a backend with this pid still exists. */
export async function isAlive(pool: pg.Pool, pid: number): Promise<boolean> {
  const { rows } = await pool.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
  return rows.length > 0;
}
