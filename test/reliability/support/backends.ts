/**
 * Finding and ending sessions from another one, as an operator (or a failover) would: the backend
 * of an application in a given state, polled until it shows up.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';

export interface Backend {
  readonly pid: number;
  readonly application_name: string;
  readonly state: string | null;
  readonly wait_event_type: string | null;
  readonly query: string;
}

/** Sessions of this database (not the caller's own), optionally of one application. */
export async function backends(db: pg.Pool | pg.ClientBase, applicationName?: string): Promise<Backend[]> {
  const { rows } = await db.query<Backend>(
    `SELECT pid, application_name, state, wait_event_type, query FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
        AND ($1::text IS NULL OR application_name = $1) ORDER BY pid`,
    [applicationName ?? null],
  );
  return rows;
}

/** Polls every 20 ms until a session (of `applicationName`, when given) matches `accept`; fails after `timeoutMs` (default 20 s). */
export async function waitForBackend(db: pg.Pool, applicationName: string | undefined, accept: (backend: Backend) => boolean, what: string, timeoutMs = 20_000): Promise<Backend> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await backends(db, applicationName)).find(accept);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; sessions: ${JSON.stringify(await backends(db))}`);
    await sleep(20);
  }
}

/** Polls until no session of `applicationName` is left (they end on their own, or were terminated). */
export async function waitForNoBackend(db: pg.Pool, applicationName: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await backends(db, applicationName)).length > 0) {
    if (Date.now() > deadline) throw new Error(`sessions of ${applicationName} are still there: ${JSON.stringify(await backends(db, applicationName))}`);
    await sleep(50);
  }
}

export async function terminate(db: pg.Pool, pid: number): Promise<void> {
  const { rows } = await db.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [pid]);
  if (rows[0]?.ok !== true) throw new Error(`could not terminate backend ${pid}`);
}

/** A session holding `lock` on `table` in an open transaction, until `release()`. */
export async function holdLock(client: pg.ClientBase, table: string, lock: string): Promise<{ release(): Promise<void> }> {
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN ${lock} MODE`);
  return { release: async () => void (await client.query('COMMIT')) };
}
