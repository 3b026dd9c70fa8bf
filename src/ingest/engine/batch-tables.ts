/**
 * Where each table's rows go in a batch, and getting those tables ready inside the batch
 * transaction: nothing to do for a table that matches its definition; a missing table created
 * (invisible to others until the commit); a fresh table created — with the old rows unless deleting
 * — when the table must be rebuilt, emptied, or kept out of sight until the end of the ingest.
 */
import type pg from 'pg';
import { displayName, type QualifiedName } from '../../sql/identifier.js';
import type { TableDefinition } from '../definition/table-definition.js';
import * as ddl from '../schema/ddl.js';
import type { MigrationKind } from '../schema/plan-migration.js';
import { buildRebuildStatements } from '../schema/rebuild-statements.js';
import type { TablePlan } from '../schema/plan-table.js';
import { planSwap } from '../swap/plan.js';
import { freshTableMarker } from './comment.js';
import { IngestTableChangedError } from './errors.js';
import { commentOnTable, dropTable, lockTables, type RelationFacts } from './ingest-sql.js';
import type { TableNow } from './ledger.js';
import { mapRowCopyError, type TypeChange } from './server-errors.js';
import type { ResolvedIngestOptions } from './types.js';

/**
 * - `direct`: into the table readers use (it matches its definition, possibly after in-place steps);
 * - `create`: into the table, created now (it did not exist);
 * - `fresh-new`: into a fresh table created now, swapped in later;
 * - `fresh-pending`: into this ingest's fresh table, created by an earlier batch.
 */
export type Route = 'direct' | 'create' | 'fresh-new' | 'fresh-pending';

/** One table of the batch, ready for its rows. */
export interface BatchTable {
  readonly index: number;
  readonly definition: TableDefinition;
  readonly target: QualifiedName;
  readonly display: string;
  readonly route: Route;
  /** Where the rows go: the target, or its fresh table. */
  readonly into: QualifiedName;
  /** What the batch saw of `into` before its DDL; `null` when `into` was created by the batch. */
  readonly intoFacts: RelationFacts | null;
  /** Whether `into` held no row when the batch started (rows can then be inserted without looking for matches). */
  readonly empty: boolean;
  /** Statements run after the load: secondary indexes of a table created in this batch. */
  readonly afterLoad: readonly string[];
  /** DDL run for this table in this batch (for the report). */
  readonly statements: readonly string[];
  /** The migration this batch made (`none` when the table only received rows). */
  readonly migration: MigrationKind;
}

/** The route of table `index` in batch `batch`. `tablePlan` is only needed (and only given) for the first batch. */
export function routeOf(index: number, batch: number, pending: readonly number[], tablePlan: TablePlan | undefined, options: ResolvedIngestOptions): Route {
  if (pending.includes(index)) return 'fresh-pending';
  if (batch > 1 || tablePlan === undefined) return 'direct';
  if (tablePlan.live === null) return options.visibility === 'end-of-ingest' ? 'fresh-new' : 'create';
  if (tablePlan.plan.kind === 'rebuild' || options.delete === 'before-first-batch' || options.visibility === 'end-of-ingest') return 'fresh-new';
  return 'direct';
}

/**
 * The LOCK TABLE statements of a batch, taken before any row is read: ROW EXCLUSIVE on tables
 * written in place, SHARE UPDATE EXCLUSIVE on the table whose comment takes the watermark, ACCESS
 * SHARE on tables whose rows are copied into a fresh one.
 */
export function lockStatements(routes: readonly Route[], now: readonly TableNow[], options: ResolvedIngestOptions): string[] {
  const write: QualifiedName[] = [];
  const read: QualifiedName[] = [];
  routes.forEach((route, i) => {
    const table = now[i] as TableNow;
    if (table.targetFacts.oid === null) return;
    if (route === 'direct') write.push(table.target);
    if (route === 'fresh-new' && options.delete === 'off') read.push(table.target);
  });
  const statements: string[] = [];
  if (write.length > 0) statements.push(lockTables(write, 'ROW EXCLUSIVE'));
  if (routes[0] === 'direct' && (now[0] as TableNow).targetFacts.oid !== null) statements.push(lockTables([(now[0] as TableNow).target], 'SHARE UPDATE EXCLUSIVE'));
  if (read.length > 0) statements.push(lockTables(read, 'ACCESS SHARE'));
  return statements;
}

/** What {@link prepareTables} needs. */
export interface PrepareInput {
  readonly client: pg.ClientBase;
  readonly ingestId: string;
  readonly batch: number;
  readonly definitions: readonly TableDefinition[];
  readonly routes: readonly Route[];
  readonly now: readonly TableNow[];
  /** Only for the first batch. */
  readonly tablePlans: readonly TablePlan[] | undefined;
  readonly options: ResolvedIngestOptions;
}

/**
 * Runs the DDL of the batch in its transaction — drops leftover fresh tables of crashed ingests,
 * creates missing schemas and tables, builds fresh tables — and says where each table's rows go.
 *
 * @throws IngestTableChangedError when a table the routes rely on appeared or vanished since;
 *   IncompatibleTypeChangeError when old rows cannot be kept across a type change; the swap
 *   module's errors when the table has something a swap could not carry (checked before loading).
 */
export async function prepareTables(input: PrepareInput): Promise<BatchTable[]> {
  const { client, routes, now, definitions } = input;
  const createdSchemas = new Set<string>();
  const prepared: BatchTable[] = [];
  for (const [index, definition] of definitions.entries()) {
    const route = routes[index] as Route;
    const table = now[index] as TableNow;
    const display = displayName(table.target);
    const statements: string[] = [];
    const run = async (statement: string) => {
      statements.push(statement);
      await client.query(statement);
    };
    const base = { index, definition, target: table.target, display, route };

    if (input.batch === 1 && route !== 'fresh-new' && route !== 'fresh-pending' && table.freshFacts.oid !== null) {
      await client.query(dropTable(table.fresh)); // a crashed ingest's leftover
    }
    if (route === 'direct' || route === 'fresh-pending') {
      const into = route === 'direct' ? table.target : table.fresh;
      const facts = route === 'direct' ? table.targetFacts : table.freshFacts;
      if (facts.oid === null) {
        throw new IngestTableChangedError(`table ${route === 'direct' ? display : `${display} (its fresh table ${table.fresh.name})`} is gone; plan the ingest again`, {
          details: { table: display, batch: input.batch },
        });
      }
      prepared.push({ ...base, into, intoFacts: facts, empty: false, afterLoad: [], statements, migration: 'none' });
      continue;
    }

    const tablePlan = input.tablePlans?.[index] as TablePlan;
    const { desired, live } = tablePlan;
    if ((live === null) !== (table.targetFacts.oid === null)) {
      throw new IngestTableChangedError(`table ${display} was ${live === null ? 'created' : 'dropped'} by someone else since the batch planned; plan the ingest again`, {
        details: { table: display, batch: input.batch },
      });
    }
    const schemaStep = tablePlan.plan.steps.find((step) => step.action === 'create-schema');
    if (schemaStep !== undefined && !createdSchemas.has(desired.schema)) {
      createdSchemas.add(desired.schema);
      for (const statement of schemaStep.statements) await run(statement);
    }
    // An empty table filled through the staging table gets its keys after the load: the staged
    // rows have unique keys already, and one sorted index build beats row-by-row maintenance.
    const deferKeys = input.options.upsert === 'if-primary-key' && desired.primaryKey !== null;
    if (route === 'create') {
      await run(ddl.createTable(table.target, desired, {}, !deferKeys));
      const keys = deferKeys ? ddl.addKeys(table.target, desired) : null;
      const afterLoad = [...(keys === null ? [] : [keys]), ...desired.indexes.map((index) => ddl.createIndex(table.target, index, index.name))];
      prepared.push({ ...base, into: table.target, intoFacts: null, empty: true, afterLoad, statements: [...statements, ...afterLoad], migration: 'create' });
      continue;
    }

    // fresh-new
    const rebuild = buildRebuildStatements(desired, live, table.fresh.name);
    const keepRows = live !== null && input.options.delete === 'off' && rebuild.copyRows !== null;
    const keysLater = deferKeys && !keepRows && rebuild.addKeys !== null;
    if (table.freshFacts.oid !== null) await client.query(dropTable(table.fresh));
    await run(keysLater ? rebuild.createTableWithoutKeys : rebuild.createTable);
    if (index > 0) await client.query(commentOnTable(table.fresh, freshTableMarker(input.ingestId, input.batch)));
    // Before any row is loaded: fail now on what the swap could not carry (foreign keys, a view using a dropped column …).
    if (live !== null) await planSwap(client, { target: table.target, replacement: table.fresh, tableComment: index === 0 ? 'replacement' : 'target' });
    if (keepRows && rebuild.copyRows !== null) {
      statements.push(rebuild.copyRows);
      try {
        await client.query(rebuild.copyRows);
      } catch (error) {
        throw mapRowCopyError(error, display, typeChanges(tablePlan));
      }
    }
    const migration: MigrationKind = live === null ? 'create' : tablePlan.plan.kind;
    const afterLoad = [...(keysLater && rebuild.addKeys !== null ? [rebuild.addKeys] : []), ...rebuild.createIndexes];
    prepared.push({ ...base, into: table.fresh, intoFacts: null, empty: !keepRows, afterLoad, statements: [...statements, ...afterLoad], migration });
  }
  return prepared;
}

function typeChanges(tablePlan: TablePlan): TypeChange[] {
  const live = new Map((tablePlan.live?.columns ?? []).map((column) => [column.name, column]));
  return tablePlan.desired.columns.flatMap((column) => {
    const before = live.get(column.name);
    return before !== undefined && (before.typeOid !== column.typeOid || before.typmod !== column.typmod) ? [{ column: column.name, from: before.type, to: column.type }] : [];
  });
}
