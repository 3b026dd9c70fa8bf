/**
 * The core of force-execute, inside a transaction the caller holds: each attempt runs the work
 * under its own savepoint. Until `delayMs` has passed an attempt waits for a lock at most
 * `lockTimeoutMs` (so readers are never stalled behind us for long), and one that gives up rolls
 * back to its savepoint and retries after a jittered, growing pause. After `delayMs` the attempt
 * waits without a lock timeout while a watcher, on the control connection, acts on whatever blocks
 * the backend every `checkIntervalMs`. The transaction stays usable on every outcome.
 */
import { queryOne, queryRows, type Queryable, type SessionClient } from '../db/queryable.js';
import { startBlockerWatcher, type BlockerWatcher } from '../locks/blocker-watcher.js';
import type { BlockerReport } from '../locks/blockers.js';
import { backoffDelay, LOCK_RETRY_SQLSTATES, pause } from '../locks/lock-retry.js';
import { uniqueSavepointName } from '../locks/session.js';
import { signalBackend } from '../locks/signal-backends.js';
import { releaseSavepointSql, rollbackToSavepointSql, savepointSql } from '../locks/sql.js';
import { withLockTimeout } from '../locks/timeouts.js';
import { isPostgresError } from '../errors/postgres-error.js';
import { ForceExecuteWatcherError } from './errors.js';
import { blockerActions, type ForceExecuteAttempt, type ForceExecuteSettings } from './options.js';
import { prepareStatementSessionSql } from './sql.js';

/** What a force-executed statement returned, with everything done to get it through. */
export interface ForceExecuteResult<T> {
  /** What the statement (or the function) returned. */
  readonly result: T;
  /** Every session acted on, in order (plain JSON; `query` null unless `includeQueryText`). */
  readonly blockers: BlockerReport[];
  /** Attempts made: 1 when no lock stood in the way; each short attempt that gave up on a lock adds one. */
  readonly attempts: number;
  /** Wall time from the call to the statement's completion (`forceExecute`: its commit), in milliseconds. */
  readonly durationMs: number;
  /** When the call started (ISO 8601). */
  readonly startedAt: string;
  /** Whether `delayMs` passed before the statement got through (the phase in which blockers are acted on). */
  readonly forced: boolean;
}

/**
 * Milliseconds from the start of the final attempt to the first look for blockers: soon, but after
 * the attempt has had time to reach the lock queue (a look before that finds nothing and costs a
 * whole interval).
 */
export const FIRST_CHECK_SETTLE_MS = 100;

/** How the attempts are run, beyond the user's options. */
export interface AttemptMode {
  /**
   * Act on blockers from `control` once the delay has passed. Default `true`; false when someone
   * else does (force-execute's Temporal watcher activity, which runs beside the statement's).
   */
  readonly actOnBlockers?: boolean;
}

/**
 * Runs `work` on `client` (inside a transaction block) as force-execute does; see the module doc.
 * `started` is the `performance.now()` of the call, so `delayMs` counts from there.
 */
export async function runForceExecuteAttempts<T>(
  client: SessionClient,
  control: Queryable,
  work: (client: SessionClient) => Promise<T>,
  settings: ForceExecuteSettings,
  started: number,
  mode: AttemptMode = {},
): Promise<ForceExecuteResult<T>> {
  const startedAt = new Date(Date.now() - (performance.now() - started)).toISOString();
  settings.signal?.throwIfAborted();
  const { pid } = await queryOne<{ pid: number }>(client, prepareStatementSessionSql());
  const deadline = started + settings.delayMs;
  const watcher = mode.actOnBlockers === false ? undefined : startWatcher(control, pid, settings);
  const stop = anyOf([settings.signal, watcher?.failed]);
  // A statement waiting for a lock only hears an abort through a cancel sent from elsewhere.
  const cancelStatement = () => void signalBackend(control, pid, 'cancel').catch(() => undefined);
  settings.signal?.addEventListener('abort', cancelStatement, { once: true });

  let outcome: Omit<ForceExecuteResult<T>, 'blockers'>;
  try {
    let previousSqlState: string | null = null;
    for (let attempt = 1; ; attempt++) {
      if (stop.aborted) throw stop.reason;
      const remaining = deadline - performance.now();
      const forced = settings.lockTimeoutMs === 0 || remaining < 1;
      const lockTimeoutMs = forced ? 0 : Math.min(settings.lockTimeoutMs, Math.ceil(remaining));
      if (forced) watcher?.arm(Math.max(remaining, Math.min(FIRST_CHECK_SETTLE_MS, settings.checkIntervalMs)));
      notify(settings.onAttempt, { attempt, lockTimeoutMs, forced, previousSqlState });

      const savepoint = uniqueSavepointName('force_execute');
      await queryRows(client, savepointSql(savepoint));
      let value: T;
      try {
        value = await withLockTimeout(client, lockTimeoutMs, work);
      } catch (error) {
        const usable = await rollBackTo(client, savepoint);
        // Our own cancel (abort, or a watcher that gave up) beats the error it caused.
        if (stop.aborted) throw stop.reason;
        if (!usable || !isPostgresError(error) || !LOCK_RETRY_SQLSTATES.has(error.code)) throw error;
        previousSqlState = error.code;
        const backoff = backoffDelay(attempt, { initialMs: settings.retryDelayMs, maxMs: settings.maxRetryDelayMs });
        // The pause never runs past the delay: the final attempt starts when blockers may be acted on.
        await pause(forced ? backoff : Math.min(backoff, Math.max(0, deadline - performance.now())), stop);
        continue;
      }
      if (settings.signal?.aborted) {
        await rollBackTo(client, savepoint);
        throw settings.signal.reason;
      }
      await queryRows(client, releaseSavepointSql(savepoint));
      outcome = { result: value, attempts: attempt, durationMs: Math.round(performance.now() - started), startedAt, forced };
      break;
    }
  } finally {
    settings.signal?.removeEventListener('abort', cancelStatement);
    // Also waits for a check in flight: the blocker it just terminated may be what let the statement through.
    await watcher?.stop();
  }
  return { ...outcome, blockers: [...(watcher?.reports ?? [])] };
}

function startWatcher(control: Queryable, pid: number, settings: ForceExecuteSettings): BlockerWatcher {
  return startBlockerWatcher(control, pid, {
    intervalMs: settings.checkIntervalMs,
    ...blockerActions(settings),
    onBlocker: settings.onBlocker,
    wrapFailure: (error) =>
      new ForceExecuteWatcherError(`force-execute: looking for or acting on blockers of backend ${pid} failed: ${String((error as Error)?.message ?? error)}`, {
        cause: error,
        details: { pid },
      }),
  });
}

/** A signal aborted by the first of `signals` that aborts (never, when there is none). */
function anyOf(signals: ReadonlyArray<AbortSignal | undefined>): AbortSignal {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  return present.length === 1 ? present[0]! : AbortSignal.any(present);
}

/** Rolls back to and releases `savepoint`; false when the connection can no longer do it. */
async function rollBackTo(client: SessionClient, savepoint: string): Promise<boolean> {
  try {
    await queryRows(client, rollbackToSavepointSql(savepoint));
    await queryRows(client, releaseSavepointSql(savepoint));
    return true;
  } catch {
    return false;
  }
}

function notify(callback: ((attempt: ForceExecuteAttempt) => void) | undefined, attempt: ForceExecuteAttempt): void {
  try {
    callback?.(attempt);
  } catch {
    // A progress callback must not break the statement half-way.
  }
}
