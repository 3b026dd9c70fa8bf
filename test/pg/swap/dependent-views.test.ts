/**
 * pg-bulk-ingest's dependent-view scenarios (its tests 40, 43–51), run against the swap itself:
 * a rebuilt table with one more column and new rows replaces the live one; every view keeps its
 * definition (as `pg_views`/`pg_matviews` print it) and shows the new data.
 */
import { describe, expect, it } from 'vitest';
import { quoteIdent } from '../../../src/sql/identifier.js';
import { useTestDatabase } from '../../helpers/database.js';
import { freshSchema, rebuildAndSwap, relationOid, rowsOf, viewDefinitions } from './swap-helpers.js';

const db = useTestDatabase();

/** A table (id, value_1 text) with rows 1 a, 2 b, 3 c in a fresh schema. */
async function table(schema: string): Promise<{ schema: string; name: string }> {
  await freshSchema(db.pool, schema);
  await db.pool.query(`CREATE TABLE ${schema}.t (id int PRIMARY KEY, value_1 text); INSERT INTO ${schema}.t VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
  return { schema, name: 't' };
}

/** The ingest's migration: one more column, the old rows plus `extra`. */
const addColumn = (schema: string, extra: string) => ({
  columns: 'id int PRIMARY KEY, value_1 text, value_2 text',
  fill: `SELECT id, value_1, NULL FROM ${schema}.t UNION ALL VALUES ${extra}`,
});

describe('dependent views across a swap', () => {
  it('keeps a simple view, which then shows the new data', async () => {
    const target = await table('simple');
    await db.pool.query(`CREATE VIEW simple.v AS SELECT id, value_1 FROM simple.t WHERE id > 1`);
    const before = await viewDefinitions(db.pool, 'simple');
    const oid = await relationOid(db.pool, target);
    const result = await rebuildAndSwap(db.pool, target, addColumn('simple', `(4, 'd', 'x')`));
    expect(await relationOid(db.pool, target)).not.toBe(oid);
    expect(await rowsOf(db.pool, { schema: 'simple', name: 'v' })).toEqual([[2, 'b'], [3, 'c'], [4, 'd']]);
    expect(await viewDefinitions(db.pool, 'simple')).toEqual(before);
    expect(result.statements[0]?.sql).toBe('DROP VIEW "simple"."v" RESTRICT');
    expect(result.attempts).toBe(1);
  });

  it('keeps several views on the table', async () => {
    const target = await table('several');
    await db.pool.query(`CREATE VIEW several.high AS SELECT id, value_1 FROM several.t WHERE id > 2`);
    await db.pool.query(`CREATE VIEW several.low AS SELECT id, value_1 FROM several.t WHERE id < 2`);
    await rebuildAndSwap(db.pool, target, addColumn('several', `(4, 'd', 'x')`));
    expect(await rowsOf(db.pool, { schema: 'several', name: 'high' })).toEqual([[3, 'c'], [4, 'd']]);
    expect(await rowsOf(db.pool, { schema: 'several', name: 'low' })).toEqual([[1, 'a']]);
  });

  it('keeps a view on a view', async () => {
    const target = await table('cascade');
    await db.pool.query(`CREATE VIEW cascade.base AS SELECT id, value_1 FROM cascade.t WHERE id > 1`);
    await db.pool.query(`CREATE VIEW cascade.top AS SELECT id, value_1 FROM cascade.base WHERE id < 3`);
    const result = await rebuildAndSwap(db.pool, target, addColumn('cascade', `(4, 'd', 'x')`));
    expect(await rowsOf(db.pool, { schema: 'cascade', name: 'base' })).toEqual([[2, 'b'], [3, 'c'], [4, 'd']]);
    expect(await rowsOf(db.pool, { schema: 'cascade', name: 'top' })).toEqual([[2, 'b']]);
    // Outermost first when dropping (the order readers lock in), innermost first when creating.
    const drops = result.statements.filter((s) => s.step === 'drop').map((s) => s.sql);
    expect(drops[0]).toBe('DROP VIEW "cascade"."top", "cascade"."base" RESTRICT');
    const creates = result.statements.filter((s) => s.sql.startsWith('CREATE VIEW')).map((s) => s.view);
    expect(creates).toEqual(['cascade.base', 'cascade.top']);
  });

  it('keeps two views made mutually dependent, definitions identical', async () => {
    const target = await table('cycle2');
    await db.pool.query(`CREATE VIEW cycle2.v1 AS SELECT id, value_1 FROM cycle2.t WHERE id > 1`);
    await db.pool.query(`CREATE VIEW cycle2.v2 AS SELECT * FROM cycle2.v1`);
    await db.pool.query(`CREATE OR REPLACE VIEW cycle2.v1 AS
      SELECT v1.id, v1.value_1 FROM cycle2.t v1
       WHERE v1.id > 1 AND EXISTS (SELECT 1 FROM cycle2.v2 v2 WHERE v2.id = v1.id)`);
    const before = await viewDefinitions(db.pool, 'cycle2');
    const result = await rebuildAndSwap(db.pool, target, addColumn('cycle2', `(4, 'd', 'e'), (5, 'f', 'g')`));
    expect(await viewDefinitions(db.pool, 'cycle2')).toEqual(before);
    expect(result.plan.cycles).toEqual([[0, 1]]);
    expect(result.statements.filter((s) => s.sql.includes('WHERE false'))).toHaveLength(2);
  });

  it('keeps a three-view cycle, definitions identical', async () => {
    const target = await table('cycle3');
    await db.pool.query(`CREATE VIEW cycle3.v1 AS SELECT id, value_1 FROM cycle3.t WHERE id > 1`);
    await db.pool.query(`CREATE VIEW cycle3.v2 AS SELECT * FROM cycle3.v1`);
    await db.pool.query(`CREATE VIEW cycle3.v3 AS SELECT * FROM cycle3.v2`);
    await db.pool.query(`CREATE OR REPLACE VIEW cycle3.v1 AS
      SELECT v1.id, v1.value_1 FROM cycle3.t v1 WHERE EXISTS (SELECT 1 FROM cycle3.v3 v3 WHERE v3.id = v1.id)`);
    const before = await viewDefinitions(db.pool, 'cycle3');
    await rebuildAndSwap(db.pool, target, addColumn('cycle3', `(4, 'd', 'e'), (5, 'f', 'g')`));
    expect(await viewDefinitions(db.pool, 'cycle3')).toEqual(before);
  });

  it('keeps views with window functions, CASE, recursive and several CTEs, self-joins, correlated subqueries, EXISTS over views', async () => {
    await freshSchema(db.pool, 'complex');
    await db.pool.query(`CREATE TABLE complex.t (id int PRIMARY KEY, value_1 int, value_2 varchar);
      INSERT INTO complex.t VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'c'), (4, 40, 'b')`);
    await db.pool.query(`CREATE VIEW complex.windows AS
      SELECT id, value_1,
             CASE WHEN value_1 > 0 THEN value_2 ELSE 'default' END AS conditional_value,
             row_number() OVER (PARTITION BY value_2 ORDER BY value_1) AS row_num,
             lag(value_1) OVER (ORDER BY id) AS prev_value
        FROM complex.t`);
    await db.pool.query(`CREATE VIEW complex.ctes AS
      WITH RECURSIVE cte1 AS (
        SELECT id, value_1, 1 AS level FROM complex.t WHERE value_1 > 0
        UNION ALL
        SELECT t.id, t.value_1, c.level + 1 FROM complex.t t JOIN cte1 c ON t.id = c.id + 1 WHERE c.level < 3
      ), cte2 AS (SELECT id, string_agg(value_2, ',') AS agg_value FROM complex.t GROUP BY id)
      SELECT c1.id, c1.value_1, c1.level, c2.agg_value, t.value_2
        FROM cte1 c1 LEFT JOIN cte2 c2 ON c1.id = c2.id LEFT JOIN complex.t t ON t.id = c1.id`);
    await db.pool.query(`CREATE VIEW complex.subqueries AS
      SELECT t1.id, t1.value_1,
             (SELECT count(*) FROM complex.t t2 WHERE t2.value_1 < t1.value_1) AS smaller_count,
             EXISTS (SELECT 1 FROM complex.windows v WHERE v.row_num = 1) AS has_first_rows,
             (SELECT avg(t3.value_1) FROM complex.t t3 WHERE t3.id <= t1.id) AS running_avg
        FROM complex.t t1
       WHERE t1.id IN (SELECT v2.id FROM complex.ctes v2 WHERE v2.level = 2)`);
    const before = await viewDefinitions(db.pool, 'complex');
    const contentBefore = await rowsOf(db.pool, { schema: 'complex', name: 'subqueries' });
    await rebuildAndSwap(db.pool, { schema: 'complex', name: 't' }, {
      columns: 'id int PRIMARY KEY, value_1 int, value_2 varchar, value_3 int',
      fill: `SELECT *, NULL FROM complex.t`,
    });
    expect(await viewDefinitions(db.pool, 'complex')).toEqual(before);
    expect(await rowsOf(db.pool, { schema: 'complex', name: 'subqueries' })).toEqual(contentBefore);
  });

  it('keeps materialized views mixed with views, definitions identical, data refreshed', async () => {
    await freshSchema(db.pool, 'mixed');
    await db.pool.query(`CREATE TABLE mixed.t (id int PRIMARY KEY, value_1 int, value_2 varchar);
      INSERT INTO mixed.t VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'b'), (4, 40, 'c')`);
    await db.pool.query(`CREATE MATERIALIZED VIEW mixed.mv AS
      SELECT id, value_1, value_2, count(*) OVER (PARTITION BY value_2) AS group_count FROM mixed.t`);
    await db.pool.query(`CREATE VIEW mixed.regular AS SELECT id, value_1, value_2 FROM mixed.mv WHERE group_count > 1`);
    await db.pool.query(`CREATE VIEW mixed.dependent AS
      SELECT t.id, t.value_1, mv.group_count, v.value_2
        FROM mixed.t t LEFT JOIN mixed.mv mv ON t.id = mv.id LEFT JOIN mixed.regular v ON t.id = v.id`);
    const before = await viewDefinitions(db.pool, 'mixed');
    await rebuildAndSwap(db.pool, { schema: 'mixed', name: 't' }, {
      columns: 'id int PRIMARY KEY, value_1 int, value_2 varchar, value_3 int',
      fill: `SELECT *, NULL FROM mixed.t UNION ALL VALUES (5, 50, 'd', 100), (6, 60, 'd', 200)`,
    });
    expect(await viewDefinitions(db.pool, 'mixed')).toEqual(before);
    expect(await rowsOf(db.pool, { schema: 'mixed', name: 'regular' })).toEqual([
      [2, 20, 'b'],
      [3, 30, 'b'],
      [5, 50, 'd'],
      [6, 60, 'd'],
    ]);
  });

  it('keeps a long chain of materialized views, refreshed in order', async () => {
    const length = 999;
    await freshSchema(db.pool, 'chain');
    await db.pool.query(`CREATE TABLE chain.m_0 (id int PRIMARY KEY, value_1 int, value_2 varchar);
      INSERT INTO chain.m_0 VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'b'), (4, 40, 'c')`);
    const creates = Array.from({ length }, (_, i) => `CREATE MATERIALIZED VIEW chain.m_${i + 1} AS SELECT * FROM chain.m_${i}`);
    await db.pool.query(creates.join(';\n'));
    const started = performance.now();
    const result = await rebuildAndSwap(db.pool, { schema: 'chain', name: 'm_0' }, {
      columns: 'id int PRIMARY KEY, value_1 int, value_2 varchar',
      fill: `VALUES (5, 50, 'd')`,
    });
    const seconds = (performance.now() - started) / 1000;
    expect(await rowsOf(db.pool, { schema: 'chain', name: `m_${length}` })).toEqual([[5, 50, 'd']]);
    expect(result.plan.views).toHaveLength(length);
    expect(result.plan.views.map((v) => v.name).slice(0, 3)).toEqual(['m_1', 'm_2', 'm_3']);
    // Generous: a few seconds on this machine; shared cores make it noisy.
    expect(seconds).toBeLessThan(60);
  });

  it('refreshes a materialized view reached at several depths after what it reads', async () => {
    await freshSchema(db.pool, 'depths');
    await db.pool.query(`CREATE TABLE depths.t (id int PRIMARY KEY, value_1 int, value_2 varchar);
      INSERT INTO depths.t VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'b'), (4, 40, 'c')`);
    await db.pool.query(`CREATE MATERIALIZED VIEW depths.t_1 AS SELECT * FROM depths.t`);
    await db.pool.query(`CREATE MATERIALIZED VIEW depths.t_2 AS SELECT * FROM depths.t UNION ALL SELECT * FROM depths.t_1`);
    await rebuildAndSwap(db.pool, { schema: 'depths', name: 't' }, {
      columns: 'id int PRIMARY KEY, value_1 int, value_2 varchar',
      fill: `VALUES (5, 50, 'd')`,
    });
    expect(await rowsOf(db.pool, { schema: 'depths', name: 't_2' })).toEqual([
      [5, 50, 'd'],
      [5, 50, 'd'],
    ]);
  });

  it('keeps views with wacky identifiers (dots, spaces, quotes, %, commas, emoji)', async () => {
    const schema = 'my.schema';
    const tableName = 'my.table 🦄';
    const q = quoteIdent;
    const t = `${q(schema)}.${q(tableName)}`;
    const columns = ['column.with.dots', 'column with spaces', 'column"with"quotes', 'column%with%percents', 'column,with,commas'];
    await freshSchema(db.pool, schema);
    await db.pool.query(`CREATE TABLE ${t} (normal_id int PRIMARY KEY, ${columns.map((c) => `${q(c)} varchar`).join(', ')})`);
    await db.pool.query(`INSERT INTO ${t} VALUES (1, 'a', 'b', 'c', 'd', 'x'), (2, 'e', 'f', 'g', 'h', 'x'), (3, 'i', 'j', 'j', 'k', 'x')`);
    const views: [string, string, string, unknown[][]][] = [
      ['view.with.dots', columns[0]!, 'normal_id > 1', [[2, 'e'], [3, 'i'], [4, 'l']]],
      ['view with spaces', columns[1]!, 'normal_id < 3', [[1, 'b'], [2, 'f']]],
      ['view"with"quotes', columns[2]!, 'normal_id = 2', [[2, 'g']]],
      ['view%with%percents', columns[3]!, 'normal_id > 2', [[3, 'k'], [4, 'o']]],
      ['view,with,commas 🐘', columns[4]!, 'normal_id > 2', [[3, 'x'], [4, 'x']]],
    ];
    for (const [name, column, where] of views) {
      await db.pool.query(`CREATE VIEW ${q(schema)}.${q(name)} AS SELECT normal_id, ${q(column)} FROM ${t} WHERE ${where}`);
    }
    const before = await viewDefinitions(db.pool, schema);
    const added = 'new.column%with"spaces and.dots 🎉';
    await rebuildAndSwap(
      db.pool,
      { schema, name: tableName },
      {
        name: 'replacement, with "odd" name.%',
        columns: `normal_id int PRIMARY KEY, ${[...columns, added].map((c) => `${q(c)} varchar`).join(', ')}`,
        fill: `SELECT *, NULL FROM ${t} UNION ALL VALUES (4, 'l', 'm', 'n', 'o', 'x', 'p')`,
      },
    );
    expect(await viewDefinitions(db.pool, schema)).toEqual(before);
    for (const [name, , , expected] of views) expect(await rowsOf(db.pool, { schema, name })).toEqual(expected);
  });

  it('re-creates views when a column type widens (the peer cannot: its placeholders keep the old type)', async () => {
    await freshSchema(db.pool, 'widen');
    await db.pool.query(`CREATE TABLE widen.t (id int PRIMARY KEY, amount int); INSERT INTO widen.t VALUES (1, 10), (2, 20)`);
    await db.pool.query(`CREATE VIEW widen.doubled AS SELECT id, amount * 2 AS twice FROM widen.t`);
    await db.pool.query(`CREATE VIEW widen.total AS SELECT sum(twice) AS total FROM widen.doubled`);
    await db.pool.query(`CREATE MATERIALIZED VIEW widen.biggest AS SELECT max(twice) AS biggest FROM widen.doubled`);
    await rebuildAndSwap(db.pool, { schema: 'widen', name: 't' }, {
      columns: 'id bigint PRIMARY KEY, amount bigint',
      fill: `SELECT id, amount FROM widen.t UNION ALL VALUES (3, 5000000000)`,
    });
    const { rows } = await db.pool.query(`SELECT total::text, (SELECT biggest::text FROM widen.biggest) FROM widen.total`);
    expect(rows).toEqual([{ total: '10000000060', biggest: '10000000000' }]);
    const types = await db.pool.query(
      `SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'widen.doubled'::regclass AND attnum > 0 ORDER BY attnum`,
    );
    expect(types.rows).toEqual([
      { attname: 'id', type: 'bigint' },
      { attname: 'twice', type: 'bigint' },
    ]);
  });

  it('reaches views through the row type of the table', async () => {
    await freshSchema(db.pool, 'rowtype');
    await db.pool.query(`CREATE TABLE rowtype.t (id int PRIMARY KEY, v text); INSERT INTO rowtype.t VALUES (1, 'a')`);
    await db.pool.query(`CREATE VIEW rowtype.typed AS SELECT ROW(2, 'b')::rowtype.t AS r`);
    await rebuildAndSwap(db.pool, { schema: 'rowtype', name: 't' }, { columns: 'id int PRIMARY KEY, v text', fill: 'SELECT * FROM rowtype.t' });
    const { rows } = await db.pool.query(`SELECT (r).v FROM rowtype.typed`);
    expect(rows).toEqual([{ v: 'b' }]);
  });
});
