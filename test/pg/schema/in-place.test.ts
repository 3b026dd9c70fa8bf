/**
 * Each in-place change leaves the table where it was (same OID, same relfilenode: no rewrite), its
 * rows intact, and exactly the desired shape (planning again finds nothing to do).
 */
import { describe, expect, it } from 'vitest';
import type { TableDefinition } from '../../../src/ingest/definition/table-definition.js';
import { applyInPlaceMigration, type MigrationStepEvent } from '../../../src/ingest/schema/apply-in-place-migration.js';
import type { MigrationStepAction } from '../../../src/ingest/schema/plan-migration.js';
import { planTable } from '../../../src/ingest/schema/plan-table.js';
import { readLiveTable } from '../../../src/ingest/schema/read-live-table.js';
import { quoteQualified } from '../../../src/sql/identifier.js';
import { useTestDatabase } from '../../helpers/database.js';

const db = useTestDatabase();
let counter = 0;

type Columns = TableDefinition['columns'];

async function physical(definition: TableDefinition) {
  const { rows } = await db.pool.query<{ oid: string; relfilenode: string; rows: string }>(
    `SELECT c.oid::text, c.relfilenode::text, (SELECT count(*) FROM ${quoteQualified(definition)})::text AS rows
       FROM pg_class c WHERE c.oid = $1::regclass`,
    [quoteQualified(definition)],
  );
  return rows[0];
}

/** Creates `before` with 500 rows, migrates to `after`, checks no rewrite happened and nothing is left to do. */
async function migrate(before: TableDefinition, after: TableDefinition, expected: MigrationStepAction[], seed?: string) {
  const created = await planTable(db.pool, before);
  await applyInPlaceMigration(db.pool, created.plan.steps);
  const table = quoteQualified(before);
  await db.pool.query(seed ?? `INSERT INTO ${table} (id) SELECT g FROM generate_series(1, 500) g`);
  const start = await physical(before);

  const { plan } = await planTable(db.pool, after);
  expect(plan.kind).toBe('in-place');
  expect(plan.steps.map((step) => step.action)).toEqual(expected);
  const events: MigrationStepEvent[] = [];
  const applied = await applyInPlaceMigration(db.pool, plan.steps, { onStep: (event) => events.push(event) });
  expect(applied.steps.map((step) => step.attempts)).toEqual(expected.map(() => 1));
  expect(events.filter((event) => event.type === 'done')).toHaveLength(expected.length);

  expect(await physical(after)).toEqual(start);
  const again = await planTable(db.pool, after);
  expect(again.plan).toEqual({ kind: 'none', steps: [], reasons: [] });
  return { plan, live: again.live };
}

function table(columns: Columns, indexes?: TableDefinition['indexes']): TableDefinition {
  counter += 1;
  return { schema: 'public', name: `t${counter}`, columns, ...(indexes ? { indexes } : {}) };
}

const id = { name: 'id', type: 'int', primaryKey: true } as const;

describe('in-place migrations', () => {
  it('adds a nullable column; existing rows read NULL', async () => {
    const before = table([id, { name: 'a', type: 'text' }]);
    const { live } = await migrate(before, { ...before, columns: [...before.columns, { name: 'added', type: 'jsonb' }] }, ['alter-table']);
    expect(live?.columns.map((c) => c.name)).toEqual(['id', 'a', 'added']);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM ${quoteQualified(before)} WHERE added IS NULL`);
    expect(rows[0].n).toBe(500);
  });

  it('adds columns anywhere in the definition by appending them (order never matters)', async () => {
    const before = table([id, { name: 'b', type: 'text' }]);
    const { live } = await migrate(before, { ...before, columns: [{ name: 'first', type: 'int' }, id, { name: 'middle', type: 'text' }, { name: 'b', type: 'text' }] }, [
      'alter-table',
    ]);
    expect(live?.columns.map((c) => c.name)).toEqual(['id', 'b', 'first', 'middle']);
  });

  it('drops a column and NOT NULL', async () => {
    const before = table([id, { name: 'gone', type: 'text' }, { name: 'req', type: 'int', nullable: false }]);
    const { live } = await migrate(before, { ...before, columns: [id, { name: 'req', type: 'int' }] }, ['alter-table'], `INSERT INTO ${quoteQualified(before)} (id, req) SELECT g, g FROM generate_series(1, 500) g`);
    expect(live?.columns.map((c) => [c.name, c.notNull])).toEqual([['id', true], ['req', false]]);
  });

  it('widens types without a rewrite: varchar, varchar → text, numeric precision, timestamp precision', async () => {
    const before = table(
      [id, { name: 'v', type: 'varchar(10)' }, { name: 't', type: 'varchar(10)' }, { name: 'n', type: 'numeric(10,2)' }, { name: 'u', type: 'numeric(10,2)' }, { name: 'ts', type: 'timestamptz(3)' }],
      [{ columns: ['v'] }, { columns: ['n'] }],
    );
    const after = {
      ...before,
      columns: [id, { name: 'v', type: 'varchar(20)' }, { name: 't', type: 'text' }, { name: 'n', type: 'numeric(14,2)' }, { name: 'u', type: 'numeric' }, { name: 'ts', type: 'timestamptz' }],
    };
    const { plan, live } = await migrate(before, after, ['alter-table']);
    expect(plan.steps[0]?.label).toContain('change column "v" from character varying(10) to character varying(20)');
    expect(live?.columns.map((c) => c.type)).toEqual(['integer', 'character varying(20)', 'text', 'numeric(14,2)', 'numeric', 'timestamp with time zone']);
  });

  it('keeps the indexes of a widened column (no index rebuild)', async () => {
    const before = table([id, { name: 'v', type: 'varchar(10)' }], [{ columns: ['v'], name: 'by_v' }]);
    const created = await planTable(db.pool, before);
    await applyInPlaceMigration(db.pool, created.plan.steps);
    const file = async () => (await db.pool.query(`SELECT relfilenode::text AS f FROM pg_class WHERE relname = 'by_v'`)).rows[0].f as string;
    const start = await file();
    const { plan } = await planTable(db.pool, { ...before, columns: [id, { name: 'v', type: 'text' }] });
    await applyInPlaceMigration(db.pool, plan.steps);
    expect(await file()).toBe(start);
  });

  it('adds and drops indexes concurrently', async () => {
    const before = table([id, { name: 'a', type: 'int' }, { name: 'tags', type: 'text[]' }], [{ columns: ['a'] }]);
    const { live } = await migrate(before, { ...before, indexes: [{ columns: ['tags'], using: 'gin' }, { columns: ['a'], where: 'a > 10', include: ['id'] }] }, [
      'drop-index',
      'create-index',
      'create-index',
    ]);
    expect(live?.indexes.filter((index) => index.constraint === null).map((index) => [index.method, index.predicate, index.include])).toEqual(
      expect.arrayContaining([
        ['gin', null, []],
        ['btree', '(a > 10)', ['id']],
      ]),
    );
  });

  it('adds a unique constraint through a concurrent unique index', async () => {
    const before = table([id, { name: 'code', type: 'text' }]);
    const { live } = await migrate(before, { ...before, columns: [id, { name: 'code', type: 'text', unique: true }] }, ['create-unique-index', 'add-unique-constraint'], `INSERT INTO ${quoteQualified(before)} SELECT g, 'c' || g FROM generate_series(1, 500) g`);
    expect(live?.uniqueConstraints).toEqual([{ name: `${before.name}_code_key`, columns: ['code'], indexName: `${before.name}_code_key` }]);
  });

  it('drops a unique constraint and the primary key', async () => {
    const before = table([id, { name: 'code', type: 'text', unique: true }]);
    const { live } = await migrate(before, { ...before, columns: [{ name: 'id', type: 'int' }, { name: 'code', type: 'text' }] }, ['alter-table']);
    expect(live?.primaryKey).toBeNull();
    expect(live?.uniqueConstraints).toEqual([]);
    expect(live?.columns.map((c) => c.notNull)).toEqual([false, false]);
  });

  it('renames an index to the name a definition gives', async () => {
    const before = table([id, { name: 'a', type: 'int' }], [{ columns: ['a'] }]);
    const { live } = await migrate(before, { ...before, indexes: [{ columns: ['a'], name: 'by_a_named' }] }, ['rename-index']);
    expect(live?.indexes.map((index) => index.name)).toContain('by_a_named');
  });

  it('makes a stored generated column plain, keeping its values', async () => {
    const name = `t${++counter}`;
    await db.pool.query(`CREATE TABLE ${name} (id int PRIMARY KEY, g int GENERATED ALWAYS AS (id * 2) STORED); INSERT INTO ${name} (id) SELECT generate_series(1, 500)`);
    const definition: TableDefinition = { schema: 'public', name, columns: [id, { name: 'g', type: 'int' }] };
    const start = await physical(definition);
    const { plan } = await planTable(db.pool, definition);
    expect(plan.steps.map((step) => step.label)).toEqual(['make generated column "g" a plain column']);
    await applyInPlaceMigration(db.pool, plan.steps);
    expect(await physical(definition)).toEqual(start);
    expect((await db.pool.query(`SELECT sum(g)::int AS s FROM ${name}`)).rows[0].s).toBe(500 * 501);
    expect((await planTable(db.pool, definition)).plan.kind).toBe('none');
  });

  it('adds a NOT NULL column in place when the table is empty', async () => {
    const before = table([id]);
    const created = await planTable(db.pool, before);
    await applyInPlaceMigration(db.pool, created.plan.steps);
    const after = { ...before, columns: [id, { name: 'req', type: 'text', nullable: false }] };
    const { plan } = await planTable(db.pool, after);
    expect(plan.kind).toBe('in-place');
    await applyInPlaceMigration(db.pool, plan.steps);
    const live = await readLiveTable(db.pool, after);
    expect(live?.columns.map((c) => [c.name, c.notNull])).toEqual([['id', true], ['req', true]]);
  });
});
