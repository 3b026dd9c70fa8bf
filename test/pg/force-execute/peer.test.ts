/**
 * pg-force-execute's own tests, ported: blockers met one after the other are terminated from the
 * delay on, a statement nobody blocks returns at once, a refused termination is a typed error, the
 * statement's own error comes back unchanged.
 */
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { forceExecute, SignalPermissionDeniedError } from '../../../src/index.js';
import { useTestDatabase } from '../../helpers/database.js';
import { holdTable, isAlive, waitFor, waitingBackends } from './helpers.js';

const db = useTestDatabase();

beforeAll(async () => {
  await db.pool.query(`CREATE TABLE first_table (x int); CREATE TABLE second_table (x int); CREATE TABLE guarded (x int)`);
});

describe('forceExecute, as pg-force-execute tests it', () => {
  for (const lockTimeoutMs of [500, 0]) {
    it(`terminates two blockers met one after the other, from the delay on (lockTimeoutMs ${lockTimeoutMs})`, async () => {
      const a = await holdTable(db, 'first_table', 'blocker-a');
      const b = await holdTable(db, 'second_table', 'blocker-b');
      const started = performance.now();
      const outcome = await forceExecute(db.pool, ['SELECT * FROM first_table', 'SELECT * FROM second_table'], { delayMs: 1000, lockTimeoutMs });
      const elapsed = performance.now() - started;

      expect(outcome.result.map((r) => r.rows)).toEqual([[], []]);
      expect(elapsed).toBeGreaterThanOrEqual(1000);
      expect(elapsed).toBeLessThan(3000);
      expect(outcome.blockers.map((r) => [r.pid, r.applicationName, r.action, r.signalled])).toEqual([
        [a.pid, 'blocker-a', 'terminate', true],
        [b.pid, 'blocker-b', 'terminate', true],
      ]);
      expect(outcome.blockers[0]!.locksHeld).toContainEqual({ lockType: 'relation', mode: 'ACCESS EXCLUSIVE', target: 'public.first_table' });
      expect(outcome.blockers[1]!.locksHeld).toContainEqual({ lockType: 'relation', mode: 'ACCESS EXCLUSIVE', target: 'public.second_table' });
      expect(outcome.blockers.every((r) => r.query === null)).toBe(true);
      expect(outcome.forced).toBe(true);
      if (lockTimeoutMs > 0) expect(outcome.attempts).toBeGreaterThan(1);
      else expect(outcome.attempts).toBe(1);
      await waitFor('both victims to be gone', async () => !(await isAlive(db.pool, a.pid)) && !(await isAlive(db.pool, b.pid)));
      await Promise.all([a.client.end(), b.client.end()]);
    });
  }

  it('returns at once when nothing blocks the statement', async () => {
    const started = performance.now();
    const outcome = await forceExecute(db.pool, 'SELECT 1 AS one', { delayMs: 5000 });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(outcome).toMatchObject({ blockers: [], attempts: 1, forced: false });
    expect(outcome.result.rows).toEqual([{ one: 1 }]);
    expect(outcome.durationMs).toBeLessThan(1000);
    expect(Number.isNaN(Date.parse(outcome.startedAt))).toBe(false);
  });

  it('surfaces a refused termination as a typed error and rolls the statement back instead of leaving it queued', async () => {
    const role = await db.createRole('no_signal');
    await db.pool.query(`GRANT SELECT, INSERT ON guarded TO "${role.name}"`);
    const holder = await holdTable(db, 'guarded', 'superuser-holder');
    const pool = db.newPool({ connectionString: role.url, max: 3 });
    const started = performance.now();
    const error = await forceExecute(pool, ['INSERT INTO guarded VALUES (1)', 'SELECT count(*) FROM guarded'], { delayMs: 300, checkIntervalMs: 100 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SignalPermissionDeniedError);
    const denied = error as SignalPermissionDeniedError;
    expect(denied.nonRetryable).toBe(true);
    expect(denied.details).toMatchObject({ pid: holder.pid, action: 'terminate' });
    expect(denied.message).toMatch(/must be a superuser|SUPERUSER attribute|permission denied/i);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(await isAlive(db.pool, holder.pid)).toBe(true);
    expect(await waitingBackends(db.pool)).toEqual([]);
    await holder.client.query('ROLLBACK');
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM guarded');
    expect(rows[0].n).toBe(0);
    await holder.client.end();
    await pool.end();
  });

  it("rethrows the statement's own error unchanged", async () => {
    const error = await forceExecute(db.pool, 'SELECT * FROM no_such_table', { delayMs: 5000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(pg.DatabaseError);
    expect(error).toMatchObject({ code: '42P01', message: 'relation "no_such_table" does not exist' });

    const own = new Error('from the function');
    await expect(
      forceExecute(db.pool, async (client) => {
        await client.query('INSERT INTO guarded VALUES (2)');
        throw own;
      }),
    ).rejects.toBe(own);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM guarded');
    expect(rows[0].n).toBe(0);
  });
});
