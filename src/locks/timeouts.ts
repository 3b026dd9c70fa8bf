/**
 * Scoped `lock_timeout` / `statement_timeout`: set for the duration of a function, then put back to
 * exactly what it was. The Python peers reset to "no timeout" on exit (`set_config(…, NULL)` means
 * 0), silently dropping a role or database default; we save the previous text value and restore it.
 */
import { queryOne, type SessionClient } from '../db/queryable.js';
import { InvalidLockArgumentError, TransactionAbortedError } from './errors.js';
import { requireClient, transactionState } from './session.js';
import { setSettingSql, swapSettingSql, type TimeoutSetting } from './sql.js';

/** Largest value PostgreSQL accepts for these settings (INT_MAX milliseconds, about 24.8 days). */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Runs `fn` with `lock_timeout` set to `ms` on `client`, then restores the previous value exactly —
 * also when `fn` throws. Nests: an inner call restores the outer call's value.
 *
 * Inside a transaction block the value is set with `SET LOCAL` semantics, so a rollback undoes it
 * as well and a commit cannot leak it; if the transaction is aborted when `fn` ends, the restore
 * is left to the rollback (which undoes the change), since an aborted transaction runs no SQL.
 *
 * @param ms maximum time one statement waits for a lock, in milliseconds; `0` means no limit
 *   (PostgreSQL's meaning). Fractions are rounded up.
 * @throws InvalidLockArgumentError for a negative or non-finite `ms` or a pool instead of a client.
 * @throws TransactionAbortedError when the client's transaction is already aborted.
 */
export function withLockTimeout<T>(client: SessionClient, ms: number, fn: (client: SessionClient) => Promise<T> | T): Promise<T> {
  return withTimeoutSetting(client, 'lock_timeout', ms, fn, 'withLockTimeout');
}

/**
 * Runs `fn` with `statement_timeout` set to `ms` on `client`, then restores the previous value
 * exactly — also when `fn` throws. Same rules as {@link withLockTimeout}.
 *
 * @param ms maximum run time of one statement, in milliseconds; `0` means no limit.
 */
export function withStatementTimeout<T>(client: SessionClient, ms: number, fn: (client: SessionClient) => Promise<T> | T): Promise<T> {
  return withTimeoutSetting(client, 'statement_timeout', ms, fn, 'withStatementTimeout');
}

/** Validates a timeout in milliseconds and returns it as a whole number. */
export function timeoutMilliseconds(ms: unknown, argument: string): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || Math.ceil(ms) > MAX_TIMEOUT_MS) {
    throw new InvalidLockArgumentError(`${argument} must be a number of milliseconds between 0 and ${MAX_TIMEOUT_MS}, got ${String(ms)}`, {
      details: { argument, value: String(ms) },
    });
  }
  return Math.ceil(ms);
}

async function withTimeoutSetting<T>(
  db: SessionClient,
  name: TimeoutSetting,
  ms: number,
  fn: (client: SessionClient) => Promise<T> | T,
  functionName: string,
): Promise<T> {
  const client = requireClient(db, functionName, `${name} is a setting of one session`);
  const value = `${timeoutMilliseconds(ms, 'ms')}ms`;
  const state = await transactionState(client);
  if (state === 'aborted') {
    throw new TransactionAbortedError(`${functionName}: the client's transaction is aborted; roll it back first`, { details: { setting: name } });
  }
  const local = state === 'in-transaction';
  const { previous } = await queryOne<{ previous: string }>(client, swapSettingSql(name, value, local));

  const restore = async () => {
    // A SET LOCAL ends with its transaction: nothing to undo once it ended, and an aborted one runs
    // no SQL but its rollback undoes the change.
    if (local && (await transactionState(client)) !== 'in-transaction') return;
    await queryOne(client, setSettingSql(name, previous, local));
  };

  let result: T;
  try {
    result = await fn(client);
  } catch (error) {
    // The body's error wins. A restore that fails here has hit an aborted transaction (whose
    // rollback undoes the change) or a dead connection (the setting died with it).
    await restore().catch(() => undefined);
    throw error;
  }
  await restore();
  return result;
}
