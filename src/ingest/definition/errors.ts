/**
 * Errors of {@link validateDefinition}: a table definition that cannot describe a table. None of them
 * can succeed on retry. `details.table` always names the table (as far as it is known).
 */
import { TemporalPgError } from '../../errors/temporal-pg-error.js';

/** The definition is not the documented JSON shape: not an object, a field of the wrong type, or an unknown field. */
export class MalformedDefinitionError extends TemporalPgError {
  readonly type = 'MalformedTableDefinition';
  readonly nonRetryable = true;
}

/** `schema` or `name` is missing (there is no implicit default schema). */
export class MissingTableNameError extends TemporalPgError {
  readonly type = 'MissingTableName';
  readonly nonRetryable = true;
}

/** The definition lists no columns. */
export class NoColumnsError extends TemporalPgError {
  readonly type = 'TableWithoutColumns';
  readonly nonRetryable = true;
}

/** Two columns have the same name. */
export class DuplicateColumnError extends TemporalPgError {
  readonly type = 'DuplicateColumn';
  readonly nonRetryable = true;
}

/** A primary-key column is declared `nullable: true`. */
export class NullablePrimaryKeyError extends TemporalPgError {
  readonly type = 'NullablePrimaryKey';
  readonly nonRetryable = true;
}

/** An index names a key or INCLUDE column that the definition does not have. */
export class UnknownIndexColumnError extends TemporalPgError {
  readonly type = 'UnknownIndexColumn';
  readonly nonRetryable = true;
}

/** Two indexes are the same (same method, uniqueness, columns, INCLUDE and predicate), or share a name. */
export class DuplicateIndexError extends TemporalPgError {
  readonly type = 'DuplicateIndex';
  readonly nonRetryable = true;
}

/** `using` is not a plain access-method name. */
export class InvalidIndexMethodError extends TemporalPgError {
  readonly type = 'InvalidIndexMethod';
  readonly nonRetryable = true;
}
