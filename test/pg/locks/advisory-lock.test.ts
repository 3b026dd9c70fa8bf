import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  advisoryKey,
  advisoryLock,
  AdvisoryLockLostError,
  AdvisoryLockReleasedError,
  isAdvisoryLocked,
  LockNotAcquiredError,
  NotInTransactionError,
  withAdvisoryLock,
  type AdvisoryLockHandle,
} from '../../../src/index.js';
import { useTestDatabase } from '../../helpers/database.js';
import { advisoryRows, backendPid, waitFor, waitUntilWaiting } from './helpers.js';

const db = useTestDatabase();

describe('advisoryLock: contention', () => {
  it('lets exactly one of two sessions racing for a key win', async () => {
    const [a, b] = await Promise.all([db.client(), db.client()]);
    for (let round = 0; round < 10; round++) {
      const key = `race-${round}`;
      const results = await Promise.all([advisoryLock(a, key, { wait: false }), advisoryLock(b, key, { wait: false })]);
      const winners = results.filter((r): r is AdvisoryLockHandle => r !== null);
      expect(winners).toHaveLength(1);
      expect(await advisoryRows(db.pool)).toHaveLength(1);
      await winners[0]!.release();
    }
    expect(await advisoryRows(db.pool)).toHaveLength(0);
    await Promise.all([a.end(), b.end()]);
  });

  it('serialises critical sections of concurrent withAdvisoryLock calls on a pool', async () => {
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        withAdvisoryLock(db.pool, 'serialised', async () => {
          inside++;
          most = Math.max(most, inside);
          await sleep(30);
          order.push(i);
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(order.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(await advisoryRows(db.pool)).toHaveLength(0);
  });

  it('lets shared holders in together and keeps an exclusive one out', async () => {
    const key = 'shared-vs-exclusive';
    const first = await advisoryLock(db.pool, key, { shared: true, wait: false });
    const second = await advisoryLock(db.pool, key, { shared: true, wait: false });
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(await advisoryLock(db.pool, key, { wait: false })).toBeNull();
    const rows = await advisoryRows(db.pool);
    expect(rows.map((r) => r.mode)).toEqual(['ShareLock', 'ShareLock']);
    await first!.release();
    await second!.release();

    const exclusive = await advisoryLock(db.pool, key, { wait: false });
    expect(exclusive).not.toBeNull();
    expect(await advisoryLock(db.pool, key, { shared: true, wait: false })).toBeNull();
    await exclusive!.release();
  });

  it('is re-entrant on one connection: two handles, two releases', async () => {
    const client = await db.client();
    const outer = await advisoryLock(client, 'reentrant', { wait: false });
    const inner = await advisoryLock(client, 'reentrant', { wait: false });
    expect(outer && inner).toBeTruthy();
    await inner!.release();
    expect(await isAdvisoryLocked(db.pool, 'reentrant')).toBe(true);
    await outer!.release();
    expect(await isAdvisoryLocked(db.pool, 'reentrant')).toBe(false);
    await client.end();
  });
});

describe('advisoryLock: waiting', () => {
  it('tries once with wait: false and gives up at once', async () => {
    const holder = await advisoryLock(db.pool, 'try-once');
    const started = Date.now();
    expect(await advisoryLock(db.pool, 'try-once', { wait: false })).toBeNull();
    expect(await advisoryLock(db.pool, 'try-once', { wait: 0 })).toBeNull();
    expect(Date.now() - started).toBeLessThan(2_000);
    await holder!.release();
  });

  it('waits at most the given milliseconds, restoring lock_timeout exactly', async () => {
    const holder = await advisoryLock(db.pool, 'bounded');
    const client = await db.client();
    await client.query(`SET lock_timeout = '7s'`);
    const started = Date.now();
    expect(await advisoryLock(client, 'bounded', { wait: 300 })).toBeNull();
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(5_000);
    const { rows } = await client.query(`SELECT current_setting('lock_timeout') AS v`);
    expect(rows[0].v).toBe('7s');
    await holder!.release();
    await client.end();
  });

  it('gets the lock when it is released during a bounded wait', async () => {
    const holder = await advisoryLock(db.pool, 'freed-in-time');
    const waiter = advisoryLock(db.pool, 'freed-in-time', { wait: 10_000 });
    await sleep(200);
    await holder!.release();
    const started = Date.now();
    const lock = await waiter;
    expect(lock).not.toBeNull();
    expect(Date.now() - started).toBeLessThan(5_000);
    await lock!.release();
  });

  it('waits without limit by default, even when the session has a short lock_timeout', async () => {
    const holder = await advisoryLock(db.pool, 'unbounded');
    const client = await db.client();
    await client.query(`SET lock_timeout = '100ms'`);
    const pid = await backendPid(client);
    const waiter = advisoryLock(client, 'unbounded');
    await waitUntilWaiting(db.pool, pid);
    await sleep(400);
    await holder!.release();
    const lock = await waiter;
    expect(lock?.pid).toBe(pid);
    await lock!.release();
    const { rows } = await client.query(`SELECT current_setting('lock_timeout') AS v`);
    expect(rows[0].v).toBe('100ms');
    await client.end();
  });

  it('keeps the caller transaction usable after a bounded wait times out inside it', async () => {
    const holder = await advisoryLock(db.pool, 'in-txn-timeout');
    const client = await db.client();
    await client.query('BEGIN');
    await client.query(`CREATE TEMP TABLE kept (x int)`);
    expect(await advisoryLock(client, 'in-txn-timeout', { wait: 100 })).toBeNull();
    expect(await advisoryLock(client, 'in-txn-timeout', { wait: 100, scope: 'transaction' })).toBeNull();
    await client.query(`INSERT INTO kept VALUES (1)`);
    await client.query('COMMIT');
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM kept`);
    expect(rows[0].n).toBe(1);
    await holder!.release();
    await client.end();
  });

  it('never leaves a session lock behind when the timeout and the grant race', async () => {
    // The holder lets go right around the moment the waiter's lock_timeout fires. Whatever the
    // outcome of each round, what advisoryLock reports must match what pg_locks shows.
    const holderClient = await db.client();
    const waiterClient = await db.client();
    const waiterPid = await backendPid(waiterClient);
    for (let round = 0; round < 20; round++) {
      const key = `race-window-${round}`;
      const held = await advisoryLock(holderClient, key);
      const attempt = advisoryLock(waiterClient, key, { wait: 60 });
      await sleep(40 + (round % 5) * 5);
      await held!.release();
      const lock = await attempt;
      const rows = (await advisoryRows(db.pool)).filter((r) => r.pid === waiterPid && r.granted);
      expect(rows.length).toBe(lock ? 1 : 0);
      await lock?.release();
    }
    expect(await advisoryRows(db.pool)).toHaveLength(0);
    await Promise.all([holderClient.end(), waiterClient.end()]);
  });
});

describe('advisoryLock: failures', () => {
  it('releases a session lock after the body fails inside an aborted transaction', async () => {
    const client = await db.client();
    await client.query('BEGIN');
    const failure = withAdvisoryLock(client, 'aborted-body', async () => {
      await client.query('SELECT 1/0');
    });
    await expect(failure).rejects.toThrow('division by zero');
    expect(await isAdvisoryLocked(db.pool, 'aborted-body')).toBe(false);
    const other = await advisoryLock(db.pool, 'aborted-body', { wait: false });
    expect(other).not.toBeNull();
    await other!.release();
    await client.query('ROLLBACK');
    await client.end();
  });

  it('releases the lock when the body opened a transaction and left it aborted', async () => {
    const client = await db.client();
    const failure = withAdvisoryLock(client, 'body-opened-transaction', async () => {
      await client.query('BEGIN');
      await client.query('SELECT 1/0');
    });
    await expect(failure).rejects.toThrow('division by zero');
    expect(await isAdvisoryLocked(db.pool, 'body-opened-transaction')).toBe(false);
    expect(client.getTransactionStatus()).toBe('I');
    await client.end();
  });

  it('releases a handle taken in a transaction that later failed', async () => {
    const client = await db.client();
    await client.query('BEGIN');
    const lock = await advisoryLock(client, 'handle-in-aborted');
    await expect(client.query('SELECT 1/0')).rejects.toThrow();
    await lock!.release();
    expect(await isAdvisoryLocked(db.pool, 'handle-in-aborted')).toBe(false);
    await client.query('ROLLBACK');
    await client.end();
  });

  it('releases after the transaction was rolled back', async () => {
    const client = await db.client();
    await client.query('BEGIN');
    const lock = await advisoryLock(client, 'after-rollback');
    await client.query('ROLLBACK');
    // Session locks survive rollbacks.
    expect(await isAdvisoryLocked(db.pool, 'after-rollback')).toBe(true);
    await lock!.release();
    expect(await isAdvisoryLocked(db.pool, 'after-rollback')).toBe(false);
    await client.end();
  });

  it('reports a lock lost when another session terminates its holder, without crashing', async () => {
    const pool = db.newPool({ max: 2 });
    const lock = await advisoryLock(pool, 'terminated-holder');
    const lost = new Promise<AdvisoryLockLostError>((resolve) => lock!.once('lost', resolve));
    await lock!.assertHeld();
    await db.pool.query('SELECT pg_terminate_backend($1)', [lock!.pid]);
    const error = await lost;
    expect(error).toBeInstanceOf(AdvisoryLockLostError);
    expect(error.details).toMatchObject({ pid: lock!.pid, reason: 'connection-error' });
    expect(lock!.state).toBe('lost');
    await expect(lock!.assertHeld()).rejects.toBeInstanceOf(AdvisoryLockLostError);
    await expect(lock!.release()).rejects.toBeInstanceOf(AdvisoryLockLostError);
    await waitFor('the dead connection to leave the pool', async () => pool.totalCount === 0);
    // The pool still works, and the key is free again.
    const again = await advisoryLock(pool, 'terminated-holder', { wait: false });
    expect(again).not.toBeNull();
    await again!.release();
    await pool.end();
  });

  it('detects a lost lock in assertHeld when the lock vanished while the connection stayed', async () => {
    const client = await db.client();
    const lock = await advisoryLock(client, 'unlocked-behind-our-back');
    await client.query(`SELECT pg_advisory_unlock_all()`);
    await expect(lock!.assertHeld()).rejects.toThrow(/lost \(not-in-pg-locks\)/);
    await expect(lock!.release()).rejects.toBeInstanceOf(AdvisoryLockLostError);
    await client.end();
  });

  it("rethrows the body's error when the lock connection also died", async () => {
    const pool = db.newPool({ max: 2 });
    const bodyError = new Error('body failed');
    const outcome = withAdvisoryLock(pool, 'body-and-cleanup-fail', async (lock) => {
      await db.pool.query('SELECT pg_terminate_backend($1)', [lock.pid]);
      await waitFor('the lock to be lost', async () => lock.state === 'lost');
      throw bodyError;
    });
    await expect(outcome).rejects.toBe(bodyError);
    await pool.end();
  });

  it('rejects with AdvisoryLockLostError when the body succeeded but the lock was lost', async () => {
    const pool = db.newPool({ max: 2 });
    const outcome = withAdvisoryLock(pool, 'lost-during-body', async (lock) => {
      await db.pool.query('SELECT pg_terminate_backend($1)', [lock.pid]);
      await waitFor('the lock to be lost', async () => lock.state === 'lost');
      return 'done';
    });
    await expect(outcome).rejects.toBeInstanceOf(AdvisoryLockLostError);
    await pool.end();
  });
});

describe('withAdvisoryLock: onFail', () => {
  it('throws, skips or hands null to the body', async () => {
    const holder = await advisoryLock(db.pool, 'policies');
    let calls = 0;
    await expect(withAdvisoryLock(db.pool, 'policies', () => calls++, { wait: false })).rejects.toBeInstanceOf(LockNotAcquiredError);
    expect(await withAdvisoryLock(db.pool, 'policies', () => calls++, { wait: false, onFail: 'skip' })).toBeUndefined();
    expect(calls).toBe(0);
    expect(await withAdvisoryLock(db.pool, 'policies', (lock) => (lock === null ? 'no lock' : 'lock'), { wait: 50, onFail: 'return' })).toBe('no lock');
    await holder!.release();
    expect(await withAdvisoryLock(db.pool, 'policies', (lock) => (lock === null ? 'no lock' : 'lock'), { onFail: 'return' })).toBe('lock');
  });

  it('names the key in LockNotAcquiredError', async () => {
    const holder = await advisoryLock(db.pool, 'named');
    const error = await withAdvisoryLock(db.pool, 'named', () => 1, { wait: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockNotAcquiredError);
    expect((error as LockNotAcquiredError).details).toMatchObject({ lock: 'advisory', key: { kind: 'int64', value: advisoryKey('named').value.toString() } });
    await holder!.release();
  });
});

describe('transaction-scoped advisory locks', () => {
  it('holds the lock until the transaction ends', async () => {
    const client = await db.client();
    await client.query('BEGIN');
    const lock = await advisoryLock(client, 'xact', { scope: 'transaction' });
    await lock!.release(); // marks the handle only: PostgreSQL cannot release a transaction lock early
    expect(await isAdvisoryLocked(db.pool, 'xact')).toBe(true);
    await expect(lock!.assertHeld()).rejects.toBeInstanceOf(AdvisoryLockReleasedError);
    await client.query('COMMIT');
    expect(await isAdvisoryLocked(db.pool, 'xact')).toBe(false);
    await client.end();
  });

  it('refuses a transaction lock outside a transaction, or on a pool', async () => {
    const client = await db.client();
    await expect(advisoryLock(client, 'xact-outside', { scope: 'transaction' })).rejects.toBeInstanceOf(NotInTransactionError);
    await expect(advisoryLock(db.pool, 'xact-outside', { scope: 'transaction' })).rejects.toThrow(/needs a connected client/);
    await client.end();
  });

  it('opens, commits and rolls back a transaction of its own in withAdvisoryLock', async () => {
    await db.pool.query('CREATE TABLE IF NOT EXISTS xact_work (x int)');
    await withAdvisoryLock(
      db.pool,
      'xact-own',
      async (lock) => {
        expect(lock.client.getTransactionStatus()).toBe('T');
        expect(await isAdvisoryLocked(db.pool, 'xact-own')).toBe(true);
        await lock.client.query('INSERT INTO xact_work VALUES (1)');
      },
      { scope: 'transaction' },
    );
    await expect(
      withAdvisoryLock(
        db.pool,
        'xact-own',
        async (lock) => {
          await lock.client.query('INSERT INTO xact_work VALUES (2)');
          throw new Error('undo');
        },
        { scope: 'transaction' },
      ),
    ).rejects.toThrow('undo');
    const { rows } = await db.pool.query('SELECT array_agg(x) AS xs FROM xact_work');
    expect(rows[0].xs).toEqual([1]);
    expect(await isAdvisoryLocked(db.pool, 'xact-own')).toBe(false);
  });

  it('reports a body that resolved with its transaction aborted instead of a silent rollback', async () => {
    await expect(
      withAdvisoryLock(
        db.pool,
        'xact-swallowed',
        async (lock) => {
          await lock.client.query('SELECT 1/0').catch(() => undefined);
        },
        { scope: 'transaction' },
      ),
    ).rejects.toThrow(/left its transaction aborted/);
  });
});

describe('isAdvisoryLocked', () => {
  it('agrees with pg_locks for a negative key', async () => {
    const key = advisoryKey('shared-identifier');
    expect(key.value).toBeLessThan(0n);
    expect(await isAdvisoryLocked(db.pool, 'shared-identifier')).toBe(false);
    const lock = await advisoryLock(db.pool, 'shared-identifier');
    const rows = await advisoryRows(db.pool);
    expect(rows).toEqual([{ pid: lock!.pid, classid: '4294094396', objid: '3196027270', objsubid: 1, mode: 'ExclusiveLock', granted: true }]);
    expect(await isAdvisoryLocked(db.pool, 'shared-identifier')).toBe(true);
    expect(await isAdvisoryLocked(db.pool, key)).toBe(true);
    expect(await isAdvisoryLocked(db.pool, 'shared-identifier', { codec: 'django-pglocks' })).toBe(false);
    // Same value through SQL, as a Python service would take it.
    const { rows: direct } = await db.pool.query('SELECT pg_try_advisory_lock(-3749073756651130) AS ok');
    expect(direct[0].ok).toBe(false);
    await lock!.release();
    expect(await isAdvisoryLocked(db.pool, 'shared-identifier')).toBe(false);
  });

  it('uses the two-int4 form for the advisory-lock codec', async () => {
    const lock = await advisoryLock(db.pool, 'some lock', { codec: 'advisory-lock' });
    const rows = await advisoryRows(db.pool);
    expect(rows).toMatchObject([{ classid: '766935994', objid: '3994071043', objsubid: 2 }]);
    const { rows: direct } = await db.pool.query('SELECT pg_try_advisory_lock(766935994, -300896253) AS ok');
    expect(direct[0].ok).toBe(false);
    expect(await isAdvisoryLocked(db.pool, 'some lock', { codec: 'advisory-lock' })).toBe(true);
    expect(await isAdvisoryLocked(db.pool, 'some lock')).toBe(false);
    await lock!.release();
  });

  it('works with await using', async () => {
    {
      await using lock = await advisoryLock(db.pool, 'using-block');
      expect(lock?.held).toBe(true);
      expect(await isAdvisoryLocked(db.pool, 'using-block')).toBe(true);
    }
    expect(await isAdvisoryLocked(db.pool, 'using-block')).toBe(false);
  });
});
