/**
 * The failure modes of the built-in sources, one class each. `type` is the stable name an activity
 * failure carries; `details` is plain JSON naming the source and, where there is one, the file and
 * line, or the database, table and column. Line numbers count physical lines from 1 (a CSV header is
 * line 1).
 */
import { TemporalPgError } from '../errors/temporal-pg-error.js';

/**
 * The `args` of a source (JSON from a workflow input) are not what the source accepts: not an
 * object, a required field missing, a field of the wrong type or out of range, an unknown field (a
 * typo), or a directory outside the worker's `rootDirectory`. `details.field` names the field.
 */
export class InvalidSourceArgsError extends TemporalPgError {
  readonly type = 'InvalidSourceArgs';
  readonly nonRetryable = true;
}

/**
 * The high watermark handed to a source has a shape it never produces: not a file name for the
 * file sources; not a scalar, or an array of the wrong length, for the PostgreSQL source; or a value
 * the watermark column's type rejects. Usually a watermark stored by another source or another
 * configuration of the same one; `highWatermark: 'earliest'` (or a literal) starts over.
 */
export class InvalidSourceWatermarkError extends TemporalPgError {
  readonly type = 'InvalidSourceWatermark';
  readonly nonRetryable = true;
}

/** The directory named in the args does not exist on this worker, or is not a directory. */
export class SourceDirectoryNotFoundError extends TemporalPgError {
  readonly type = 'SourceDirectoryNotFound';
  readonly nonRetryable = true;
}

/** The worker's process may not read the directory or one of its files (EACCES, EPERM). */
export class SourceAccessDeniedError extends TemporalPgError {
  readonly type = 'SourceAccessDenied';
  readonly nonRetryable = true;
}

/**
 * Reading a listed file failed for a reason a retry may cure: it vanished between the listing and
 * the read, too many open files, an I/O error. The retry lists the directory again.
 */
export class SourceFileReadError extends TemporalPgError {
  readonly type = 'SourceFileRead';
  readonly nonRetryable = false;
}

/** A `.gz` file that is not valid gzip data, or is cut short. */
export class MalformedGzipError extends TemporalPgError {
  readonly type = 'MalformedGzip';
  readonly nonRetryable = true;
}

/** Bytes that are not valid UTF-8 in a file (both file sources read UTF-8 only). */
export class InvalidUtf8Error extends TemporalPgError {
  readonly type = 'InvalidUtf8';
  readonly nonRetryable = true;
}

/**
 * A line of a newline-delimited JSON file longer than `maxLineBytes`, or a CSV record longer than
 * `maxRecordChars` (often an unterminated quote swallowing the rest of the file). The limit keeps
 * memory bounded.
 */
export class RecordTooLongError extends TemporalPgError {
  readonly type = 'RecordTooLong';
  readonly nonRetryable = true;
}

/** A line of a newline-delimited JSON file that is not valid JSON, or is JSON but not an object or array. */
export class MalformedJsonLineError extends TemporalPgError {
  readonly type = 'MalformedJsonLine';
  readonly nonRetryable = true;
}

/**
 * CSV that does not parse: a quote in an unquoted field, an unterminated quote, a record with more
 * or fewer fields than the header. `details.code` is the parser's code (`CSV_…`).
 */
export class MalformedCsvError extends TemporalPgError {
  readonly type = 'MalformedCsv';
  readonly nonRetryable = true;
}

/** A CSV header with an empty or duplicated column name, or a file with no header line at all. */
export class InvalidCsvHeaderError extends TemporalPgError {
  readonly type = 'InvalidCsvHeader';
  readonly nonRetryable = true;
}

/** A CSV field that the `coerce` rule of its column cannot convert (`"maybe"` for `boolean`, bad JSON for `json`). */
export class InvalidCsvValueError extends TemporalPgError {
  readonly type = 'InvalidCsvValue';
  readonly nonRetryable = true;
}

/** The args name a source database the worker did not register in `databases`. */
export class UnknownSourceDatabaseError extends TemporalPgError {
  readonly type = 'UnknownSourceDatabase';
  readonly nonRetryable = true;
}

/** The source database has no table, view, materialized view or foreign table of that name. */
export class SourceTableNotFoundError extends TemporalPgError {
  readonly type = 'SourceTableNotFound';
  readonly nonRetryable = true;
}

/** A column named in the args (`watermarkColumn`, `tiebreakerColumns`, `columns`) is not a column of the source table. */
export class UnknownSourceColumnError extends TemporalPgError {
  readonly type = 'UnknownSourceColumn';
  readonly nonRetryable = true;
}

/**
 * The source table has rows whose watermark or tiebreaker column is NULL. Such rows have no place
 * in the order, so they would never be read; with `nulls: 'skip'` they are left out knowingly.
 */
export class NullOrderingValueError extends TemporalPgError {
  readonly type = 'NullOrderingValue';
  readonly nonRetryable = true;
}
