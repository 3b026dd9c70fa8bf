import { beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidIdentifierError,
  InvalidLockArgumentError,
  LockNotAcquiredError,
  lockTable,
  NotInTransactionError,
  TABLE_LOCK_MODES,
  type TableLockMode,
} from '../../../src/index.js';
import { useTestDatabase } from '../../helpers/database.js';

const db = useTestDatabase();

beforeAll(async () => {
  await db.pool.query(`CREATE TABLE plain (x int)`);
  await db.pool.query(`CREATE TABLE other (x int)`);
  await db.pool.query(`CREATE SCHEMA "Odd ""schema"""`);
  await db.pool.query(`CREATE TABLE "Odd ""schema"""."my.table" (x int)`);
  await db.pool.query(`CREATE SCHEMA s2`);
  await db.pool.query(`CREATE TABLE s2."Mixed" (x int)`);
});

async function relationModes(pid: number): Promise<Array<{ relname: string; mode: string }>> {
  const { rows } = await db.pool.query(
    `SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
      WHERE l.pid = $1 AND l.locktype = 'relation' AND c.relkind = 'r' ORDER BY c.relname`,
    [pid],
  );
  return rows;
}

const PG_MODE_NAMES: Record<TableLockMode, string> = {
  'ACCESS SHARE': 'AccessShareLock',
  'ROW SHARE': 'RowShareLock',
  'ROW EXCLUSIVE': 'RowExclusiveLock',
  'SHARE UPDATE EXCLUSIVE': 'ShareUpdateExclusiveLock',
  SHARE: 'ShareLock',
  'SHARE ROW EXCLUSIVE': 'ShareRowExclusiveLock',
  EXCLUSIVE: 'ExclusiveLock',
  'ACCESS EXCLUSIVE': 'AccessExclusiveLock',
};

describe('lockTable', () => {
  it.each(TABLE_LOCK_MODES.map((mode) => [mode]))('takes %s', async (mode) => {
    const client = await db.client();
    const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
    await client.query('BEGIN');
    await lockTable(client, 'plain', { mode });
    expect(await relationModes(rows[0].pid)).toEqual([{ relname: 'plain', mode: PG_MODE_NAMES[mode] }]);
    await client.query('COMMIT');
    expect(await relationModes(rows[0].pid)).toEqual([]);
    await client.end();
  });

  it('defaults to ACCESS EXCLUSIVE and locks several, schema-qualified, oddly named tables at once', async () => {
    const client = await db.client();
    const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
    await client.query('BEGIN');
    await lockTable(client, [{ schema: 'Odd "schema"', name: 'my.table' }, 's2.Mixed', 'public.other']);
    expect(await relationModes(rows[0].pid)).toEqual([
      { relname: 'Mixed', mode: 'AccessExclusiveLock' },
      { relname: 'my.table', mode: 'AccessExclusiveLock' },
      { relname: 'other', mode: 'AccessExclusiveLock' },
    ]);
    await client.query('ROLLBACK');
    await client.end();
  });

  it('fails at once with nowait, leaving the transaction usable', async () => {
    const holder = await db.client();
    await holder.query('BEGIN');
    await lockTable(holder, 'plain', { mode: 'SHARE' });
    const client = await db.client();
    await client.query('BEGIN');
    const started = Date.now();
    const error = await lockTable(client, ['other', 'plain'], { mode: 'ROW EXCLUSIVE', nowait: true }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(LockNotAcquiredError);
    expect((error as LockNotAcquiredError).details).toMatchObject({ lock: 'table', tables: ['other', 'plain'], mode: 'ROW EXCLUSIVE', nowait: true });
    // Still usable, and the table locked before the failing one was released with the savepoint.
    await client.query('SELECT 1');
    const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
    expect(await relationModes(rows[0].pid)).toEqual([]);
    await client.query('COMMIT');
    await holder.query('COMMIT');
    await Promise.all([holder.end(), client.end()]);
  });

  it('waits at most timeoutMs and restores lock_timeout', async () => {
    const holder = await db.client();
    await holder.query('BEGIN');
    await lockTable(holder, 'plain');
    const client = await db.client();
    await client.query(`SET lock_timeout = '6s'`);
    await client.query('BEGIN');
    const started = Date.now();
    await expect(lockTable(client, 'plain', { mode: 'ACCESS SHARE', timeoutMs: 300 })).rejects.toBeInstanceOf(LockNotAcquiredError);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(5_000);
    const { rows } = await client.query(`SELECT current_setting('lock_timeout') AS v`);
    expect(rows[0].v).toBe('6s');
    await holder.query('COMMIT');
    await lockTable(client, 'plain', { mode: 'ACCESS SHARE', timeoutMs: 300 });
    await client.query('COMMIT');
    await Promise.all([holder.end(), client.end()]);
  });

  it('needs a transaction', async () => {
    const client = await db.client();
    await expect(lockTable(client, 'plain')).rejects.toBeInstanceOf(NotInTransactionError);
    await client.end();
  });

  it('rejects bad arguments with typed errors', async () => {
    const client = await db.client();
    await client.query('BEGIN');
    await expect(lockTable(client, 'plain', { mode: 'SUPER EXCLUSIVE' as never })).rejects.toBeInstanceOf(InvalidLockArgumentError);
    await expect(lockTable(client, 'plain', { nowait: true, timeoutMs: 10 })).rejects.toThrow(/nowait or timeoutMs, not both/);
    await expect(lockTable(client, [])).rejects.toThrow(/at least one table/);
    await expect(lockTable(client, 'a.b.c')).rejects.toThrow(/more than one dot/);
    await expect(lockTable(client, 'a.b.c')).rejects.toBeInstanceOf(InvalidIdentifierError);
    await expect(lockTable(client, '')).rejects.toBeInstanceOf(InvalidIdentifierError);
    await expect(lockTable(db.pool as never, 'plain')).rejects.toThrow(/not a pool/);
    // None of that touched the transaction.
    await lockTable(client, 'plain');
    await client.query('ROLLBACK');
    await client.end();
  });

  it('reports a missing table as PostgreSQL does, keeping the transaction usable', async () => {
    const client = await db.client();
    await client.query('BEGIN');
    await expect(lockTable(client, 'does_not_exist')).rejects.toMatchObject({ code: '42P01' });
    await client.query('SELECT 1');
    await client.query('ROLLBACK');
    await client.end();
  });
});
