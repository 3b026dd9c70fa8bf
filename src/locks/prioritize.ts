/**
 * `prioritize()`: run work on one connection while a watcher, on other connections, cancels or
 * terminates whatever blocks it. The watcher acts on the sessions `pg_blocking_pids` names for the
 * work's backend (so advisory-lock and row-lock waits count), within the caller's filters, and
 * reports each one. A refused signal ends the work promptly with a typed error instead of leaving it
 * queued behind a blocker nobody can remove.
 */
import type pg from 'pg';
import { isPool, queryOne, queryRows, type Queryable, type SessionClient } from '../db/queryable.js';
import { checkOut } from '../db/check-out.js';
import { validateMilliseconds } from '../introspection/filters.js';
import { startBlockerWatcher } from './blocker-watcher.js';
import type { ActOnBlockersOptions, BlockerReport } from './blockers.js';
import { InvalidLockArgumentError, PrioritizeWatcherError } from './errors.js';
import { isSessionLost, transactionState } from './session.js';
import { transactionSql } from './sql.js';

/** Options of {@link prioritize}: what to do to blockers (see {@link ActOnBlockersOptions}) and how often. */
export interface PrioritizeOptions extends Omit<ActOnBlockersOptions, 'onPermissionDenied'> {
  /** Milliseconds between two looks for blockers; the first look comes one interval after `fn` starts. Default `1000`. */
  readonly intervalMs?: number;
  /**
   * Where the watcher runs its queries when `db` is a client (a pool, or another client). Default:
   * `db` itself when it is a pool (the work then gets a connection of its own from it).
   */
  readonly watcher?: Queryable;
  /** Called for each session acted on, as it happens. */
  readonly onBlocker?: (report: BlockerReport) => void;
}

/** What {@link prioritize} returns: the work's result and every session acted on. */
export interface PrioritizeResult<T> {
  readonly result: T;
  readonly report: readonly BlockerReport[];
}

/**
 * Runs `fn(client)` and, every `intervalMs` while it runs, cancels or terminates (`action`,
 * default `'terminate'`) the sessions blocking that client's backend — direct blockers only unless
 * `depth` says more, only those older than `minBlockerAgeMs`, and never sessions outside the user /
 * application-name filters.
 *
 * - `db` a pool: `fn` gets a connection checked out for it; the watcher uses other connections of
 *   the pool (so it needs room for two).
 * - `db` a client: `fn` runs on it; pass `watcher` (a pool or another client).
 *
 * ```ts
 * const { report } = await prioritize(pool, (c) => c.query('ALTER TABLE orders ADD COLUMN note text'), {
 *   minBlockerAgeMs: 5_000, excludeApplicationNames: ['replicator'],
 * });
 * ```
 *
 * @throws SignalPermissionDeniedError when a blocker could not be signalled: `fn`'s statement is
 *   cancelled so it does not stay queued, and this error replaces its (cancellation) error.
 * @throws PrioritizeWatcherError when the watcher's queries failed (same handling).
 * Otherwise `fn`'s own error is rethrown unchanged.
 */
export async function prioritize<T>(db: Queryable, fn: (client: SessionClient) => Promise<T> | T, options: PrioritizeOptions = {}): Promise<PrioritizeResult<T>> {
  const { intervalMs = 1000, watcher: watcherOption, onBlocker, ...actOptions } = options;
  validateMilliseconds(intervalMs, 'intervalMs');
  if (intervalMs < 1) throw new InvalidLockArgumentError('intervalMs must be at least 1 ms', { details: { argument: 'intervalMs', value: String(intervalMs) } });
  const control = watcherOption ?? (isPool(db) ? db : undefined);
  if (!control) {
    throw new InvalidLockArgumentError('prioritize needs a second connection for its watcher: pass a pg.Pool as db, or options.watcher', {
      details: { argument: 'watcher' },
    });
  }
  if (control === db && !isPool(db)) {
    throw new InvalidLockArgumentError('prioritize: the watcher must not be the client that runs fn (it would queue behind fn)', { details: { argument: 'watcher' } });
  }
  if (control === db && isPool(db) && (db.options.max ?? 10) < 2) {
    throw new InvalidLockArgumentError('prioritize needs a pool of at least 2 connections: one for fn, one for the watcher', { details: { argument: 'db' } });
  }

  let pooled: pg.PoolClient | undefined;
  const client: SessionClient = isPool(db) ? (pooled = await checkOut(db)) : db;
  try {
    const { pid } = await queryOne<{ pid: number }>(client, { text: 'SELECT pg_catalog.pg_backend_pid() AS pid', values: [] });
    const watcher = startBlockerWatcher(control, pid, {
      ...actOptions,
      intervalMs,
      firstCheckAfterMs: intervalMs,
      onBlocker,
      wrapFailure: (error) =>
        new PrioritizeWatcherError(`prioritize: looking for or acting on blockers of backend ${pid} failed: ${String((error as Error)?.message ?? error)}`, {
          cause: error,
          details: { pid },
        }),
    });

    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await fn(client) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const stopped = watcher.stop();
    // Return fn's connection before waiting for the watcher, which may be queued for a connection
    // of the same pool.
    if (pooled) {
      const connection = pooled;
      pooled = undefined;
      await giveBack(connection, !outcome.ok && isSessionLost(outcome.error));
    }
    await stopped;

    if (!outcome.ok) throw watcher.failed.aborted ? watcher.failed.reason : outcome.error;
    return { result: outcome.value, report: watcher.reports };
  } finally {
    // Only when something failed before fn ran (reading its pid): do not reuse that connection.
    if (pooled) await giveBack(pooled, true);
  }
}

/** Returns the work's connection to its pool clean: no transaction left open, destroyed if broken. */
async function giveBack(client: pg.PoolClient, broken: boolean): Promise<void> {
  if (!broken && (await transactionState(client)) !== 'idle') {
    await queryRows(client, transactionSql('ROLLBACK')).catch(() => {
      broken = true;
    });
  }
  client.release(broken ? new Error('connection discarded after prioritize') : undefined);
}

