/**
 * NOT NULL without a long exclusive lock: CHECK (c IS NOT NULL) NOT VALID, VALIDATE under SHARE UPDATE
 * EXCLUSIVE, then SET NOT NULL that PostgreSQL proves from the check instead of scanning again.
 */
import { describe, expect, it } from 'vitest';
import type { TableDefinition } from '../../../src/ingest/definition/table-definition.js';
import { applyInPlaceMigration } from '../../../src/ingest/schema/apply-in-place-migration.js';
import { ColumnContainsNullsError } from '../../../src/ingest/schema/errors.js';
import { planTable } from '../../../src/ingest/schema/plan-table.js';
import { readLiveTable } from '../../../src/ingest/schema/read-live-table.js';
import { useTestDatabase } from '../../helpers/database.js';

const db = useTestDatabase();

const nullable: TableDefinition = { schema: 'public', name: 'people', columns: [{ name: 'id', type: 'int', primaryKey: true }, { name: 'email', type: 'text' }] };
const required: TableDefinition = { ...nullable, columns: [{ name: 'id', type: 'int', primaryKey: true }, { name: 'email', type: 'text', nullable: false }] };

async function checks(): Promise<string[]> {
  const { rows } = await db.pool.query(`SELECT conname FROM pg_constraint WHERE conrelid = 'public.people'::regclass AND contype = 'c' ORDER BY 1`);
  return rows.map((row: { conname: string }) => row.conname);
}

describe('adding NOT NULL in place', () => {
  it('fails with ColumnContainsNullsError naming the column while a row holds NULL, leaving the table as it was', async () => {
    const created = await planTable(db.pool, nullable);
    await applyInPlaceMigration(db.pool, created.plan.steps);
    await db.pool.query(`INSERT INTO people SELECT g, CASE WHEN g = 77 THEN NULL ELSE 'p' || g END FROM generate_series(1, 1000) g`);

    const { plan } = await planTable(db.pool, required);
    expect(plan.steps.map((step) => step.action)).toEqual(['alter-table', 'validate-not-null', 'set-not-null']);
    const error = await applyInPlaceMigration(db.pool, plan.steps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ColumnContainsNullsError);
    expect((error as ColumnContainsNullsError).message).toContain('column "email"');
    expect((error as ColumnContainsNullsError).details).toMatchObject({ table: 'public.people', column: 'email', sqlstate: '23514' });
    expect((error as ColumnContainsNullsError).nonRetryable).toBe(true);

    // The temporary check is gone: NULLs can still be written, the column is still nullable.
    expect(await checks()).toEqual([]);
    await db.pool.query(`INSERT INTO people VALUES (5000, NULL)`);
    const live = await readLiveTable(db.pool, nullable);
    expect(live?.columns.find((c) => c.name === 'email')?.notNull).toBe(false);
  });

  it('succeeds once the NULLs are gone, without a second scan, on the same table', async () => {
    await db.pool.query(`UPDATE people SET email = 'fixed' WHERE email IS NULL`);
    const { rows: before } = await db.pool.query(`SELECT oid::text, relfilenode::text FROM pg_class WHERE oid = 'public.people'::regclass`);

    const notices: string[] = [];
    const pool = db.newPool({ options: '-c client_min_messages=debug1' });
    pool.on('connect', (client) => client.on('notice', (notice) => notices.push(notice.message ?? '')));
    try {
      const { plan } = await planTable(db.pool, required);
      await applyInPlaceMigration(pool, plan.steps);
    } finally {
      await pool.end();
    }
    expect(notices).toContain('existing constraints on column "people.email" are sufficient to prove that it does not contain nulls');
    // One scan, by VALIDATE (under SHARE UPDATE EXCLUSIVE); SET NOT NULL then proves it from the check.
    expect(notices.filter((message) => message.startsWith('verifying table'))).toEqual(['verifying table "people"']);
    expect(notices.indexOf('verifying table "people"')).toBeLessThan(notices.findIndex((m) => m.includes('sufficient to prove')));

    const { rows: after } = await db.pool.query(`SELECT oid::text, relfilenode::text FROM pg_class WHERE oid = 'public.people'::regclass`);
    expect(after).toEqual(before);
    expect(await checks()).toEqual([]);
    expect((await readLiveTable(db.pool, required))?.columns.map((c) => c.notNull)).toEqual([true, true]);
    expect((await planTable(db.pool, required)).plan.kind).toBe('none');
  });

  it('removes the temporary check of an interrupted migration when NOT NULL is no longer wanted', async () => {
    const definition: TableDefinition = { schema: 'public', name: 'half', columns: [{ name: 'a', type: 'int' }] };
    const created = await planTable(db.pool, definition);
    await applyInPlaceMigration(db.pool, created.plan.steps);
    const { plan } = await planTable(db.pool, { ...definition, columns: [{ name: 'a', type: 'int', nullable: false }] });
    await applyInPlaceMigration(db.pool, plan.steps.slice(0, 1)); // the run "crashed" after its first step
    expect((await readLiveTable(db.pool, definition))?.checks).toHaveLength(1);

    const back = await planTable(db.pool, definition);
    expect(back.plan.reasons).toEqual([expect.stringMatching(/^drop leftover check constraint "temporal_pg_not_null_/)]);
    await applyInPlaceMigration(db.pool, back.plan.steps);
    expect((await readLiveTable(db.pool, definition))?.checks).toEqual([]);
    expect((await planTable(db.pool, definition)).plan.kind).toBe('none');
  });
});
