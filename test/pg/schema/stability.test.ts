/**
 * "The same definition never migrates": create a table from a definition, plan again, expect nothing
 * to do — for every type and index shape that made pg-bulk-ingest rewrite its tables on every run.
 */
import { describe, expect, it } from 'vitest';
import type { TableDefinition } from '../../../src/ingest/definition/table-definition.js';
import { applyInPlaceMigration } from '../../../src/ingest/schema/apply-in-place-migration.js';
import { planTable } from '../../../src/ingest/schema/plan-table.js';
import { readLiveTable } from '../../../src/ingest/schema/read-live-table.js';
import { useTestDatabase } from '../../helpers/database.js';

const db = useTestDatabase();
const long = (prefix: string) => `${prefix}_${'x'.repeat(60 - prefix.length)}`;

const matrix: TableDefinition = {
  schema: 'stable "schema"',
  name: long('Wide table'),
  columns: [
    { name: 'id', type: 'bigint', primaryKey: true },
    { name: 'region', type: 'varchar(8)', primaryKey: true },
    { name: 'f', type: 'float' },
    { name: 'dp', type: 'double precision' },
    { name: 'r', type: 'float(10)' },
    { name: 'v', type: 'varchar' },
    { name: 'v16', type: 'varchar(16)', unique: true },
    { name: 'n', type: 'numeric' },
    { name: 'n122', type: 'numeric(12,2)', nullable: false },
    { name: 'ts', type: 'timestamptz' },
    { name: 'ts3', type: 'timestamp(3)' },
    { name: 'd', type: 'date' },
    { name: 'tags', type: 'text[]' },
    { name: 'grid', type: 'int[][]' },
    { name: 'j', type: 'jsonb' },
    { name: 'js', type: 'json' },
    { name: 'b', type: 'bytea' },
    { name: 'u', type: 'uuid', unique: true },
    { name: 'iv', type: 'interval' },
    { name: 'bool', type: 'boolean' },
    { name: 'c', type: 'char(3)' },
    { name: 'inet', type: 'inet' },
    { name: long('Long Column'), type: 'int', unique: true },
    { name: long('Other Column'), type: 'int' },
  ],
  indexes: [
    { columns: ['tags'], using: 'gin' },
    { columns: ['j'], using: 'GIN' },
    { columns: ['v'], unique: true },
    { columns: ['d'], where: 'd > $$2020-01-01$$ AND bool' },
    { columns: ['ts'], unique: true, where: 'ts IS NOT NULL' },
    { columns: ['n122'], include: ['v', 'd'] },
    { columns: ['d', 'n122'] },
    { columns: ['d'] },
    { columns: [long('Long Column'), long('Other Column')] },
    { columns: [long('Other Column')] },
    { columns: ['iv'], using: 'hash' },
    { columns: ['ts3'], using: 'brin' },
    { columns: ['u'], name: 'named_u' },
  ],
};

async function createThenReplan(definition: TableDefinition, again: TableDefinition = definition) {
  const first = await planTable(db.pool, definition);
  expect(first.plan.kind).toBe('create');
  await applyInPlaceMigration(db.pool, first.plan.steps);
  const before = await readLiveTable(db.pool, definition);
  const second = await planTable(db.pool, again);
  return { before, second };
}

describe('a definition never migrates twice', () => {
  it('for a broad matrix of types, keys, unique columns and index shapes', async () => {
    const { before, second } = await createThenReplan(matrix);
    expect(second.plan).toEqual({ kind: 'none', steps: [], reasons: [] });
    expect(second.live).toEqual(before);
    // Everything asked for exists: 2 keys + 3 unique constraints + 13 indexes.
    expect(before?.primaryKey?.columns).toEqual(['id', 'region']);
    expect(before?.uniqueConstraints.map((u) => u.columns)).toEqual(
      expect.arrayContaining([['v16'], ['u'], [long('Long Column')]]),
    );
    expect(before?.indexes).toHaveLength(1 + 3 + 13);
    // Long names are truncated by the server; comparison ignores them.
    expect(before?.indexes.every((index) => Buffer.byteLength(index.name) <= 63)).toBe(true);
  });

  it('whatever spelling the second run uses', async () => {
    const first: TableDefinition = {
      schema: 'public',
      name: 'spellings',
      columns: [
        { name: 'a', type: 'int4', primaryKey: true },
        { name: 'b', type: 'character varying(16)' },
        { name: 'c', type: 'float8' },
        { name: 'd', type: 'timestamp with time zone' },
        { name: 'e', type: 'decimal(12,2)' },
        { name: 'f', type: '_text' },
      ],
      indexes: [{ columns: ['b'], where: "b <> 'x'" }],
    };
    const second: TableDefinition = {
      ...first,
      columns: [
        { name: 'f', type: 'text[]' },
        { name: 'e', type: 'numeric(12, 2)' },
        { name: 'd', type: 'timestamptz' },
        { name: 'c', type: 'double precision' },
        { name: 'b', type: 'varchar(16)' },
        { name: 'a', type: 'integer', primaryKey: true, nullable: false },
      ],
      indexes: [{ columns: ['b'], where: "(B)::TEXT   <>   'x'::text", using: 'BTREE', include: [] }],
    };
    const { second: plan } = await createThenReplan(first, second);
    expect(plan.plan.kind).toBe('none');
  });

  it('for a table created outside, the way pg-bulk-ingest leaves it (temporary names, SERIAL default)', async () => {
    await db.pool.query(`
      CREATE TABLE public.peer (
        id serial CONSTRAINT "_tmp_0a1b_pkey" PRIMARY KEY,
        value varchar(16) CONSTRAINT "_tmp_0a1b_value_key" UNIQUE,
        amount double precision
      );
      CREATE INDEX "_tmp_ffee" ON public.peer (amount);
    `);
    const { plan } = await planTable(db.pool, {
      schema: 'public',
      name: 'peer',
      columns: [
        { name: 'id', type: 'integer', primaryKey: true },
        { name: 'value', type: 'varchar(16)', unique: true },
        { name: 'amount', type: 'float' },
      ],
      indexes: [{ columns: ['amount'] }],
    });
    expect(plan.kind).toBe('none');
  });

  it('leaves no probe behind', async () => {
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'temporal_pg_probe%'`);
    expect(rows[0].n).toBe(0);
  });
});
