/**
 * From a definition and a connection to "what to do": canonicalise the definition, read the live
 * table, gather the few facts the planner needs (does the schema exist, does the table have rows,
 * which index names are free) and plan. Nothing is changed.
 */
import type pg from 'pg';
import { checkOut } from '../../db/check-out.js';
import type { TableDefinition } from '../definition/table-definition.js';
import { schemaExists, takenRelationNames } from './catalog-sql.js';
import { canonicalizeDefinition } from './canonicalize-definition.js';
import { hasRows } from './ddl.js';
import { planMigration, type MigrationPlan, type PlanOptions } from './plan-migration.js';
import { readLiveTable } from './read-live-table.js';
import type { DesiredTable, LiveTable } from './table-shape.js';

/** The result of {@link planTable}. Plain JSON. */
export interface TablePlan {
  /** The definition, canonicalised by the server. */
  readonly desired: DesiredTable;
  /** The live table before any change, or `null` when it does not exist. */
  readonly live: LiveTable | null;
  /** What to do: `none`, `create`/`in-place` (run `plan.steps` with `applyInPlaceMigration`), or `rebuild` (use `buildRebuildStatements`). */
  readonly plan: MigrationPlan;
}

/**
 * Plans the migration of one table. `db` may be a pool (one connection is borrowed for the duration)
 * or a client (used as is; it may be inside a transaction, the canonicalisation then runs behind a
 * savepoint). Reads catalogs only, plus `SELECT EXISTS (SELECT FROM table)` when a NOT NULL column is
 * to be added (on an empty table that is done in place).
 *
 * Throws what `canonicalizeDefinition`, `readLiveTable` and `planMigration` throw.
 */
export async function planTable(db: pg.Pool | pg.ClientBase, definition: TableDefinition): Promise<TablePlan> {
  const pooled = isPool(db);
  const client = pooled ? await checkOut(db) : db;
  try {
    const desired = await canonicalizeDefinition(client, definition);
    const live = await readLiveTable(client, desired);
    const options: { -readonly [K in keyof PlanOptions]: PlanOptions[K] } = {};
    if (live === null) {
      const { text, values } = schemaExists(desired.schema);
      const { rows } = await client.query<{ exists: boolean }>(text, [...values]);
      options.schemaExists = rows[0]?.exists === true;
    } else if (addsNotNullColumn(desired, live)) {
      const { rows } = await client.query<{ hasRows: boolean }>(hasRows(live));
      options.hasRows = rows[0]?.hasRows === true;
    }
    let plan = planMigration(desired, live, options);
    const created = plan.steps.flatMap((step) => (step.action === 'create-index' || step.action === 'create-unique-index') && step.index !== null ? [step.index] : []);
    if (live !== null && created.length > 0) {
      // New index names must be free in the whole schema, not only among this table's indexes.
      const own = new Set(live.indexes.map((index) => index.name));
      const { text, values } = takenRelationNames(desired.schema, created);
      const { rows } = await client.query<{ name: string }>(text, [...values]);
      const clashes = rows.map((row) => row.name).filter((name) => !own.has(name));
      if (clashes.length > 0) plan = planMigration(desired, live, { ...options, takenNames: clashes });
    }
    return { desired, live, plan };
  } finally {
    if (pooled) (client as pg.PoolClient).release();
  }
}

function addsNotNullColumn(desired: DesiredTable, live: LiveTable): boolean {
  const existing = new Set(live.columns.map((column) => column.name));
  return desired.columns.some((column) => column.notNull && !existing.has(column.name));
}

/** Duck-typed, so that a pool from another copy of `pg` is recognised too. */
function isPool(db: pg.Pool | pg.ClientBase): db is pg.Pool {
  return typeof (db as Partial<pg.Pool>).totalCount === 'number';
}
