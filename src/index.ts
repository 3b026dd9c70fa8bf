/**
 * temporal-pg — PostgreSQL operations for Temporal: bulk ingest, force-execute, locks and lock
 * introspection. This entry point is the library (no Temporal worker dependency); see
 * `temporal-pg/activities`, `temporal-pg/workflows`, `temporal-pg/client` and `temporal-pg/worker`
 * for the Temporal side.
 *
 * @module
 */
export {
  InvalidIdentifierError,
  TemporalPgError,
  isConnectionError,
  isPostgresError,
  isRetryableSqlState,
  isTemporalPgError,
  postgresErrorType,
  type PostgresErrorFields,
  type TemporalPgErrorOptions,
} from './errors/index.js';
export { MAX_IDENTIFIER_BYTES, displayName, quoteIdent, quoteQualified, type QualifiedName } from './sql/identifier.js';

// Ingest: table definitions, validation, catalog comparison and migrations.
export {
  DuplicateColumnError,
  DuplicateIndexError,
  InvalidIndexMethodError,
  MalformedDefinitionError,
  MissingTableNameError,
  NoColumnsError,
  NullablePrimaryKeyError,
  UnknownIndexColumnError,
  validateDefinition,
  type ColumnDefinition,
  type IndexDefinition,
  type TableDefinition,
} from './ingest/definition/index.js';
export {
  ColumnContainsNullsError,
  ColumnUsedByViewError,
  DefinitionRejectedError,
  DuplicateValuesError,
  InvalidColumnTypeError,
  MigrationLockTimeoutError,
  NotATableError,
  applyInPlaceMigration,
  buildRebuildStatements,
  canonicalizeDefinition,
  freshTableName,
  planMigration,
  planTable,
  readLiveTable,
  type AppliedMigration,
  type AppliedStep,
  type ApplyMigrationOptions,
  type DesiredColumn,
  type DesiredIndex,
  type DesiredTable,
  type IndexKey,
  type IndexSpec,
  type LiveColumn,
  type LiveConstraint,
  type LiveIndex,
  type LiveTable,
  type MigrationKind,
  type MigrationPlan,
  type MigrationStep,
  type MigrationStepAction,
  type MigrationStepEvent,
  type PlanOptions,
  type RebuildStatements,
  type TablePlan,
} from './ingest/schema/index.js';
export {
  DependentViewBrokenError,
  SwapBlockedError,
  SwapConcurrentChangeError,
  SwapOutsideTransactionError,
  SwapTableMissingError,
  buildSwapStatements,
  executeSwap,
  planSwap,
  type BrokenView,
  type ExecuteSwapOptions,
  type SwapObstacle,
  type SwapObstacleKind,
  type SwapPlan,
  type SwapRequest,
  type SwapResult,
  type SwapStatement,
  type SwapStep,
} from './ingest/swap/index.js';
