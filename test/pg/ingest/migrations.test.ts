/**
 * pg-bulk-ingest's migration scenarios (its tests 4–5, 8, 21–29) with our improvements: a new column
 * or index is added in place (the table keeps its OID), the same definition never migrates twice,
 * and a rewrite goes through a fresh table that readers only ever see swapped in whole.
 */
import { describe, expect, it } from 'vitest';
import {
  BatchSourceError,
  IncompatibleTypeChangeError,
  RowRejectedError,
  ingest,
  readLiveTable,
  type JsonValue,
  type TableDefinition,
} from '../../../src/index.js';
import { quoteQualified } from '../../../src/sql/identifier.js';
import { useTestDatabase } from '../../helpers/database.js';
import { batchesOf, freshSchema, noBatches, relationOid, relationsOf, selectAll } from './helpers.js';

const db = useTestDatabase();

const base = (schema: string, name = 't'): TableDefinition => ({
  schema,
  name,
  columns: [
    { name: 'id', type: 'int', primaryKey: true },
    { name: 'value_a', type: 'varchar(16)' },
    { name: 'value_b', type: 'varchar(16)' },
  ],
});

/** Reads the table from another session, as a reader would. */
async function readAside(table: TableDefinition): Promise<unknown> {
  const reader = await db.client();
  try {
    return (await reader.query({ text: `SELECT * FROM ${quoteQualified(table)} ORDER BY 1`, rowMode: 'array' })).rows;
  } finally {
    await reader.end();
  }
}

describe('unique constraints', () => {
  it('refuses a duplicate in the first batch of a new table with a unique column', async () => {
    const schema = await freshSchema(db.pool, 'unique-initial');
    const table: TableDefinition = { schema, name: 't', columns: [{ name: 'id', type: 'int', unique: true }] };
    const error = await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[1], [1]] }])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RowRejectedError);
    expect((error as Error).message).toMatch(/unique constraint/);
    expect(await relationsOf(db.pool, schema)).toEqual([]);
  });

  it('makes an existing column unique in place, and then refuses a duplicate', async () => {
    const schema = await freshSchema(db.pool, 'unique-added');
    const table: TableDefinition = { schema, name: 't', columns: [{ name: 'id', type: 'int' }] };
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[1]] }]));
    const oid = await relationOid(db.pool, table);
    const unique: TableDefinition = { ...table, columns: [{ name: 'id', type: 'int', unique: true }] };
    const error = await ingest(db.pool, unique, batchesOf([{ highWatermark: 2, rows: [[1]] }])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RowRejectedError);
    expect((error as Error).message).toMatch(/unique constraint/);
    expect(await selectAll(db.pool, table)).toEqual([[1]]);
    expect(await relationOid(db.pool, table)).toBe(oid);
  });
});

describe('adding columns', () => {
  for (const [label, columns] of [
    ['at the end', ['id', 'value_a', 'value_b', 'value_c']],
    ['not at the end', ['id', 'value_a', 'value_c', 'value_b']],
  ] as const) {
    it(`adds a column ${label} in place: same OID, old shape for readers until the first batch`, async () => {
      const schema = await freshSchema(db.pool, `add-${label.replaceAll(' ', '-')}`);
      const before = base(schema);
      await ingest(db.pool, before, batchesOf([{ highWatermark: 1, rows: [[1, 'a', 'b']] }]));
      const oid = await relationOid(db.pool, before);
      const after: TableDefinition = {
        ...before,
        columns: columns.map((name) => (name === 'id' ? { name, type: 'int', primaryKey: true } : { name, type: 'varchar(16)' })),
      };
      let seenByReader: unknown;
      const report = await ingest(db.pool, after, async function* () {
        seenByReader = await readAside(before);
        yield { highWatermark: 2, rows: [{ id: 2, value_a: 'a', value_b: 'b', value_c: 'c' }] };
      });
      expect(seenByReader).toEqual([[1, 'a', 'b']]);
      expect(report.tables[0]).toMatchObject({ migration: 'in-place', swapped: false });
      expect(report.tables[0]?.statements).toEqual([expect.stringContaining('ADD COLUMN "value_c" character varying(16)')]);
      expect(await relationOid(db.pool, before)).toBe(oid);
      const { rows } = await db.pool.query({ text: `SELECT ${columns.join(', ')} FROM ${quoteQualified(before)} ORDER BY id`, rowMode: 'array' });
      const expected = (id: number, c: string | null) => columns.map((name) => (name === 'id' ? id : name === 'value_c' ? c : name.slice(-1)));
      expect(rows).toEqual([expected(1, null), expected(2, 'c')]);
      // The same definition again: nothing to do.
      const again = await ingest(db.pool, after, batchesOf([{ highWatermark: 3, rows: [] }]));
      expect(again.tables[0]).toMatchObject({ migration: 'none', statements: [], swapped: false });
    });
  }

  it('keeps the watermark when the ingest that would migrate fails before its first batch', async () => {
    const schema = await freshSchema(db.pool, 'add-fails');
    const before = base(schema);
    const after: TableDefinition = { ...before, columns: [...before.columns.slice(0, 2), { name: 'value_c', type: 'text' }, ...before.columns.slice(2)] };
    const seen: JsonValue[] = [];
    await ingest(db.pool, before, (hwm) => (seen.push(hwm), [{ highWatermark: 1, rows: [[1, 'a', 'b']] }]));
    const failing = await ingest(db.pool, after, function* (hwm) {
      seen.push(hwm);
      yield* [];
      throw new Error('source down');
    }).catch((e: unknown) => e);
    expect(failing).toBeInstanceOf(BatchSourceError);
    await ingest(db.pool, after, (hwm) => (seen.push(hwm), []));
    expect(seen).toEqual([null, 1, 1]);
    expect((await readLiveTable(db.pool, before))?.columns.map((c) => c.name)).toEqual(['id', 'value_a', 'value_b']);
  });

  it('migrates nothing when there are no batches', async () => {
    const schema = await freshSchema(db.pool, 'no-data');
    const before = base(schema);
    await ingest(db.pool, before, batchesOf([{ highWatermark: 1, rows: [[1, 'a', 'b']] }]));
    const after: TableDefinition = { ...before, columns: [...before.columns, { name: 'value_c', type: 'text' }], indexes: [{ columns: ['value_a'] }] };
    const report = await ingest(db.pool, after, noBatches);
    expect(report.tables[0]).toMatchObject({ migration: 'none', statements: [] });
    expect(await readAside(before)).toEqual([[1, 'a', 'b']]);
    await expect(db.pool.query(`SELECT value_c FROM ${quoteQualified(before)}`)).rejects.toThrow(/value_c/);
    expect(await relationsOf(db.pool, schema)).toEqual(['t', 't_pkey']);
  });
});

describe('indexes', () => {
  it('creates several similar indexes on a new table without name clashes', async () => {
    const schema = await freshSchema(db.pool, 'similar-indexes');
    const table: TableDefinition = {
      schema,
      name: 'my_table_1',
      columns: [{ name: 'a', type: 'int' }, { name: 'b', type: 'int' }],
      indexes: [{ columns: ['a', 'b'] }, { columns: ['a'] }],
    };
    await ingest(db.pool, table, noBatches);
    expect(await selectAll(db.pool, table)).toEqual([]);
    expect(await relationsOf(db.pool, schema)).toEqual(['my_table_1', 'my_table_1_a_b_idx', 'my_table_1_a_idx']);
  });

  it('keeps long, truncated index names stable across ingests', async () => {
    const schema = await freshSchema(db.pool, 'long-index');
    const column = 'a_very_long_column_name_that_takes_most_of_the_sixty_three_b';
    const table: TableDefinition = { schema, name: 't', columns: [{ name: column, type: 'int' }], indexes: [{ columns: [column] }] };
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[1]] }, { highWatermark: 2, rows: [[2]] }]));
    const oid = await relationOid(db.pool, table);
    const report = await ingest(db.pool, table, batchesOf([{ highWatermark: 3, rows: [[3]] }]));
    expect(report.tables[0]).toMatchObject({ migration: 'none', statements: [] });
    expect(await relationOid(db.pool, table)).toBe(oid);
    expect(await selectAll(db.pool, table)).toEqual([[1], [2], [3]]);
  });

  it('adds, changes to GIN and removes indexes in place, keeping the table', async () => {
    const schema = await freshSchema(db.pool, 'index-changes');
    const table: TableDefinition = { schema, name: 't', columns: [{ name: 'id', type: 'int', primaryKey: true }, { name: 'value_1', type: 'varchar(16)' }, { name: 'tags', type: 'varchar[]' }] };
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [] }]));
    const oid = await relationOid(db.pool, table);
    const indexesNow = async () => (await readLiveTable(db.pool, table))?.indexes.filter((i) => i.constraint === null).map((i) => `${i.method}(${i.keys.map((k) => k.column).join(',')})`).sort();

    const two: TableDefinition = { ...table, indexes: [{ columns: ['value_1'] }, { columns: ['value_1', 'id'] }] };
    expect((await ingest(db.pool, two, batchesOf([{ highWatermark: 2, rows: [[1, 'a', ['x']]] }]))).tables[0]?.migration).toBe('in-place');
    expect(await indexesNow()).toEqual(['btree(value_1)', 'btree(value_1,id)']);

    const gin: TableDefinition = { ...table, indexes: [{ columns: ['tags'], using: 'gin' }] };
    await ingest(db.pool, gin, batchesOf([{ highWatermark: 3, rows: [] }]));
    expect(await indexesNow()).toEqual(['gin(tags)']);
    for (const same of [gin, { ...table, indexes: [{ columns: ['tags'], using: 'GIN', include: [] }] }]) {
      expect((await ingest(db.pool, same, batchesOf([{ highWatermark: 4, rows: [] }]))).tables[0]).toMatchObject({ migration: 'none', statements: [] });
    }

    await ingest(db.pool, table, batchesOf([{ highWatermark: 5, rows: [] }]));
    expect(await indexesNow()).toEqual([]);
    expect(await relationOid(db.pool, table)).toBe(oid);
    expect(await selectAll(db.pool, table)).toEqual([[1, 'a', ['x']]]);
  });
});

describe('rewrites', () => {
  it('narrows a type through a fresh table, swapped in while readers of a view never see it missing', async () => {
    const schema = await freshSchema(db.pool, 'narrow');
    const table = base(schema);
    function* rows(from: number, count: number) {
      for (let i = from; i < from + count; i++) yield [i, 'a', 'b'];
    }
    await ingest(db.pool, table, () => [{ highWatermark: 1, rows: rows(1, 1000) }]);
    await db.pool.query(`CREATE VIEW ${schema}.v AS SELECT id, value_a FROM ${quoteQualified(table)} WHERE id > 0`);
    const oid = await relationOid(db.pool, table);
    const narrow: TableDefinition = { ...table, columns: table.columns.map((c) => (c.name === 'value_b' ? { ...c, type: 'varchar(4)' } : c)) };

    let reading = true;
    const counts = new Set<number>();
    const errors: unknown[] = [];
    const readers = await Promise.all(Array.from({ length: 4 }, () => db.client()));
    const loops = readers.map(async (reader) => {
      while (reading) {
        try {
          counts.add(Number((await reader.query(`SELECT count(*) AS n FROM ${schema}.v`)).rows[0].n));
        } catch (error) {
          errors.push(error);
        }
      }
    });
    const report = await ingest(db.pool, narrow, () => [{ highWatermark: 2, rows: rows(1001, 500) }]);
    reading = false;
    await Promise.all(loops);
    await Promise.all(readers.map((reader) => reader.end()));

    expect(errors).toEqual([]);
    expect([...counts].every((n) => n === 1000 || n === 1500)).toBe(true);
    expect(report.tables[0]).toMatchObject({ migration: 'rebuild', swapped: true, swap: { views: 1, renamedOnly: false } });
    expect(await relationOid(db.pool, table)).not.toBe(oid);
    expect((await readLiveTable(db.pool, table))?.columns.find((c) => c.name === 'value_b')?.type).toBe('character varying(4)');
    expect(Number((await db.pool.query(`SELECT count(*) AS n FROM ${schema}.v`)).rows[0].n)).toBe(1500);
    expect(await relationsOf(db.pool, schema)).toEqual(['t', 't_pkey', 'v']);
    expect((await ingest(db.pool, narrow, batchesOf([{ highWatermark: 3, rows: [] }]))).tables[0]).toMatchObject({ migration: 'none' });
  });

  it('names the column when the old rows cannot be kept across a type change, and changes nothing', async () => {
    const schema = await freshSchema(db.pool, 'bad-cast');
    const table = base(schema);
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[1, 'not a number', 'b']] }]));
    const oid = await relationOid(db.pool, table);
    const changed: TableDefinition = { ...table, columns: table.columns.map((c) => (c.name === 'value_a' ? { ...c, type: 'integer' } : c)) };
    const error = await ingest(db.pool, changed, batchesOf([{ highWatermark: 2, rows: [[2, 5, 'b']] }])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IncompatibleTypeChangeError);
    expect((error as IncompatibleTypeChangeError).details).toMatchObject({ table: `"bad-cast".t`, columns: ['value_a'] });
    expect(await relationOid(db.pool, table)).toBe(oid);
    expect(await selectAll(db.pool, table)).toEqual([[1, 'not a number', 'b']]);
    expect(await relationsOf(db.pool, schema)).toEqual(['t', 't_pkey']);
    // Starting afresh is the way out.
    await ingest(db.pool, changed, batchesOf([{ highWatermark: 2, rows: [[2, 5, 'b']] }]), { delete: 'before-first-batch' });
    expect(await selectAll(db.pool, table)).toEqual([[2, 5, 'b']]);
  });

  it('keeps the grants of roles without USAGE on the schema across a swap', async () => {
    const schema = await freshSchema(db.pool, 'no_usage');
    const table = base(schema);
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[1, 'a', 'b']] }]));
    await db.pool.query(`CREATE VIEW ${schema}.v AS SELECT * FROM ${quoteQualified(table)}`);
    const roles = [await db.createRole('reader_1'), await db.createRole('reader_2')];
    for (const role of roles) await db.pool.query(`GRANT SELECT ON ${quoteQualified(table)}, ${schema}.v TO "${role.name}"`);
    const rebuilt: TableDefinition = {
      ...table,
      columns: [{ name: 'id', type: 'bigint', primaryKey: true }, table.columns[1]!, { name: 'value_c', type: 'text' }, table.columns[2]!],
    };
    const report = await ingest(db.pool, rebuilt, batchesOf([{ highWatermark: 2, rows: [] }]));
    expect(report.tables[0]).toMatchObject({ migration: 'rebuild', swapped: true });
    await db.pool.query(`GRANT USAGE ON SCHEMA "${schema}" TO ${roles.map((role) => `"${role.name}"`).join(', ')}`);
    for (const role of roles) {
      const client = await db.client({ url: role.url });
      try {
        expect((await client.query({ text: `SELECT id, value_a, value_c, value_b FROM ${quoteQualified(table)}`, rowMode: 'array' })).rows).toEqual([['1', 'a', null, 'b']]);
        expect((await client.query({ text: `SELECT * FROM ${schema}.v`, rowMode: 'array' })).rows).toEqual([['1', 'a', 'b']]);
      } finally {
        await client.end();
      }
    }
  });
});
