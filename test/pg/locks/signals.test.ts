import { describe, expect, it } from 'vitest';
import { cancelBackends, InvalidLockArgumentError, terminateBackends } from '../../../src/index.js';
import { useTestDatabase } from '../../helpers/database.js';
import { backendPid, isAlive, waitFor } from './helpers.js';

const db = useTestDatabase();

const isGone = async (pid: number) => !(await isAlive(db.pool, pid));

describe('cancelBackends / terminateBackends', () => {
  it('cancels a running statement and terminates a live session', async () => {
    const sleeper = await db.client();
    const sleeperPid = await backendPid(sleeper);
    const sleeping = sleeper.query('SELECT pg_sleep(30)').catch((error: unknown) => error);
    await waitFor('the sleep to start', async () => {
      const { rows } = await db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active'`, [sleeperPid]);
      return rows.length > 0;
    });
    expect(await cancelBackends(db.pool, [sleeperPid])).toEqual([{ pid: sleeperPid, signalled: true, reason: null, message: null }]);
    expect(await sleeping).toMatchObject({ code: '57014' });

    expect(await terminateBackends(db.pool, [sleeperPid])).toEqual([{ pid: sleeperPid, signalled: true, reason: null, message: null }]);
    await waitFor('the session to end', () => isGone(sleeperPid));
    await sleeper.end();
  });

  it('reports a gone pid, and the own backend, without signalling', async () => {
    const doomed = await db.client();
    const doomedPid = await backendPid(doomed);
    await doomed.end();
    await waitFor('the session to end', () => isGone(doomedPid));
    expect(await terminateBackends(db.pool, [doomedPid])).toEqual([{ pid: doomedPid, signalled: false, reason: 'gone', message: null }]);
    expect(await cancelBackends(db.pool, [2_000_000_000])).toMatchObject([{ signalled: false, reason: 'gone' }]);

    const self = await db.client();
    const selfPid = await backendPid(self);
    expect(await terminateBackends(self, [selfPid])).toMatchObject([{ pid: selfPid, signalled: false, reason: 'own-backend' }]);
    expect((await self.query('SELECT 1 AS ok')).rows[0].ok).toBe(1);
    await self.end();
  });

  it('reports a pid it may not signal as permission-denied, per pid, without aborting the transaction', async () => {
    const role = await db.createRole('plain_signaller');
    const superSession = await db.client({ applicationName: 'superuser-session' });
    const superPid = await backendPid(superSession);
    const peer = await db.client({ url: role.url, applicationName: 'same-role-peer' });
    const peerPid = await backendPid(peer);
    const plain = await db.client({ url: role.url });
    await plain.query('BEGIN');
    const results = await terminateBackends(plain, [superPid, 2_000_000_001, peerPid, superPid]);
    expect(results).toHaveLength(3);
    expect(results[0]).toMatchObject({ pid: superPid, signalled: false, reason: 'permission-denied' });
    // PG 16+ says "permission denied to terminate process", PG 14 "must be a superuser to terminate superuser process".
    expect(results[0]!.message).toMatch(/permission denied|must be a superuser/i);
    expect(results[1]).toMatchObject({ pid: 2_000_000_001, signalled: false, reason: 'gone' });
    // A backend of one's own role may be signalled.
    expect(results[2]).toMatchObject({ pid: peerPid, signalled: true, reason: null });
    expect(await cancelBackends(plain, [superPid])).toMatchObject([{ signalled: false, reason: 'permission-denied' }]);
    // The refusals did not abort the caller's transaction.
    expect((await plain.query('SELECT 1 AS ok')).rows[0].ok).toBe(1);
    await plain.query('COMMIT');
    expect(await isGone(superPid)).toBe(false);
    await waitFor('the peer to end', () => isGone(peerPid));
    await Promise.all([superSession.end(), peer.end(), plain.end()]);
  });

  it('says not-a-backend for a server process that is no backend', async () => {
    const { rows } = await db.pool.query(`SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'`);
    const checkpointer = rows[0].pid as number;
    expect(await cancelBackends(db.pool, [checkpointer])).toEqual([{ pid: checkpointer, signalled: false, reason: 'not-a-backend', message: null }]);
  });

  it('validates pids', async () => {
    await expect(terminateBackends(db.pool, [0])).rejects.toBeInstanceOf(InvalidLockArgumentError);
    await expect(terminateBackends(db.pool, [1.5])).rejects.toThrow(/positive integer pid/);
    await expect(cancelBackends(db.pool, 'all' as never)).rejects.toThrow(/array of backend pids/);
    expect(await cancelBackends(db.pool, [])).toEqual([]);
  });
});
