/**
 * `withAdvisoryLock()`: run a function under an advisory lock and release it afterwards, whatever
 * the function did — including failing inside a transaction — without ever letting a cleanup error
 * replace the function's own error.
 */
import type pg from 'pg';
import { isPool, queryRows, type Queryable, type SessionClient } from '../db/queryable.js';
import { checkOut } from '../db/check-out.js';
import { advisoryKey, advisoryKeyToJson, formatAdvisoryKey, type AdvisoryKeyInput } from './advisory-key.js';
import { advisoryLock, resolveAdvisoryLockOptions, type AdvisoryLockOptions } from './advisory-lock.js';
import type { AdvisoryLockHandle } from './advisory-lock-handle.js';
import { InvalidLockArgumentError, LockNotAcquiredError, TransactionAbortedError } from './errors.js';
import { isSessionLost, requireClient, transactionState } from './session.js';
import { transactionSql } from './sql.js';

/**
 * What {@link withAdvisoryLock} does when the lock is not acquired (`wait: false`, or a bounded
 * wait that ran out):
 * - `'throw'` (default): reject with `LockNotAcquiredError`;
 * - `'skip'`: do not call the function, resolve to `undefined`;
 * - `'return'`: call the function anyway with `null` instead of a handle, and let it decide.
 */
export type AdvisoryLockFailPolicy = 'throw' | 'skip' | 'return';

/** Options of {@link withAdvisoryLock}: those of {@link advisoryLock} plus `onFail`. */
export interface WithAdvisoryLockOptions extends AdvisoryLockOptions {
  /** See {@link AdvisoryLockFailPolicy}; default `'throw'`. */
  readonly onFail?: AdvisoryLockFailPolicy;
}

/**
 * Runs `fn` while holding an advisory lock, then releases it.
 *
 * - Session scope (default): given a pool, the lock holds a connection of its own and `fn` may use
 *   any other; given a client, that client holds the lock. If `fn` fails inside the client's
 *   transaction, the transaction is rolled back to where the lock was taken so that the lock can be
 *   released (session locks survive rollbacks), then `fn`'s error is rethrown; a transaction `fn`
 *   opened itself and left aborted is rolled back.
 * - Transaction scope: given a pool, or a client outside a transaction, `fn` runs in a transaction
 *   opened for it (committed when `fn` resolves, rolled back when it throws) on `lock.client`;
 *   given a client inside a transaction, the lock joins it and lasts until that transaction ends.
 *
 * `fn`'s error always wins over a cleanup error. When `fn` succeeded but the lock turned out to have
 * been lost meanwhile (its connection died), the call rejects with `AdvisoryLockLostError`.
 *
 * ```ts
 * const report = await withAdvisoryLock(pool, ['tenant', 42], async () => rebuildIndex(), { wait: 10_000 });
 * ```
 */
export function withAdvisoryLock<T>(
  db: Queryable,
  key: AdvisoryKeyInput,
  fn: (lock: AdvisoryLockHandle) => Promise<T> | T,
  options?: WithAdvisoryLockOptions & { readonly onFail?: 'throw' },
): Promise<T>;
export function withAdvisoryLock<T>(
  db: Queryable,
  key: AdvisoryKeyInput,
  fn: (lock: AdvisoryLockHandle) => Promise<T> | T,
  options: WithAdvisoryLockOptions & { readonly onFail: 'skip' },
): Promise<T | undefined>;
export function withAdvisoryLock<T>(
  db: Queryable,
  key: AdvisoryKeyInput,
  fn: (lock: AdvisoryLockHandle | null) => Promise<T> | T,
  options: WithAdvisoryLockOptions & { readonly onFail: 'return' },
): Promise<T>;
export async function withAdvisoryLock<T>(
  db: Queryable,
  key: AdvisoryKeyInput,
  fn: (lock: AdvisoryLockHandle) => Promise<T> | T,
  options: WithAdvisoryLockOptions = {},
): Promise<T | undefined> {
  const { onFail = 'throw', ...lockOptions } = options;
  if (onFail !== 'throw' && onFail !== 'skip' && onFail !== 'return') {
    throw new InvalidLockArgumentError(`withAdvisoryLock option onFail must be 'throw', 'skip' or 'return', got ${JSON.stringify(onFail)}`, {
      details: { argument: 'onFail', value: String(onFail) },
    });
  }
  const resolved = resolveAdvisoryLockOptions(lockOptions);
  const body = fn as (lock: AdvisoryLockHandle | null) => Promise<T> | T;
  const notAcquired = (): Promise<T | undefined> | T | undefined => {
    if (onFail === 'skip') return undefined;
    if (onFail === 'return') return body(null);
    const derived = advisoryKey(key, resolved.codec);
    throw new LockNotAcquiredError(`advisory lock ${formatAdvisoryKey(derived)} is held by another session`, {
      details: { lock: 'advisory', key: advisoryKeyToJson(derived), scope: resolved.scope, shared: resolved.shared, waitMs: resolved.waitMs ?? null },
    });
  };

  if (resolved.scope === 'transaction') return inTransaction(db, (client) => underTransactionLock(client, key, lockOptions, body, notAcquired));

  const outsideTransaction = !isPool(db) && (await transactionState(requireClient(db, 'withAdvisoryLock', 'the lock is held by the given connection'))) === 'idle';
  const lock = await advisoryLock(db, key, lockOptions);
  if (!lock) return notAcquired();
  let result: T;
  try {
    result = await body(lock);
  } catch (error) {
    // The body's error wins; a release that still fails found the lock already gone with its
    // connection.
    await releaseAfterFailure(lock, outsideTransaction).catch(() => undefined);
    throw error;
  }
  await lock.release();
  return result;
}

/**
 * Releases after the body failed. A transaction the body itself opened and left aborted can
 * commit nothing: it is rolled back so that the unlock can run (otherwise the session would keep
 * the lock after the caller's rollback). One that was open before the lock is the caller's; the
 * handle rolls it back to the lock's savepoint.
 */
async function releaseAfterFailure(lock: AdvisoryLockHandle, bodyOpenedTransaction: boolean): Promise<void> {
  try {
    await lock.release();
  } catch (error) {
    if (!(error instanceof TransactionAbortedError) || !bodyOpenedTransaction) throw error;
    await queryRows(lock.client, transactionSql('ROLLBACK'));
    await lock.release();
  }
}

async function underTransactionLock<T>(
  client: SessionClient,
  key: AdvisoryKeyInput,
  options: AdvisoryLockOptions,
  body: (lock: AdvisoryLockHandle | null) => Promise<T> | T,
  notAcquired: () => Promise<T | undefined> | T | undefined,
): Promise<T | undefined> {
  const lock = await advisoryLock(client, key, options);
  if (!lock) return notAcquired();
  try {
    return await body(lock);
  } finally {
    // Only stops watching the connection: the lock itself ends with the transaction.
    await lock.release().catch(() => undefined);
  }
}

/**
 * Runs `work` inside a transaction: the caller's if `db` is a client already in one, otherwise one
 * opened here (on a pooled connection when `db` is a pool) and committed or rolled back here.
 */
async function inTransaction<T>(db: Queryable, work: (client: SessionClient) => Promise<T>): Promise<T> {
  let pooled: pg.PoolClient | undefined;
  let client: SessionClient;
  if (isPool(db)) {
    pooled = await checkOut(db);
    client = pooled;
  } else {
    client = requireClient(db, 'withAdvisoryLock', 'the transaction runs on the given connection');
  }
  const state = await transactionState(client);
  if (state === 'aborted') throw new TransactionAbortedError('withAdvisoryLock: the client is in an aborted transaction; roll it back first');
  if (state === 'in-transaction') return work(client);

  let broken = false;
  try {
    await queryRows(client, transactionSql('BEGIN'));
    const result = await work(client);
    if ((await transactionState(client)) === 'aborted') {
      // COMMIT of an aborted transaction silently rolls back; say so instead of reporting success.
      throw new TransactionAbortedError('withAdvisoryLock: the function resolved but left its transaction aborted (a statement failed); it was rolled back');
    }
    await queryRows(client, transactionSql('COMMIT'));
    return result;
  } catch (error) {
    broken = isSessionLost(error);
    if (!broken && (await transactionState(client)) !== 'idle') {
      await queryRows(client, transactionSql('ROLLBACK')).catch(() => {
        broken = true;
      });
    }
    throw error;
  } finally {
    if (pooled) {
      pooled.release(broken ? new Error('connection discarded after a failure') : undefined);
    }
  }
}

