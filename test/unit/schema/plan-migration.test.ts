import { describe, expect, it } from 'vitest';
import { ColumnUsedByViewError } from '../../../src/ingest/schema/errors.js';
import { notNullCheckName } from '../../../src/ingest/schema/object-names.js';
import { planMigration } from '../../../src/ingest/schema/plan-migration.js';
import type { DesiredColumn, DesiredIndex, DesiredTable, LiveColumn, LiveIndex, LiveTable } from '../../../src/ingest/schema/table-shape.js';

const TYPES: Record<string, [number, number, string]> = {
  int: [23, -1, 'integer'],
  bigint: [20, -1, 'bigint'],
  text: [25, -1, 'text'],
  'varchar(10)': [1043, 14, 'character varying(10)'],
  'varchar(20)': [1043, 24, 'character varying(20)'],
};

function column(name: string, type: string, notNull = false): DesiredColumn {
  const [typeOid, typmod, canonical] = TYPES[type] ?? [0, -1, type];
  return { name, typeOid, typmod, type: canonical, notNull };
}

function liveColumn(name: string, type: string, notNull = false, extra: Partial<LiveColumn> = {}, attnum = 1): LiveColumn {
  return { ...column(name, type, notNull), attnum, hasDefault: false, identity: null, generated: null, dependentViews: [], ...extra };
}

function index(columns: string[], extra: Partial<DesiredIndex> = {}): DesiredIndex {
  return {
    name: null,
    method: 'btree',
    unique: false,
    keys: columns.map((name) => ({ column: name, expression: null, options: [] })),
    include: [],
    predicate: null,
    nullsNotDistinct: false,
    ...extra,
  };
}

function liveIndex(name: string, columns: string[], extra: Partial<LiveIndex> = {}): LiveIndex {
  return { ...index(columns), oid: 1, name, valid: true, constraint: null, ...extra };
}

function desired(extra: Partial<DesiredTable> = {}): DesiredTable {
  return {
    schema: 's',
    name: 't',
    columns: [column('id', 'int', true), column('a', 'text')],
    primaryKey: { columns: ['id'] },
    uniqueConstraints: [],
    indexes: [],
    ...extra,
  };
}

function live(extra: Partial<LiveTable> = {}): LiveTable {
  return {
    oid: 1,
    schema: 's',
    name: 't',
    owner: 'me',
    comment: null,
    persistence: 'permanent',
    columns: [liveColumn('id', 'int', true), liveColumn('a', 'text', false, {}, 2)],
    primaryKey: { name: 't_pkey', columns: ['id'], indexName: 't_pkey' },
    uniqueConstraints: [],
    indexes: [liveIndex('t_pkey', ['id'], { unique: true, constraint: 'primary-key' })],
    checks: [],
    ...extra,
  };
}

describe('planMigration', () => {
  it('plans nothing for a table that matches, whatever its column order and index names', () => {
    const want = desired({ indexes: [index(['a'])], columns: [column('a', 'text'), column('id', 'int', true)] });
    const plan = planMigration(want, live({ indexes: [...live().indexes, liveIndex('whatever_name', ['a'])] }));
    expect(plan).toEqual({ kind: 'none', steps: [], reasons: [] });
  });

  it('creates a missing table, and its schema only when that is missing too', () => {
    let plan = planMigration(desired({ indexes: [index(['a'], { name: 'by_a' })] }), null, { schemaExists: true });
    expect(plan.kind).toBe('create');
    expect(plan.steps.map((step) => step.action)).toEqual(['create-table']);
    expect(plan.steps[0]?.statements).toEqual([
      'CREATE TABLE "s"."t" (\n  "id" integer NOT NULL,\n  "a" text,\n  PRIMARY KEY ("id")\n)',
      'CREATE INDEX "by_a" ON "s"."t" ("a")',
    ]);
    plan = planMigration(desired(), null, { schemaExists: false });
    expect(plan.steps.map((step) => step.action)).toEqual(['create-schema', 'create-table']);
    expect(plan.steps[0]?.statements).toEqual(['CREATE SCHEMA IF NOT EXISTS "s"']);
  });

  it('adds and drops columns in one short ALTER TABLE', () => {
    const want = desired({ columns: [column('id', 'int', true), column('b', 'bigint')] });
    const plan = planMigration(want, live());
    expect(plan.kind).toBe('in-place');
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({ action: 'alter-table', transactional: true, label: 'drop column "a"; add column "b" bigint' });
    expect(plan.steps[0]?.statements).toEqual(['ALTER TABLE "s"."t"\n  DROP COLUMN "a",\n  ADD COLUMN "b" bigint']);
    expect(plan.reasons).toEqual(['drop column "a"', 'add column "b" bigint']);
  });

  it('adds a NOT NULL column in place only to an empty table', () => {
    const want = desired({ columns: [...desired().columns, column('n', 'int', true)] });
    expect(planMigration(want, live()).kind).toBe('rebuild');
    expect(planMigration(want, live(), { hasRows: true }).reasons).toEqual(['add NOT NULL column "n" integer to a table that has rows']);
    const plan = planMigration(want, live(), { hasRows: false });
    expect(plan.kind).toBe('in-place');
    expect(plan.steps[0]?.statements[0]).toContain('ADD COLUMN "n" integer NOT NULL');
  });

  it('refuses to drop a column that views use', () => {
    const used = live({ columns: [liveColumn('id', 'int', true), liveColumn('a', 'text', false, { dependentViews: ['s.v'] })] });
    expect(() => planMigration(desired({ columns: [column('id', 'int', true)] }), used)).toThrow(ColumnUsedByViewError);
    try {
      planMigration(desired({ columns: [column('id', 'int', true)] }), used);
    } catch (error) {
      expect((error as ColumnUsedByViewError).details).toEqual({ table: 's.t', column: 'a', views: ['s.v'] });
    }
  });

  it('widens types in place, rebuilds for a rewrite or a widening under a view', () => {
    const base = (type: string, extra: Partial<LiveColumn> = {}) =>
      live({ columns: [liveColumn('id', 'int', true), liveColumn('a', type, false, extra)] });
    const want = (type: string) => desired({ columns: [column('id', 'int', true), column('a', type)] });

    const widen = planMigration(want('varchar(20)'), base('varchar(10)'));
    expect(widen.kind).toBe('in-place');
    expect(widen.steps[0]?.statements[0]).toContain('ALTER COLUMN "a" TYPE character varying(20)');

    expect(planMigration(want('varchar(10)'), base('varchar(20)'))).toMatchObject({
      kind: 'rebuild',
      reasons: ['change column "a" from character varying(20) to character varying(10) (needs a rewrite)'],
    });
    expect(planMigration(want('bigint'), base('int')).kind).toBe('rebuild');
    expect(planMigration(want('text'), base('varchar(10)', { dependentViews: ['s.v'] })).reasons[0]).toContain('which s.v use');
  });

  it('rebuilds for a new or changed primary key, drops one in place', () => {
    expect(planMigration(desired(), live({ primaryKey: null, indexes: [] })).reasons).toEqual(['add a primary key ("id")']);
    const two = desired({ columns: [column('id', 'int', true), column('a', 'text', true)], primaryKey: { columns: ['id', 'a'] } });
    expect(planMigration(two, live()).reasons).toEqual(['change the primary key from ("id") to ("id", "a")']);

    const plan = planMigration(desired({ primaryKey: null, columns: [column('id', 'int'), column('a', 'text')] }), live());
    expect(plan.kind).toBe('in-place');
    // The key goes first: a column of a primary key cannot lose NOT NULL.
    expect(plan.steps[0]?.statements[0]).toBe('ALTER TABLE "s"."t"\n  DROP CONSTRAINT "t_pkey",\n  ALTER COLUMN "id" DROP NOT NULL');
  });

  it('adds NOT NULL through a NOT VALID check, a validation and a catalog-only SET NOT NULL', () => {
    const plan = planMigration(desired({ columns: [column('id', 'int', true), column('a', 'text', true)] }), live());
    const check = notNullCheckName('a');
    expect(plan.steps.map((step) => step.action)).toEqual(['alter-table', 'validate-not-null', 'set-not-null']);
    expect(plan.steps[0]?.statements[0]).toBe(`ALTER TABLE "s"."t"\n  ADD CONSTRAINT "${check}" CHECK ("a" IS NOT NULL) NOT VALID`);
    expect(plan.steps[1]).toMatchObject({
      statements: [`ALTER TABLE "s"."t"\n  VALIDATE CONSTRAINT "${check}"`],
      cleanup: [`ALTER TABLE "s"."t"\n  DROP CONSTRAINT IF EXISTS "${check}"`],
      columns: ['a'],
    });
    expect(plan.steps[2]?.statements).toEqual([
      'ALTER TABLE "s"."t"\n  ALTER COLUMN "a" SET NOT NULL',
      `ALTER TABLE "s"."t"\n  DROP CONSTRAINT "${check}"`,
    ]);
    expect(plan.reasons).toEqual(['set NOT NULL on "a"']);
    // A check left by an interrupted run is replaced.
    const again = planMigration(desired({ columns: [column('id', 'int', true), column('a', 'text', true)] }), live({ checks: [{ name: check, valid: false }] }));
    expect(again.steps[0]?.statements[0]).toBe(
      `ALTER TABLE "s"."t"\n  DROP CONSTRAINT "${check}",\n  ADD CONSTRAINT "${check}" CHECK ("a" IS NOT NULL) NOT VALID`,
    );
  });

  it('removes a temporary check left by an interrupted migration', () => {
    const plan = planMigration(desired(), live({ checks: [{ name: notNullCheckName('a'), valid: false }, { name: 'users_check', valid: true }] }));
    expect(plan.steps[0]?.statements[0]).toBe(`ALTER TABLE "s"."t"\n  DROP CONSTRAINT IF EXISTS "${notNullCheckName('a')}"`);
  });

  it('adds a unique constraint through a concurrent index, or reuses a matching one', () => {
    const want = desired({ uniqueConstraints: [{ columns: ['a'] }] });
    const plan = planMigration(want, live());
    expect(plan.steps.map((step) => [step.action, step.transactional])).toEqual([
      ['create-unique-index', false],
      ['add-unique-constraint', true],
    ]);
    expect(plan.steps[0]).toMatchObject({
      statements: ['CREATE UNIQUE INDEX CONCURRENTLY "t_a_key" ON "s"."t" ("a")'],
      cleanup: ['DROP INDEX CONCURRENTLY IF EXISTS "s"."t_a_key"'],
      index: 't_a_key',
    });
    expect(plan.steps[1]?.statements).toEqual(['ALTER TABLE "s"."t"\n  ADD CONSTRAINT "t_a_key" UNIQUE USING INDEX "t_a_key"']);

    const leftover = live({ indexes: [...live().indexes, liveIndex('t_a_key', ['a'], { unique: true })] });
    const reuse = planMigration(want, leftover);
    expect(reuse.steps.map((step) => step.action)).toEqual(['add-unique-constraint']);
  });

  it('drops unique constraints and indexes the definition does not have', () => {
    const have = live({
      uniqueConstraints: [{ name: 'u1', columns: ['a'], indexName: 'u1' }],
      indexes: [...live().indexes, liveIndex('u1', ['a'], { unique: true, constraint: 'unique' }), liveIndex('extra', ['a'])],
    });
    const plan = planMigration(desired(), have);
    expect(plan.steps.map((step) => [step.action, step.statements])).toEqual([
      ['drop-index', ['DROP INDEX CONCURRENTLY IF EXISTS "s"."extra"']],
      ['alter-table', ['ALTER TABLE "s"."t"\n  DROP CONSTRAINT "u1"']],
    ]);
  });

  it('builds new indexes concurrently under names free in the table and the schema', () => {
    const have = live({ indexes: [...live().indexes, liveIndex('t_a_idx', ['a'], { predicate: '(a > 1)' })] });
    const want = desired({ indexes: [index(['a']), index(['a'], { method: 'gin' })] });
    const plan = planMigration(want, have, { takenNames: ['t_a_idx1'] });
    expect(plan.steps.map((step) => step.statements[0])).toEqual([
      'DROP INDEX CONCURRENTLY IF EXISTS "s"."t_a_idx"',
      'CREATE INDEX CONCURRENTLY "t_a_idx2" ON "s"."t" ("a")',
      'CREATE INDEX CONCURRENTLY "t_a_idx3" ON "s"."t" USING "gin" ("a")',
    ]);
    expect(plan.steps.every((step) => step.transactional === false)).toBe(true);
  });

  it('drops INVALID indexes first and may reuse their names', () => {
    const have = live({ indexes: [...live().indexes, liveIndex('t_a_idx', ['a'], { valid: false })] });
    const plan = planMigration(desired({ indexes: [index(['a'])] }), have);
    expect(plan.steps.map((step) => [step.action, step.statements[0]])).toEqual([
      ['drop-invalid-index', 'DROP INDEX CONCURRENTLY IF EXISTS "s"."t_a_idx"'],
      ['create-index', 'CREATE INDEX CONCURRENTLY "t_a_idx" ON "s"."t" ("a")'],
    ]);
  });

  it('enforces the names a definition gives: rename a matching index, replace one that differs', () => {
    const renamed = planMigration(desired({ indexes: [index(['a'], { name: 'by_a' })] }), live({ indexes: [...live().indexes, liveIndex('t_a_idx', ['a'])] }));
    expect(renamed.steps.map((step) => [step.action, step.statements[0]])).toEqual([['rename-index', 'ALTER INDEX "s"."t_a_idx" RENAME TO "by_a"']]);

    const replaced = planMigration(
      desired({ indexes: [index(['a'], { name: 'by_a' }), index(['id'])] }),
      live({ indexes: [...live().indexes, liveIndex('by_a', ['id'])] }),
    );
    // "by_a" holds the other index's columns: it is dropped and rebuilt rather than kept under the reserved name.
    expect(replaced.steps.map((step) => step.statements[0])).toEqual([
      'DROP INDEX CONCURRENTLY IF EXISTS "s"."by_a"',
      'CREATE INDEX CONCURRENTLY "by_a" ON "s"."t" ("a")',
      'CREATE INDEX CONCURRENTLY "t_id_idx" ON "s"."t" ("id")',
    ]);
  });

  it('never matches live indexes a definition cannot express', () => {
    const odd = live({
      indexes: [
        ...live().indexes,
        liveIndex('desc_a', ['a'], { keys: [{ column: 'a', expression: null, options: ['DESC'] }] }),
        liveIndex('lower_a', ['a'], { keys: [{ column: null, expression: 'lower(a)', options: [] }] }),
      ],
    });
    const plan = planMigration(desired({ indexes: [index(['a'])] }), odd);
    expect(plan.steps.map((step) => step.action)).toEqual(['drop-index', 'drop-index', 'create-index']);
  });

  it('turns generated columns into plain ones', () => {
    const stored = live({ columns: [liveColumn('id', 'int', true), liveColumn('a', 'text', false, { generated: 'stored', hasDefault: true })] });
    expect(planMigration(desired(), stored).steps[0]?.statements[0]).toBe('ALTER TABLE "s"."t"\n  ALTER COLUMN "a" DROP EXPRESSION');
    const virtual = live({ columns: [liveColumn('id', 'int', true), liveColumn('a', 'text', false, { generated: 'virtual' })] });
    expect(planMigration(desired(), virtual).kind).toBe('rebuild');
  });

  it('ignores defaults and identity unless the column must lose NOT NULL', () => {
    const identity = live({ columns: [liveColumn('id', 'int', true), liveColumn('a', 'int', true, { identity: 'always', hasDefault: true })] });
    expect(planMigration(desired({ columns: [column('id', 'int', true), column('a', 'int', true)] }), identity).kind).toBe('none');
    const plan = planMigration(desired({ columns: [column('id', 'int', true), column('a', 'int')] }), identity);
    expect(plan.steps[0]?.statements[0]).toBe('ALTER TABLE "s"."t"\n  ALTER COLUMN "a" DROP IDENTITY IF EXISTS,\n  ALTER COLUMN "a" DROP NOT NULL');
  });

  it('produces plain JSON', () => {
    const plan = planMigration(desired({ uniqueConstraints: [{ columns: ['a'] }], columns: [column('id', 'int', true), column('a', 'text', true)] }), live());
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });
});
