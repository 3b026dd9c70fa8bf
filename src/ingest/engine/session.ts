/**
 * The connection a step runs on, and what it does with it: borrow it from a pool (or use the
 * caller's client), cancel its statement when the signal aborts, run a transaction, take the
 * ingest's advisory locks and its table locks without queueing readers behind them for long.
 */
import type pg from 'pg';
import { checkOut } from '../../db/check-out.js';
import { cancelBackendStatement } from '../../db/control-connection.js';
import { isPool, queryOne, queryRows, type Queryable } from '../../db/queryable.js';
import { isConnectionError, isPostgresError } from '../../errors/postgres-error.js';
import { acquireAdvisoryLock } from '../../locks/advisory-acquire.js';
import { formatAdvisoryKey, type AdvisoryKey } from '../../locks/advisory-key.js';
import { uniqueSavepointName } from '../../locks/session.js';
import { advisoryUnlockSql } from '../../locks/sql.js';
import { displayName, type QualifiedName } from '../../sql/identifier.js';
import { LOCK_RETRY_SQLSTATES, backoffDelay, pause } from '../../locks/lock-retry.js';
import { ConcurrentIngestError, InvalidIngestOptionError, TableLockTimeoutError } from './errors.js';
import { backendPidQuery, lockScript, undoLockScript } from './ingest-sql.js';
import { sortedLockKeys } from './names.js';

/**
 * Runs `fn` on one connection of `db`: a borrowed pooled one, or the client itself, which must be
 * outside a transaction. When `signal` aborts meanwhile, the session's running statement is
 * cancelled on the server and the call rejects with the signal's reason; the cancellation is
 * waited for before the connection is handed back (so it cannot hit a later statement), and a
 * pooled connection is then discarded rather than reused.
 */
export async function withSession<T>(db: Queryable, signal: AbortSignal | undefined, fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  signal?.throwIfAborted();
  const pooled = isPool(db);
  if (!pooled && typeof db.getTransactionStatus === 'function' && db.getTransactionStatus() !== 'I') {
    throw new InvalidIngestOptionError('the ingest runs its own transactions: pass a client that is not inside a transaction block (or a pool)', {
      details: { option: 'db' },
    });
  }
  const client = pooled ? await checkOut(db) : (db as pg.ClientBase);
  let broken = false;
  try {
    return await cancellable(db, client, signal, () => fn(client));
  } catch (error) {
    broken = signal?.aborted === true || isConnectionError(error) || (isPostgresError(error) && error.code.startsWith('08'));
    throw error;
  } finally {
    if (pooled) (client as pg.PoolClient).release(broken);
    else if (broken && client.getTransactionStatus() !== 'I') await client.query('ROLLBACK').catch(() => undefined);
  }
}

/**
 * Runs `fn`; if `signal` aborts meanwhile, the server is asked (from another connection) to cancel
 * the session's running statement, and the call rejects with the signal's reason. Returns only
 * once that request is done.
 */
export async function cancellable<T>(db: Queryable, client: pg.ClientBase, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  if (signal === undefined) return fn();
  signal.throwIfAborted();
  const { pid } = await queryOne<{ pid: number }>(client, backendPidQuery);
  let cancelling: Promise<void> | undefined;
  const onAbort = () => {
    cancelling = cancelBackendStatement(db, pid);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await fn();
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
    await cancelling;
  }
}

/** `BEGIN` … `COMMIT`, rolled back when `fn` throws (unless the connection is gone). */
export async function inTransaction<T>(client: pg.ClientBase, fn: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    if (!isConnectionError(error)) await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  await client.query('COMMIT');
  return result;
}

/**
 * Takes the ingest lock of every table (sorted, so overlapping ingests never deadlock), for the
 * transaction or the session. `'wait'` waits without limit; `'fail'` tries once.
 *
 * @throws ConcurrentIngestError when `'fail'` and another ingest holds one of them.
 */
export async function takeIngestLocks(
  client: pg.ClientBase,
  tables: readonly QualifiedName[],
  scope: 'transaction' | 'session',
  onBusy: 'wait' | 'fail',
): Promise<void> {
  const held: AdvisoryKey[] = [];
  try {
    for (const key of sortedLockKeys(tables)) {
      const { acquired } = await acquireAdvisoryLock(client, { key, scope, shared: false }, onBusy === 'wait' ? 0 : undefined);
      if (!acquired) {
        const names = tables.map((table) => displayName(table)).join(', ');
        throw new ConcurrentIngestError(`another ingest is writing ${tables.length === 1 ? 'table' : 'one of the tables'} ${names} (onConcurrentIngest: 'fail')`, {
          details: { tables: tables.map((table) => displayName(table)), lock: formatAdvisoryKey(key) },
        });
      }
      held.push(key);
    }
  } catch (error) {
    // Transaction locks go with the rollback; session locks would stay with the connection.
    if (scope === 'session') for (const key of held.reverse()) await queryRows(client, advisoryUnlockSql({ key, shared: false })).catch(() => undefined);
    throw error;
  }
}

/** Releases the session-level ingest locks of {@link takeIngestLocks}. */
export async function releaseIngestLocks(client: pg.ClientBase, tables: readonly QualifiedName[]): Promise<void> {
  for (const key of sortedLockKeys(tables).reverse()) {
    await queryRows(client, advisoryUnlockSql({ key, shared: false }));
  }
}

/** Settings of {@link lockWithRetries}. */
export interface LockRetry {
  /** `lock_timeout` of each attempt, in milliseconds. */
  readonly lockTimeoutMs: number;
  /** The session's own `lock_timeout`, put back after the locks (as the server prints it). */
  readonly previousLockTimeout: string;
  /** Attempts before giving up. Default 10. */
  readonly maxAttempts?: number;
  readonly signal?: AbortSignal;
  /** What the locks are for, in the error message. */
  readonly what: string;
  readonly tables: readonly string[];
}

/**
 * Runs `statements` (LOCK TABLE …) inside the caller's transaction, each attempt under
 * `lock_timeout` and a savepoint in one round trip, retried with a growing, jittered pause:
 * readers never queue behind the request for longer than one attempt. Returns the attempts made.
 *
 * @throws TableLockTimeoutError (retryable) when no attempt got the locks.
 */
export async function lockWithRetries(client: pg.ClientBase, statements: readonly string[], retry: LockRetry): Promise<number> {
  if (statements.length === 0) return 0;
  const maxAttempts = retry.maxAttempts ?? 10;
  const savepoint = uniqueSavepointName('lock');
  for (let attempt = 1; ; attempt++) {
    retry.signal?.throwIfAborted();
    try {
      await client.query(lockScript(savepoint, statements, retry.lockTimeoutMs, retry.previousLockTimeout));
      return attempt;
    } catch (error) {
      if (!isPostgresError(error) || !LOCK_RETRY_SQLSTATES.has(error.code)) throw error;
      await client.query(undoLockScript(savepoint));
      if (attempt >= maxAttempts) {
        throw new TableLockTimeoutError(
          `could not lock ${retry.tables.join(', ')} to ${retry.what} within ${retry.lockTimeoutMs} ms in ${attempt} attempts: other sessions hold conflicting locks`,
          { details: { tables: [...retry.tables], attempts: attempt, lockTimeoutMs: retry.lockTimeoutMs, sqlstate: error.code }, cause: error },
        );
      }
      await pause(backoffDelay(attempt, { initialMs: 100, maxMs: 5000 }), retry.signal);
    }
  }
}
