/**
 * Server errors met while a batch loads, turned into typed errors that name the batch, the table
 * and (for errors raised inside COPY, whose context reads `COPY t, line N[, column c]`) the row and
 * column. Errors worth retrying (lock timeouts, cancellation, lost connections) pass unchanged so
 * callers can classify them by SQLSTATE.
 */
import { isPostgresError } from '../../errors/postgres-error.js';
import { BatchRejectedError, IncompatibleTypeChangeError, RowRejectedError } from './errors.js';

/** SQLSTATE classes of errors about the data itself: 22 data exception, 23 integrity constraint violation. */
function isDataError(code: string): boolean {
  return code.startsWith('22') || code.startsWith('23');
}

/** Line (1-based, one per row in both formats) and column of a COPY error context, if it is one. */
export function copyErrorPosition(where: string | undefined): { line: number; column: string | null } | null {
  if (where === undefined) return null;
  const match = /COPY [^\n]*?, line (\d+)(?:, column ((?:[^:\n])+))?/.exec(where);
  if (!match) return null;
  return { line: Number(match[1]), column: match[2] ?? null };
}

/** Where a failing statement of a batch ran. */
export interface LoadContext {
  /** The user's table (`schema.name`), even when the rows went into a staging or fresh table. */
  readonly table: string;
  readonly batch: number;
  /** The batch row a COPY line stands for (the lines of one COPY statement count from 1). */
  readonly rowOfLine?: (line: number) => number | null;
}

/** A data error raised by a COPY or by applying the staged rows becomes a typed error; anything else is returned as is. */
export function mapLoadError(error: unknown, context: LoadContext): unknown {
  if (!isPostgresError(error) || !isDataError(error.code)) return error;
  const details: Record<string, unknown> = { table: context.table, batch: context.batch, sqlstate: error.code, serverMessage: error.message };
  if (error.detail !== undefined) details.serverDetail = error.detail;
  if (error.constraint !== undefined) details.constraint = error.constraint;
  const position = copyErrorPosition(error.where);
  const column = position?.column ?? error.column ?? null;
  if (column !== null) details.column = column;
  if (position !== null) {
    const row = context.rowOfLine?.(position.line) ?? null;
    if (row !== null) details.row = row;
    const rowText = row === null ? `a row (line ${position.line} of a COPY)` : `row ${row}`;
    return new RowRejectedError(
      `PostgreSQL rejected ${rowText} of batch ${context.batch} for table ${context.table}${column === null ? '' : `, column ${JSON.stringify(column)}`}: ${error.message}`,
      { details, cause: error },
    );
  }
  return new BatchRejectedError(
    `PostgreSQL rejected batch ${context.batch} for table ${context.table}${error.constraint === undefined ? '' : ` (constraint ${JSON.stringify(error.constraint)})`}: ${error.message}`,
    { details, cause: error },
  );
}

/** A changed column of a rebuild: what the copy of the old rows converts. */
export interface TypeChange {
  readonly column: string;
  readonly from: string;
  readonly to: string;
}

/**
 * A failure of the copy of old rows into a rebuilt table: a changed column without an assignment
 * cast (42804, named by the server) or a value that does not convert (class 22) becomes
 * {@link IncompatibleTypeChangeError} naming the column; anything else is returned as is.
 */
export function mapRowCopyError(error: unknown, table: string, changes: readonly TypeChange[]): unknown {
  if (!isPostgresError(error) || (error.code !== '42804' && !error.code.startsWith('22'))) return error;
  const named = /column "((?:[^"]|"")+)" is of type/.exec(error.message)?.[1]?.replaceAll('""', '"');
  const culprits = named === undefined ? changes : changes.filter((change) => change.column === named);
  const list = (culprits.length > 0 ? culprits : changes).map((change) => `${JSON.stringify(change.column)} (${change.from} → ${change.to})`).join(', ');
  return new IncompatibleTypeChangeError(
    `table ${table}: the existing rows cannot be kept across the type change of ${list || 'a column'}: ${error.message}; ingest with delete: 'before-first-batch' to start the table afresh`,
    {
      details: {
        table,
        columns: (culprits.length > 0 ? culprits : changes).map((change) => change.column),
        changes: changes.map((change) => ({ ...change })),
        sqlstate: error.code,
        serverMessage: error.message,
      },
      cause: error,
    },
  );
}
