/**
 * How the Temporal activities find backends by their application_name token: the watcher the
 * newest attempt's, a retried statement every earlier attempt's (which it terminates).
 */
import { describe, expect, it } from 'vitest';
import { endEarlierAttempts, findTokenBackends, latestTokenBackend } from '../../../src/force-execute/token-backends.js';
import { forceExecuteToken, forceExecuteTokenPrefix } from '../../../src/shared/force-execute.js';
import { useTestDatabase } from '../../helpers/database.js';
import { backendPid, isAlive } from './helpers.js';

const db = useTestDatabase();

describe('force-execute tokens', () => {
  it('finds the newest attempt, and ends earlier attempts (with the locks they hold) before a retry', async () => {
    await db.pool.query('CREATE TABLE tokened (x int)');
    const id = 'b5c1d2e3-0000-4000-8000-00000000abcd';
    const prefix = forceExecuteTokenPrefix(id);
    const first = await db.client({ applicationName: forceExecuteToken(id, 1) });
    const second = await db.client({ applicationName: forceExecuteToken(id, 2) });
    const bystander = await db.client({ applicationName: forceExecuteToken('another-id', 1) });
    const [firstPid, secondPid] = [await backendPid(first), await backendPid(second)];
    // An orphan of attempt 1, idle in its transaction, holding a lock.
    await first.query('BEGIN');
    await first.query('LOCK TABLE tokened IN ACCESS EXCLUSIVE MODE');

    expect((await findTokenBackends(db.pool, prefix)).map((b) => [b.pid, b.attempt]).sort()).toEqual(
      [
        [firstPid, 1],
        [secondPid, 2],
      ].sort(),
    );
    expect(await latestTokenBackend(db.pool, prefix)).toBe(secondPid);
    expect(await latestTokenBackend(db.pool, forceExecuteTokenPrefix('nobody'))).toBeUndefined();

    expect(await endEarlierAttempts(db.pool, prefix, forceExecuteToken(id, 2))).toEqual([firstPid]);
    expect(await isAlive(db.pool, firstPid)).toBe(false);
    expect(await isAlive(db.pool, secondPid)).toBe(true);
    expect(await isAlive(db.pool, await backendPid(bystander))).toBe(true);
    // Its lock went with it.
    await second.query(`SET lock_timeout = '1s'`);
    await second.query('BEGIN; LOCK TABLE tokened IN ACCESS EXCLUSIVE MODE; COMMIT');
    expect(await endEarlierAttempts(db.pool, prefix, forceExecuteToken(id, 2))).toEqual([]);
    await Promise.all([first.end(), second.end(), bystander.end()]);
  });
});
