/**
 * Fault injection: another session holds a lock on the target table during each phase of an ingest
 * — planning, an in-place migration, loading a batch, the swap. The ingest never queues readers
 * behind itself for longer than one short attempt (`lock_timeout`, retried with backoff), waits for
 * the lock within bounds (then fails with a retryable, typed error having written nothing), or —
 * for the swap, once `forceExecute.delayMs` has passed — terminates the holder and goes through.
 * Table and watermark stay consistent throughout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TableLockTimeoutError, ingest, planIngest, readHighWatermark, type IngestBatch, type IngestBatches, type TableDefinition } from '../../src/index.js';
import { useTestDatabase } from '../helpers/database.js';
import { holdLock } from './support/backends.js';
import { expectError } from './support/expect-error.js';
import { expectBatchesExactlyOnce, numberedSource, numberedTable, type NumberedArgs, type NumberedRow } from './support/numbered-source.js';
import { startReaders } from './support/readers.js';
import { snapshotDatabase } from './support/snapshot.js';

const db = useTestDatabase();
const args: NumberedArgs = { batches: 3, rowsPerBatch: 50 };

/** A table holding batch 1, in a schema of its own. */
async function seeded(schema: string, key = true): Promise<TableDefinition> {
  await db.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  const table = numberedTable(schema, 'events', key);
  await ingest(db.pool, table, numberedSource({ ...args, batches: 1 }));
  return table;
}

/** Holds `lock` on the table from another session, for `ms` milliseconds from now. */
async function holdFor(table: TableDefinition, lock: string, ms: number, applicationName = 'holder') {
  const holder = await db.client({ applicationName });
  const held = await holdLock(holder, `${table.schema}.${table.name}`, lock);
  const released = sleep(ms).then(async () => {
    await held.release().catch(() => undefined);
    await holder.end();
  });
  return { holder, released };
}

/** The numbered rows as objects keyed by column (columns the definition adds stay NULL). */
function asObjectRows(source: IngestBatches<NumberedRow>): IngestBatches {
  return (hwm) => (async function* () {
    for await (const batch of source(hwm, undefined) as AsyncIterable<IngestBatch<NumberedRow>>) {
      yield { ...batch, rows: (async function* () {
        for await (const [id, number, payload] of batch.rows) yield { id, batch: number, payload };
      })() };
    }
  })();
}

/** Readers of the table while the ingest runs: none may fail, none may wait long behind the ingest. */
function readersOf(table: TableDefinition) {
  const pool = db.newPool({ max: 2, application_name: 'reader' });
  const readers = startReaders(pool, async (client) => void (await client.query(`SELECT count(*) FROM ${table.schema}.${table.name}`)), { concurrency: 2, pauseMs: 20 });
  return {
    async stop() {
      const summary = await readers.stop();
      await pool.end();
      return summary;
    },
  };
}

describe('a lock held on the target', () => {
  it('while planning (ACCESS EXCLUSIVE, e.g. VACUUM FULL): the plan does not wait, the batch retries under lock_timeout and completes once the lock goes', async () => {
    const table = await seeded('held_plan');
    const { released } = await holdFor(table, 'ACCESS EXCLUSIVE', 2000);
    const started = performance.now();
    // Planning reads the catalog only: it does not queue behind the holder (nor make others queue behind it).
    const plan = await planIngest(db.pool, table);
    expect(plan.planned[0]?.migration).toBe('none');
    expect(performance.now() - started).toBeLessThan(1500);
    const report = await ingest(db.pool, table, numberedSource(args), { lockTimeoutMs: 100 });
    await released;
    expect(performance.now() - started).toBeGreaterThanOrEqual(1900);
    expect(report.batches).toBe(2);
    await expectBatchesExactlyOnce(db.pool, table, 3, args);
  });

  it('for ever: the batch gives up after bounded attempts with a retryable TableLockTimeout naming the table, having written nothing', async () => {
    const table = await seeded('held_forever', false);
    const holder = await db.client({ applicationName: 'holder' });
    const held = await holdLock(holder, 'held_forever.events', 'SHARE');
    const before = await snapshotDatabase(db.pool);
    const started = performance.now();
    const failure = await ingest(db.pool, table, numberedSource(args), { lockTimeoutMs: 50 }).catch((error: unknown) => error);
    const seconds = (performance.now() - started) / 1000;
    await held.release();
    await holder.end();
    expectError(failure, { error: TableLockTimeoutError, type: 'TableLockTimeout', nonRetryable: false, names: ['held_forever.events'], details: { attempts: 10, lockTimeoutMs: 50 } });
    // 10 attempts of 50 ms and the backoff between them (at most 0.1 + 0.2 + … capped at 5 s each): bounded.
    expect(seconds).toBeLessThan(25);
    expect(await snapshotDatabase(db.pool)).toEqual(before);
  });

  it('during an in-place migration (a long report holds ACCESS SHARE): readers are never stuck behind the queued ALTER; it goes through after the report', async () => {
    const table = await seeded('held_in_place');
    const { rows: oid } = await db.pool.query(`SELECT 'held_in_place.events'::regclass::oid AS oid`);
    const { released } = await holdFor(table, 'ACCESS SHARE', 3000, 'long report');
    const readers = readersOf(table);
    const widened: TableDefinition = { ...table, columns: [...table.columns, { name: 'note', type: 'text' }] };
    const report = await ingest(db.pool, widened, asObjectRows(numberedSource(args)), { lockTimeoutMs: 200 });
    await released;
    const summary = await readers.stop();
    expect(report.tables[0]?.migration).toBe('in-place');
    expect(summary.errors).toEqual([]);
    expect(summary.reads).toBeGreaterThan(10);
    // A reader waits at most one attempt (200 ms) behind the queued ALTER, never the report's 3 s.
    expect(summary.maxLatencyMs).toBeLessThan(1500);
    expect((await db.pool.query(`SELECT 'held_in_place.events'::regclass::oid AS oid`)).rows).toEqual(oid);
    const { rows: count } = await db.pool.query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids, max(batch) AS last FROM held_in_place.events`);
    expect(count[0]).toEqual({ n: 150, ids: 150, last: 3 });
    expect(await readHighWatermark(db.pool, table)).toBe(3);
  });

  it('while a batch loads (SHARE, e.g. CREATE INDEX): the batch waits in short attempts and commits after it', async () => {
    const table = await seeded('held_batch', false);
    const { released } = await holdFor(table, 'SHARE', 1500);
    const readers = readersOf(table);
    const report = await ingest(db.pool, table, numberedSource(args), { lockTimeoutMs: 100 });
    await released;
    const summary = await readers.stop();
    expect(report.batches).toBe(2);
    expect(summary.errors).toEqual([]);
    await expectBatchesExactlyOnce(db.pool, table, 3, args);
  });

  it('during the swap (a long report holds ACCESS SHARE): readers keep reading during the delay, then the report is terminated, named, and the swap goes through', async () => {
    const table = await seeded('held_swap');
    const holder = await db.client({ applicationName: 'long report' });
    await holdLock(holder, 'held_swap.events', 'ACCESS SHARE');
    const readers = readersOf(table);
    const widened: TableDefinition = { ...table, columns: table.columns.map((column) => (column.name === 'batch' ? { ...column, type: 'bigint' } : column)) };
    const started = performance.now();
    const report = await ingest(db.pool, widened, numberedSource(args), { forceExecute: { delayMs: 2500, checkIntervalMs: 100, lockTimeoutMs: 100 } });
    const seconds = (performance.now() - started) / 1000;
    const summary = await readers.stop();
    // Terminated by the swap: its connection is gone.
    await expect(holder.query('SELECT 1')).rejects.toThrow();
    await holder.end();
    expect(report.tables[0]?.migration).toBe('rebuild');
    expect(report.swapped).toBe(true);
    expect(report.blockers).toEqual([expect.objectContaining({ applicationName: 'long report', action: 'terminate', signalled: true })]);
    expect(seconds).toBeGreaterThanOrEqual(2.4);
    expect(summary.errors).toEqual([]);
    expect(summary.maxLatencyMs).toBeLessThan(1500);
    await expectBatchesExactlyOnce(db.pool, table, 3, args);
  });
});
