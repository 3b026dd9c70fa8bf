/**
 * Errors of canonicalisation, catalog reading, planning and in-place migration. `details.table`
 * always names the table; `column` or `index` is added where one is at fault.
 */
import { TemporalPgError } from '../../errors/temporal-pg-error.js';

/**
 * A column's `type` is not exactly one PostgreSQL type name: a syntax error (`int); DROP …`), a name
 * that resolves to no type (`serial`, a missing extension's type), a pseudo-type (`record`) or a
 * shell type. Thrown while canonicalising, before anything is created.
 */
export class InvalidColumnTypeError extends TemporalPgError {
  readonly type = 'InvalidColumnType';
  readonly nonRetryable = true;
}

/**
 * PostgreSQL refused part of the definition when it was created as a throw-away TEMP table: an index
 * method that does not exist, a type without an operator class for the index, a predicate that does
 * not parse or names an unknown column, a missing TEMPORARY privilege … `details.sqlstate` and
 * `details.serverMessage` say what the server said.
 */
export class DefinitionRejectedError extends TemporalPgError {
  readonly type = 'TableDefinitionRejected';
  readonly nonRetryable = true;
}

/** The name of the table is taken by something that is not an ordinary table (a view, a partitioned or foreign table …). */
export class NotATableError extends TemporalPgError {
  readonly type = 'NotATable';
  readonly nonRetryable = true;
}

/**
 * The definition drops a column that views or materialized views use. Neither an in-place
 * `DROP COLUMN` nor a rebuild can keep those views, so the plan stops before changing anything.
 */
export class ColumnUsedByViewError extends TemporalPgError {
  readonly type = 'ColumnUsedByView';
  readonly nonRetryable = true;
}

/**
 * The definition makes a column NOT NULL but rows hold NULL in it. Thrown by the in-place migration
 * after its validation scan; the temporary check constraint is removed again, the table is as before.
 */
export class ColumnContainsNullsError extends TemporalPgError {
  readonly type = 'ColumnContainsNulls';
  readonly nonRetryable = true;
}

/**
 * A unique constraint or unique index cannot be added because rows already repeat a value. The
 * half-built index is dropped again.
 */
export class DuplicateValuesError extends TemporalPgError {
  readonly type = 'DuplicateValues';
  readonly nonRetryable = true;
}

/**
 * A migration step could not get its lock within `lockTimeoutMs` in any of `maxAttempts` attempts
 * (long transactions keep using the table). Retryable: later, or with force-execute.
 */
export class MigrationLockTimeoutError extends TemporalPgError {
  readonly type = 'MigrationLockTimeout';
  readonly nonRetryable = false;
}
