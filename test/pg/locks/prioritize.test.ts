import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  actOnBlockers,
  advisoryKey,
  advisoryLock,
  findBlockers,
  InvalidLockArgumentError,
  prioritize,
  SignalPermissionDeniedError,
  withLockTimeout,
} from '../../../src/index.js';
import { useTestDatabase } from '../../helpers/database.js';
import { backendPid, isAlive as isAliveIn, startWaiting, waitFor, waitUntilWaiting } from './helpers.js';

const db = useTestDatabase();

beforeAll(async () => {
  await db.pool.query(`CREATE TABLE guarded (x int)`);
  await db.pool.query(`INSERT INTO guarded VALUES (1), (2), (3)`);
  await db.pool.query(`CREATE TABLE second (x int)`);
});

const isAlive = (pid: number) => isAliveIn(db.pool, pid);
const waiting = (sql: string, applicationName: string) => startWaiting(db, sql, applicationName);

/** A session holding ACCESS EXCLUSIVE on `table`, idle in its transaction. */
async function tableHolder(table: string, applicationName: string, url?: string): Promise<{ client: pg.Client; pid: number }> {
  const client = await db.client({ applicationName, url });
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  return { client, pid: await backendPid(client) };
}

describe('findBlockers', () => {
  it('finds direct blockers, and further up the chain with depth, with the locks they hold', async () => {
    const key = advisoryKey('blocker-chain');
    const root = await db.client({ applicationName: 'root' });
    const rootPid = await backendPid(root);
    const rootLock = await advisoryLock(root, key);
    const middle = await tableHolder('second', 'middle');
    const middleDone = middle.client.query(`SELECT pg_advisory_lock(${key.value})`);
    await waitUntilWaiting(db.pool, middle.pid);
    const leaf = await waiting('SELECT count(*) FROM second', 'leaf');

    const direct = await findBlockers(db.pool, leaf.pid);
    expect(direct).toHaveLength(1);
    expect(direct[0]).toMatchObject({ pid: middle.pid, depth: 1, blockedPid: leaf.pid, applicationName: 'middle', state: 'active', query: null });
    expect(direct[0]!.locksHeld).toContainEqual({ lockType: 'relation', mode: 'ACCESS EXCLUSIVE', target: 'public.second' });

    const chain = await findBlockers(db.pool, leaf.pid, { depth: 2, includeQueryText: true });
    expect(chain.map((b) => [b.pid, b.depth, b.blockedPid])).toEqual([
      [middle.pid, 1, leaf.pid],
      [rootPid, 2, middle.pid],
    ]);
    expect(chain[1]!.locksHeld).toContainEqual({ lockType: 'advisory', mode: 'EXCLUSIVE', target: `advisory ${key.value}` });
    expect(chain[0]!.query).toContain('pg_advisory_lock');

    // Filters.
    expect(await findBlockers(db.pool, leaf.pid, { applicationNames: ['someone-else'] })).toEqual([]);
    expect(await findBlockers(db.pool, leaf.pid, { excludeApplicationNames: ['middle'] })).toEqual([]);
    expect(await findBlockers(db.pool, leaf.pid, { users: ['nobody'] })).toEqual([]);
    expect(await findBlockers(db.pool, leaf.pid, { minBlockerAgeMs: 3_600_000 })).toEqual([]);
    expect(await findBlockers(db.pool, leaf.pid, { minBlockerAgeMs: 0 })).toHaveLength(1);
    expect(await findBlockers(db.pool, rootPid)).toEqual([]);
    await expect(findBlockers(db.pool, leaf.pid, { depth: 0 })).rejects.toBeInstanceOf(InvalidLockArgumentError);

    await rootLock!.release();
    await middleDone;
    await middle.client.query('COMMIT');
    await leaf.done;
    await Promise.all([root.end(), middle.client.end(), leaf.client.end()]);
  });
});

describe('actOnBlockers', () => {
  it('reports without signalling in a dry run, then terminates', async () => {
    const holder = await tableHolder('guarded', 'dry-holder');
    const reader = await waiting('SELECT count(*) FROM guarded', 'dry-reader');
    const dry = await actOnBlockers(db.pool, reader.pid, { dryRun: true });
    expect(dry).toMatchObject([{ pid: holder.pid, action: 'terminate', signalled: false, reason: 'dry-run' }]);
    expect(await isAlive(holder.pid)).toBe(true);

    const acted = await actOnBlockers(db.pool, reader.pid);
    expect(acted).toMatchObject([{ pid: holder.pid, action: 'terminate', signalled: true, reason: null, applicationName: 'dry-holder' }]);
    expect(await reader.done).toMatchObject({ rows: [{ count: '3' }] });
    await Promise.all([holder.client.end(), reader.client.end()]);
  });

  it('cancel-then-terminate: terminates an idle holder, cancels a running one, escalates when the cancel did not help', async () => {
    // An idle-in-transaction holder has nothing to cancel: terminated at once.
    const idle = await tableHolder('guarded', 'idle-holder');
    const reader = await waiting('SELECT count(*) FROM guarded', 'reader-1');
    const first = await actOnBlockers(db.pool, reader.pid, { action: 'cancel-then-terminate', cancelGraceMs: 200 });
    expect(first.map((r) => [r.pid, r.action, r.signalled])).toEqual([[idle.pid, 'terminate', true]]);
    expect(await reader.done).toMatchObject({ rows: [{ count: '3' }] });

    // A running statement inside a transaction: the cancel aborts the transaction, which releases its locks.
    const busy = await db.client({ applicationName: 'busy-in-transaction' });
    const busyPid = await backendPid(busy);
    await busy.query('BEGIN');
    await busy.query('LOCK TABLE second IN ACCESS EXCLUSIVE MODE');
    const busyDone = busy.query('SELECT pg_sleep(30)').catch((error: unknown) => error);
    const reader2 = await waiting('SELECT count(*) FROM second', 'reader-2');
    const second = await actOnBlockers(db.pool, reader2.pid, { action: 'cancel-then-terminate', cancelGraceMs: 200 });
    expect(second.map((r) => [r.pid, r.action, r.signalled])).toEqual([[busyPid, 'cancel', true]]);
    expect(await busyDone).toMatchObject({ code: '57014' });
    expect(await reader2.done).toMatchObject({ rows: [{ count: '0' }] });
    expect(await isAlive(busyPid)).toBe(true);

    // A running statement of a session holding a session-level advisory lock: the cancel leaves the
    // lock in place, so it is terminated after the grace period.
    const sticky = await db.client({ applicationName: 'sticky-holder' });
    const stickyPid = await backendPid(sticky);
    const key = advisoryKey('sticky');
    await advisoryLock(sticky, key);
    const stickyDone = sticky.query('SELECT pg_sleep(30)').catch((error: unknown) => error);
    const reader3 = await waiting(`SELECT pg_advisory_lock(${key.value})`, 'reader-3');
    const started = Date.now();
    const third = await actOnBlockers(db.pool, reader3.pid, { action: 'cancel-then-terminate', cancelGraceMs: 300 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(third.map((r) => [r.pid, r.action, r.signalled])).toEqual([
      [stickyPid, 'cancel', true],
      [stickyPid, 'terminate', true],
    ]);
    expect(await stickyDone).toBeInstanceOf(Error);
    await reader3.done;
    await Promise.all([idle.client.end(), reader.client.end(), busy.end(), reader2.client.end(), sticky.end(), reader3.client.end()]);
  });
});

describe('prioritize', () => {
  it('frees a blocked statement and reports its victim', async () => {
    const holder = await tableHolder('guarded', 'victim-app');
    const started = Date.now();
    const seen: number[] = [];
    const { result, report } = await prioritize(db.pool, (client) => client.query<{ n: string }>('SELECT count(*) AS n FROM guarded'), {
      intervalMs: 100,
      onBlocker: (r) => seen.push(r.pid),
    });
    expect(result.rows[0]!.n).toBe('3');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(report).toHaveLength(1);
    expect(report[0]).toMatchObject({
      pid: holder.pid,
      applicationName: 'victim-app',
      state: 'idle in transaction',
      action: 'terminate',
      signalled: true,
      reason: null,
      query: null,
      depth: 1,
    });
    expect(report[0]!.user).toBeTruthy();
    expect(report[0]!.ageMs).toBeGreaterThanOrEqual(0);
    expect(report[0]!.locksHeld).toContainEqual({ lockType: 'relation', mode: 'ACCESS EXCLUSIVE', target: 'public.guarded' });
    expect(new Date(report[0]!.at).getTime()).toBeGreaterThanOrEqual(started);
    expect(seen).toEqual([holder.pid]);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    await waitFor('the victim to be gone', async () => !(await isAlive(holder.pid)));
    await holder.client.end();
  });

  it('frees a statement waiting for an advisory lock', async () => {
    const holderClient = await db.client({ applicationName: 'advisory-holder' });
    const held = await advisoryLock(holderClient, 'contended');
    const key = advisoryKey('contended');
    const { result, report } = await prioritize(
      db.pool,
      async (client) => {
        await client.query(`SELECT pg_advisory_lock(${key.value})`);
        await client.query(`SELECT pg_advisory_unlock(${key.value})`);
        return 'got it';
      },
      { intervalMs: 100, includeQueryText: true },
    );
    expect(result).toBe('got it');
    expect(report).toMatchObject([{ pid: held!.pid, applicationName: 'advisory-holder', signalled: true }]);
    expect(report[0]!.locksHeld).toContainEqual({ lockType: 'advisory', mode: 'EXCLUSIVE', target: `advisory ${key.value}` });
    expect(report[0]!.query).toContain('pg_try_advisory_lock');
    await waitFor('the holder to notice', async () => held!.state === 'lost');
    await holderClient.end();
  });

  it('spares sessions outside the filters; the work then fails with its own error', async () => {
    const holder = await tableHolder('guarded', 'protected-app');
    const outcome = await prioritize(
      db.pool,
      (client) => withLockTimeout(client, 700, () => client.query('SELECT count(*) FROM guarded')),
      { intervalMs: 100, excludeApplicationNames: ['protected-app'] },
    ).catch((error: unknown) => error);
    expect(outcome).toMatchObject({ code: '55P03' });
    expect(await isAlive(holder.pid)).toBe(true);
    await holder.client.query('ROLLBACK');
    await holder.client.end();
  });

  it('surfaces a permission failure promptly as a typed error instead of leaving the work waiting', async () => {
    const role = await db.createRole('prioritizer');
    await db.pool.query(`GRANT SELECT ON guarded TO "${role.name}"`);
    const superHolder = await tableHolder('guarded', 'superuser-holder');
    const pool = db.newPool({ connectionString: role.url, max: 3 });
    const started = Date.now();
    const error = await prioritize(pool, (client) => client.query('SELECT count(*) FROM guarded'), { intervalMs: 100 }).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(SignalPermissionDeniedError);
    expect((error as SignalPermissionDeniedError).details).toMatchObject({ pid: superHolder.pid, action: 'terminate' });
    expect(elapsed).toBeLessThan(10_000);
    expect(await isAlive(superHolder.pid)).toBe(true);
    // The work's statement was cancelled, not left queued.
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = current_database()`,
    );
    expect(rows[0].n).toBe(0);
    await superHolder.client.query('ROLLBACK');
    await superHolder.client.end();
    await pool.end();
  });

  it('works with a pool of two connections, one for the work and one for the watcher', async () => {
    const holder = await tableHolder('second', 'small-pool-victim');
    const pool = db.newPool({ max: 2 });
    const { result, report } = await prioritize(pool, (client) => client.query('SELECT count(*) AS n FROM second'), { intervalMs: 50 });
    expect(result.rows[0].n).toBe('0');
    expect(report.map((r) => r.pid)).toEqual([holder.pid]);
    expect(pool.totalCount).toBeLessThanOrEqual(2);
    await pool.end();
    await holder.client.end();
  });

  it("rethrows the work's own error unchanged and checks its arguments", async () => {
    const bodyError = new Error('from the work');
    await expect(prioritize(db.pool, () => Promise.reject(bodyError), { intervalMs: 50 })).rejects.toBe(bodyError);
    const client = await db.client();
    await expect(prioritize(client, () => 1)).rejects.toThrow(/needs a second connection/);
    await expect(prioritize(client, () => 1, { watcher: client })).rejects.toThrow(/must not be the client/);
    await expect(prioritize(db.pool, () => 1, { intervalMs: 0 })).rejects.toBeInstanceOf(InvalidLockArgumentError);
    const single = db.newPool({ max: 1 });
    await expect(prioritize(single, () => 1)).rejects.toThrow(/at least 2 connections/);
    await single.end();
    const { result } = await prioritize(client, (c) => c.query('SELECT 2 AS two'), { watcher: db.pool, intervalMs: 50 });
    expect(result.rows[0].two).toBe(2);
    await client.end();
  });
});
