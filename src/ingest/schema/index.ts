export { canonicalizeDefinition } from './canonicalize-definition.js';
export { readLiveTable, type Queryable } from './read-live-table.js';
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
