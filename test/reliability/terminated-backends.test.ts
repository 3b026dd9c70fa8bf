/**
 * Fault injection: the ingest's own backend is terminated by another session (an operator, a
 * failover tool, `pg_terminate_backend` of a colleague) while a batch COPYs and while the swap runs.
 * The call fails with a retryable error, the table and its watermark still agree (the batch in
 * flight left no trace), and the next call finishes the job with every row exactly once.
 */
import { describe, expect, it } from 'vitest';
import { ingest, readHighWatermark, type TableDefinition } from '../../src/index.js';
import { useTestDatabase } from '../helpers/database.js';
import { backends, holdLock, terminate, waitForBackend } from './support/backends.js';
import { expectBatchesExactlyOnce, expectConsistent, numberedSource, numberedTable, type NumberedArgs } from './support/numbered-source.js';
import { snapshotDatabase } from './support/snapshot.js';
import { expectRetryable } from './support/expect-error.js';

const db = useTestDatabase();

/** What a library caller (or an activity) sees: an error that says "try again". */
async function freshSchema(name: string): Promise<string> {
  await db.pool.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE; CREATE SCHEMA "${name}"`);
  return name;
}

describe.each([
  ['with a primary key', true],
  ['without a primary key', false],
])('a backend terminated mid-COPY (%s)', (_, key) => {
  it('fails the call with a retryable error, leaves no trace of the batch, and the next call completes exactly once', async () => {
    const table = numberedTable(await freshSchema(`copy_${key ? 'keyed' : 'plain'}`), 'events', key);
    const args: NumberedArgs = { batches: 5, rowsPerBatch: 400, payloadChars: 200 };
    const application = `victim-copy-${key}`;
    const pool = db.newPool({ application_name: application, max: 2 });
    let terminated = false;
    const source = numberedSource(args, async (batch, row) => {
      if (batch !== 3 || row !== 300 || terminated) return;
      // Rows 1–299 of batch 3 are on their way; its COPY is running.
      const victim = await waitForBackend(db.pool, application, (b) => b.state === 'active' && b.query.startsWith('COPY'), 'the COPY of batch 3');
      await terminate(db.pool, victim.pid);
      terminated = true;
    });

    const failure = await ingest(pool, table, source).catch((error: unknown) => error);
    expect(terminated).toBe(true);
    expectRetryable(failure);
    await expectBatchesExactlyOnce(db.pool, table, 2, args);

    const report = await ingest(pool, table, source);
    expect(report.batches).toBe(3);
    await expectBatchesExactlyOnce(db.pool, table, 5, args);
    expect((await backends(db.pool, application)).filter((b) => b.state !== 'idle')).toEqual([]);
    await pool.end();
  });
});

describe('a backend terminated mid-swap', () => {
  it('fails the call with a retryable error while the table and watermark stay as they were; the next call swaps', async () => {
    const schema = await freshSchema('swap_victim');
    const table: TableDefinition = numberedTable(schema, 'events', true);
    const args: NumberedArgs = { batches: 4, rowsPerBatch: 50 };
    await ingest(db.pool, table, numberedSource({ ...args, batches: 2 }));
    const application = 'victim-swap';
    const pool = db.newPool({ application_name: application, max: 2 });
    // A changed key type needs a rewrite: batch 3 goes into a fresh table, swapped in after it.
    const widened: TableDefinition = { ...table, columns: table.columns.map((column) => (column.name === 'batch' ? { ...column, type: 'bigint' } : column)) };

    const reader = await db.client({ applicationName: 'report' });
    const held = await holdLock(reader, `${schema}.events`, 'ACCESS SHARE');
    const before = await snapshotDatabase(db.pool);
    const call = ingest(pool, widened, numberedSource({ ...args, batches: 3 }), { forceExecute: { delayMs: 60_000, lockTimeoutMs: 100, retryDelayMs: 50, maxRetryDelayMs: 200 } }).catch((error: unknown) => error);
    const victim = await waitForBackend(db.pool, application, (b) => b.query.includes('ALTER TABLE') || b.wait_event_type === 'Lock' || b.query.includes('LOCK'), 'the swap waiting for its lock');
    await terminate(db.pool, victim.pid);
    const failure = await call;
    await held.release();
    await reader.end();
    expectRetryable(failure);

    // Readers still see the old table, its rows and its watermark (batch 3 waits in the fresh table).
    const after = await snapshotDatabase(db.pool);
    expect(after.relations[`${schema}.events`]).toEqual(before.relations[`${schema}.events`]);
    expect(await readHighWatermark(db.pool, table)).toBe(2);
    expect(await expectConsistent(db.pool, table, args)).toBe(2);

    // The next call (planned afresh) drops the orphaned fresh table, builds its own, and swaps.
    const report = await ingest(pool, widened, numberedSource(args), { forceExecute: { delayMs: 60_000, lockTimeoutMs: 100 } });
    expect(report.swapped).toBe(true);
    await expectBatchesExactlyOnce(db.pool, table, 4, args);
    const final = await snapshotDatabase(db.pool);
    expect(Object.keys(final.relations).filter((name) => name.startsWith(`${schema}.`)).sort()).toEqual([`${schema}.events`, `${schema}.events_pkey`]);
    expect(final.relations[`${schema}.events`]?.columns).toContain('batch bigint NOT NULL');
    await pool.end();
  });
});
