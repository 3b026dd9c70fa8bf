/**
 * Failures of the COPY layer. Every class is one failure mode with a stable `type`; the value and
 * row errors carry the table, column, row number (1-based within the `copyRows` call) and, when
 * the caller passed it, the batch number, both in the message and in `details`.
 */
import { TemporalPgError, type TemporalPgErrorOptions } from '../../errors/temporal-pg-error.js';

/**
 * A value whose JavaScript type or syntax does not fit its column: 5.7 for an integer column,
 * `"yes"` for a boolean, `"2024-13-01"` for a date, a number for a text column. Thrown before the
 * value reaches PostgreSQL; the COPY is failed, so nothing of the call is written.
 */
export class InvalidValueError extends TemporalPgError {
  readonly type = 'InvalidValue';
  readonly nonRetryable = true;
}

/**
 * A well-formed value outside what its column can hold: an integer beyond the column's range, a
 * number with more integer digits than `numeric(p,s)` allows, a string longer than `varchar(n)`,
 * a date outside PostgreSQL's calendar range, an array with more than 6 dimensions.
 */
export class ValueOutOfRangeError extends TemporalPgError {
  readonly type = 'ValueOutOfRange';
  readonly nonRetryable = true;
}

/**
 * A string (in a text, JSON or other column) with a character PostgreSQL cannot store: the NUL
 * character (U+0000), or a lone UTF-16 surrogate (not valid Unicode, so it has no UTF-8 form).
 */
export class UnsupportedCharacterError extends TemporalPgError {
  readonly type = 'UnsupportedCharacter';
  readonly nonRetryable = true;
}

/** An array row whose number of values differs from the number of COPY columns. */
export class WrongValueCountError extends TemporalPgError {
  readonly type = 'WrongValueCount';
  readonly nonRetryable = true;
}

/** An object row with a key that names none of the COPY columns (a typo, or a column that does not exist). */
export class UnknownColumnError extends TemporalPgError {
  readonly type = 'UnknownColumn';
  readonly nonRetryable = true;
}

/** A row that is neither an array nor a plain object (`null`, a string, a `Map`, a class instance …). */
export class InvalidRowError extends TemporalPgError {
  readonly type = 'InvalidRow';
  readonly nonRetryable = true;
}

/** {@link readCopyColumns} found no table, partitioned table or foreign table of that name. */
export class TableNotFoundError extends TemporalPgError {
  readonly type = 'TableNotFound';
  readonly nonRetryable = true;
}

/**
 * A column's type OID is not in `pg_type` any more (the type was dropped after the columns were
 * read). Retrying reads the columns again, so this one is retryable.
 */
export class ColumnTypeNotFoundError extends TemporalPgError {
  readonly type = 'ColumnTypeNotFound';
  readonly nonRetryable = false;
}

export type { TemporalPgErrorOptions };
