import { describe, expect, it } from 'vitest';
import * as ddl from '../../../src/ingest/schema/ddl.js';
import type { DesiredTable, IndexSpec } from '../../../src/ingest/schema/table-shape.js';

const table = { schema: 'my "s"', name: 'T' };
const desired: DesiredTable = {
  schema: table.schema,
  name: table.name,
  columns: [
    { name: 'id', typeOid: 20, typmod: -1, type: 'bigint', notNull: true },
    { name: 'code', typeOid: 1043, typmod: 20, type: 'character varying(16)', notNull: false },
  ],
  primaryKey: { columns: ['id'] },
  uniqueConstraints: [{ columns: ['code'] }],
  indexes: [],
};
const spec = (extra: Partial<IndexSpec> = {}): IndexSpec => ({
  method: 'btree',
  unique: false,
  keys: [{ column: 'code', expression: null, options: [] }],
  include: [],
  predicate: null,
  nullsNotDistinct: false,
  ...extra,
});

describe('DDL builders', () => {
  it('creates a table with keys, quoting every identifier', () => {
    expect(ddl.createTable(table, desired)).toBe(
      'CREATE TABLE "my ""s"""."T" (\n  "id" bigint NOT NULL,\n  "code" character varying(16),\n  PRIMARY KEY ("id"),\n  UNIQUE ("code")\n)',
    );
    expect(ddl.createTable(table, desired, { primaryKey: 'p', unique: ['u'] })).toContain('CONSTRAINT "p" PRIMARY KEY ("id"),\n  CONSTRAINT "u" UNIQUE ("code")');
  });

  it('creates indexes with method, INCLUDE, predicate, optionally concurrently and unnamed', () => {
    expect(ddl.createIndex(table, spec(), null)).toBe('CREATE INDEX ON "my ""s"""."T" ("code")');
    expect(ddl.createIndex(table, spec({ unique: true, include: ['id'], predicate: '(id > 0)' }), 'i', { concurrently: true })).toBe(
      'CREATE UNIQUE INDEX CONCURRENTLY "i" ON "my ""s"""."T" ("code") INCLUDE ("id") WHERE ((id > 0))',
    );
    expect(ddl.createIndex(table, spec({ method: 'gin' }), 'g')).toBe('CREATE INDEX "g" ON "my ""s"""."T" USING "gin" ("code")');
    expect(() => ddl.createIndex(table, spec({ keys: [{ column: null, expression: 'lower(code)', options: [] }] }), null)).toThrow(TypeError);
  });

  it('builds one ALTER TABLE from several actions', () => {
    const text = ddl.alterTable(table, [
      ddl.action.dropConstraint('old', true),
      ddl.action.setType('code', 'text'),
      ddl.action.addNotNullCheck('chk', 'code'),
    ]);
    expect(text).toBe(
      'ALTER TABLE "my ""s"""."T"\n  DROP CONSTRAINT IF EXISTS "old",\n  ALTER COLUMN "code" TYPE text,\n  ADD CONSTRAINT "chk" CHECK ("code" IS NOT NULL) NOT VALID',
    );
    expect(ddl.action.addUniqueUsingIndex('k')).toBe('ADD CONSTRAINT "k" UNIQUE USING INDEX "k"');
  });

  it('drops and renames indexes schema-qualified, copies rows by column name', () => {
    expect(ddl.dropIndex('s', 'i', { concurrently: true })).toBe('DROP INDEX CONCURRENTLY IF EXISTS "s"."i"');
    expect(ddl.renameIndex('s', 'a', 'b')).toBe('ALTER INDEX "s"."a" RENAME TO "b"');
    expect(ddl.copyRows({ schema: 's', name: 'old' }, { schema: 's', name: 'new' }, ['a', 'b c'])).toBe(
      'INSERT INTO "s"."new" ("a", "b c") SELECT "a", "b c" FROM "s"."old"',
    );
  });

  it('accepts only whole non-negative milliseconds as lock timeout', () => {
    expect(ddl.setLocalLockTimeout(250)).toBe('SET LOCAL lock_timeout = 250');
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => ddl.setLocalLockTimeout(bad)).toThrow(RangeError);
  });

  it('puts caller text of the probe on lines of its own so a trailing comment cannot swallow the statement', () => {
    const text = ddl.probeTable('p', {
      schema: 's',
      name: 't',
      columns: [
        { name: 'a', type: 'int -- comment', primaryKey: true },
        { name: 'b', type: 'text', unique: true },
      ],
    });
    expect(text).toBe('CREATE TEMP TABLE "p" (\n  "a" int -- comment\n    NOT NULL,\n  "b" text\n    NULL UNIQUE,\n  PRIMARY KEY ("a")\n)');
    expect(ddl.probeIndex('p', 'i', { columns: ['a'], using: 'GIN', where: 'a > 0 -- c' })).toBe(
      'CREATE INDEX "i" ON pg_temp."p" USING "gin" ("a") WHERE (\na > 0 -- c\n)',
    );
  });
});
