/**
 * What pg-force-execute does not do: readers keep running during the delay, advisory-lock holders
 * count as blockers, filters spare sessions, the call can be aborted, and the session it runs on
 * notices a dead client on its own.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { advisoryKey, advisoryLock, forceExecute, InvalidLockArgumentError } from '../../../src/index.js';
import { useTestDatabase } from '../../helpers/database.js';
import { backendPid, columnsOf, holdTable, isAlive, waitFor, waitingBackends } from './helpers.js';

const db = useTestDatabase();

beforeAll(async () => {
  await db.pool.query(`CREATE TABLE readers (x int); INSERT INTO readers VALUES (1), (2)`);
  await db.pool.query(`CREATE TABLE filtered (x int); CREATE TABLE aborted (x int); CREATE TABLE log (x int)`);
});

/** Runs `SELECT count(*)` every 100 ms while `running` and returns the longest one took, in ms. */
async function measureReaders(running: () => boolean): Promise<number> {
  const reader = await db.client({ applicationName: 'reader' });
  let longest = 0;
  while (running()) {
    const started = performance.now();
    await reader.query('SELECT count(*) FROM readers');
    longest = Math.max(longest, performance.now() - started);
    await sleep(100);
  }
  await reader.end();
  return longest;
}

describe('forceExecute beyond pg-force-execute', () => {
  it('does not stall readers behind its queued statement for much more than one lockTimeoutMs during the delay', async () => {
    // The holder reads in an open transaction: readers are compatible with it, our ALTER is not.
    const holder = await db.client({ applicationName: 'long-reader' });
    const holderPid = await backendPid(holder);
    await holder.query('BEGIN');
    await holder.query('SELECT * FROM readers');

    let done = false;
    const statement = forceExecute(db.pool, 'ALTER TABLE readers ADD COLUMN added int', { delayMs: 2500, lockTimeoutMs: 200, checkIntervalMs: 200 }).finally(() => {
      done = true;
    });
    await sleep(150);
    const longest = await measureReaders(() => !done);
    const outcome = await statement;

    expect(longest).toBeLessThan(200 + 600);
    expect(outcome.attempts).toBeGreaterThan(2);
    expect(outcome.blockers.map((r) => r.pid)).toEqual([holderPid]);
    expect(await columnsOf(db.pool, 'readers')).toEqual(['x', 'added']);
    await holder.end();
  });

  it('stalls readers for the whole delay when it queues from the start (lockTimeoutMs 0, the peer behaviour)', async () => {
    // The same measurement can fail: without short attempts a reader waits until the blocker dies.
    const holder = await db.client({ applicationName: 'long-reader-2' });
    await holder.query('BEGIN');
    await holder.query('SELECT * FROM readers');
    let done = false;
    const statement = forceExecute(db.pool, 'ALTER TABLE readers DROP COLUMN added', { delayMs: 1500, lockTimeoutMs: 0, checkIntervalMs: 200 }).finally(() => {
      done = true;
    });
    await sleep(150);
    const longest = await measureReaders(() => !done);
    await statement;
    expect(longest).toBeGreaterThan(1000);
    await holder.end();
  });

  it('acts on a session holding an advisory lock the statement waits for', async () => {
    const key = advisoryKey('force-execute-advisory');
    const holderClient = await db.client({ applicationName: 'advisory-holder' });
    const held = await advisoryLock(holderClient, key);
    const outcome = await forceExecute(
      db.pool,
      async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [key.value.toString()]);
        return 'locked';
      },
      { delayMs: 300, checkIntervalMs: 100, lockTimeoutMs: 100 },
    );
    expect(outcome.result).toBe('locked');
    expect(outcome.blockers).toMatchObject([{ pid: held!.pid, applicationName: 'advisory-holder', action: 'terminate', signalled: true }]);
    expect(outcome.blockers[0]!.locksHeld).toContainEqual({ lockType: 'advisory', mode: 'EXCLUSIVE', target: `advisory ${key.value}` });
    await waitFor('the holder to notice', async () => held!.state === 'lost');
    await holderClient.end();
  });

  it('spares sessions outside the filters and acts on those inside', async () => {
    const victim = await holdTable(db, 'filtered', 'victim', { mode: 'ACCESS SHARE' });
    const spared = await holdTable(db, 'filtered', 'spared', { mode: 'ACCESS SHARE' });
    const young = await holdTable(db, 'filtered', 'young', { mode: 'ACCESS SHARE' });
    const seen: number[] = [];
    const statement = forceExecute(db.pool, 'ALTER TABLE filtered ADD COLUMN y int', {
      delayMs: 200,
      checkIntervalMs: 100,
      excludeApplicationNames: ['spared'],
      applicationNames: ['victim', 'spared'],
      includeQueryText: true,
      onBlocker: (report) => seen.push(report.pid),
    });
    await waitFor('the victim to be terminated', async () => !(await isAlive(db.pool, victim.pid)));
    await sleep(400);
    // Still blocked by the two it may not touch.
    expect(await isAlive(db.pool, spared.pid)).toBe(true);
    expect(await isAlive(db.pool, young.pid)).toBe(true);
    await spared.client.query('COMMIT');
    await young.client.query('COMMIT');
    const outcome = await statement;
    expect(outcome.blockers.map((r) => r.pid)).toEqual([victim.pid]);
    expect(seen).toEqual([victim.pid]);
    expect(outcome.blockers[0]!.query).toContain('pg_backend_pid'); // its last statement

    // An age filter: a blocker younger than minBlockerAgeMs is left alone until it is old enough.
    const fresh = await holdTable(db, 'filtered', 'fresh');
    const started = performance.now();
    const aged = await forceExecute(db.pool, 'SELECT count(*) FROM filtered', { delayMs: 0, checkIntervalMs: 100, minBlockerAgeMs: 1200 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(aged.blockers.map((r) => r.pid)).toEqual([fresh.pid]);
    expect(aged.blockers[0]!.ageMs).toBeGreaterThanOrEqual(1200);
    await Promise.all([victim.client.end(), spared.client.end(), young.client.end(), fresh.client.end()]);
  });

  it('aborting cancels the statement and rolls everything back, during the delay and after it', async () => {
    for (const delayMs of [60_000, 0]) {
      const holder = await holdTable(db, 'aborted', 'abort-holder');
      const controller = new AbortController();
      const reason = new Error(`stop (delay ${delayMs})`);
      const started = performance.now();
      const statement = forceExecute(db.pool, ['INSERT INTO log VALUES (1)', 'ALTER TABLE aborted ADD COLUMN never int'], {
        delayMs,
        checkIntervalMs: 100,
        // After the delay, the statement waits for a holder it may not touch.
        excludeApplicationNames: ['abort-holder'],
        signal: controller.signal,
      }).catch((e: unknown) => e);
      await sleep(300);
      controller.abort(reason);
      expect(await statement).toBe(reason);
      expect(performance.now() - started).toBeLessThan(3000);
      expect(await waitingBackends(db.pool)).toEqual([]);
      expect(await isAlive(db.pool, holder.pid)).toBe(true);
      await holder.client.query('ROLLBACK');
      expect(await columnsOf(db.pool, 'aborted')).toEqual(['x']);
      expect((await db.pool.query('SELECT count(*)::int AS n FROM log')).rows[0].n).toBe(0);
      await holder.client.end();
    }
    await expect(forceExecute(db.pool, 'SELECT 1', { signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
  });

  it('sets client_connection_check_interval on its session where the server has it (PostgreSQL 14+)', async () => {
    const outcome = await forceExecute(db.pool, async (client) => {
      const { rows } = await client.query(`SELECT current_setting('client_connection_check_interval', true) AS value`);
      return rows[0].value as string | null;
    });
    expect(outcome.result).toBe(db.major >= 14 ? '1s' : null);
    // Only for the transaction: the pooled connection does not keep it.
    const { rows } = await db.pool.query(`SELECT current_setting('client_connection_check_interval', true) AS value`);
    expect(rows[0].value).toBe('0');
  });

  it('ends its backend on its own when the client dies mid-wait', async () => {
    const holder = await holdTable(db, 'aborted', 'orphan-holder');
    const pool = db.newPool({ max: 2 });
    const statement = forceExecute(pool, 'SELECT count(*) FROM aborted', { delayMs: 60_000, lockTimeoutMs: 0 }).catch((e: unknown) => e);
    const pid = await waitFor('the statement to queue', async () => (await waitingBackends(db.pool))[0]);
    // Cut the statement's socket without telling the server, as a killed process would.
    for (const client of (pool as unknown as { _clients: Array<{ connection: { stream: { destroy(): void } }; processID: number }> })._clients) {
      if (client.processID === pid) client.connection.stream.destroy();
    }
    await waitFor('the orphaned backend to end', async () => !(await isAlive(db.pool, pid)), 10_000);
    expect(await isAlive(db.pool, holder.pid)).toBe(true);
    expect(await statement).toBeInstanceOf(Error);

    // Without the setting, a backend whose client vanished stays in the lock queue.
    const plain = await db.client({ applicationName: 'plain-waiter' });
    const plainPid = await backendPid(plain);
    const plainDone = plain.query('SELECT count(*) FROM aborted').catch((e: unknown) => e);
    await waitFor('the plain statement to queue', async () => (await waitingBackends(db.pool)).includes(plainPid));
    (plain as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    await sleep(2000);
    expect(await isAlive(db.pool, plainPid)).toBe(true);
    await db.pool.query('SELECT pg_terminate_backend($1)', [plainPid]);
    await plainDone;
    await plain.end();
    await holder.client.end();
    await pool.end();
  });

  it('checks its arguments', async () => {
    await expect(forceExecute(db.pool, [])).rejects.toBeInstanceOf(InvalidLockArgumentError);
    await expect(forceExecute(db.pool, ['SELECT 1', ' '])).rejects.toThrow(/statements\[1\] must be a non-empty SQL string/);
    await expect(forceExecute(db.pool, 'SELECT 1', { delayMs: -1 })).rejects.toThrow(/delayMs/);
    await expect(forceExecute(db.pool, 'SELECT 1', { action: 'kill' as never })).rejects.toThrow(/action must be one of/);
    await expect(forceExecute(db.pool, 'SELECT 1', { checkIntervalMs: 0 })).rejects.toThrow(/checkIntervalMs/);
    const single = db.newPool({ max: 1 });
    await expect(forceExecute(single, 'SELECT 1')).rejects.toThrow(/at least 2 connections/);
    await single.end();
    const client = await db.client();
    await expect(forceExecute(client as never, 'SELECT 1')).rejects.toThrow(/needs a pg.Pool/);
    await client.end();
  });
});
