/**
 * Every way a run closes: complete, fail (retried under the workflow retry policy), cancel,
 * terminate, time out, continue-as-new. Closing drops the run's pending work, applies the
 * parent-close policy to its children and reports to its parent.
 */
import { randomUUID } from 'node:crypto';
import { abandonActivities } from './activities.js';
import { applyParentClosePolicy, reportCloseToParent } from './children.js';
import type { Engine } from './engine.js';
import type { Execution, StartParams, WorkflowStatus } from './execution.js';
import {
  durationMs,
  enums,
  long,
  msDuration,
  type temporal,
  type Duration,
  type Failure,
  type Payloads,
} from './proto.js';
import { nextRetry } from './retry-policy.js';
import { workflowAlreadyCompleted } from './rpc-error.js';
import { startRun } from './run-start.js';
import { abandonTimers } from './timers.js';
import { abandonWorkflowTask } from './workflow-tasks.js';

const Status = enums.WorkflowExecutionStatus;
const Retry = enums.RetryState;

const optionalDuration = (ms: number) => (ms > 0 ? msDuration(ms) : undefined);

/** Marks the run closed and releases everything it held; `write` appends the close event. */
function closeRun(engine: Engine, ex: Execution, status: WorkflowStatus, write: () => void): void {
  write();
  ex.status = status;
  ex.closeTimeMs = engine.clock.now();
  abandonWorkflowTask(ex);
  abandonActivities(ex);
  abandonTimers(ex);
  for (const timer of ex.runTimers) timer.cancel();
  ex.history.changed();
  applyParentClosePolicy(engine, ex);
  if (status !== Status.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW) reportCloseToParent(engine, ex);
}

export function completeRun(
  engine: Engine,
  ex: Execution,
  result: Payloads | null | undefined,
  completedEventId: number,
): void {
  closeRun(engine, ex, Status.WORKFLOW_EXECUTION_STATUS_COMPLETED, () =>
    ex.history.append(
      'workflowExecutionCompletedEventAttributes',
      { result, workflowTaskCompletedEventId: long(completedEventId) },
      engine.clock.now(),
    ),
  );
}

export function failRun(
  engine: Engine,
  ex: Execution,
  failure: Failure | null | undefined,
  completedEventId: number,
): void {
  const retry = runRetry(engine, ex, failure ?? {});
  closeRun(engine, ex, Status.WORKFLOW_EXECUTION_STATUS_FAILED, () =>
    ex.history.append(
      'workflowExecutionFailedEventAttributes',
      {
        failure,
        retryState: retry.state,
        workflowTaskCompletedEventId: long(completedEventId),
        newExecutionRunId: retry.nextRunId,
      },
      engine.clock.now(),
    ),
  );
  retry.startNext?.();
}

export function cancelRun(
  engine: Engine,
  ex: Execution,
  details: Payloads | null | undefined,
  completedEventId: number,
): void {
  closeRun(engine, ex, Status.WORKFLOW_EXECUTION_STATUS_CANCELED, () =>
    ex.history.append(
      'workflowExecutionCanceledEventAttributes',
      { details, workflowTaskCompletedEventId: long(completedEventId) },
      engine.clock.now(),
    ),
  );
}

export function terminateRun(
  engine: Engine,
  ex: Execution,
  request: { reason: string; details?: Payloads | null; identity: string },
): void {
  if (!ex.isRunning) throw workflowAlreadyCompleted();
  closeRun(engine, ex, Status.WORKFLOW_EXECUTION_STATUS_TERMINATED, () =>
    ex.history.append('workflowExecutionTerminatedEventAttributes', request, engine.clock.now()),
  );
}

/** Run timeout (retried under the workflow's retry policy) or execution timeout (final). */
export function timeOutRun(engine: Engine, ex: Execution, retryable: boolean): void {
  if (!ex.isRunning) return;
  const failure: Failure = {
    message: 'workflow timeout',
    timeoutFailureInfo: { timeoutType: enums.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE },
  };
  const retry: RunRetry = retryable ? runRetry(engine, ex, failure) : { state: Retry.RETRY_STATE_TIMEOUT };
  closeRun(engine, ex, Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT, () =>
    ex.history.append(
      'workflowExecutionTimedOutEventAttributes',
      { retryState: retry.state, newExecutionRunId: retry.nextRunId },
      engine.clock.now(),
    ),
  );
  retry.startNext?.();
}

interface RunRetry {
  state: temporal.api.enums.v1.RetryState;
  nextRunId?: string;
  /** Starts the next attempt's run (after the closing event of this one is written). */
  startNext?: () => void;
}

/** Decides whether a failed or timed-out run is retried under the workflow's retry policy. */
function runRetry(engine: Engine, ex: Execution, failure: Failure): RunRetry {
  const policy = ex.params.retryPolicy;
  if (!policy) return { state: Retry.RETRY_STATE_RETRY_POLICY_NOT_SET };
  const now = engine.clock.now();
  const { state, delayMs } = nextRetry(policy, ex.params.attempt, failure, now, ex.params.executionExpirationMs);
  if (state !== Retry.RETRY_STATE_IN_PROGRESS) return { state };
  const nextRunId = randomUUID();
  const params: StartParams = {
    ...ex.params,
    memo: ex.memo,
    searchAttributes: ex.searchAttributes,
    requestId: randomUUID(),
    attempt: ex.params.attempt + 1,
    firstExecutionRunId: ex.firstExecutionRunId,
    continuedExecutionRunId: ex.runId,
    initiator: enums.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_RETRY,
    continuedFailure: failure,
    firstWorkflowTaskBackoffMs: delayMs,
  };
  return { state, nextRunId, startNext: () => startRun(engine, params, { runId: nextRunId }) };
}

export function continueAsNew(
  engine: Engine,
  ex: Execution,
  attrs: temporal.api.command.v1.IContinueAsNewWorkflowExecutionCommandAttributes,
  completedEventId: number,
): void {
  const nextRunId = randomUUID();
  const workflowType = attrs.workflowType?.name || ex.params.workflowType;
  const taskQueue = attrs.taskQueue?.name || ex.taskQueue;
  const runTimeoutMs = durationOr(attrs.workflowRunTimeout, ex.params.runTimeoutMs);
  const workflowTaskTimeoutMs = durationOr(attrs.workflowTaskTimeout, ex.params.workflowTaskTimeoutMs);
  const backoffMs = durationOr(attrs.backoffStartInterval, 0);
  const memo = attrs.memo ?? ex.memo;
  const searchAttributes = attrs.searchAttributes ?? ex.searchAttributes;
  closeRun(engine, ex, Status.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW, () =>
    ex.history.append(
      'workflowExecutionContinuedAsNewEventAttributes',
      {
        newExecutionRunId: nextRunId,
        workflowType: { name: workflowType },
        taskQueue: { name: taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        input: attrs.input,
        workflowRunTimeout: optionalDuration(runTimeoutMs),
        workflowTaskTimeout: msDuration(workflowTaskTimeoutMs),
        workflowTaskCompletedEventId: long(completedEventId),
        backoffStartInterval: optionalDuration(backoffMs),
        initiator: enums.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_WORKFLOW,
        header: attrs.header,
        memo,
        searchAttributes,
      },
      engine.clock.now(),
    ),
  );
  startRun(
    engine,
    {
      ...ex.params,
      workflowType,
      taskQueue,
      input: attrs.input,
      header: attrs.header,
      memo,
      searchAttributes,
      runTimeoutMs,
      workflowTaskTimeoutMs,
      retryPolicy: attrs.retryPolicy ?? ex.params.retryPolicy,
      requestId: randomUUID(),
      attempt: 1,
      firstExecutionRunId: ex.firstExecutionRunId,
      continuedExecutionRunId: ex.runId,
      initiator: enums.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_WORKFLOW,
      continuedFailure: undefined,
      lastCompletionResult: attrs.lastCompletionResult,
      firstWorkflowTaskBackoffMs: backoffMs,
    },
    { runId: nextRunId },
  );
}

function durationOr(duration: Duration | null | undefined, fallbackMs: number): number {
  const ms = durationMs(duration);
  return ms > 0 ? ms : fallbackMs;
}
