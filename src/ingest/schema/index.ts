/**
 * Table shape management for the ingest engine: compare a `TableDefinition` with the live table in
 * PostgreSQL's own terms and bring the table there with the least locking.
 *
 * The ingest loop, per table:
 *
 *   const { desired, live, plan } = await planTable(pool, definition);   // reads only
 *   switch (plan.kind) {
 *     case 'none': break;
 *     case 'create':                                                       // schema (if missing) + table + indexes
 *     case 'in-place': await applyInPlaceMigration(pool, plan.steps, { lockTimeoutMs, signal }); break;
 *     case 'rebuild': {                                                    // inside the batch transaction
 *       const fresh = buildRebuildStatements(desired, live, freshTableName());
 *       // createTable → copyRows (unless deleting) → load rows → createIndexes → swap → restoreNames
 *     }
 *   }
 *
 * Every piece is plain JSON in and out, so each can be its own Temporal activity.
 *
 * @module
 */
export { canonicalizeDefinition } from './canonicalize-definition.js';
export { readLiveTable } from './read-live-table.js';
export {
  planMigration,
  type MigrationKind,
  type MigrationPlan,
  type MigrationStep,
  type MigrationStepAction,
  type PlanOptions,
} from './plan-migration.js';
export { planTable, type TablePlan } from './plan-table.js';
export {
  applyInPlaceMigration,
  type AppliedMigration,
  type AppliedStep,
  type ApplyMigrationOptions,
  type MigrationStepEvent,
} from './apply-in-place-migration.js';
export { buildRebuildStatements, freshTableName, type RebuildStatements } from './rebuild-statements.js';
export { isInPlaceTypeChange, type CatalogType } from './type-changes.js';
export {
  indexSignature,
  type DesiredColumn,
  type DesiredIndex,
  type DesiredTable,
  type IndexKey,
  type IndexSpec,
  type LiveColumn,
  type LiveConstraint,
  type LiveIndex,
  type LiveTable,
} from './table-shape.js';
export {
  ColumnContainsNullsError,
  ColumnUsedByViewError,
  DefinitionRejectedError,
  DuplicateValuesError,
  InvalidColumnTypeError,
  MigrationLockTimeoutError,
  NotATableError,
} from './errors.js';
