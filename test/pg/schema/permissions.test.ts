/**
 * What an unprivileged ingest role needs: no CREATE on the database when the schema exists (the
 * peer's `CREATE SCHEMA IF NOT EXISTS` needed it), and TEMPORARY for canonicalising definitions.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { TableDefinition } from '../../../src/ingest/definition/table-definition.js';
import { applyInPlaceMigration } from '../../../src/ingest/schema/apply-in-place-migration.js';
import { DefinitionRejectedError } from '../../../src/ingest/schema/errors.js';
import { planTable } from '../../../src/ingest/schema/plan-table.js';
import { useTestDatabase } from '../../helpers/database.js';

const db = useTestDatabase();
let pool: pg.Pool;
let role: { name: string; url: string };

const definition: TableDefinition = {
  schema: 'landing',
  name: 'events',
  columns: [{ name: 'id', type: 'bigint', primaryKey: true }, { name: 'kind', type: 'text', unique: true }],
  indexes: [{ columns: ['kind'], where: 'kind IS NOT NULL' }],
};

beforeAll(async () => {
  role = await db.createRole('ingester');
  await db.pool.query(`REVOKE CREATE ON DATABASE ${db.name} FROM "${role.name}"; REVOKE CREATE ON DATABASE ${db.name} FROM PUBLIC`);
  await db.pool.query(`CREATE SCHEMA landing; GRANT USAGE, CREATE ON SCHEMA landing TO "${role.name}"`);
  pool = db.newPool({ connectionString: role.url });
});

describe('an ingest role without CREATE on the database', () => {
  it('creates its table in an existing schema, keys and indexes included', async () => {
    await expect(pool.query('CREATE SCHEMA IF NOT EXISTS landing')).rejects.toMatchObject({ code: '42501' });
    const { plan } = await planTable(pool, definition);
    expect(plan.steps.map((step) => step.action)).toEqual(['create-table']);
    await applyInPlaceMigration(pool, plan.steps);
    expect((await planTable(pool, definition)).plan.kind).toBe('none');
  });

  it('is told clearly when it lacks the TEMPORARY privilege that canonicalising needs', async () => {
    await db.pool.query(`REVOKE TEMPORARY ON DATABASE ${db.name} FROM PUBLIC; REVOKE TEMPORARY ON DATABASE ${db.name} FROM "${role.name}"`);
    const fresh = db.newPool({ connectionString: role.url });
    try {
      const error = await planTable(fresh, definition).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DefinitionRejectedError);
      expect((error as Error).message).toContain('TEMPORARY privilege');
      expect((error as DefinitionRejectedError).details).toMatchObject({ table: 'landing.events', sqlstate: '42501' });
    } finally {
      await fresh.end();
      await db.pool.query(`GRANT TEMPORARY ON DATABASE ${db.name} TO PUBLIC`);
    }
  });
});
