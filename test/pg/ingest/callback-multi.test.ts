/**
 * `onBeforeVisible` (pg-bulk-ingest's test 31) and several tables in one ingest (its test 32):
 * interleaved rows past the buffer size, and a row for a table that is not part of the ingest.
 */
import { describe, expect, it } from 'vitest';
import { UnknownTableError, ingest, type IngestTable, type TableDefinition } from '../../../src/index.js';
import { quoteQualified } from '../../../src/sql/identifier.js';
import { useTestDatabase } from '../../helpers/database.js';
import { batchesOf, exists, freshSchema, selectAll } from './helpers.js';

const db = useTestDatabase();

describe('onBeforeVisible', () => {
  it('sees the batch inside its transaction while other sessions do not, with the batch metadata', async () => {
    const schema = await freshSchema(db.pool, 'callback');
    const table: TableDefinition = { schema, name: 't', columns: [{ name: 'id', type: 'int', primaryKey: true }] };
    const inside: unknown[] = [];
    const outside: unknown[] = [];
    const metadata: unknown[] = [];
    const tables: IngestTable[] = [];
    const other = await db.client();
    try {
      await ingest(db.pool, table, batchesOf([
        { highWatermark: 1, rows: [[1]], metadata: 'first' },
        { highWatermark: 2, rows: [[2]], metadata: { n: 2 } },
      ]), {
        onBeforeVisible: async (client, ingestTable, batchMetadata) => {
          tables.push(ingestTable);
          metadata.push(batchMetadata);
          inside.push((await client.query({ text: `SELECT id FROM ${quoteQualified(ingestTable)} ORDER BY id`, rowMode: 'array' })).rows.flat());
          outside.push(await other.query({ text: `SELECT id FROM ${quoteQualified(table)} ORDER BY id`, rowMode: 'array' }).then((r) => r.rows.flat(), () => []));
        },
      });
    } finally {
      await other.end();
    }
    expect(inside).toEqual([[1], [1, 2]]);
    expect(outside).toEqual([[], [1]]);
    expect(metadata).toEqual(['first', { n: 2 }]);
    expect(tables).toEqual([
      { schema, name: 't', target: { schema, name: 't' } },
      { schema, name: 't', target: { schema, name: 't' } },
    ]);
  });

  it('aborts the batch when it throws', async () => {
    const schema = await freshSchema(db.pool, 'callback-throws');
    const table: TableDefinition = { schema, name: 't', columns: [{ name: 'id', type: 'int' }] };
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[1]] }]));
    const error = await ingest(db.pool, table, batchesOf([{ highWatermark: 2, rows: [[2]] }]), {
      onBeforeVisible: () => {
        throw new Error('validation failed');
      },
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('validation failed');
    expect(await selectAll(db.pool, table)).toEqual([[1]]);
  });
});

describe('several tables', () => {
  it('loads interleaved rows past the buffer size into each table', async () => {
    const schema = await freshSchema(db.pool, 'multi');
    const tables: TableDefinition[] = [
      { schema, name: 'one', columns: [{ name: 'id', type: 'int' }, { name: 'v', type: 'text' }] },
      { schema, name: 'two', columns: [{ name: 'id', type: 'bigint', primaryKey: true }, { name: 'v', type: 'text' }] },
    ];
    function* rows() {
      for (let i = 0; i < 20_000; i++) {
        yield [tables[0], [i, `one ${i}`]] as const;
        yield [i % 2 === 0 ? `${schema}.two` : { schema, name: 'two' }, { id: i % 15_000, v: `two ${i}` }] as const;
      }
    }
    const report = await ingest(db.pool, tables, () => [{ highWatermark: 1, rows: rows() }]);
    expect(report.rows).toBe(40_000);
    expect(report.tables.map((t) => t.rows)).toEqual([20_000, 20_000]);
    const { rows: counts } = await db.pool.query(`SELECT (SELECT count(*)::int FROM ${schema}.one) AS one, (SELECT count(*)::int FROM ${schema}.two) AS two,
      (SELECT v FROM ${schema}.two WHERE id = 100) AS last`);
    // Keys 0–4999 came twice, in different COPY streams: the later row won.
    expect(counts[0]).toEqual({ one: 20_000, two: 15_000, last: 'two 15100' });
  });

  it('switches often with a small buffer and keeps each table in arrival order', async () => {
    const schema = await freshSchema(db.pool, 'multi-small');
    const tables: TableDefinition[] = ['a', 'b', 'c'].map((name) => ({ schema, name, columns: [{ name: 'n', type: 'int' }, { name: 'arrived', type: 'int' }] }));
    const pattern = [0, 0, 1, 2, 2, 2, 1, 0, 1, 1, 1, 1, 2, 0];
    const rows = Array.from({ length: 300 }, (_, i) => [tables[pattern[i % pattern.length] as number] as TableDefinition, [i, i]] as const);
    await ingest(db.pool, tables, batchesOf([{ highWatermark: 1, rows }]), { maxRowsPerTableBuffer: 3 });
    for (const [index, table] of tables.entries()) {
      const expected = rows.filter(([t]) => t === tables[index]).map(([, values]) => values);
      expect(await selectAll(db.pool, table, 'arrived')).toEqual(expected);
    }
  });

  it('swaps the tables that need it, keeping their own comments; together at the end of the ingest', async () => {
    const schema = await freshSchema(db.pool, 'multi_swap');
    const tables: TableDefinition[] = [
      { schema, name: 'one', columns: [{ name: 'id', type: 'int', primaryKey: true }, { name: 'v', type: 'text' }] },
      { schema, name: 'two', columns: [{ name: 'id', type: 'int', primaryKey: true }, { name: 'v', type: 'varchar(10)' }] },
    ];
    await ingest(db.pool, tables, batchesOf([{ highWatermark: 1, rows: [[tables[0]!, [1, 'a']], [tables[1]!, [1, 'a']]] }]));
    await db.pool.query(`COMMENT ON TABLE ${schema}.two IS 'second table, by hand'`);
    const oids = async () => (await db.pool.query(`SELECT '${schema}.one'::regclass::oid::int AS one, '${schema}.two'::regclass::oid::int AS two`)).rows[0];
    const before = await oids();
    // The second table narrows a type: rebuilt; the first only receives rows.
    const narrowed = [tables[0]!, { ...tables[1]!, columns: [tables[1]!.columns[0]!, { name: 'v', type: 'varchar(4)' }] }];
    const report = await ingest(db.pool, narrowed, batchesOf([{ highWatermark: 2, rows: [['multi_swap.one', [2, 'b']], ['multi_swap.two', [2, 'b']]] }]));
    expect(report.tables.map((t) => [t.migration, t.swapped])).toEqual([['none', false], ['rebuild', true]]);
    const after = await oids();
    expect(after.one).toBe(before.one);
    expect(after.two).not.toBe(before.two);
    const { rows } = await db.pool.query(`SELECT obj_description('${schema}.two'::regclass) AS two, obj_description('${schema}.one'::regclass)::jsonb -> 'pg-bulk-ingest' AS one`);
    expect(rows[0]).toEqual({ two: 'second table, by hand', one: { 'high-watermark': 2 } });

    // Both through fresh tables until the end, then one swap transaction for both.
    const end = await ingest(db.pool, narrowed, batchesOf([{ highWatermark: 3, rows: [['multi_swap.one', [3, 'c']]] }, { highWatermark: 4, rows: [['multi_swap.two', [3, 'c']]] }]), {
      visibility: 'end-of-ingest',
    });
    expect(end.tables.map((t) => t.swapped)).toEqual([true, true]);
    expect(await selectAll(db.pool, tables[0]!)).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
    expect(await selectAll(db.pool, tables[1]!)).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
    expect((await db.pool.query(`SELECT obj_description('${schema}.two'::regclass) AS c`)).rows[0].c).toBe('second table, by hand');
  });

  it('refuses a row for a table that is not part of the ingest, naming it, and writes nothing', async () => {
    const schema = await freshSchema(db.pool, 'multi-unknown');
    const tables: TableDefinition[] = [
      { schema, name: 'one', columns: [{ name: 'id', type: 'int' }] },
      { schema, name: 'two', columns: [{ name: 'id', type: 'int' }] },
    ];
    const third: TableDefinition = { schema, name: 'three', columns: [{ name: 'id', type: 'int' }] };
    const error = await ingest(db.pool, tables, batchesOf([{ highWatermark: 1, rows: [[tables[0]!, [1]], [tables[1]!, [1]], [third, [1]]] }])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownTableError);
    expect((error as UnknownTableError).details).toMatchObject({ batch: 1, row: 3, table: '"multi-unknown".three' });
    for (const table of [...tables, third]) expect(await exists(db.pool, table)).toBe(false);

    const notPair = await ingest(db.pool, tables, batchesOf([{ highWatermark: 1, rows: [[1]] as never }])).catch((e: unknown) => e);
    expect(notPair).toBeInstanceOf(UnknownTableError);
    expect((notPair as Error).message).toContain('row 1 of batch 1 is not a [table, values] pair');
  });
});
