/**
 * pg-bulk-ingest's dependent-view scenarios (its tests 40–51) through the whole ingest: the
 * migration rewrites the table (a key type change, or a delete) so the swap has to carry every
 * view; plus what the peer loses on a swap — PUBLIC grants, owners, comments, matview indexes.
 */
import { describe, expect, it } from 'vitest';
import { DependentViewBrokenError, ingest, readHighWatermark, type TableDefinition } from '../../../src/index.js';
import { quoteIdent as q, quoteQualified } from '../../../src/sql/identifier.js';
import { useTestDatabase } from '../../helpers/database.js';
import { batchesOf, freshSchema, privilegesOf, relationOid, rowsOf, viewDefinitions } from './helpers.js';

const db = useTestDatabase();

/** (id int PK, value_1 text) holding 1 a, 2 b, 3 c. */
async function table(schema: string): Promise<TableDefinition> {
  await freshSchema(db.pool, schema);
  const definition: TableDefinition = { schema, name: 't', columns: [{ name: 'id', type: 'int', primaryKey: true }, { name: 'value_1', type: 'text' }] };
  await ingest(db.pool, definition, batchesOf([{ highWatermark: 1, rows: [[1, 'a'], [2, 'b'], [3, 'c']] }]));
  return definition;
}

/** The rewriting migration: the key becomes bigint and a column is added; `rows` are ingested with it. */
async function rewrite(definition: TableDefinition, rows: unknown[][]) {
  const next: TableDefinition = { ...definition, columns: [{ name: 'id', type: 'bigint', primaryKey: true }, ...definition.columns.slice(1), { name: 'value_2', type: 'text' }] };
  const oid = await relationOid(db.pool, definition);
  const report = await ingest(db.pool, next, batchesOf([{ highWatermark: 2, rows }]));
  expect(report.tables[0]).toMatchObject({ migration: 'rebuild', swapped: true });
  expect(await relationOid(db.pool, definition)).not.toBe(oid);
  return report;
}

describe('dependent views across the ingest', () => {
  it('keeps a view, which shows the new data', async () => {
    const t = await table('simple');
    await db.pool.query(`CREATE VIEW simple.v AS SELECT id, value_1 FROM simple.t WHERE id > 1`);
    const before = await viewDefinitions(db.pool, 'simple');
    const report = await rewrite(t, [[4, 'd', 'x']]);
    expect(report.tables[0]?.swap).toMatchObject({ views: 1 });
    expect(await rowsOf(db.pool, { schema: 'simple', name: 'v' })).toEqual([['2', 'b'], ['3', 'c'], ['4', 'd']]);
    expect(await viewDefinitions(db.pool, 'simple')).toEqual(before);
  });

  it('keeps the SELECT of a view owner that has no explicit grant on its view', async () => {
    const t = await table('owner');
    const owner = await db.createRole('view_owner');
    await db.pool.query(`GRANT USAGE ON SCHEMA owner TO "${owner.name}"; GRANT SELECT ON owner.t TO "${owner.name}"`);
    await db.pool.query(`CREATE VIEW owner.v AS SELECT id, value_1 FROM owner.t; ALTER VIEW owner.v OWNER TO "${owner.name}"`);
    await rewrite(t, [[4, 'd', 'x']]);
    const client = await db.client({ url: owner.url });
    try {
      expect((await client.query({ text: 'SELECT * FROM owner.v ORDER BY 1', rowMode: 'array' })).rows).toEqual([['1', 'a'], ['2', 'b'], ['3', 'c'], ['4', 'd']]);
    } finally {
      await client.end();
    }
  });

  it('shows readers of two views either all old or all new rows, never an error', async () => {
    const t = await table('together');
    await db.pool.query(`CREATE VIEW together.high AS SELECT id::text, value_1 FROM together.t WHERE id > 1`);
    await db.pool.query(`CREATE VIEW together.low AS SELECT id::text, value_1 FROM together.t WHERE id <= 1`);
    const readers = await Promise.all(Array.from({ length: 20 }, () => db.client()));
    const seen = new Set<string>();
    const errors: unknown[] = [];
    let reading = true;
    const loops = readers.map(async (reader) => {
      while (reading) {
        try {
          const { rows } = await reader.query({ text: 'SELECT * FROM together.high UNION ALL SELECT * FROM together.low ORDER BY 1', rowMode: 'array' });
          seen.add(JSON.stringify(rows));
        } catch (error) {
          errors.push(error);
        }
      }
    });
    await rewrite(t, [[0, 'z', 'x'], [4, 'd', 'x']]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    reading = false;
    await Promise.all(loops);
    await Promise.all(readers.map((reader) => reader.end()));
    expect(errors).toEqual([]);
    const old = JSON.stringify([['1', 'a'], ['2', 'b'], ['3', 'c']]);
    const fresh = JSON.stringify([['0', 'z'], ['1', 'a'], ['2', 'b'], ['3', 'c'], ['4', 'd']]);
    expect([...seen].every((result) => result === old || result === fresh)).toBe(true);
    expect(seen.has(fresh)).toBe(true);
  });

  it('keeps several views, and a view on a view', async () => {
    const t = await table('several');
    await db.pool.query(`CREATE VIEW several.high AS SELECT id, value_1 FROM several.t WHERE id > 2`);
    await db.pool.query(`CREATE VIEW several.low AS SELECT id, value_1 FROM several.t WHERE id < 2`);
    await db.pool.query(`CREATE VIEW several.top AS SELECT id, value_1 FROM several.high WHERE id < 4`);
    await rewrite(t, [[4, 'd', 'x']]);
    expect(await rowsOf(db.pool, { schema: 'several', name: 'high' })).toEqual([['3', 'c'], ['4', 'd']]);
    expect(await rowsOf(db.pool, { schema: 'several', name: 'low' })).toEqual([['1', 'a']]);
    expect(await rowsOf(db.pool, { schema: 'several', name: 'top' })).toEqual([['3', 'c']]);
  });

  it('keeps two- and three-view cycles with identical definitions (a new column, rows replaced)', async () => {
    const t = await table('cycles');
    await db.pool.query(`CREATE VIEW cycles.v1 AS SELECT id, value_1 FROM cycles.t WHERE id > 1`);
    await db.pool.query(`CREATE VIEW cycles.v2 AS SELECT * FROM cycles.v1`);
    await db.pool.query(`CREATE OR REPLACE VIEW cycles.v1 AS SELECT v1.id, v1.value_1 FROM cycles.t v1 WHERE v1.id > 1 AND EXISTS (SELECT 1 FROM cycles.v2 v2 WHERE v2.id = v1.id)`);
    await db.pool.query(`CREATE VIEW cycles.w1 AS SELECT id, value_1 FROM cycles.t WHERE id > 1`);
    await db.pool.query(`CREATE VIEW cycles.w2 AS SELECT * FROM cycles.w1`);
    await db.pool.query(`CREATE VIEW cycles.w3 AS SELECT * FROM cycles.w2`);
    await db.pool.query(`CREATE OR REPLACE VIEW cycles.w1 AS SELECT w1.id, w1.value_1 FROM cycles.t w1 WHERE EXISTS (SELECT 1 FROM cycles.w3 w3 WHERE w3.id = w1.id)`);
    const before = await viewDefinitions(db.pool, 'cycles');
    const added: TableDefinition = { ...t, columns: [...t.columns, { name: 'value_2', type: 'text' }] };
    const report = await ingest(db.pool, added, batchesOf([{ highWatermark: 2, rows: [[4, 'd', 'e'], [5, 'f', 'g']] }]), { delete: 'before-first-batch' });
    expect(report.tables[0]?.swap).toMatchObject({ views: 5 });
    expect(await viewDefinitions(db.pool, 'cycles')).toEqual(before);
  });

  it('names the view when a type change inside a cycle cannot be carried, and keeps the old table', async () => {
    const t = await table('cycletype');
    await db.pool.query(`CREATE VIEW cycletype.v1 AS SELECT id FROM cycletype.t;
      CREATE VIEW cycletype.v2 AS SELECT id FROM cycletype.v1;
      CREATE OR REPLACE VIEW cycletype.v1 AS SELECT t.id FROM cycletype.t WHERE EXISTS (SELECT 1 FROM cycletype.v2)`);
    const oid = await relationOid(db.pool, t);
    const bigint: TableDefinition = { ...t, columns: [{ name: 'id', type: 'bigint', primaryKey: true }, ...t.columns.slice(1)] };
    const error = await ingest(db.pool, bigint, batchesOf([{ highWatermark: 2, rows: [[4, 'd']] }])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependentViewBrokenError);
    expect((error as DependentViewBrokenError).views).toEqual([expect.objectContaining({ view: 'cycletype.v1', sqlstate: '42P16' })]);
    expect(await relationOid(db.pool, t)).toBe(oid);
    expect(await rowsOf(db.pool, t)).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
    expect(await readHighWatermark(db.pool, t)).toBe(1);
  });

  it('keeps views with window functions, CASE, CTEs, self-joins, correlated subqueries and EXISTS', async () => {
    const t = await table('complex');
    await db.pool.query(`CREATE VIEW complex.windows AS
      SELECT id, value_1, CASE WHEN id > 1 THEN value_1 ELSE 'default' END AS conditional,
             row_number() OVER (PARTITION BY value_1 ORDER BY id) AS row_num, lag(id) OVER (ORDER BY id) AS prev
        FROM complex.t`);
    await db.pool.query(`CREATE VIEW complex.ctes AS
      WITH RECURSIVE cte1 AS (
        SELECT id, 1 AS level FROM complex.t WHERE id > 0
        UNION ALL SELECT t.id, c.level + 1 FROM complex.t t JOIN cte1 c ON t.id = c.id + 1 WHERE c.level < 3
      ), cte2 AS (SELECT id, string_agg(value_1, ',') AS agg FROM complex.t GROUP BY id)
      SELECT c1.id, c1.level, c2.agg FROM cte1 c1 LEFT JOIN cte2 c2 ON c1.id = c2.id LEFT JOIN complex.t t ON t.id = c1.id`);
    await db.pool.query(`CREATE VIEW complex.subqueries AS
      SELECT t1.id, (SELECT count(*) FROM complex.t t2 WHERE t2.id < t1.id) AS smaller,
             EXISTS (SELECT 1 FROM complex.windows v WHERE v.row_num = 1) AS has_first
        FROM complex.t t1 WHERE t1.id IN (SELECT v2.id FROM complex.ctes v2 WHERE v2.level = 2)`);
    const before = await viewDefinitions(db.pool, 'complex');
    await rewrite(t, [[4, 'd', 'x']]);
    expect(await viewDefinitions(db.pool, 'complex')).toEqual(before);
    expect(await rowsOf(db.pool, { schema: 'complex', name: 'subqueries' })).toEqual([['2', '1', true], ['3', '2', true], ['4', '3', true]]);
  });

  it('keeps materialized views mixed with views, refreshed', async () => {
    const t = await table('mixed');
    await db.pool.query(`CREATE MATERIALIZED VIEW mixed.mv AS SELECT id, value_1, count(*) OVER (PARTITION BY value_1) AS group_count FROM mixed.t`);
    await db.pool.query(`CREATE VIEW mixed.regular AS SELECT id, value_1 FROM mixed.mv WHERE group_count > 1`);
    await db.pool.query(`CREATE VIEW mixed.dependent AS SELECT t.id, mv.group_count, v.value_1 FROM mixed.t t LEFT JOIN mixed.mv mv ON t.id = mv.id LEFT JOIN mixed.regular v ON t.id = v.id`);
    const before = await viewDefinitions(db.pool, 'mixed');
    await rewrite(t, [[4, 'b', 'x']]);
    expect(await viewDefinitions(db.pool, 'mixed')).toEqual(before);
    expect(await rowsOf(db.pool, { schema: 'mixed', name: 'regular' })).toEqual([['2', 'b'], ['4', 'b']]);
  });

  it('refreshes a chain of 999 materialized views in order, with delete before the first batch', async () => {
    const t = await table('chain');
    const length = 999;
    await db.pool.query(Array.from({ length }, (_, i) => `CREATE MATERIALIZED VIEW chain.m_${i + 1} AS SELECT * FROM chain.${i === 0 ? 't' : `m_${i}`}`).join(';\n'));
    const report = await ingest(db.pool, t, batchesOf([{ highWatermark: 2, rows: [[5, 'e']] }]), { delete: 'before-first-batch' });
    expect(report.tables[0]?.swap).toMatchObject({ views: length });
    expect(await rowsOf(db.pool, { schema: 'chain', name: `m_${length}` })).toEqual([[5, 'e']]);
  });

  it('refreshes a materialized view reached at several depths after what it reads', async () => {
    const t = await table('depths');
    await db.pool.query(`CREATE MATERIALIZED VIEW depths.t_1 AS SELECT * FROM depths.t`);
    await db.pool.query(`CREATE MATERIALIZED VIEW depths.t_2 AS SELECT * FROM depths.t UNION ALL SELECT * FROM depths.t_1`);
    await ingest(db.pool, t, batchesOf([{ highWatermark: 2, rows: [[5, 'e']] }]), { delete: 'before-first-batch' });
    expect(await rowsOf(db.pool, { schema: 'depths', name: 't_2' })).toEqual([[5, 'e'], [5, 'e']]);
  });

  it('keeps views with wacky identifiers, in place and across a swap', async () => {
    const schema = 'my.schema';
    const columns = ['column.with.dots', 'column with spaces', 'column"with"quotes', 'column%with%percents', 'column,with,commas'];
    const definition: TableDefinition = {
      schema,
      name: 'my.table 🦄',
      columns: [{ name: 'normal_id', type: 'int', primaryKey: true }, ...columns.map((name) => ({ name, type: 'varchar' }))],
    };
    await freshSchema(db.pool, schema);
    await ingest(db.pool, definition, batchesOf([{ highWatermark: 1, rows: [[1, 'a', 'b', 'c', 'd', 'x'], [2, 'e', 'f', 'g', 'h', 'x'], [3, 'i', 'j', 'j', 'k', 'x']] }]));
    const views: [string, string, string][] = [
      ['view.with.dots', columns[0]!, 'normal_id > 1'],
      ['view with spaces', columns[1]!, 'normal_id < 3'],
      ['view"with"quotes', columns[2]!, 'normal_id = 2'],
      ['view%with%percents', columns[3]!, 'normal_id > 2'],
      ['view,with,commas 🐘', columns[4]!, 'normal_id > 2'],
    ];
    for (const [name, column, where] of views) {
      await db.pool.query(`CREATE VIEW ${q(schema)}.${q(name)} AS SELECT normal_id, ${q(column)} FROM ${quoteQualified(definition)} WHERE ${where}`);
    }
    const before = await viewDefinitions(db.pool, schema);
    const added: TableDefinition = { ...definition, columns: [...definition.columns, { name: 'new.column%with"spaces and.dots 🎉', type: 'varchar' }] };
    expect((await ingest(db.pool, added, batchesOf([{ highWatermark: 2, rows: [[4, 'l', 'm', 'n', 'o', 'x', 'p']] }]))).tables[0]?.migration).toBe('in-place');
    expect(await viewDefinitions(db.pool, schema)).toEqual(before);
    await ingest(db.pool, added, batchesOf([{ highWatermark: 3, rows: [[4, 'l', 'm', 'n', 'o', 'x', 'p'], [5, 'q', 'r', 's', 't', 'x', 'u']] }]), { delete: 'before-first-batch' });
    expect(await viewDefinitions(db.pool, schema)).toEqual(before);
    const expected: unknown[][][] = [[[4, 'l'], [5, 'q']], [], [], [[4, 'o'], [5, 't']], [[4, 'x'], [5, 'x']]];
    for (const [index, [name]] of views.entries()) expect(await rowsOf(db.pool, { schema, name })).toEqual(expected[index]);
  });
});

describe('what a swap keeps that pg-bulk-ingest loses', () => {
  it('keeps PUBLIC and other grants, owners, comments and materialized-view indexes', async () => {
    const t = await table('kept');
    const owner = await db.createRole('kept_owner');
    const writer = await db.createRole('kept_writer');
    await db.pool.query(`GRANT CREATE, USAGE ON SCHEMA kept TO "${owner.name}"`);
    await db.pool.query(`ALTER TABLE kept.t OWNER TO "${owner.name}"`);
    await db.pool.query(`GRANT SELECT ON kept.t TO PUBLIC; GRANT INSERT, UPDATE ON kept.t TO "${writer.name}"; GRANT SELECT (value_1) ON kept.t TO "${writer.name}"`);
    await db.pool.query(`COMMENT ON COLUMN kept.t.value_1 IS 'the value'`);
    await db.pool.query(`CREATE VIEW kept.v AS SELECT * FROM kept.t; COMMENT ON VIEW kept.v IS 'a view'; GRANT SELECT ON kept.v TO PUBLIC; ALTER VIEW kept.v OWNER TO "${owner.name}"`);
    await db.pool.query(`CREATE MATERIALIZED VIEW kept.mv AS SELECT id, value_1 FROM kept.t; CREATE UNIQUE INDEX mv_id ON kept.mv (id); COMMENT ON MATERIALIZED VIEW kept.mv IS 'a matview'`);
    const before = { table: await privilegesOf(db.pool, t), view: await privilegesOf(db.pool, { schema: 'kept', name: 'v' }) };
    await ingest(db.pool, t, batchesOf([{ highWatermark: 2, rows: [[4, 'd']] }]), { delete: 'before-first-batch' });
    expect(await privilegesOf(db.pool, t)).toEqual(before.table);
    expect(await privilegesOf(db.pool, { schema: 'kept', name: 'v' })).toEqual(before.view);
    expect(before.table.acl).toContain(`${owner.name} > PUBLIC SELECT`);
    const { rows } = await db.pool.query(`SELECT col_description('kept.t'::regclass, 2) AS column_comment, obj_description('kept.v'::regclass) AS view_comment,
      obj_description('kept.mv'::regclass) AS matview_comment, (SELECT indexname FROM pg_indexes WHERE schemaname = 'kept' AND tablename = 'mv') AS matview_index,
      (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'kept.t'::regclass) AS owner`);
    expect(rows[0]).toEqual({ column_comment: 'the value', view_comment: 'a view', matview_comment: 'a matview', matview_index: 'mv_id', owner: owner.name });
    expect(await rowsOf(db.pool, { schema: 'kept', name: 'mv' })).toEqual([[4, 'd']]);
  });
});
