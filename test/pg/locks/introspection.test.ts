import { beforeAll, describe, expect, it } from 'vitest';
import {
  advisoryKey,
  advisoryLock,
  blockingTree,
  InvalidLockArgumentError,
  listActivity,
  listBlocked,
  listLocks,
  type BlockingTreeNode,
} from '../../../src/index.js';
import { useTestDatabase } from '../../helpers/database.js';
import { backendPid, startWaiting, waitFor, waitUntilWaiting } from './helpers.js';

const db = useTestDatabase();

beforeAll(async () => {
  await db.pool.query(`CREATE TABLE watched (id int PRIMARY KEY, v int)`);
  await db.pool.query(`INSERT INTO watched VALUES (1, 0), (2, 0)`);
  await db.pool.query(`CREATE TABLE other (x int)`);
  await db.pool.query(`CREATE SCHEMA lockable`);
});

const startWaitingHere = (sql: string, applicationName: string) => startWaiting(db, sql, applicationName);

describe('listLocks', () => {
  it('lists relation locks with mode, relation and session, and filters them', async () => {
    const holder = await db.client({ applicationName: 'holder-app' });
    const pid = await backendPid(holder);
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE watched IN SHARE ROW EXCLUSIVE MODE');
    const locks = await listLocks(db.pool, { pids: [pid] });
    const onWatched = locks.filter((l) => l.relation?.name === 'watched');
    expect(onWatched).toEqual([
      expect.objectContaining({
        pid,
        lockType: 'relation',
        mode: 'SHARE ROW EXCLUSIVE',
        granted: true,
        relation: { schema: 'public', name: 'watched', kind: 'table' },
        description: 'public.watched',
        waitMs: null,
        session: expect.objectContaining({ pid, applicationName: 'holder-app', state: 'idle in transaction' }),
      }),
    ]);
    expect((await listLocks(db.pool, { relation: 'public.watched' })).map((l) => l.pid)).toEqual([pid]);
    expect(await listLocks(db.pool, { relation: 'other' })).toEqual([]);
    expect((await listLocks(db.pool, { applicationNames: ['holder-app'], lockTypes: ['relation'] })).every((l) => l.pid === pid)).toBe(true);
    expect(await listLocks(db.pool, { applicationNames: ['nobody'] })).toEqual([]);
    expect(await listLocks(db.pool, { granted: false })).toEqual([]);
    // Our own backend's locks (on pg_locks itself, its virtualxid) are left out unless asked for.
    const self = await db.pool.connect();
    const selfPid = await backendPid(self);
    expect((await listLocks(self)).some((l) => l.pid === selfPid)).toBe(false);
    expect((await listLocks(self, { includeSelf: true })).some((l) => l.pid === selfPid)).toBe(true);
    self.release();
    await holder.query('ROLLBACK');
    await holder.end();
  });

  it('decodes advisory keys, including negative ones', async () => {
    const lock = await advisoryLock(db.pool, 'shared-identifier');
    const pair = await advisoryLock(db.pool, 'some lock', { codec: 'advisory-lock' });
    const advisory = await listLocks(db.pool, { lockTypes: ['advisory'] });
    expect(advisory.map((l) => [l.pid, l.advisoryKey, l.mode, l.description])).toEqual(
      expect.arrayContaining([
        [lock!.pid, { kind: 'int64', value: '-3749073756651130' }, 'EXCLUSIVE', 'advisory -3749073756651130'],
        [pair!.pid, { kind: 'int32-pair', value: [766935994, -300896253] }, 'EXCLUSIVE', 'advisory (766935994,-300896253)'],
      ]),
    );
    expect(advisory).toHaveLength(2);
    expect(advisoryKey('shared-identifier').value.toString()).toBe('-3749073756651130');
    await lock!.release();
    await pair!.release();
  });

  it('shows object locks with their catalog description', async () => {
    const client = await db.client();
    await client.query('BEGIN');
    await client.query('CREATE TABLE lockable.fresh (x int)');
    const pid = await backendPid(client);
    const objects = await listLocks(db.pool, { pids: [pid], lockTypes: ['object'] });
    expect(objects.map((l) => l.description)).toContain('schema lockable');
    expect(objects.find((l) => l.description === 'schema lockable')?.object).toMatchObject({ catalog: 'pg_namespace' });
    await client.query('ROLLBACK');
    await client.end();
  });

  it('rejects bad filters with typed errors', async () => {
    await expect(listLocks(db.pool, { pids: [0] })).rejects.toBeInstanceOf(InvalidLockArgumentError);
    await expect(listLocks(db.pool, { minWaitMs: -5 })).rejects.toThrow(/minWaitMs must be a number of milliseconds/);
    await expect(listLocks(db.pool, { users: 'alice' as never })).rejects.toThrow(/users must be an array of strings/);
  });
});

describe('listBlocked', () => {
  it('shows a relation wait with its blocker, and filters by wait time', async () => {
    const holder = await db.client({ applicationName: 'blocker' });
    const holderPid = await backendPid(holder);
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE watched IN ACCESS EXCLUSIVE MODE');
    const waiter = await startWaitingHere('SELECT count(*) FROM watched', 'reader');

    const blocked = await listBlocked(db.pool);
    expect(blocked).toHaveLength(1);
    expect(blocked[0]).toMatchObject({
      pid: waiter.pid,
      lockType: 'relation',
      mode: 'ACCESS SHARE',
      granted: false,
      relation: { name: 'watched' },
      session: { applicationName: 'reader', state: 'active' },
      blockedBy: [expect.objectContaining({ pid: holderPid, applicationName: 'blocker', state: 'idle in transaction' })],
    });
    expect(blocked[0]!.waitMs).toBeGreaterThanOrEqual(0);
    expect(await listBlocked(db.pool, { minWaitMs: 0 })).toHaveLength(1);
    expect(await listBlocked(db.pool, { minWaitMs: 60_000 })).toHaveLength(0);
    expect(await listBlocked(db.pool, { relation: 'watched' })).toHaveLength(1);
    expect(await listBlocked(db.pool, { relation: 'other' })).toHaveLength(0);

    await holder.query('COMMIT');
    expect(await waiter.done).toMatchObject({ rows: [{ count: '2' }] });
    await Promise.all([holder.end(), waiter.client.end()]);
  });

  it('sees waits on advisory locks and on row locks (transaction ids)', async () => {
    const holder = await db.client({ applicationName: 'row-holder' });
    const holderPid = await backendPid(holder);
    const held = await advisoryLock(holder, 'queue-key');
    await holder.query('BEGIN');
    await holder.query('UPDATE watched SET v = v + 1 WHERE id = 1');
    const key = advisoryKey('queue-key');
    const advisoryWaiter = await startWaitingHere(`SELECT pg_advisory_lock(${key.value})`, 'advisory-waiter');
    const rowWaiter = await startWaitingHere('UPDATE watched SET v = v + 1 WHERE id = 1', 'row-waiter');

    const blocked = await listBlocked(db.pool);
    const byApp = new Map(blocked.map((b) => [b.session?.applicationName, b]));
    expect(byApp.get('advisory-waiter')).toMatchObject({
      lockType: 'advisory',
      advisoryKey: { kind: 'int64', value: key.value.toString() },
      blockedBy: [expect.objectContaining({ pid: holderPid })],
    });
    expect(byApp.get('row-waiter')).toMatchObject({ lockType: 'transactionid', mode: 'SHARE', blockedBy: [expect.objectContaining({ pid: holderPid })] });
    // The row waiter holds a lock on the table, so the relation filter finds it.
    expect((await listBlocked(db.pool, { relation: 'watched' })).map((b) => b.pid)).toEqual([rowWaiter.pid]);

    await holder.query('COMMIT');
    await held!.release();
    await Promise.all([advisoryWaiter.done, rowWaiter.done]);
    await Promise.all([holder.end(), advisoryWaiter.client.end(), rowWaiter.client.end()]);
  });
});

describe('blockingTree', () => {
  it('shows a three-session chain with an advisory wait in it', async () => {
    // root holds an advisory lock; middle holds ACCESS EXCLUSIVE on `other` and waits for the
    // advisory lock; leaf waits to read `other`.
    const key = advisoryKey('chain-key');
    const root = await db.client({ applicationName: 'chain-root' });
    const rootPid = await backendPid(root);
    const rootLock = await advisoryLock(root, key);
    const middle = await db.client({ applicationName: 'chain-middle' });
    await middle.query('BEGIN');
    await middle.query('LOCK TABLE other IN ACCESS EXCLUSIVE MODE');
    const middlePid = await backendPid(middle);
    const middleDone = middle.query(`SELECT pg_advisory_lock(${key.value})`);
    await waitUntilWaiting(db.pool, middlePid);
    const leaf = await startWaitingHere('SELECT count(*) FROM other', 'chain-leaf');

    const tree = await blockingTree(db.pool);
    const shape = (node: BlockingTreeNode): unknown => ({
      pid: node.session.pid,
      app: node.session.applicationName,
      waits: node.waitingFor?.description ?? null,
      blocks: node.blocks.map(shape),
    });
    expect(tree.map(shape)).toEqual([
      {
        pid: rootPid,
        app: 'chain-root',
        waits: null,
        blocks: [
          {
            pid: middlePid,
            app: 'chain-middle',
            waits: `advisory ${key.value}`,
            blocks: [{ pid: leaf.pid, app: 'chain-leaf', waits: 'public.other', blocks: [] }],
          },
        ],
      },
    ]);
    expect(tree[0]!.blocks[0]!.waitingFor?.lockType).toBe('advisory');
    expect(tree[0]!.blocks[0]!.blocks[0]!.waitMs).toBeGreaterThanOrEqual(0);

    await rootLock!.release();
    await middleDone;
    await middle.query('COMMIT');
    await leaf.done;
    await Promise.all([root.end(), middle.end(), leaf.client.end()]);
  });

  it('is empty when nothing waits', async () => {
    expect(await blockingTree(db.pool)).toEqual([]);
  });
});

describe('listActivity', () => {
  it('lists sessions with state, ages, wait events and blockers', async () => {
    const holder = await db.client({ applicationName: 'activity-holder' });
    const holderPid = await backendPid(holder);
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE other IN ACCESS EXCLUSIVE MODE');
    const waiter = await startWaitingHere('SELECT count(*) FROM other', 'activity-waiter');

    const activity = await listActivity(db.pool, { applicationNames: ['activity-holder', 'activity-waiter'] });
    const byApp = new Map(activity.map((a) => [a.applicationName, a]));
    expect(byApp.get('activity-holder')).toMatchObject({
      pid: holderPid,
      state: 'idle in transaction',
      database: db.name,
      backendType: 'client backend',
      blockedBy: [],
    });
    expect(byApp.get('activity-holder')!.transactionAgeMs).toBeGreaterThanOrEqual(0);
    expect(byApp.get('activity-holder')!.transactionStartedAt).toBeInstanceOf(Date);
    expect(byApp.get('activity-waiter')).toMatchObject({ pid: waiter.pid, state: 'active', waitEventType: 'Lock', blockedBy: [holderPid] });
    expect((await listActivity(db.pool, { relation: 'other' })).map((a) => a.pid).sort()).toEqual([holderPid, waiter.pid].sort());
    expect((await listActivity(db.pool, { minWaitMs: 0 })).map((a) => a.pid)).toEqual([waiter.pid]);
    await waitFor('the waiter to be older than 50 ms', async () => (await listActivity(db.pool, { minQueryAgeMs: 50, pids: [waiter.pid] })).length === 1);
    expect(await listActivity(db.pool, { minQueryAgeMs: 3_600_000, pids: [waiter.pid] })).toEqual([]);

    await holder.query('COMMIT');
    await waiter.done;
    await Promise.all([holder.end(), waiter.client.end()]);
  });
});
