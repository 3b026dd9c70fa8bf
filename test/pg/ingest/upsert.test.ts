/**
 * pg-bulk-ingest's upsert and insert scenarios (its tests 10–13): odd identifiers, upsert off,
 * duplicates within a batch, tables without a primary key — plus what it never checked: rows that
 * did not change are not written, and columns whose type has no equality operator. MERGE runs on
 * PostgreSQL 15+, INSERT … ON CONFLICT before (the suite runs on 18 and 14).
 */
import { describe, expect, it } from 'vitest';
import { RowRejectedError, ingest, type TableDefinition } from '../../../src/index.js';
import { quoteQualified } from '../../../src/sql/identifier.js';
import { useTestDatabase } from '../../helpers/database.js';
import { batchesOf, freshSchema, relationOid, selectAll } from './helpers.js';

const db = useTestDatabase();

const odd = (schema: string): TableDefinition => ({
  schema,
  name: `my "t'able" 🐘 Mixed`,
  columns: [
    { name: `id "1'`, type: 'integer', primaryKey: true },
    { name: 'Id 2 🐘', type: 'integer', primaryKey: true },
    { name: `value "a'`, type: 'varchar(16)' },
    { name: 'Value B', type: 'varchar(16)' },
  ],
});

describe('upsert on the primary key', () => {
  it('updates and inserts with odd identifiers, keeps the table (same OID) and skips unchanged rows', async () => {
    const schema = await freshSchema(db.pool, `my "sch'ema" 🐘`);
    const table = odd(schema);
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[1, 2, 'a', 'b'], [3, 4, 'c', 'd']] }]));
    const oid = await relationOid(db.pool, table);
    const xminOf = async () =>
      (await db.pool.query<{ xmin: string }>(`SELECT xmin::text FROM ${quoteQualified(table)} WHERE "id ""1'" = 1`)).rows[0]?.xmin;
    const before = await xminOf();

    const report = await ingest(db.pool, table, batchesOf([{ highWatermark: 2, rows: [[1, 2, 'a', 'b'], [3, 4, 'e', 'f'], [3, 6, 'g', 'h']] }]));
    expect(report.tables[0]).toMatchObject({ migration: 'none', swapped: false, statements: [] });
    expect(await selectAll(db.pool, table, '1, 2')).toEqual([[1, 2, 'a', 'b'], [3, 4, 'e', 'f'], [3, 6, 'g', 'h']]);
    expect(await relationOid(db.pool, table)).toBe(oid);
    expect(await xminOf()).toBe(before);
  });

  it('keeps the last of several rows with the same key in one batch', async () => {
    const schema = await freshSchema(db.pool, 'dups');
    const table = odd(schema);
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[1, 2, 'a', 'b'], [1, 2, 'a', 'c']] }]));
    expect(await selectAll(db.pool, table)).toEqual([[1, 2, 'a', 'c']]);
    const oid = await relationOid(db.pool, table);
    await ingest(db.pool, table, batchesOf([{ highWatermark: 2, rows: [[1, 2, 'x', 'y'], [1, 2, 'a', 'd'], [5, 6, 'e', 'f'], [5, 6, 'g', 'h']] }]));
    expect(await selectAll(db.pool, table, '1')).toEqual([[1, 2, 'a', 'd'], [5, 6, 'g', 'h']]);
    expect(await relationOid(db.pool, table)).toBe(oid);
  });

  it('compares json, point and xml columns through their text (they have no equality operator)', async () => {
    const schema = await freshSchema(db.pool, 'noequality');
    const table: TableDefinition = {
      schema,
      name: 't',
      columns: [
        { name: 'id', type: 'int', primaryKey: true },
        { name: 'j', type: 'json' },
        { name: 'p', type: 'point' },
        { name: 'x', type: 'xml' },
        { name: 'js', type: 'json[]' },
      ],
    };
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[1, { a: 1 }, '(1,2)', '<a/>', [{ b: 1 }]], [2, { a: 2 }, '(3,4)', '<b/>', null]] }]));
    await ingest(db.pool, table, batchesOf([{ highWatermark: 2, rows: [[1, { a: 1 }, '(1,2)', '<a/>', [{ b: 1 }]], [2, { a: 3 }, '(3,4)', '<b/>', null]] }]));
    const { rows } = await db.pool.query(`SELECT id, j::text, p::text, x::text FROM ${schema}.t ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, j: '{"a":1}', p: '(1,2)', x: '<a/>' },
      { id: 2, j: '{"a":3}', p: '(3,4)', x: '<b/>' },
    ]);
  });

  it('does nothing for known rows of a table whose columns are all in the key', async () => {
    const schema = await freshSchema(db.pool, 'allkey');
    const table: TableDefinition = { schema, name: 't', columns: [{ name: 'a', type: 'int', primaryKey: true }, { name: 'b', type: 'text', primaryKey: true }] };
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[1, 'x']] }]));
    await ingest(db.pool, table, batchesOf([{ highWatermark: 2, rows: [[1, 'x'], [2, 'y'], [2, 'y']] }]));
    expect(await selectAll(db.pool, table)).toEqual([[1, 'x'], [2, 'y']]);
  });
});

describe('upsert off', () => {
  it('fails on a repeated key, naming the row, and leaves the data as it was', async () => {
    const schema = await freshSchema(db.pool, `off "sch'ema"`);
    const table = odd(schema);
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[1, 2, 'a', 'b'], [3, 4, 'c', 'd']] }]));
    const error = await ingest(db.pool, table, batchesOf([{ highWatermark: 2, rows: [[5, 6, 'e', 'f'], [3, 4, 'e', 'f']] }]), { upsert: 'off' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RowRejectedError);
    expect((error as RowRejectedError).details).toMatchObject({ batch: 1, row: 2, sqlstate: '23505' });
    expect(await selectAll(db.pool, table, '1')).toEqual([[1, 2, 'a', 'b'], [3, 4, 'c', 'd']]);
  });
});

describe('insert without a primary key', () => {
  it('appends on every ingest', async () => {
    const schema = await freshSchema(db.pool, 'insert');
    const table: TableDefinition = { schema, name: 't', columns: [{ name: 'id', type: 'int' }, { name: 'v', type: 'text' }] };
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[1, 'a']] }]));
    await ingest(db.pool, table, batchesOf([{ highWatermark: 2, rows: [[1, 'a'], [2, 'b']] }]));
    expect(await selectAll(db.pool, table, '1')).toEqual([[1, 'a'], [1, 'a'], [2, 'b']]);
  });
});
