/**
 * The swap's footing inside the caller's session: a savepoint (so a failure leaves the caller's
 * transaction exactly as it was and usable, e.g. for a retry) and an empty search_path (so every
 * definition the catalog prints is fully qualified, and every statement means the same thing
 * whatever the caller's search_path), restored afterwards.
 */
import type pg from 'pg';
import { isPostgresError } from '../../errors/postgres-error.js';
import { SwapOutsideTransactionError } from './errors.js';
import { releaseSavepoint, rollbackToSavepoint, savepoint, setSearchPath } from './swap-sql.js';

const SAVEPOINT = 'temporal_pg_swap';

/**
 * Runs `fn` in a savepoint of the caller's transaction. Outside a transaction block: throws
 * {@link SwapOutsideTransactionError} when `requireTransaction`, otherwise runs `fn` in a
 * transaction of its own that is rolled back afterwards (`fn` only reads).
 */
export async function inCatalogScope<T>(client: pg.ClientBase, requireTransaction: boolean, fn: () => Promise<T>): Promise<T> {
  let ownTransaction = false;
  try {
    await client.query(savepoint(SAVEPOINT));
  } catch (error) {
    // 25P01 no_active_sql_transaction: SAVEPOINT outside a transaction block.
    if (!isPostgresError(error) || error.code !== '25P01') throw error;
    if (requireTransaction) {
      throw new SwapOutsideTransactionError('the swap must run inside a transaction (BEGIN first, COMMIT after)', { cause: error });
    }
    await client.query('BEGIN');
    ownTransaction = true;
  }
  try {
    const { rows } = await client.query<{ search_path: string }>(`SELECT pg_catalog.current_setting('search_path') AS search_path`);
    await client.query(setSearchPath.text, ['']);
    const result = await fn();
    await client.query(setSearchPath.text, [rows[0]?.search_path ?? '']);
    await client.query(ownTransaction ? 'ROLLBACK' : releaseSavepoint(SAVEPOINT));
    return result;
  } catch (error) {
    try {
      if (ownTransaction) {
        await client.query('ROLLBACK');
      } else {
        await client.query(rollbackToSavepoint(SAVEPOINT));
        await client.query(releaseSavepoint(SAVEPOINT));
      }
    } catch {
      // The connection may be gone; the original error says why.
    }
    throw error;
  }
}
