/**
 * Failure modes of the ingest engine itself (the COPY, schema and swap layers have their own). Every
 * error that concerns a batch says which one in `details.batch`; row errors add `details.row` (1-based
 * within the batch, counting the rows of every table) and the table and column at fault.
 */
import { TemporalPgError, type TemporalPgErrorOptions } from '../../errors/temporal-pg-error.js';

/**
 * An option of `ingest` / `planIngest` is not one of the documented values (an unknown mode string,
 * a negative timeout, a `db` client that is already inside a transaction …). Not retryable.
 */
export class InvalidIngestOptionError extends TemporalPgError {
  readonly type = 'InvalidIngestOption';
  readonly nonRetryable = true;
}

/**
 * Another ingest wrote to one of the tables since this one planned (its ledger or the stored
 * high watermark changed), or holds the tables' ingest lock when `onConcurrentIngest` is `'fail'`.
 * Nothing of the batch was written. Not retryable as is: plan again (a new ingest starts from the
 * watermark the other one stored).
 */
export class ConcurrentIngestError extends TemporalPgError {
  readonly type = 'ConcurrentIngest';
  readonly nonRetryable = true;
}

/**
 * The table that stores the high watermark has a comment that is not JSON, or is JSON but not an
 * object (or its `pg-bulk-ingest` / `temporal-pg` entry is not an object). The comment is never
 * overwritten: change or remove it by hand. Not retryable.
 */
export class InvalidTableCommentError extends TemporalPgError {
  readonly type = 'InvalidTableComment';
  readonly nonRetryable = true;
}

/**
 * A batch's high watermark is not a JSON value (undefined, a function result that is not JSON, a
 * bigint, NaN, a Date, a Map, a cycle …), or a batch is not `{ highWatermark, rows, metadata? }`.
 * Nothing of the batch was written. Not retryable.
 */
export class InvalidBatchError extends TemporalPgError {
  readonly type = 'InvalidBatch';
  readonly nonRetryable = true;
}

/**
 * A row of a multi-table ingest is not a `[table, values]` pair, or names a table that is not part
 * of the ingest. Nothing of the batch was written. Not retryable.
 */
export class UnknownTableError extends TemporalPgError {
  readonly type = 'UnknownIngestTable';
  readonly nonRetryable = true;
}

/**
 * The batch source threw: the `batches` function or iterable, a batch's `rows` iterable, or a
 * high-watermark function. The original error is the `cause`; retryable unless the cause says
 * otherwise (a `nonRetryable: true` property). Nothing of the failing batch was written.
 */
export class BatchSourceError extends TemporalPgError {
  readonly type = 'BatchSourceFailed';
  readonly nonRetryable: boolean;

  constructor(message: string, options: TemporalPgErrorOptions = {}) {
    super(message, options);
    const cause = options.cause as { nonRetryable?: unknown } | null | undefined;
    this.nonRetryable = typeof cause === 'object' && cause !== null && cause.nonRetryable === true;
  }
}

/**
 * PostgreSQL refused a row while it was being loaded (the error came from the COPY: a NOT NULL
 * column without a value, a duplicate key with `upsert: 'off'`, a domain or enum check, a value only
 * the server could check). Names the table, the batch, the row and, when the server says so, the
 * column. Nothing of the batch was written. Not retryable.
 */
export class RowRejectedError extends TemporalPgError {
  readonly type = 'RowRejected';
  readonly nonRetryable = true;
}

/**
 * PostgreSQL refused the batch's rows as a whole after they were loaded: a CHECK or UNIQUE
 * constraint other than the primary key, an exclusion constraint, a value too long for a column
 * after a type change. Names the table, the batch and the constraint when the server says so.
 * Nothing of the batch was written. Not retryable.
 */
export class BatchRejectedError extends TemporalPgError {
  readonly type = 'BatchRejected';
  readonly nonRetryable = true;
}

/**
 * A rebuild keeps the existing rows by copying them into the new table with PostgreSQL's
 * assignment casts, and a changed column type has no such cast (`text` → `integer`) or a value
 * does not convert (`'abc'` → `integer`). Names the column(s). Use `delete: 'before-first-batch'`
 * to start the table afresh instead. Not retryable.
 */
export class IncompatibleTypeChangeError extends TemporalPgError {
  readonly type = 'IncompatibleTypeChange';
  readonly nonRetryable = true;
}

/**
 * A table the ingest writes to changed shape behind its back between two batches (a column of the
 * definition is gone), or a table waiting to be swapped in is gone. Retryable: a new plan sees the
 * table as it is now.
 */
export class IngestTableChangedError extends TemporalPgError {
  readonly type = 'IngestTableChanged';
  readonly nonRetryable = false;
}

/**
 * The locks a batch needs on its tables before reading any row (to write them, or to store the
 * watermark in a comment) were held by other sessions through every attempt. Nothing was read or
 * written. Retryable.
 */
export class TableLockTimeoutError extends TemporalPgError {
  readonly type = 'TableLockTimeout';
  readonly nonRetryable = false;
}
