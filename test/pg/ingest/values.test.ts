/**
 * Values pg-bulk-ingest never tested: COPY's special characters inside values, the common scalar
 * types, and NULL inside arrays — through binary COPY, and through text COPY (which a column type
 * without a binary encoder, here macaddr, brings about).
 */
import { describe, expect, it } from 'vitest';
import { ingest, type TableDefinition } from '../../../src/index.js';
import { useTestDatabase } from '../../helpers/database.js';
import { batchesOf, freshSchema } from './helpers.js';

const db = useTestDatabase();

const tricky = ['tab\there', 'new\nline', 'carriage\rreturn', 'back\\slash', '\\N', 'N', '\\.', '', '"quoted"', "it's", 'ünïcödé 🐘', 'trailing \\'];

for (const format of ['binary', 'text'] as const) {
  describe(`values through ${format} COPY`, () => {
    it('keeps tabs, newlines, backslashes and \\N inside text, arrays and JSON; and every scalar type', async () => {
      const schema = await freshSchema(db.pool, `values_${format}`);
      const table: TableDefinition = {
        schema,
        name: 't',
        columns: [
          { name: 'id', type: 'int', primaryKey: true },
          { name: 'text', type: 'text' },
          { name: 'texts', type: 'text[]' },
          { name: 'doc', type: 'jsonb' },
          { name: 'at', type: 'timestamptz' },
          { name: 'amount', type: 'numeric(12,2)' },
          { name: 'uid', type: 'uuid' },
          { name: 'span', type: 'interval' },
          { name: 'flag', type: 'boolean' },
          { name: 'ints', type: 'integer[]' },
          { name: 'grid', type: 'integer[][]' },
          ...(format === 'text' ? [{ name: 'mac', type: 'macaddr' }] : []),
        ],
      };
      const rows = tricky.map((text, i) => [
        i,
        text,
        [text, null, 'plain'],
        { text, nested: [text] },
        new Date(Date.UTC(2024, 1, 29, 12, 30, 45, 123)),
        i % 2 === 0 ? '-12345.67' : 0.5,
        'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
        { days: 1, hours: 2, microseconds: 3 },
        i % 3 === 0 ? null : i % 3 === 1,
        [1, null, 3],
        [[1, null], [null, 4]],
        ...(format === 'text' ? ['08:00:2b:01:02:03'] : []),
      ]);
      await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows }]));
      const { rows: stored } = await db.pool.query(
        `SELECT id, text, texts, doc, at, amount::text, uid::text, span::text, flag, ints, grid FROM ${schema}.t ORDER BY id`,
      );
      expect(stored).toEqual(
        tricky.map((text, i) => ({
          id: i,
          text,
          texts: [text, null, 'plain'],
          doc: { text, nested: [text] },
          at: new Date(Date.UTC(2024, 1, 29, 12, 30, 45, 123)),
          amount: i % 2 === 0 ? '-12345.67' : '0.50',
          uid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
          span: '1 day 02:00:00.000003',
          flag: i % 3 === 0 ? null : i % 3 === 1,
          ints: [1, null, 3],
          grid: [[1, null], [null, 4]],
        })),
      );
    });
  });
}

describe('extension types (pg-bulk-ingest tests pgvector, which this server lacks)', () => {
  it('ingests citext, hstore and cube values twice without migrating, upserting on the key', async () => {
    await db.pool.query('CREATE EXTENSION IF NOT EXISTS citext; CREATE EXTENSION IF NOT EXISTS hstore; CREATE EXTENSION IF NOT EXISTS cube');
    const schema = await freshSchema(db.pool, 'extension_types');
    const table: TableDefinition = {
      schema,
      name: 't',
      columns: [
        { name: 'id', type: 'int', primaryKey: true },
        { name: 'email', type: 'citext' },
        { name: 'attributes', type: 'hstore' },
        { name: 'point', type: 'cube' },
      ],
    };
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[1, 'A@Example.com', 'a=>1, b=>"two words"', '(1, 2, 3)']] }]));
    const report = await ingest(db.pool, table, batchesOf([{ highWatermark: 2, rows: [[1, 'a@example.com', 'b=>"two words", a=>1', '(1,2,3)'], [2, 'b@example.com', null, '(4)']] }]));
    expect(report.tables[0]).toMatchObject({ migration: 'none', statements: [] });
    const { rows } = await db.pool.query(`SELECT id, email::text, attributes -> 'a' AS a, point::text FROM ${schema}.t ORDER BY id`);
    expect(rows).toEqual([
      // Equal by each type's own equality (citext ignores case, hstore key order): not rewritten.
      { id: 1, email: 'A@Example.com', a: '1', point: '(1, 2, 3)' },
      { id: 2, email: 'b@example.com', a: null, point: '(4)' },
    ]);
  });
});
