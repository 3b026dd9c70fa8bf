/**
 * pg-bulk-ingest's data-type, volume, unique and batch scenarios (its tests 1–9, 13), on our engine.
 */
import { describe, expect, it } from 'vitest';
import { ingest, jsonNull, type TableDefinition } from '../../../src/index.js';
import { useTestDatabase } from '../../helpers/database.js';
import { batchesOf, exists, freshSchema, noBatches, relationsOf, selectAll } from './helpers.js';

const db = useTestDatabase();

describe('data types and volume', () => {
  it('round-trips integer, varchar, date, integer[], json, jsonb and bytea', async () => {
    const schema = await freshSchema(db.pool, 'types');
    const table: TableDefinition = {
      schema,
      name: 'my_table',
      columns: [
        { name: 'id', type: 'integer', primaryKey: true },
        { name: 'value', type: 'varchar(16)' },
        { name: 'date', type: 'date' },
        { name: 'ints', type: 'integer[]' },
        { name: 'json', type: 'json' },
        { name: 'jsonb', type: 'jsonb' },
        { name: 'bytes', type: 'bytea' },
      ],
    };
    const report = await ingest(db.pool, table, batchesOf([
      {
        highWatermark: 1,
        rows: [
          [1, 'a', '2023-01-02', [1, 2], {}, {}, Buffer.from([0x80])],
          [2, 'b', null, [], jsonNull, jsonNull, Buffer.from([0x00])],
        ],
      },
    ]));
    expect(report).toMatchObject({ batches: 1, rows: 2, highWatermark: 1, swapped: false });
    expect(report.tables[0]).toMatchObject({ migration: 'create', rows: 2, swapped: false });
    const { rows } = await db.pool.query(`SELECT id, value, date::text, ints, json::text, jsonb, bytes, json IS NULL AS sql_null FROM ${schema}.my_table ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, value: 'a', date: '2023-01-02', ints: [1, 2], json: '{}', jsonb: {}, bytes: Buffer.from([0x80]), sql_null: false },
      { id: 2, value: 'b', date: null, ints: [], json: 'null', jsonb: null, bytes: Buffer.from([0x00]), sql_null: false },
    ]);
  });

  it('streams 10,000 rows of 1,000 characters', async () => {
    const schema = await freshSchema(db.pool, 'volume');
    const table: TableDefinition = { schema, name: 'big', columns: [{ name: 'value', type: 'varchar(1000)' }] };
    function* rows() {
      for (let i = 0; i < 10_000; i++) yield [String(i % 10).repeat(1000)];
    }
    const report = await ingest(db.pool, table, () => [{ highWatermark: null, rows: rows() }]);
    expect(report.rows).toBe(10_000);
    const { rows: total } = await db.pool.query(`SELECT sum(length(value))::int AS n FROM ${schema}.big`);
    expect(total[0].n).toBe(10_000_000);
  });
});

describe('no batches', () => {
  it('creates only the target table (with its keys), nothing else, and leaves no fresh table behind', async () => {
    const schema = await freshSchema(db.pool, 'nobatch');
    const table: TableDefinition = { schema, name: 't', columns: [{ name: 'id', type: 'int', primaryKey: true }, { name: 'v', type: 'text' }], indexes: [{ columns: ['v'] }] };
    const report = await ingest(db.pool, table, noBatches, { delete: 'before-first-batch' });
    expect(report).toMatchObject({ batches: 0, rows: 0, highWatermark: null });
    expect(report.tables[0]?.migration).toBe('create');
    expect(await relationsOf(db.pool, schema)).toEqual(['t', 't_pkey', 't_v_idx']);
    expect(await selectAll(db.pool, { schema, name: 't' })).toEqual([]);
  });
});

describe('batches', () => {
  it('makes a batch visible to other sessions only once it is committed, even between its rows', async () => {
    const schema = await freshSchema(db.pool, 'visible');
    const table: TableDefinition = { schema, name: 't', columns: [{ name: 'id', type: 'int', primaryKey: true }] };
    const reader = await db.client();
    const seen: unknown[] = [];
    const look = async () => seen.push(await reader.query({ text: `SELECT id FROM ${schema}.t ORDER BY id`, rowMode: 'array' }).then((r) => r.rows.flat(), () => 'missing'));
    try {
      await ingest(db.pool, table, async function* () {
        await look();
        yield { highWatermark: 1, rows: [[1], [2]] };
        await look();
        yield {
          highWatermark: 2,
          rows: (async function* () {
            await look();
            yield [3];
            await look();
            yield [4];
            await look();
          })(),
        };
        await look();
      });
    } finally {
      await reader.end();
    }
    expect(seen).toEqual(['missing', [1, 2], [1, 2], [1, 2], [1, 2], [1, 2, 3, 4]]);
  });

  it('commits every batch', async () => {
    const schema = await freshSchema(db.pool, 'batches');
    const table: TableDefinition = { schema, name: 't', columns: [{ name: 'id', type: 'int', primaryKey: true }, { name: 'v', type: 'text' }] };
    const report = await ingest(db.pool, table, batchesOf([
      { highWatermark: 1, rows: [[1, 'a']] },
      { highWatermark: 2, rows: [{ id: 2, v: 'b' }] },
    ]));
    expect(report).toMatchObject({ batches: 2, rows: 2, highWatermark: 2 });
    expect(await selectAll(db.pool, { schema, name: 't' })).toEqual([[1, 'a'], [2, 'b']]);
    expect(await exists(db.pool, { schema, name: 't' })).toBe(true);
  });
});
