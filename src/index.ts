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
