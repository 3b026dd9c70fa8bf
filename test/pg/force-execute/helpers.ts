/** Sessions that hold locks for force-execute tests, and what is left in the lock queue. */
import type pg from 'pg';
import type { TestDatabase } from '../../helpers/database.js';
import { backendPid } from '../locks/helpers.js';

export { backendPid, isAlive, waitFor, waitUntilWaiting } from '../locks/helpers.js';

/** A session holding `mode` on `table`, idle in its open transaction. */
export interface Holder {
  client: pg.Client;
  pid: number;
}

/** Opens a session that locks `table` in `mode` (default ACCESS EXCLUSIVE) and stays idle in its transaction. */
export async function holdTable(db: TestDatabase, table: string, applicationName: string, options: { mode?: string; url?: string } = {}): Promise<Holder> {
  const client = await db.client({ applicationName, url: options.url });
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN ${options.mode ?? 'ACCESS EXCLUSIVE'} MODE`);
  return { client, pid: await backendPid(client) };
}

/** Backends of this database waiting for a lock (our statements must never be left there). */
export async function waitingBackends(pool: pg.Pool): Promise<number[]> {
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE NOT l.granted AND a.datname = current_database() ORDER BY l.pid`,
  );
  return rows.map((row) => row.pid);
}

/** Columns of a table, in order. */
export async function columnsOf(pool: pg.Pool, table: string): Promise<string[]> {
  const { rows } = await pool.query<{ attname: string }>(
    `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [table],
  );
  return rows.map((row) => row.attname);
}
