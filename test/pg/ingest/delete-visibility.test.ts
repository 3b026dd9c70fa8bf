/**
 * `delete: 'before-first-batch'` (pg-bulk-ingest's test 30) and `visibility: 'end-of-ingest'` (new):
 * the old rows stay visible until the fresh table is swapped in, and nothing happens without batches.
 */
import { describe, expect, it } from 'vitest';
import { ingest, type IngestBatch, type TableDefinition } from '../../../src/index.js';
import { quoteQualified } from '../../../src/sql/identifier.js';
import { useTestDatabase } from '../../helpers/database.js';
import { batchesOf, commentOf, exists, freshSchema, noBatches, relationOid, relationsOf, selectAll } from './helpers.js';

const db = useTestDatabase();

const definition = (schema: string): TableDefinition => ({
  schema,
  name: 't',
  columns: [{ name: 'id', type: 'int', primaryKey: true }, { name: 'v', type: 'text' }],
  indexes: [{ columns: ['v'] }],
});

async function readAside(table: TableDefinition): Promise<unknown[][] | 'missing'> {
  const reader = await db.client();
  try {
    return (await reader.query({ text: `SELECT * FROM ${quoteQualified(table)} ORDER BY 1`, rowMode: 'array' })).rows as unknown[][];
  } catch {
    return 'missing';
  } finally {
    await reader.end();
  }
}

describe('delete before the first batch', () => {
  it('replaces the rows with the first batch, and deletes nothing without batches', async () => {
    const table = definition(await freshSchema(db.pool, 'delete'));
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[1, 'a']] }]));
    await db.pool.query(`COMMENT ON TABLE ${quoteQualified(table)} IS '{"pg-bulk-ingest": {"high-watermark": 1}, "note": "kept"}'`);
    const oid = await relationOid(db.pool, table);
    let beforeSecond: unknown;
    const report = await ingest(
      db.pool,
      table,
      async function* () {
        yield { highWatermark: 2, rows: [[2, 'b'], [2, 'b2'], [3, 'c']] };
        beforeSecond = await readAside(table);
        yield { highWatermark: 3, rows: [[4, 'd']] };
      },
      { delete: 'before-first-batch' },
    );
    expect(beforeSecond).toEqual([[2, 'b2'], [3, 'c']]);
    expect(report.tables[0]).toMatchObject({ swapped: true, rows: 4 });
    expect(await relationOid(db.pool, table)).not.toBe(oid);
    expect(await selectAll(db.pool, table)).toEqual([[2, 'b2'], [3, 'c'], [4, 'd']]);
    expect(await commentOf(db.pool, table)).toMatchObject({ note: 'kept', 'pg-bulk-ingest': { 'high-watermark': 3 } });
    expect(await relationsOf(db.pool, table.schema)).toEqual(['t', 't_pkey', 't_v_idx']);

    await ingest(db.pool, table, noBatches, { delete: 'before-first-batch' });
    expect(await selectAll(db.pool, table)).toEqual([[2, 'b2'], [3, 'c'], [4, 'd']]);
  });
});

describe('visibility at the end of the ingest', () => {
  it('shows readers the old rows until every batch is in, then swaps once', async () => {
    const table = definition(await freshSchema(db.pool, 'end-of-ingest'));
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[1, 'a']] }]));
    const seen: unknown[] = [];
    const report = await ingest(
      db.pool,
      table,
      async function* (): AsyncGenerator<IngestBatch> {
        yield { highWatermark: 2, rows: [[1, 'a1'], [2, 'b']] };
        seen.push(await readAside(table));
        yield { highWatermark: 3, rows: [[3, 'c']] };
        seen.push(await readAside(table));
      },
      { visibility: 'end-of-ingest' },
    );
    expect(seen).toEqual([[[1, 'a']], [[1, 'a']]]);
    expect(report).toMatchObject({ batches: 2, highWatermark: 3, swapped: true });
    expect(await selectAll(db.pool, table)).toEqual([[1, 'a1'], [2, 'b'], [3, 'c']]);
    expect(await commentOf(db.pool, table)).toMatchObject({ 'pg-bulk-ingest': { 'high-watermark': 3 }, 'temporal-pg': { batch: 2 } });
    expect(await relationsOf(db.pool, table.schema)).toEqual(['t', 't_pkey', 't_v_idx']);
  });

  it('creates a missing table only at the end, by renaming the fresh one', async () => {
    const table = definition(await freshSchema(db.pool, 'end-new'));
    const seen: unknown[] = [];
    const report = await ingest(
      db.pool,
      table,
      async function* () {
        yield { highWatermark: 1, rows: [[1, 'a']] };
        seen.push(await readAside(table));
        yield { highWatermark: 2, rows: [[2, 'b']] };
      },
      { visibility: 'end-of-ingest' },
    );
    expect(seen).toEqual(['missing']);
    expect(report.tables[0]).toMatchObject({ migration: 'create', swapped: true, swap: { renamedOnly: true } });
    expect(await selectAll(db.pool, table)).toEqual([[1, 'a'], [2, 'b']]);
    expect(await relationsOf(db.pool, table.schema)).toEqual(['t', 't_pkey', 't_v_idx']);
  });

  it('combined with delete, replaces the rows once at the end', async () => {
    const table = definition(await freshSchema(db.pool, 'end-delete'));
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[1, 'a']] }]));
    await ingest(db.pool, table, batchesOf([{ highWatermark: 2, rows: [[2, 'b']] }, { highWatermark: 3, rows: [[3, 'c']] }]), {
      visibility: 'end-of-ingest',
      delete: 'before-first-batch',
    });
    expect(await selectAll(db.pool, table)).toEqual([[2, 'b'], [3, 'c']]);
  });

  it('leaves the old table alone when a batch fails, and the next ingest clears the fresh table', async () => {
    const table = definition(await freshSchema(db.pool, 'end-fails'));
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[1, 'a']] }]));
    const error = await ingest(
      db.pool,
      table,
      function* () {
        yield { highWatermark: 2, rows: [[2, 'b']] };
        throw new Error('source down');
      },
      { visibility: 'end-of-ingest' },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(await selectAll(db.pool, table)).toEqual([[1, 'a']]);
    expect(await commentOf(db.pool, table)).toMatchObject({ 'pg-bulk-ingest': { 'high-watermark': 1 } });
    // The fresh table holding batch 2, with its key and index: committed, never swapped in.
    expect((await relationsOf(db.pool, table.schema)).filter((name) => name.startsWith('_tmp_tpg_'))).toHaveLength(3);
    await ingest(db.pool, table, noBatches);
    expect(await relationsOf(db.pool, table.schema)).toEqual(['t', 't_pkey', 't_v_idx']);
    expect(await exists(db.pool, table)).toBe(true);
  });
});
