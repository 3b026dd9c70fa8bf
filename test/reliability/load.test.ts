/**
 * Load: eight ingests into eight tables at once — some swap once at the end, some rebuild and swap
 * after their first batch, some append — while readers hammer a view on each table. No reader gets
 * an error, every read is consistent (whole batches; all old or all new where the ingest replaces
 * the table), and every table ends with every row exactly once.
 */
import { describe, expect, it } from 'vitest';
import { ingest, readHighWatermark } from '../../src/index.js';
import { useTestDatabase } from '../helpers/database.js';
import { OLD_ROWS, readLoadTable, loadBatches, loadTable, seedLoadTable, type LoadArgs, type LoadKind, type LoadTable } from './support/load-tables.js';
import { startReaders } from './support/readers.js';

const db = useTestDatabase();
const KINDS: LoadKind[] = ['replace', 'rebuild', 'append', 'replace', 'rebuild', 'append', 'replace', 'append'];
const args: LoadArgs = { batches: 4, rowsPerBatch: 100, pauseMs: 50 };

async function setUp(schema: string): Promise<LoadTable[]> {
  await db.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  const tables = KINDS.map((kind, index) => loadTable(schema, index, kind));
  for (const table of tables) await seedLoadTable(db.pool, table);
  return tables;
}

/** Readers cycling over the views; each read is checked, and the states seen recorded per table. */
function hammer(tables: readonly LoadTable[]) {
  const pool = db.newPool({ max: 8, application_name: 'load reader' });
  const seen = tables.map(() => new Set<string>());
  let next = 0;
  const readers = startReaders(pool, async (client) => {
    const index = next++ % tables.length;
    const read = await readLoadTable(client, tables[index] as LoadTable, args);
    seen[index]?.add(read.state);
    if (read.problem !== null) throw new Error(read.problem);
  }, { concurrency: 8, pauseMs: 5 });
  return {
    async stop() {
      const summary = await readers.stop();
      await pool.end();
      return { ...summary, seen: seen.map((states) => [...states].sort()) };
    },
  };
}

async function expectFinal(tables: readonly LoadTable[]): Promise<void> {
  for (const table of tables) {
    const { rows } = await db.pool.query(`SELECT gen, count(*)::int AS n, count(DISTINCT id)::int AS ids FROM ${table.definition.schema}.${table.view} GROUP BY 1 ORDER BY 1`);
    const fresh = { gen: 2, n: args.batches * args.rowsPerBatch, ids: args.batches * args.rowsPerBatch };
    expect(rows, table.definition.name).toEqual(table.kind === 'replace' ? [fresh] : [{ gen: 1, n: OLD_ROWS, ids: OLD_ROWS }, fresh]);
    expect(await readHighWatermark(db.pool, table.definition)).toBe(args.batches);
  }
}

describe('eight ingests at once, readers hammering views during the swaps', () => {
  it('library: no reader error, no inconsistent read, every row exactly once', async () => {
    const tables = await setUp('load_library');
    const readers = hammer(tables);
    const pool = db.newPool({ max: 10, application_name: 'load ingest' });
    const reports = await Promise.all(tables.map((table) => ingest(pool, table.target, (hwm) => loadBatches(hwm, args), { ...table.options, forceExecute: { delayMs: 30_000, lockTimeoutMs: 200 } })));
    const summary = await readers.stop();
    await pool.end();
    expect(summary.errors).toEqual([]);
    expect(summary.reads).toBeGreaterThan(50);
    // The reads overlapped the ingests: some saw a table between its first and its last batch.
    expect(summary.seen.flat().filter((state) => state.startsWith('batches')).length).toBeGreaterThan(0);
    expect(reports.map((report) => report.swapped)).toEqual(KINDS.map((kind) => kind !== 'append'));
    await expectFinal(tables);
  });
});
