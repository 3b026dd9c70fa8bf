/**
 * The in-place type changes of type-changes.ts, checked against the server: table and index keep
 * their relfilenode (no rewrite, no index rebuild). The others are planned as rebuilds.
 */
import { describe, expect, it } from 'vitest';
import type { TableDefinition } from '../../../src/ingest/definition/table-definition.js';
import { applyInPlaceMigration } from '../../../src/ingest/schema/apply-in-place-migration.js';
import { planTable } from '../../../src/ingest/schema/plan-table.js';
import { useTestDatabase } from '../../helpers/database.js';

const db = useTestDatabase();
let counter = 0;

async function files(table: string): Promise<string[]> {
  const { rows } = await db.pool.query(
    `SELECT relfilenode::text AS f FROM pg_class WHERE oid = $1::regclass OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = $1::regclass) ORDER BY oid`,
    [table],
  );
  return rows.map((row: { f: string }) => row.f);
}

async function change(from: string, to: string, value: string) {
  const name = `c${++counter}`;
  const definition = (type: string): TableDefinition => ({ schema: 'public', name, columns: [{ name: 'c', type }], indexes: [{ columns: ['c'] }] });
  const created = await planTable(db.pool, definition(from));
  await applyInPlaceMigration(db.pool, created.plan.steps);
  await db.pool.query(`INSERT INTO ${name} SELECT ${value} FROM generate_series(1, 200) g`);
  const before = await files(name);
  const { plan } = await planTable(db.pool, definition(to));
  if (plan.kind === 'in-place') await applyInPlaceMigration(db.pool, plan.steps);
  return { kind: plan.kind, unchanged: JSON.stringify(await files(name)) === JSON.stringify(before), name };
}

describe('type changes against the server', () => {
  it.each([
    ['varchar(10)', 'varchar(20)', `'v' || g`],
    ['varchar(10)', 'varchar', `'v' || g`],
    ['varchar(10)', 'text', `'v' || g`],
    ['varchar', 'text', `'v' || g`],
    ['text', 'varchar', `'v' || g`],
    ['numeric(10,2)', 'numeric(14,2)', 'g / 7.0'],
    ['numeric(10,2)', 'numeric', 'g / 7.0'],
    ['timestamptz(3)', 'timestamptz', `now() + g * interval '1 ms'`],
    ['timestamp', 'timestamp(6)', `localtimestamp + g * interval '1 s'`],
    ['time(2)', 'time', `localtime`],
    ['interval(3)', 'interval(6)', `g * interval '1.5 s'`],
    ['interval(3)', 'interval', `g * interval '1.5 s'`],
    ['bit varying(5)', 'bit varying(10)', `B'101'`],
    ['cidr', 'inet', `'10.0.0.0/8'::cidr`],
  ])('%s → %s is in place: no rewrite, no index rebuild', async (from, to, value) => {
    const result = await change(from, to, value);
    expect(result).toMatchObject({ kind: 'in-place', unchanged: true });
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM ${result.name}`)).rows[0].n).toBe(200);
  });

  it.each([
    ['varchar(20)', 'varchar(10)', `'v' || g`],
    ['text', 'varchar(10)', `'v' || g`],
    ['numeric(10,2)', 'numeric(12,3)', 'g / 7.0'],
    ['int', 'bigint', 'g'],
    ['timestamp', 'timestamptz', 'localtimestamp'],
    ['varchar(10)[]', 'varchar(20)[]', `ARRAY['v' || g]`],
    ['char(5)', 'char(10)', `'abc'`],
    ['int', 'text', 'g'],
  ])('%s → %s needs a rebuild', async (from, to, value) => {
    const result = await change(from, to, value);
    expect(result).toMatchObject({ kind: 'rebuild', unchanged: true });
  });
});
