/**
 * Force-execute's two activities, run side by side by `forceExecuteWorkflow`:
 *
 * - `forceExecuteStatement` runs the statements (or a registered operation, see
 *   `force-execute-operations.ts`) in one transaction on a session whose
 *   `application_name` is a token unique to the workflow run, the force-execute and the attempt.
 *   Until `actAfter` it makes short attempts (`lockTimeoutMs`), then it waits in the lock queue. It
 *   never acts on blockers itself. A retried attempt first terminates the backends earlier attempts
 *   left behind. Cancelling it cancels its backend and rolls back.
 * - `forceExecuteWatch` finds the statement's backend by that token (it may run on another worker)
 *   and, from `actAfter` on, acts on its blockers every `checkIntervalMs` until it is cancelled; it
 *   then returns every session it acted on. A refused signal fails it at once (non-retryable),
 *   after cancelling the statement so it does not stay queued.
 *
 * Both heartbeat from a timer: the statement its attempt and who blocks it, the watcher its checks
 * and victims (which a retried watcher takes over, so none is lost from the report).
 */
import { Context } from '@temporalio/activity';
import type { Logger } from '@temporalio/common';
import type pg from 'pg';
import { queryOne } from '../src/db/queryable.js';
import { FIRST_CHECK_SETTLE_MS } from '../src/force-execute/attempts.js';
import { ForceExecuteWatcherError } from '../src/force-execute/errors.js';
import { runInOwnTransaction } from '../src/force-execute/force-execute.js';
import { blockerActions, resolveForceExecuteOptions } from '../src/force-execute/options.js';
import { blockingPidsSql, tagStatementSessionSql } from '../src/force-execute/sql.js';
import { statementsWork, summarizeResults } from '../src/force-execute/statements.js';
import { endEarlierAttempts, latestTokenBackend } from '../src/force-execute/token-backends.js';
import { startBlockerWatcher } from '../src/locks/blocker-watcher.js';
import type { BlockerReport } from '../src/locks/blockers.js';
import {
  forceExecuteToken,
  forceExecuteTokenPrefix,
  MAX_REPORTS_IN_HEARTBEAT,
  type ForceExecutePlainOptions,
  type ForceExecuteStatementInput,
  type ForceExecuteStatementProgress,
  type ForceExecuteStatementResult,
  type ForceExecuteWatchInput,
  type ForceExecuteWatchProgress,
  type ForceExecuteWatchResult,
} from '../src/shared/force-execute.js';
import { resolveDatabase, type ActivityDatabases } from './databases.js';
import { withFailureConversion } from './failure.js';
import { operationWork, type ForceExecuteOperations } from './force-execute-operations.js';
import { startHeartbeats } from './heartbeats.js';
import { cancelledByWorkflow } from './interruption.js';

/** What force-execute's activities need from the worker. */
export interface ForceExecuteActivityDependencies {
  /**
   * The databases workflows may name: one pool (registered as `'default'`) or pools by name. Each
   * force-execute uses up to three connections of its pool at once: the statement's, the watcher's
   * and a short one for heartbeat progress.
   */
  readonly databases: ActivityDatabases;
  /** Where victims and retries are logged. Default: the activity context's logger. */
  readonly logger?: Logger;
  /** Operations workflows may force-execute instead of statements, by kind. Default: none. */
  readonly operations?: ForceExecuteOperations;
}

/** Builds force-execute's activities; register them in the worker (see `createActivities`). */
export function createForceExecuteActivities(deps: ForceExecuteActivityDependencies) {
  return {
    forceExecuteStatement: withFailureConversion(async function forceExecuteStatement(input: ForceExecuteStatementInput): Promise<ForceExecuteStatementResult> {
      const context = Context.current();
      const log = deps.logger ?? context.log;
      const activityAttempt = context.info.attempt;
      const pool = resolveDatabase(deps.databases, input.database);
      const work =
        input.operation === undefined
          ? statementsWork(input.statements)
          : await operationWork(deps.operations ?? {}, input.operation, { pool, database: input.database });
      const progress: { -readonly [K in keyof ForceExecuteStatementProgress]: ForceExecuteStatementProgress[K] } = {
        phase: 'short-attempts',
        attempt: 0,
        blockedBy: [],
        pid: null,
      };
      const settings = resolveForceExecuteOptions({
        ...plainOptions(input),
        delayMs: Math.max(0, input.actAfter - Date.now()),
        signal: context.cancellationSignal,
        onAttempt: ({ attempt, forced }) => {
          progress.attempt = attempt;
          progress.phase = forced ? 'waiting-while-acting' : 'short-attempts';
        },
      });
      const heartbeats = startHeartbeats(
        context,
        () => ({ ...progress }),
        async () => {
          if (progress.pid === null) return;
          progress.blockedBy = (await queryOne<{ pids: number[] }>(pool, blockingPidsSql(progress.pid))).pids;
        },
      );
      try {
        const prefix = forceExecuteTokenPrefix(input.invocationId);
        const token = forceExecuteToken(input.invocationId, activityAttempt);
        const ended = await endEarlierAttempts(pool, prefix, token);
        if (ended.length > 0) log.warn('force-execute: terminated backends left behind by earlier attempts', { pids: ended, attempt: activityAttempt });
        const outcome = await runInOwnTransaction(pool, work, settings, performance.now(), {
          actOnBlockers: false,
          prepare: async (client) => {
            progress.pid = (await queryOne<{ pid: number }>(client, tagStatementSessionSql(token))).pid;
          },
        });
        progress.phase = 'done';
        progress.blockedBy = [];
        if (input.operation !== undefined) return { statements: [], operationResult: outcome.result, attempts: outcome.attempts, activityAttempt };
        return { statements: summarizeResults(outcome.result as pg.QueryResult[]), attempts: outcome.attempts, activityAttempt };
      } finally {
        await heartbeats.stop();
      }
    }),

    forceExecuteWatch: withFailureConversion(async function forceExecuteWatch(input: ForceExecuteWatchInput): Promise<ForceExecuteWatchResult> {
      const context = Context.current();
      const log = deps.logger ?? context.log;
      const pool = resolveDatabase(deps.databases, input.database);
      const settings = resolveForceExecuteOptions(plainOptions(input));
      const previous = context.info.heartbeatDetails as ForceExecuteWatchProgress | undefined;
      const earlier: readonly BlockerReport[] = previous?.victims ?? [];
      const earlierChecks = previous?.checks ?? 0;
      const prefix = forceExecuteTokenPrefix(input.invocationId);

      const watcher = startBlockerWatcher(pool, () => latestTokenBackend(pool, prefix), {
        intervalMs: settings.checkIntervalMs,
        firstCheckAfterMs: Math.max(0, input.actAfter - Date.now()) + FIRST_CHECK_SETTLE_MS,
        ...blockerActions(settings),
        onBlocker: (report) => log.warn(`force-execute: ${report.action === 'terminate' ? 'terminated' : 'cancelled'} a blocking session`, { blocker: report }),
        // A failed look is retried by Temporal; only a refused signal must not leave the statement waiting.
        cancelTargetOnFailure: 'permission-denied',
        wrapFailure: (error, pid) =>
          new ForceExecuteWatcherError(`force-execute: looking for or acting on blockers of ${prefix}* failed: ${String((error as Error)?.message ?? error)}`, {
            cause: error,
            details: { pid: pid ?? null, token: prefix },
          }),
      });
      const victims = () => [...earlier, ...watcher.reports];
      const heartbeats = startHeartbeats(context, (): ForceExecuteWatchProgress => ({
        checks: earlierChecks + watcher.checks,
        victims: victims().slice(-MAX_REPORTS_IN_HEARTBEAT),
      }));
      try {
        // Runs until the workflow cancels it (the statement finished) or it fails.
        await new Promise<void>((resolve, reject) => {
          const onFailure = () => reject(watcher.failed.reason);
          if (context.cancellationSignal.aborted) resolve();
          context.cancellationSignal.addEventListener('abort', () => resolve(), { once: true });
          if (watcher.failed.aborted) onFailure();
          watcher.failed.addEventListener('abort', onFailure, { once: true });
        });
      } finally {
        await watcher.stop();
        await heartbeats.stop();
      }
      if (!cancelledByWorkflow(context)) {
        // Worker shutdown, heartbeat timeout …: fail, so that another worker takes over (with these victims).
        throw context.cancellationSignal.reason;
      }
      // Returned, not thrown, when the workflow cancels it: it waits for this result (WAIT_CANCELLATION_COMPLETED).
      return { blockers: victims(), checks: earlierChecks + watcher.checks };
    }),
  };
}

/** The activities `createForceExecuteActivities` returns (for `proxyActivities<…>` in workflows). */
export type ForceExecuteActivities = ReturnType<typeof createForceExecuteActivities>;

/** The plain force-execute options of an activity input (everything else left out). */
function plainOptions(input: ForceExecutePlainOptions): ForceExecutePlainOptions {
  const {
    delayMs,
    checkIntervalMs,
    action,
    cancelGraceMs,
    lockTimeoutMs,
    retryDelayMs,
    maxRetryDelayMs,
    includeQueryText,
    minBlockerAgeMs,
    users,
    applicationNames,
    excludeApplicationNames,
  } = input;
  const picked = { delayMs, checkIntervalMs, action, cancelGraceMs, lockTimeoutMs, retryDelayMs, maxRetryDelayMs, includeQueryText, minBlockerAgeMs, users, applicationNames, excludeApplicationNames };
  return Object.fromEntries(Object.entries(picked).filter(([, value]) => value !== undefined));
}
