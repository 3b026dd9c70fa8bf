/**
 * `forceExecuteWorkflow`: force-execute as a durable workflow. The statement runs as one
 * heartbeating activity; if it is still running when the delay has passed (a timer), a watcher
 * activity starts beside it and acts on its blockers. When the statement finishes (either way) the
 * watcher is cancelled and hands over its report. Cancelling the workflow cancels the statement's backend and rolls it back.
 * History stays small: a handful of events per run, whatever the number of checks (progress lives
 * in heartbeats).
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  sleep,
  uuid4,
} from '@temporalio/workflow';
import type { ForceExecuteActivities } from '../activities/force-execute.js';
import { withDetail } from './failures.js';
import type { BlockerReport } from '../src/locks/blockers.js';
import {
  FORCE_EXECUTE_ACTIVITY_DEFAULTS,
  FORCE_EXECUTE_DEFAULTS,
  forceExecuteInputProblems,
  INVALID_FORCE_EXECUTE_INPUT,
  type ForceExecuteActivityOptions,
  type ForceExecutePlainOptions,
  type ForceExecuteWatchResult,
  type ForceExecuteWorkflowInput,
  type ForceExecuteWorkflowResult,
} from '../src/shared/force-execute.js';

/**
 * Runs `input.statements` (or the registered `input.operation`) on the worker's database
 * `input.database` and, after `delayMs`, cancels or terminates whatever blocks them; see
 * {@link forceExecuteInWorkflow}.
 */
export async function forceExecuteWorkflow(input: ForceExecuteWorkflowInput): Promise<ForceExecuteWorkflowResult> {
  return forceExecuteInWorkflow(input);
}

/**
 * Force-executes from inside any workflow (e.g. an ingest's swap step): the same as running
 * `forceExecuteWorkflow` as a child, without the child. Its two activities must be registered at
 * the worker of `input.activities.taskQueue` (default: the calling workflow's task queue). Cancelling
 * the calling scope cancels the statement and rolls it back.
 *
 * @throws ApplicationFailure `InvalidForceExecuteInput` for a malformed input (never retried).
 * @throws ApplicationFailure with the statement's failure type (`PostgresError`, `PermissionDenied`,
 *   `SignalPermissionDenied` …), its message, and the victims so far appended to its details as
 *   `{ blockers }`; the activity's failure is its cause.
 * @throws the cancellation when the calling scope is cancelled.
 */
export async function forceExecuteInWorkflow(input: ForceExecuteWorkflowInput): Promise<ForceExecuteWorkflowResult> {
  const problems = forceExecuteInputProblems(input);
  if (problems.length > 0) {
    throw ApplicationFailure.create({ type: INVALID_FORCE_EXECUTE_INPUT, message: `force-execute: ${problems.join('; ')}`, nonRetryable: true, details: [{ problems }] });
  }
  const started = Date.now();
  const { statementActivity, watchActivity } = activitiesFor(input.activities);
  const shared = {
    ...plainOptions(input),
    database: input.database ?? 'default',
    invocationId: uuid4(),
    actAfter: started + (input.delayMs ?? FORCE_EXECUTE_DEFAULTS.delayMs),
  };
  const statements = input.operation !== undefined ? [] : typeof input.statements === 'string' ? [input.statements] : [...(input.statements ?? [])];
  const work = input.operation === undefined ? { statements } : { statements, operation: input.operation };

  const caller = CancellationScope.current();
  const statementScope = new CancellationScope();
  let finished = started;
  const statementDone = settle(statementScope.run(() => statementActivity({ ...shared, ...work }))).finally(() => {
    finished = Date.now();
  });

  // No watcher before the delay: a statement that gets through in time ends the workflow at once.
  let watchDone: Promise<Settled<ForceExecuteWatchResult>> | undefined;
  // The watcher is started a little early (it waits for actAfter itself), so that scheduling it
  // does not delay the first look for blockers.
  const delayMs = shared.actAfter - started;
  if (await delayPassedFirst(delayMs - Math.min(WATCHER_LEAD_MS, delayMs / 2), statementDone)) {
    const watchScope = new CancellationScope();
    watchDone = settle(watchScope.run(() => watchActivity(shared)));
    // The watcher runs until it is cancelled, or fails (a refused signal): then the statement must not stay queued.
    const first = await Promise.race([statementDone.then(() => 'statement' as const), watchDone.then(() => 'watch' as const)]);
    if (first === 'statement') watchScope.cancel();
    else {
      const ended = await watchDone;
      if (!ended.ok && !isCancellation(ended.error)) statementScope.cancel();
    }
  }
  const statement = await statementDone;
  const watch = watchDone === undefined ? { ok: true as const, value: { blockers: [], checks: 0 } } : await watchDone;
  const blockers = watch.ok ? watch.value.blockers : reportsOf(watch.error);

  if (statement.ok) {
    return {
      statements: statement.value.statements,
      ...(statement.value.operationResult === undefined ? {} : { operationResult: statement.value.operationResult }),
      blockers: [...blockers],
      checks: watch.ok ? watch.value.checks : 0,
      attempts: statement.value.attempts,
      activityAttempt: statement.value.activityAttempt,
      durationMs: finished - started,
    };
  }
  if (caller.consideredCancelled && isCancellation(statement.error)) throw statement.error;
  // Cancelled because the watcher failed (a refused signal): that failure is the story. The watcher
  // cancels the statement's backend itself before it fails, so the statement may report its
  // cancellation (SQLSTATE 57014) before the workflow has seen the watcher's failure.
  const watcherFailed = !watch.ok && !isCancellation(watch.error);
  const cause = watcherFailed && wasCancelled(statement.error) ? watch.error : statement.error;
  throw withDetail(cause, { blockers });
}

/** A cancellation of the activity, or of its statement's backend (`StatementCanceled`). */
function wasCancelled(error: unknown): boolean {
  if (isCancellation(error)) return true;
  const failure = error instanceof ActivityFailure ? error.cause : error;
  return failure instanceof ApplicationFailure && failure.type === 'StatementCanceled';
}

/**
 * Waits `delayMs` (a timer) unless the statement settles first; true when the delay passed. False
 * also when the calling scope was cancelled meanwhile (the statement is being cancelled with it).
 */
async function delayPassedFirst(delayMs: number, statementDone: Promise<unknown>): Promise<boolean> {
  if (delayMs <= 0) return true;
  const timerScope = new CancellationScope();
  const timer = settle(timerScope.run(() => sleep(delayMs)));
  const first = await Promise.race([statementDone.then(() => 'statement' as const), timer.then(() => 'timer' as const)]);
  if (first === 'statement') {
    timerScope.cancel();
    return false;
  }
  return (await timer).ok;
}

/** How long (ms, at most half the delay) before the delay passes the watcher activity is started. */
const WATCHER_LEAD_MS = 2000;

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

function activitiesFor(options: ForceExecuteActivityOptions = {}) {
  const d = FORCE_EXECUTE_ACTIVITY_DEFAULTS;
  const common = {
    ...(options.taskQueue === undefined ? {} : { taskQueue: options.taskQueue }),
    startToCloseTimeout: options.startToCloseTimeoutMs ?? d.startToCloseTimeoutMs,
    // Both report back before the workflow moves on: the statement once rolled back, the watcher with its victims.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  };
  const { forceExecuteStatement } = proxyActivities<ForceExecuteActivities>({
    ...common,
    heartbeatTimeout: options.heartbeatTimeoutMs ?? d.heartbeatTimeoutMs,
    retry: { maximumAttempts: options.maximumAttempts ?? d.maximumAttempts, initialInterval: 1000, backoffCoefficient: 2, maximumInterval: 30_000 },
  });
  // The watcher retries until it is cancelled (non-retryable failures aside): a lost connection must not end the protection.
  const { forceExecuteWatch } = proxyActivities<ForceExecuteActivities>({
    ...common,
    heartbeatTimeout: options.watcherHeartbeatTimeoutMs ?? d.watcherHeartbeatTimeoutMs,
    retry: { initialInterval: 1000, backoffCoefficient: 2, maximumInterval: 10_000 },
  });
  return { statementActivity: forceExecuteStatement, watchActivity: forceExecuteWatch };
}

function plainOptions(input: ForceExecuteWorkflowInput): ForceExecutePlainOptions {
  const { statements: _statements, operation: _operation, database: _database, activities: _activities, ...options } = input;
  return options;
}

/** The reports a failed watcher carried (a refused signal lists every report of its last check). */
function reportsOf(error: unknown): BlockerReport[] {
  const failure = error instanceof ActivityFailure ? error.cause : error;
  if (!(failure instanceof ApplicationFailure)) return [];
  const first = failure.details?.[0] as { reports?: BlockerReport[] } | undefined;
  return Array.isArray(first?.reports) ? first.reports : [];
}
