/**
 * `forceExecute()` and `forceExecuteInTransaction()`: run a statement that needs strong locks (an
 * `ALTER TABLE … RENAME`, a swap) and, if it is still blocked after `delayMs`, cancel or terminate
 * the sessions blocking it — pg-force-execute's job, without its flaws: short attempts with a
 * `lock_timeout` during the delay so readers are not stalled behind our queued statement, filters
 * that spare sessions, a typed error at once when a blocker may not be signalled, an abort signal,
 * and a report of every session acted on.
 */
import type pg from 'pg';
import { isPool, queryRows, type Queryable, type SessionClient } from '../db/queryable.js';
import { checkOut } from '../db/check-out.js';
import { InvalidLockArgumentError, NotInTransactionError, TransactionAbortedError } from '../locks/errors.js';
import { isSessionLost, requireClient, transactionState } from '../locks/session.js';
import { transactionSql } from '../locks/sql.js';
import { runForceExecuteAttempts, type AttemptMode, type ForceExecuteResult } from './attempts.js';
import { resolveForceExecuteOptions, type ForceExecuteOptions, type ForceExecuteSettings } from './options.js';
import { statementsWork, type ForceExecuteStatements, type StatementsResult } from './statements.js';

/**
 * Runs `statements` in a transaction of its own on a connection from `pool` and commits; once
 * `delayMs` (default 5 min) has passed and the statement is still blocked, acts on its blockers
 * (`action`, default `'terminate'`) every `checkIntervalMs` (default 1 s) until it gets through.
 * Before that, each attempt waits at most `lockTimeoutMs` (default 500 ms) for a lock, then rolls
 * back and retries after a pause, so sessions arriving meanwhile are not queued behind it.
 *
 * - `statements` a string: one statement (sent alone, so it cannot hide a second one); the result is
 *   its `pg.QueryResult`.
 * - a list of strings: run in order in the one transaction; the result is their `pg.QueryResult`s.
 * - a function `(client) => …`: run in the transaction, its return value is the result. It runs
 *   once per attempt, each time after the previous attempt's changes were rolled back: keep side
 *   effects outside the database out of it. Statements that cannot run in a transaction block
 *   (`CREATE INDEX CONCURRENTLY`, `VACUUM`) cannot be force-executed.
 *
 * The pool must have room for two connections: the statement's and the watcher's (which also
 * sends the cancel on abort). Blockers are the sessions `pg_blocking_pids` names for the
 * statement's backend: holders of table, row and advisory locks alike, and sessions queued ahead
 * with a conflicting request.
 *
 * ```ts
 * const { blockers } = await forceExecute(pool, 'ALTER TABLE orders RENAME TO orders_old', {
 *   delayMs: 60_000, excludeApplicationNames: ['replicator'], onBlocker: (b) => log.warn('terminated', b),
 * });
 * ```
 *
 * @returns the statement's result, the report of every session acted on, attempts and timings.
 * @throws SignalPermissionDeniedError when a blocker may not be signalled (our role needs to be
 *   superuser or a member of `pg_signal_backend`, and only a superuser may signal a superuser's
 *   session): the statement is cancelled and rolled back instead of left waiting.
 * @throws ForceExecuteWatcherError when looking for blockers failed (same handling).
 * @throws the signal's reason when `signal` aborts (the statement is cancelled and rolled back).
 * @throws InvalidLockArgumentError for a bad option, an empty list, a pool of one connection.
 * Otherwise the statement's own error (or the function's) is rethrown unchanged.
 */
export function forceExecute(pool: pg.Pool, statements: string, options?: ForceExecuteOptions): Promise<ForceExecuteResult<pg.QueryResult>>;
export function forceExecute(pool: pg.Pool, statements: readonly string[], options?: ForceExecuteOptions): Promise<ForceExecuteResult<pg.QueryResult[]>>;
export function forceExecute<T>(pool: pg.Pool, statements: (client: pg.PoolClient) => Promise<T>, options?: ForceExecuteOptions): Promise<ForceExecuteResult<T>>;
export async function forceExecute(
  pool: pg.Pool,
  statements: ForceExecuteStatements<unknown>,
  options: ForceExecuteOptions = {},
): Promise<ForceExecuteResult<StatementsResult<unknown>>> {
  const started = performance.now();
  const settings = resolveForceExecuteOptions(options);
  if (!isPool(pool)) {
    throw new InvalidLockArgumentError('forceExecute needs a pg.Pool (it opens its own transaction); inside a transaction of yours use forceExecuteInTransaction', {
      details: { argument: 'pool' },
    });
  }
  if ((pool.options.max ?? 10) < 2) {
    throw new InvalidLockArgumentError('forceExecute needs a pool of at least 2 connections: one for the statement, one for the watcher', { details: { argument: 'pool' } });
  }
  return runInOwnTransaction(pool, statementsWork(statements), settings, started);
}

/** Extra steps of {@link runInOwnTransaction}, for force-execute's Temporal activity. */
export interface OwnTransactionMode extends AttemptMode {
  /** Runs right after `BEGIN`, before the attempts (e.g. tagging the session's `application_name`). */
  readonly prepare?: (client: pg.PoolClient) => Promise<void>;
}

/**
 * Checks out a connection, opens a transaction, runs the attempts, commits; rolls back on any
 * failure and discards a connection that broke. `started` is the `performance.now()` of the call.
 */
export async function runInOwnTransaction<T>(
  pool: pg.Pool,
  work: (client: SessionClient) => Promise<T>,
  settings: ForceExecuteSettings,
  started: number,
  mode: OwnTransactionMode = {},
): Promise<ForceExecuteResult<T>> {
  settings.signal?.throwIfAborted();
  const client = await checkOut(pool);
  let broken = false;
  try {
    await queryRows(client, transactionSql('BEGIN'));
    await mode.prepare?.(client);
    const outcome = await runForceExecuteAttempts(client, pool, work, settings, started, mode);
    if (settings.signal?.aborted) throw settings.signal.reason;
    await queryRows(client, transactionSql('COMMIT'));
    return { ...outcome, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    broken = isSessionLost(error) || !(await rollBack(client));
    throw error;
  } finally {
    client.release(broken ? new Error('connection discarded after force-execute') : undefined);
  }
}

/**
 * Force-executes `work` inside the transaction `client` already holds (e.g. an ingest's batch
 * transaction, for its table swap); the caller commits. Same behaviour and options as
 * {@link forceExecute}; each attempt runs `work` under its own savepoint with `SET LOCAL
 * lock_timeout`, and a lock timeout (55P03) or deadlock (40P01) rolls back to that savepoint and
 * retries. After `delayMs` the attempt runs without a lock timeout while the watcher acts, from
 * `control`, on the sessions blocking `client`'s backend every `checkIntervalMs`.
 *
 * The caller's transaction is left usable on every outcome: `work`'s own error is rethrown
 * unchanged after rolling back to the attempt's savepoint, and so are a permission failure, a
 * watcher failure and an abort. Only a lost connection loses the transaction. The caller's
 * `lock_timeout` is back to its value afterwards; `client_connection_check_interval` stays set
 * (PostgreSQL 14+, local to the transaction) so the backend ends if its client dies.
 *
 * @param client a connection inside a transaction block (`BEGIN` done, not aborted).
 * @param control a pool, or another connection, used only to look for and act on blockers (and to
 *   cancel on abort); never `client` itself.
 * @throws NotInTransactionError when `client` is not in a transaction block.
 * @throws TransactionAbortedError when its transaction is already aborted.
 */
export async function forceExecuteInTransaction<T>(
  client: SessionClient,
  control: Queryable,
  work: (client: SessionClient) => Promise<T>,
  options: ForceExecuteOptions = {},
): Promise<ForceExecuteResult<T>> {
  const started = performance.now();
  const settings = resolveForceExecuteOptions(options);
  requireClient(client, 'forceExecuteInTransaction', 'the work runs inside the transaction that client holds');
  if (control === client) {
    throw new InvalidLockArgumentError('forceExecuteInTransaction: control must not be the client that runs the work (it would queue behind it)', {
      details: { argument: 'control' },
    });
  }
  if (typeof work !== 'function') {
    throw new InvalidLockArgumentError('forceExecuteInTransaction: work must be a function (client) => Promise', { details: { argument: 'work', value: String(work) } });
  }
  const state = await transactionState(client);
  if (state === 'idle') {
    throw new NotInTransactionError('forceExecuteInTransaction needs a client inside a transaction block (BEGIN first); use forceExecute to let it open one');
  }
  if (state === 'aborted') throw new TransactionAbortedError("forceExecuteInTransaction: the client's transaction is aborted; roll it back first");
  return runForceExecuteAttempts(client, control, work, settings, started);
}

/** Rolls back whatever transaction is open; false when the connection is no longer usable. */
async function rollBack(client: SessionClient): Promise<boolean> {
  try {
    if ((await transactionState(client)) !== 'idle') await queryRows(client, transactionSql('ROLLBACK'));
    return true;
  } catch {
    return false;
  }
}

