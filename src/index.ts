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
export type { Queryable, SessionClient } from './db/queryable.js';
export {
  ADVISORY_KEY_CODECS,
  advisoryKey,
  type AdvisoryKey,
  type AdvisoryKeyCodec,
  type AdvisoryKeyInput,
  type AdvisoryKeyJson,
  type Int32PairAdvisoryKey,
  type Int64AdvisoryKey,
  type JsonValue,
} from './locks/advisory-key.js';
export { advisoryLock, isAdvisoryLocked, type AdvisoryLockOptions } from './locks/advisory-lock.js';
export { AdvisoryLockHandle, type AdvisoryLockEvents, type AdvisoryLockState } from './locks/advisory-lock-handle.js';
export { withAdvisoryLock, type AdvisoryLockFailPolicy, type WithAdvisoryLockOptions } from './locks/with-advisory-lock.js';
export { lockTable, type LockTableOptions } from './locks/table-lock.js';
export { quoteTableName, type TableName } from './sql/table-name.js';
export { TABLE_LOCK_MODES, type AdvisoryLockScope, type TableLockMode } from './locks/sql.js';
export { MAX_TIMEOUT_MS, withLockTimeout, withStatementTimeout } from './locks/timeouts.js';
export {
  AdvisoryLockLostError,
  AdvisoryLockReleasedError,
  InvalidAdvisoryKeyError,
  InvalidLockArgumentError,
  LockNotAcquiredError,
  NotInTransactionError,
  PrioritizeWatcherError,
  SignalPermissionDeniedError,
  TransactionAbortedError,
} from './locks/errors.js';
export { listLocks } from './introspection/list-locks.js';
export { listBlocked } from './introspection/list-blocked.js';
export { listActivity } from './introspection/list-activity.js';
export { blockingTree, buildBlockingTree, type BlockingTreeOptions } from './introspection/blocking-tree.js';
export type {
  ActivityFilters,
  ActivityInfo,
  BlockedLock,
  BlockingTreeNode,
  LockFilters,
  LockInfo,
  LockTarget,
  LockType,
  SessionSummary,
} from './introspection/types.js';
export {
  cancelBackends,
  terminateBackends,
  type BackendSignal,
  type SignalResult,
  type SignalSkipReason,
} from './locks/signal-backends.js';
export {
  actOnBlockers,
  findBlockers,
  type ActOnBlockersOptions,
  type Blocker,
  type BlockerAction,
  type BlockerFilters,
  type BlockerReport,
  type FindBlockersOptions,
  type HeldLock,
} from './locks/blockers.js';
export { prioritize, type PrioritizeOptions, type PrioritizeResult } from './locks/prioritize.js';
export {
  ColumnTypeNotFoundError,
  InvalidRowError,
  InvalidValueError,
  TableNotFoundError,
  UnknownColumnError,
  UnsupportedCharacterError,
  ValueOutOfRangeError,
  WrongValueCountError,
  copyRows,
  jsonNull,
  prepareCopy,
  readCopyColumns,
  retargetCopyPlan,
  type CopyColumn,
  type CopyFormat,
  type CopyPlan,
  type CopyProgress,
  type CopyResult,
  type CopyRow,
  type CopyRowsOptions,
  type JsonNull,
  type LiveCopyColumn,
  type PlannedColumn,
  type PrepareCopyOptions,
} from './ingest/copy/index.js';

// Built-in sources: JSON-lines and CSV files from a directory, incremental PostgreSQL table reads.
export {
  BUILT_IN_SOURCE_NAMES,
  CSV_FILES_SOURCE,
  CSV_PATTERNS,
  InvalidCsvHeaderError,
  InvalidCsvValueError,
  InvalidSourceArgsError,
  InvalidSourceWatermarkError,
  InvalidUtf8Error,
  MalformedCsvError,
  MalformedGzipError,
  MalformedJsonLineError,
  NDJSON_FILES_SOURCE,
  NDJSON_PATTERNS,
  NullOrderingValueError,
  POSTGRES_TABLE_SOURCE,
  RecordTooLongError,
  SourceAccessDeniedError,
  SourceDirectoryNotFoundError,
  SourceFileReadError,
  SourceTableNotFoundError,
  UnknownSourceColumnError,
  UnknownSourceDatabaseError,
  builtInSources,
  createCsvFilesSource,
  createNdjsonFilesSource,
  createPostgresTableSource,
  csvFiles,
  ndjsonFiles,
  type BatchSource,
  type BatchWatermark,
  type BuiltInSources,
  type BuiltInSourcesOptions,
  type CsvCoercion,
  type CsvFilesArgs,
  type FileSourceOptions,
  type LargeIntegers,
  type NdjsonFilesArgs,
  type PostgresTableArgs,
  type PostgresTableSourceOptions,
  type SourceRow,
  type SourceBatch,
  type SourceContext,
  type SourceDatabases,
} from './sources/index.js';

// Force-execute: a statement that terminates (or cancels) what blocks it after a delay.
export {
  ForceExecuteWatcherError,
  forceExecute,
  forceExecuteInTransaction,
  type ForceExecuteAttempt,
  type ForceExecuteOptions,
  type ForceExecuteResult,
  type ForceExecuteStatements,
  type StatementsResult,
} from './force-execute/index.js';
export {
  FORCE_EXECUTE_ACTIVITY_DEFAULTS,
  FORCE_EXECUTE_DEFAULTS,
  type ForceExecuteActivityOptions,
  type ForceExecutePlainOptions,
  type ForceExecuteWorkflowInput,
  type ForceExecuteWorkflowResult,
  type StatementOutcome,
} from './shared/force-execute.js';
