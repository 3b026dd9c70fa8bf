import { describe, expect, it } from 'vitest';
import { quoteIdent, quoteQualified } from '../../src/sql/identifier.js';
import { useTestDatabase } from '../helpers/database.js';

const db = useTestDatabase();

describe('quoted identifiers on a real server', () => {
  it('round-trips hostile names exactly, without injection', async () => {
    const names = ['my "odd" name', "it's; DROP TABLE x; --", '🦄 émoji.dot', 'Mixed Case', 'select', '%s $1 \\N'];
    const target = { schema: 'wacky "schema".x', name: 'table; --' };
    await db.pool.query(`CREATE SCHEMA ${quoteIdent(target.schema)}`);
    await db.pool.query(`CREATE TABLE ${quoteQualified(target)} (${names.map((n) => `${quoteIdent(n)} int`).join(', ')})`);
    const { rows } = await db.pool.query<{ attname: string }>(
      `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 ORDER BY attnum`,
      [quoteQualified(target)],
    );
    expect(rows.map((r) => r.attname)).toEqual(names);
  });
});
