import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../helpers/database.js';
import { freshSchema, rebuildAndSwap, relationOid, rowsOf, viewDefinitions } from './swap-helpers.js';

const db = useTestDatabase();

describe('dependent views across a swap', () => {
  it('keeps a simple view, which then shows the new data', async () => {
    const schema = await freshSchema(db.pool, 'simple');
    await db.pool.query(`CREATE TABLE simple.t (id int PRIMARY KEY, v text); INSERT INTO simple.t VALUES (1, 'a'), (2, 'b')`);
    await db.pool.query(`CREATE VIEW simple.v AS SELECT id, v FROM simple.t WHERE id > 1`);
    const before = await viewDefinitions(db.pool, schema);
    const oid = await relationOid(db.pool, { schema, name: 't' });
    const result = await rebuildAndSwap(db.pool, { schema, name: 't' }, {
      columns: 'id int PRIMARY KEY, v text, extra int',
      fill: `SELECT id, v, NULL FROM simple.t UNION ALL SELECT 3, 'c', 7`,
    });
    expect(await relationOid(db.pool, { schema, name: 't' })).not.toBe(oid);
    expect(await rowsOf(db.pool, { schema, name: 'v' })).toEqual([[2, 'b'], [3, 'c']]);
    expect(await viewDefinitions(db.pool, schema)).toEqual(before);
    expect(result.statements.map((s) => s.step)).toEqual(expect.arrayContaining(['drop', 'rename', 'views']));
    expect(result.statements[0]?.sql).toBe('DROP VIEW "simple"."v" RESTRICT');
  });
});
