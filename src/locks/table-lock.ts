/**
 * `lockTable()`: `LOCK TABLE` in any of PostgreSQL's eight modes, with NOWAIT or a bounded wait,
 * inside the caller's transaction (the lock lasts until it ends). A failure leaves the transaction
 * usable: the statement runs under a savepoint.
 */
import { queryRows, type SessionClient } from '../db/queryable.js';
import { quoteTableName, tableNameText, type TableName } from '../sql/table-name.js';
import { InvalidLockArgumentError, LockNotAcquiredError, NotInTransactionError, TransactionAbortedError } from './errors.js';
import { hasSqlState, requireClient, SQLSTATE, transactionState, withoutAbortingTransaction } from './session.js';
import { lockTableSql, TABLE_LOCK_MODES, type TableLockMode } from './sql.js';
import { timeoutMilliseconds, withLockTimeout } from './timeouts.js';

/** Options of {@link lockTable}. */
export interface LockTableOptions {
  /** Lock mode, spelled as in SQL; default `'ACCESS EXCLUSIVE'` (PostgreSQL's default). */
  readonly mode?: TableLockMode;
  /** Fail at once instead of waiting if any table is locked by someone else. Default `false`. */
  readonly nowait?: boolean;
  /**
   * Wait at most this many milliseconds (through `lock_timeout`, restored afterwards). Default:
   * the session's own `lock_timeout` applies; `0` means no limit. Not together with `nowait`.
   */
  readonly timeoutMs?: number;
}

/**
 * Locks `tables` in one `LOCK TABLE` statement. Must run inside a transaction block.
 *
 * @throws NotInTransactionError outside a transaction; TransactionAbortedError in an aborted one.
 * @throws LockNotAcquiredError when `nowait` or `timeoutMs` gave up (the transaction stays usable).
 * @throws InvalidLockArgumentError, InvalidIdentifierError for bad input.
 */
export async function lockTable(client: SessionClient, tables: TableName | readonly TableName[], options: LockTableOptions = {}): Promise<void> {
  const session = requireClient(client, 'lockTable', 'a table lock belongs to the transaction of one client');
  const { mode = 'ACCESS EXCLUSIVE', nowait = false, timeoutMs } = options;
  if (!TABLE_LOCK_MODES.includes(mode)) {
    throw new InvalidLockArgumentError(`lockTable mode must be one of ${TABLE_LOCK_MODES.join(', ')}; got ${JSON.stringify(mode)}`, {
      details: { argument: 'mode', value: String(mode) },
    });
  }
  if (typeof nowait !== 'boolean') {
    throw new InvalidLockArgumentError(`lockTable option nowait must be a boolean`, { details: { argument: 'nowait', value: String(nowait) } });
  }
  const waitMs = timeoutMs === undefined ? undefined : timeoutMilliseconds(timeoutMs, 'timeoutMs');
  if (nowait && waitMs !== undefined) {
    throw new InvalidLockArgumentError('lockTable: give nowait or timeoutMs, not both', { details: { argument: 'timeoutMs' } });
  }
  const list: readonly TableName[] = Array.isArray(tables) ? tables : [tables as TableName];
  if (list.length === 0) throw new InvalidLockArgumentError('lockTable needs at least one table', { details: { argument: 'tables' } });
  const statement = lockTableSql(list.map(quoteTableName), mode, nowait);

  const state = await transactionState(session);
  if (state === 'idle') throw new NotInTransactionError('lockTable must run inside a transaction block (BEGIN … COMMIT); the lock lasts until it ends');
  if (state === 'aborted') throw new TransactionAbortedError('lockTable: the transaction is aborted; roll it back first');

  try {
    await withoutAbortingTransaction(
      session,
      () => (waitMs === undefined ? queryRows(session, statement) : withLockTimeout(session, waitMs, () => queryRows(session, statement))),
      'lockTable',
    );
  } catch (error) {
    if (hasSqlState(error, SQLSTATE.lockNotAvailable)) {
      const names = list.map(tableNameText);
      throw new LockNotAcquiredError(`could not lock ${names.join(', ')} in ${mode} mode: ${nowait ? 'locked by another session (NOWAIT)' : 'lock wait timed out'}`, {
        cause: error,
        details: { lock: 'table', tables: names, mode, nowait, timeoutMs: waitMs ?? null },
      });
    }
    throw error;
  }
}
