/**
 * Load: eight ingests into eight tables at once — some swap once at the end, some rebuild and swap
 * after their first batch, some append — while readers hammer a view on each table. No reader gets
 * an error, every read is consistent (whole batches; all old or all new where the ingest replaces
 * the table), and every table ends with every row exactly once. The same through Temporal, with
 * four worker processes: load-temporal.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ingest } from '../../src/index.js';
import { useTestDatabase } from '../helpers/database.js';
import { createLoadTables, expectCleanReads, expectLoaded, hammerViews, LOAD_KINDS, loadBatches, type LoadArgs } from './support/load-tables.js';

const db = useTestDatabase();
const args: LoadArgs = { batches: 4, rowsPerBatch: 100, pauseMs: 50 };

describe('eight ingests at once, readers hammering views during the swaps', () => {
  it('library: no reader error, no inconsistent read, every row exactly once', async () => {
    const tables = await createLoadTables(db.pool, 'load_library', LOAD_KINDS);
    const readerPool = db.newPool({ max: 8, application_name: 'load reader' });
    const readers = hammerViews(readerPool, tables, args);
    const pool = db.newPool({ max: 10, application_name: 'load ingest' });
    const reports = await Promise.all(tables.map((table) => ingest(pool, table.target, (hwm) => loadBatches(hwm, args), { ...table.options, forceExecute: { delayMs: 30_000, lockTimeoutMs: 200 } })));
    const summary = await readers.stop();
    await Promise.all([pool.end(), readerPool.end()]);
    expectCleanReads(summary, tables);
    expect(reports.map((report) => report.swapped)).toEqual(LOAD_KINDS.map((kind) => kind !== 'append'));
    await expectLoaded(db.pool, tables, args);
  });
});
