/**
 * Small facts about one connection that several lock helpers need: is it inside a transaction
 * block, is that transaction aborted, and a savepoint name nobody else uses.
 */
import { isPool, queryRows, type Queryable, type SessionClient } from '../db/queryable.js';
import { isConnectionError, isPostgresError } from '../errors/postgres-error.js';
import { InvalidLockArgumentError, TransactionAbortedError } from './errors.js';
import { releaseSavepointSql, rollbackToSavepointSql, savepointSql } from './sql.js';

/** Transaction block state of a connection, from its last ReadyForQuery message. */
export type TransactionState = 'idle' | 'in-transaction' | 'aborted';

export async function transactionState(client: SessionClient): Promise<TransactionState> {
  // node-postgres hands a failed query's error to its caller before it has read the server's
  // ReadyForQuery, which carries the new status: right after a failure the cached status can
  // still say 'T' for a transaction that is aborted. An empty query waits for it (and is valid
  // even in an aborted transaction). A dead connection keeps the cached status.
  if ((client as { readyForQuery?: unknown }).readyForQuery !== true) await client.query('').catch(() => undefined);
  const status = client.getTransactionStatus();
  if (status === 'T') return 'in-transaction';
  if (status === 'E') return 'aborted';
  return 'idle';
}

/** Narrows `db` to one connection, or throws a typed error naming the function that needs it. */
export function requireClient(db: Queryable, functionName: string, why: string): SessionClient {
  if (isPool(db)) {
    throw new InvalidLockArgumentError(`${functionName} needs a connected client, not a pool: ${why}`, {
      details: { argument: 'client', function: functionName },
    });
  }
  if (typeof db.getTransactionStatus !== 'function') {
    throw new InvalidLockArgumentError(`${functionName} needs a node-postgres client (pg >= 8.23) that reports its transaction status`, {
      details: { argument: 'client', function: functionName },
    });
  }
  return db;
}

let savepoints = 0;

/** A savepoint name unique within this process (nested helpers never share one). */
export function uniqueSavepointName(purpose: string): string {
  savepoints = (savepoints + 1) % Number.MAX_SAFE_INTEGER;
  return `temporal_pg_${purpose}_${savepoints}`;
}

/**
 * Runs `fn` (statements that may fail on purpose) so that a failure cannot abort the caller's
 * transaction: under a savepoint when `db` is a client inside a transaction block.
 *
 * @throws TransactionAbortedError when the client's transaction is already aborted.
 */
export async function withoutAbortingTransaction<T>(db: Queryable, fn: () => Promise<T>, what: string): Promise<T> {
  if (isPool(db)) return fn();
  const state = await transactionState(db);
  if (state === 'aborted') throw new TransactionAbortedError(`${what}: the client's transaction is aborted; roll it back first`);
  if (state === 'idle') return fn();
  const savepoint = uniqueSavepointName('guard');
  await queryRows(db, savepointSql(savepoint));
  try {
    const result = await fn();
    await queryRows(db, releaseSavepointSql(savepoint));
    return result;
  } catch (error) {
    await queryRows(db, rollbackToSavepointSql(savepoint)).catch(() => undefined);
    await queryRows(db, releaseSavepointSql(savepoint)).catch(() => undefined);
    throw error;
  }
}

/** True for a server error with this SQLSTATE. */
export function hasSqlState(error: unknown, sqlstate: string): boolean {
  return isPostgresError(error) && error.code === sqlstate;
}

/**
 * True when `error` means the session is gone: a socket failure, or the server ending it
 * (terminated by an administrator, shutdown, connection exception class 08).
 */
export function isSessionLost(error: unknown): boolean {
  if (isConnectionError(error)) return true;
  return isPostgresError(error) && (error.code.startsWith('08') || ['57P01', '57P02', '57P03'].includes(error.code));
}

/** SQLSTATEs we branch on. */
export const SQLSTATE = {
  lockNotAvailable: '55P03',
  inFailedTransaction: '25P02',
  noActiveTransaction: '25P01',
  invalidSavepoint: '3B001',
  insufficientPrivilege: '42501',
  queryCanceled: '57014',
} as const;
