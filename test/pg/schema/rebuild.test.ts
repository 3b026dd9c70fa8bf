/**
 * Changes PostgreSQL can only make by rewriting the table are planned as a rebuild, and the rebuild
 * statements produce a table that matches the definition (with natural constraint and index names)
 * once swapped in.
 */
import { describe, expect, it } from 'vitest';
import type { TableDefinition } from '../../../src/ingest/definition/table-definition.js';
import { applyInPlaceMigration } from '../../../src/ingest/schema/apply-in-place-migration.js';
import { ColumnUsedByViewError } from '../../../src/ingest/schema/errors.js';
import { planTable } from '../../../src/ingest/schema/plan-table.js';
import { readLiveTable } from '../../../src/ingest/schema/read-live-table.js';
import { buildRebuildStatements, freshTableName } from '../../../src/ingest/schema/rebuild-statements.js';
import { quoteIdent, quoteQualified } from '../../../src/sql/identifier.js';
import { useTestDatabase } from '../../helpers/database.js';

const db = useTestDatabase();

const base: TableDefinition = {
  schema: 'Re "build"',
  name: 'Orders',
  columns: [
    { name: 'id', type: 'int', primaryKey: true },
    { name: 'code', type: 'varchar(20)', unique: true },
    { name: 'amount', type: 'int' },
    { name: 'note', type: 'text' },
  ],
  indexes: [{ columns: ['amount'] }, { columns: ['note'], where: 'note IS NOT NULL', name: 'notes' }],
};

const withColumn = (name: string, change: Partial<TableDefinition['columns'][number]>): TableDefinition => ({
  ...base,
  columns: base.columns.map((column) => (column.name === name ? { ...column, ...change } : column)),
});

describe('rebuild classification', () => {
  it('plans a rebuild for narrowing, type changes, key changes and NOT NULL columns on a table with rows', async () => {
    const created = await planTable(db.pool, base);
    expect(created.plan.steps.map((step) => step.action)).toEqual(['create-schema', 'create-table']);
    await applyInPlaceMigration(db.pool, created.plan.steps);
    await db.pool.query(`INSERT INTO ${quoteQualified(base)} SELECT g, 'c' || g, g * 10, NULL FROM generate_series(1, 100) g`);

    const cases: Array<[TableDefinition, string]> = [
      [withColumn('code', { type: 'varchar(10)' }), 'change column "code" from character varying(20) to character varying(10) (needs a rewrite)'],
      [withColumn('amount', { type: 'bigint' }), 'change column "amount" from integer to bigint (needs a rewrite)'],
      [withColumn('note', { type: 'jsonb' }), 'change column "note" from text to jsonb (needs a rewrite)'],
      [withColumn('code', { primaryKey: true }), 'change the primary key from ("id") to ("id", "code")'],
      [{ ...base, columns: [...base.columns, { name: 'required', type: 'int', nullable: false }] }, 'add NOT NULL column "required" integer to a table that has rows'],
    ];
    for (const [definition, reason] of cases) {
      const { plan } = await planTable(db.pool, definition);
      expect(plan).toEqual({ kind: 'rebuild', steps: [], reasons: [reason] });
    }
  });

  it('refuses to drop a column a view uses, before changing anything', async () => {
    await db.pool.query(`CREATE VIEW ${quoteIdent(base.schema)}.notes_view AS SELECT note FROM ${quoteQualified(base)}`);
    const error = await planTable(db.pool, { ...base, columns: base.columns.filter((c) => c.name !== 'note'), indexes: [{ columns: ['amount'] }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ColumnUsedByViewError);
    expect((error as ColumnUsedByViewError).details).toMatchObject({ column: 'note', views: ['"Re ""build""".notes_view'] });
    // A widening the view blocks in place becomes a rebuild instead.
    const { plan } = await planTable(db.pool, withColumn('note', { type: 'varchar' }));
    expect(plan).toMatchObject({ kind: 'rebuild', reasons: [expect.stringContaining('which "Re ""build""".notes_view use')] });
  });
});

describe('rebuild statements', () => {
  it('build a fresh table that, swapped in, matches the definition with natural names and the old rows', async () => {
    await db.pool.query(`DROP VIEW ${quoteIdent(base.schema)}.notes_view`);
    const target = withColumn('amount', { type: 'bigint' });
    const { desired, live, plan } = await planTable(db.pool, target);
    expect(plan.kind).toBe('rebuild');
    const fresh = freshTableName();
    const statements = buildRebuildStatements(desired, live, fresh);
    expect(statements.table).toEqual({ schema: base.schema, name: fresh });

    const client = await db.client();
    try {
      await client.query('BEGIN');
      await client.query(statements.createTable);
      if (statements.copyRows) await client.query(statements.copyRows);
      for (const statement of statements.createIndexes) await client.query(statement);
      // What the swap module does, minus views, grants and force-execute:
      await client.query(`DROP TABLE ${quoteQualified(base)}`);
      await client.query(`ALTER TABLE ${quoteQualified(statements.table)} RENAME TO ${quoteIdent(base.name)}`);
      for (const statement of statements.restoreNames) await client.query(statement);
      await client.query('COMMIT');
    } finally {
      await client.end();
    }

    const after = await readLiveTable(db.pool, base);
    expect(after?.oid).not.toBe(live?.oid);
    expect(after?.primaryKey?.name).toBe('Orders_pkey');
    expect(after?.uniqueConstraints.map((u) => u.name)).toEqual(['Orders_code_key']);
    expect(after?.indexes.map((index) => index.name).sort()).toEqual(['Orders_amount_idx', 'Orders_code_key', 'Orders_pkey', 'notes']);
    expect(after?.columns.find((c) => c.name === 'amount')?.type).toBe('bigint');
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n, sum(amount)::int AS s FROM ${quoteQualified(base)}`);
    expect(rows[0]).toEqual({ n: 100, s: 10 * 5050 });
    expect((await planTable(db.pool, target)).plan.kind).toBe('none');
  });

  it('create a table from nothing, with nothing to copy', async () => {
    const definition: TableDefinition = { schema: 'public', name: 'fresh', columns: [{ name: 'a', type: 'int', unique: true }] };
    const { desired, live } = await planTable(db.pool, definition);
    const statements = buildRebuildStatements(desired, live, freshTableName());
    expect(live).toBeNull();
    expect(statements.copyRows).toBeNull();
    await db.pool.query(statements.createTable);
    await db.pool.query(`ALTER TABLE ${quoteQualified(statements.table)} RENAME TO fresh`);
    for (const statement of statements.restoreNames) await db.pool.query(statement);
    expect((await readLiveTable(db.pool, definition))?.uniqueConstraints.map((u) => u.name)).toEqual(['fresh_a_key']);
    expect((await planTable(db.pool, definition)).plan.kind).toBe('none');
  });
});
