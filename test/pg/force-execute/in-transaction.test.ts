/**
 * forceExecuteInTransaction: the variant for a transaction the caller holds (the ingest's table
 * swap). Attempts retry under savepoints, and the caller's transaction stays usable whatever happens.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  executeSwap,
  forceExecuteInTransaction,
  InvalidLockArgumentError,
  NotInTransactionError,
  SignalPermissionDeniedError,
  TransactionAbortedError,
  type ForceExecuteAttempt,
} from '../../../src/index.js';
import { useTestDatabase } from '../../helpers/database.js';
import { backendPid, columnsOf, holdTable, isAlive, waitFor, waitingBackends, waitUntilWaiting } from './helpers.js';

const db = useTestDatabase();

beforeAll(async () => {
  await db.pool.query(`CREATE TABLE log (note text)`);
  await db.pool.query(`CREATE TABLE altered (x int); CREATE TABLE lock_a (x int); CREATE TABLE lock_b (x int)`);
  await db.pool.query(`CREATE TABLE live (v text); INSERT INTO live VALUES ('old')`);
  await db.pool.query(`CREATE VIEW live_view AS SELECT v FROM live`);
});

async function notes(): Promise<string[]> {
  const { rows } = await db.pool.query<{ note: string }>('SELECT note FROM log ORDER BY note');
  return rows.map((row) => row.note);
}

async function inTransaction(client: pg.ClientBase, note: string): Promise<void> {
  await client.query('BEGIN');
  await client.query('INSERT INTO log VALUES ($1)', [note]);
}

describe('forceExecuteInTransaction', () => {
  it('retries in savepoints until the delay, then acts; the caller commits what came before and after', async () => {
    const holder = await holdTable(db, 'altered', 'reader-in-transaction', { mode: 'ACCESS SHARE' });
    const client = await db.client({ applicationName: 'caller' });
    await inTransaction(client, 'a-before');
    await client.query(`SET LOCAL lock_timeout = '7s'`);
    const attempts: ForceExecuteAttempt[] = [];
    const outcome = await forceExecuteInTransaction(client, db.pool, (c) => c.query('ALTER TABLE altered ADD COLUMN y int'), {
      delayMs: 700,
      lockTimeoutMs: 150,
      checkIntervalMs: 100,
      onAttempt: (attempt) => attempts.push(attempt),
    });
    expect(outcome.attempts).toBeGreaterThanOrEqual(3);
    expect(outcome.forced).toBe(true);
    expect(outcome.blockers.map((r) => r.pid)).toEqual([holder.pid]);
    expect(attempts[0]).toEqual({ attempt: 1, lockTimeoutMs: 150, forced: false, previousSqlState: null });
    expect(attempts.at(-1)).toMatchObject({ lockTimeoutMs: 0, forced: true, previousSqlState: '55P03' });
    expect(attempts.every((a) => a.lockTimeoutMs <= 150)).toBe(true);
    // The caller's own setting is back, and its transaction goes on.
    expect((await client.query('SHOW lock_timeout')).rows[0].lock_timeout).toBe('7s');
    await client.query(`INSERT INTO log VALUES ('a-after')`);
    await client.query('COMMIT');
    expect(await notes()).toEqual(['a-after', 'a-before']);
    expect(await columnsOf(db.pool, 'altered')).toEqual(['x', 'y']);
    await Promise.all([client.end(), holder.client.end()]);
  });

  it("rethrows the work's own error unchanged and leaves the transaction usable", async () => {
    const client = await db.client();
    await inTransaction(client, 'b-kept');
    const error = await forceExecuteInTransaction(client, db.pool, async (c) => {
      await c.query(`INSERT INTO log VALUES ('b-rolled-back')`);
      return c.query('SELECT * FROM missing_table');
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(pg.DatabaseError);
    expect(error).toMatchObject({ code: '42P01' });
    await client.query('COMMIT');
    expect(await notes()).toContain('b-kept');
    expect(await notes()).not.toContain('b-rolled-back');
    await client.end();
  });

  it('retries after a deadlock (40P01) inside its savepoint', async () => {
    const other = await db.client({ applicationName: 'deadlock-partner' });
    await other.query('BEGIN');
    await other.query('LOCK TABLE lock_b IN ACCESS EXCLUSIVE MODE');
    const otherPid = await backendPid(other);
    const client = await db.client();
    await inTransaction(client, 'c-kept');
    // Our session runs the deadlock check first, so it is the one that gives way.
    await client.query(`SET LOCAL deadlock_timeout = '50ms'`);
    const attempts: ForceExecuteAttempt[] = [];
    let otherDone: Promise<unknown> | undefined;
    const outcome = forceExecuteInTransaction(
      client,
      db.pool,
      async (c) => {
        await c.query('LOCK TABLE lock_a IN ACCESS EXCLUSIVE MODE');
        if (otherDone === undefined) {
          otherDone = other.query('LOCK TABLE lock_a IN ACCESS EXCLUSIVE MODE');
          await waitUntilWaiting(db.pool, otherPid);
        }
        await c.query('LOCK TABLE lock_b IN ACCESS EXCLUSIVE MODE');
        return 'both locked';
      },
      { delayMs: 60_000, lockTimeoutMs: 5_000, onAttempt: (attempt) => attempts.push(attempt) },
    );
    await waitFor('the partner to get lock_a', async () => {
      const settled = await Promise.race([otherDone?.then(() => true), sleep(20).then(() => false)]);
      return settled === true;
    });
    await other.query('COMMIT');
    expect((await outcome).result).toBe('both locked');
    expect(attempts.map((a) => a.previousSqlState)).toEqual([null, '40P01']);
    await client.query('COMMIT');
    expect(await notes()).toContain('c-kept');
    await Promise.all([client.end(), other.end()]);
  });

  it('leaves the transaction usable after a refused termination and after an abort', async () => {
    const role = await db.createRole('swapper');
    await db.pool.query(`GRANT SELECT, INSERT ON log, altered TO "${role.name}"`);
    const holder = await holdTable(db, 'altered', 'superuser-holder');
    const rolePool = db.newPool({ connectionString: role.url, max: 2 });
    const client = await db.client({ url: role.url });
    await inTransaction(client, 'd-kept');
    const denied = await forceExecuteInTransaction(client, rolePool, (c) => c.query('SELECT count(*) FROM altered'), {
      delayMs: 200,
      checkIntervalMs: 100,
    }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(SignalPermissionDeniedError);
    expect(await waitingBackends(db.pool)).toEqual([]);
    await client.query(`INSERT INTO log VALUES ('d-after-denied')`);

    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('caller gave up')), 300);
    const aborted = await forceExecuteInTransaction(client, rolePool, (c) => c.query('SELECT count(*) FROM altered'), {
      delayMs: 60_000,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(aborted).toMatchObject({ message: 'caller gave up' });
    await client.query(`INSERT INTO log VALUES ('d-after-abort')`);
    await client.query('COMMIT');
    expect(await notes()).toEqual(expect.arrayContaining(['d-kept', 'd-after-denied', 'd-after-abort']));
    expect(await isAlive(db.pool, holder.pid)).toBe(true);
    await holder.client.query('ROLLBACK');
    await Promise.all([client.end(), holder.client.end(), rolePool.end()]);
  });

  it('gets a table swap through a reader holding the live table, inside the batch transaction', async () => {
    await db.pool.query(`CREATE TABLE live_new (v text); INSERT INTO live_new VALUES ('new')`);
    const reader = await db.client({ applicationName: 'dashboard' });
    const readerPid = await backendPid(reader);
    await reader.query('BEGIN');
    await reader.query('SELECT * FROM live_view');
    const client = await db.client();
    await inTransaction(client, 'e-batch');
    const outcome = await forceExecuteInTransaction(
      client,
      db.pool,
      (c) => executeSwap(c, { target: { schema: 'public', name: 'live' }, replacement: { schema: 'public', name: 'live_new' } }),
      { delayMs: 500, lockTimeoutMs: 100, checkIntervalMs: 100 },
    );
    expect(outcome.blockers.map((r) => [r.pid, r.applicationName])).toEqual([[readerPid, 'dashboard']]);
    expect(outcome.attempts).toBeGreaterThan(1);
    await client.query('COMMIT');
    expect((await db.pool.query('SELECT v FROM live_view')).rows).toEqual([{ v: 'new' }]);
    await Promise.all([client.end(), reader.end()]);
  });

  it('checks its client and control', async () => {
    const client = await db.client();
    await expect(forceExecuteInTransaction(client, db.pool, (c) => c.query('SELECT 1'))).rejects.toBeInstanceOf(NotInTransactionError);
    await client.query('BEGIN');
    await expect(forceExecuteInTransaction(client, client, (c) => c.query('SELECT 1'))).rejects.toBeInstanceOf(InvalidLockArgumentError);
    await expect(forceExecuteInTransaction(client, db.pool, 'SELECT 1' as never)).rejects.toThrow(/work must be a function/);
    await expect(forceExecuteInTransaction(db.pool as never, db.pool, (c) => c.query('SELECT 1'))).rejects.toThrow(/needs a connected client/);
    await client.query('SELECT 1/0').catch(() => undefined);
    await expect(forceExecuteInTransaction(client, db.pool, (c) => c.query('SELECT 1'))).rejects.toBeInstanceOf(TransactionAbortedError);
    await client.query('ROLLBACK');
    await client.end();
  });
});
