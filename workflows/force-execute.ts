/**
 * `forceExecuteWorkflow`: force-execute as a durable workflow. The statement runs as one
 * heartbeating activity; beside it a watcher activity acts on the statement's blockers once the
 * delay has passed. When the statement finishes (either way) the watcher is cancelled and hands
 * over its report. Cancelling the workflow cancels the statement's backend and rolls it back.
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
  uuid4,
} from '@temporalio/workflow';
import type { ForceExecuteActivities } from '../activities/force-execute.js';
import type { BlockerReport } from '../src/locks/blockers.js';
import {
  FORCE_EXECUTE_ACTIVITY_DEFAULTS,
  FORCE_EXECUTE_DEFAULTS,
  forceExecuteInputProblems,
  INVALID_FORCE_EXECUTE_INPUT,
  type ForceExecuteActivityOptions,
  type ForceExecutePlainOptions,
  type ForceExecuteWorkflowInput,
  type ForceExecuteWorkflowResult,
} from '../src/shared/force-execute.js';

/**
 * Runs `input.statements` on the worker's database `input.database` and, after `delayMs`, cancels
 * or terminates whatever blocks them; see {@link forceExecuteInWorkflow}.
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
  const statements = typeof input.statements === 'string' ? [input.statements] : [...input.statements];

  const caller = CancellationScope.current();
  const statementScope = new CancellationScope();
  const watchScope = new CancellationScope();
  let finished = started;
  const statementDone = settle(statementScope.run(() => statementActivity({ ...shared, statements }))).finally(() => {
    finished = Date.now();
  });
  const watchDone = settle(watchScope.run(() => watchActivity(shared)));

  // The watcher runs until it is cancelled, or fails (a refused signal): then the statement must not stay queued.
  const first = await Promise.race([statementDone.then(() => 'statement' as const), watchDone.then(() => 'watch' as const)]);
  if (first === 'statement') watchScope.cancel();
  else {
    const ended = await watchDone;
    if (!ended.ok && !isCancellation(ended.error)) statementScope.cancel();
  }
  const [statement, watch] = await Promise.all([statementDone, watchDone]);
  const blockers = watch.ok ? watch.value.blockers : reportsOf(watch.error);

  if (statement.ok) {
    return {
      statements: statement.value.statements,
      blockers,
      attempts: statement.value.attempts,
      activityAttempt: statement.value.activityAttempt,
      durationMs: finished - started,
    };
  }
  if (caller.consideredCancelled && isCancellation(statement.error)) throw statement.error;
  // Cancelled by us because the watcher failed (a refused signal): that failure is the story.
  const cause = !watch.ok && !isCancellation(watch.error) && isCancellation(statement.error) ? watch.error : statement.error;
  throw withReport(cause, blockers);
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

function activitiesFor(options: ForceExecuteActivityOptions = {}) {
  const heartbeatTimeout = options.heartbeatTimeoutMs ?? FORCE_EXECUTE_ACTIVITY_DEFAULTS.heartbeatTimeoutMs;
  const common = {
    ...(options.taskQueue === undefined ? {} : { taskQueue: options.taskQueue }),
    startToCloseTimeout: options.startToCloseTimeoutMs ?? FORCE_EXECUTE_ACTIVITY_DEFAULTS.startToCloseTimeoutMs,
    heartbeatTimeout,
    // Both report back before the workflow moves on: the statement once rolled back, the watcher with its victims.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  };
  const { forceExecuteStatement } = proxyActivities<ForceExecuteActivities>({
    ...common,
    retry: { maximumAttempts: options.maximumAttempts ?? FORCE_EXECUTE_ACTIVITY_DEFAULTS.maximumAttempts, initialInterval: 1000, backoffCoefficient: 2, maximumInterval: 30_000 },
  });
  // The watcher retries until it is cancelled (non-retryable failures aside): a lost connection must not end the protection.
  const { forceExecuteWatch } = proxyActivities<ForceExecuteActivities>({ ...common, retry: { initialInterval: 1000, backoffCoefficient: 2, maximumInterval: 10_000 } });
  return { statementActivity: forceExecuteStatement, watchActivity: forceExecuteWatch };
}

function plainOptions(input: ForceExecuteWorkflowInput): ForceExecutePlainOptions {
  const { statements: _statements, database: _database, activities: _activities, ...options } = input;
  return options;
}

/** The reports a failed watcher carried (a refused signal lists every report of its last check). */
function reportsOf(error: unknown): BlockerReport[] {
  const failure = error instanceof ActivityFailure ? error.cause : error;
  if (!(failure instanceof ApplicationFailure)) return [];
  const first = failure.details?.[0] as { reports?: BlockerReport[] } | undefined;
  return Array.isArray(first?.reports) ? first.reports : [];
}

/**
 * The activity's application failure, re-raised from the workflow with the same type and message
 * and the report appended to its details; other failures (timeouts) unchanged.
 */
function withReport(error: unknown, blockers: readonly BlockerReport[]): unknown {
  const failure = error instanceof ActivityFailure ? error.cause : error;
  if (!(failure instanceof ApplicationFailure)) return error;
  return ApplicationFailure.create({
    type: failure.type ?? 'Error',
    message: failure.message,
    nonRetryable: true,
    details: [...(failure.details ?? []), { blockers }],
    cause: error instanceof Error ? error : undefined,
  });
}
