/**
 * Run lifecycle: start (with the workflow-id reuse and conflict policies), signal, cancel
 * request, and every way a run closes: complete, fail (with the workflow retry policy), cancel,
 * terminate, time out, continue-as-new. Closing drops the run's pending work, applies the
 * parent-close policy to its children and reports to its parent.
 */
import { randomUUID } from 'node:crypto';
import { abandonActivities } from './activities.js';
import { applyParentClosePolicy, reportCloseToParent } from './children.js';
import type { Engine } from './engine.js';
import { Execution, type StartParams, type WorkflowStatus } from './execution.js';
import {
  durationMs,
  enums,
  long,
  msDuration,
  msTimestamp,
  type temporal,
  type Duration,
  type Failure,
  type Header,
  type Payloads,
} from './proto.js';
import { nextRetry, withRetryDefaults } from './retry-policy.js';
import { workflowAlreadyCompleted, workflowAlreadyStarted } from './rpc-error.js';
import { abandonTimers } from './timers.js';
import { abandonWorkflowTask, deliver, scheduleWorkflowTask } from './workflow-tasks.js';

const Status = enums.WorkflowExecutionStatus;
const Retry = enums.RetryState;
const Reuse = enums.WorkflowIdReusePolicy;
const Conflict = enums.WorkflowIdConflictPolicy;

const optionalDuration = (ms: number) => (ms > 0 ? msDuration(ms) : undefined);

/** Identity the service writes into events it causes itself. */
export const SERVICE_IDENTITY = 'temporal-pg-test-service';

/** The real server's default workflow-task start-to-close timeout. */
const DEFAULT_WORKFLOW_TASK_TIMEOUT_MS = 10_000;

/** Start parameters of a first run from a client start or a child-workflow command. */
export function firstRunParams(
  engine: Engine,
  request: Pick<
    StartParams,
    | 'namespace'
    | 'workflowId'
    | 'workflowType'
    | 'taskQueue'
    | 'input'
    | 'header'
    | 'memo'
    | 'searchAttributes'
    | 'identity'
    | 'requestId'
    | 'parent'
    | 'root'
    | 'priority'
    | 'userMetadata'
  > & {
    workflowTaskTimeout?: Duration | null;
    workflowRunTimeout?: Duration | null;
    workflowExecutionTimeout?: Duration | null;
    workflowStartDelay?: Duration | null;
    retryPolicy?: StartParams['retryPolicy'] | null;
  },
): StartParams {
  const executionTimeoutMs = durationMs(request.workflowExecutionTimeout);
  const runTimeoutMs = durationMs(request.workflowRunTimeout);
  return {
    namespace: request.namespace,
    workflowId: request.workflowId,
    workflowType: request.workflowType,
    taskQueue: request.taskQueue,
    input: request.input,
    header: request.header,
    memo: request.memo,
    searchAttributes: request.searchAttributes,
    workflowTaskTimeoutMs: durationMs(request.workflowTaskTimeout) || DEFAULT_WORKFLOW_TASK_TIMEOUT_MS,
    // The run timeout defaults to, and never exceeds, the execution timeout.
    runTimeoutMs:
      runTimeoutMs > 0 && executionTimeoutMs > 0 ? Math.min(runTimeoutMs, executionTimeoutMs) : runTimeoutMs || executionTimeoutMs,
    executionTimeoutMs,
    executionExpirationMs: executionTimeoutMs > 0 ? engine.clock.now() + executionTimeoutMs : 0,
    retryPolicy: request.retryPolicy ? withRetryDefaults(request.retryPolicy) : undefined,
    identity: request.identity,
    requestId: request.requestId || randomUUID(),
    attempt: 1,
    firstWorkflowTaskBackoffMs: durationMs(request.workflowStartDelay),
    parent: request.parent,
    root: request.root,
    priority: request.priority,
    userMetadata: request.userMetadata,
  };
}

/** Creates a run: WorkflowExecutionStarted, then (after any start backoff) its first workflow task. */
export function startRun(
  engine: Engine,
  params: StartParams,
  options: { runId?: string; beforeFirstTask?: (ex: Execution) => void } = {},
): Execution {
  const now = engine.clock.now();
  const ex = new Execution(options.runId ?? randomUUID(), params, now);
  engine.store.add(ex);
  ex.history.append(
    'workflowExecutionStartedEventAttributes',
    {
      workflowId: params.workflowId,
      workflowType: { name: params.workflowType },
      taskQueue: { name: params.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      input: params.input,
      header: params.header,
      memo: params.memo,
      searchAttributes: params.searchAttributes,
      workflowExecutionTimeout: optionalDuration(params.executionTimeoutMs),
      workflowRunTimeout: optionalDuration(params.runTimeoutMs),
      workflowTaskTimeout: msDuration(params.workflowTaskTimeoutMs),
      workflowExecutionExpirationTime: params.executionExpirationMs
        ? msTimestamp(params.executionExpirationMs)
        : undefined,
      continuedExecutionRunId: params.continuedExecutionRunId,
      initiator: params.initiator,
      continuedFailure: params.continuedFailure,
      lastCompletionResult: params.lastCompletionResult,
      originalExecutionRunId: ex.runId,
      firstExecutionRunId: ex.firstExecutionRunId,
      identity: params.identity,
      retryPolicy: params.retryPolicy,
      attempt: params.attempt,
      firstWorkflowTaskBackoff: optionalDuration(params.firstWorkflowTaskBackoffMs),
      parentWorkflowNamespace: params.parent?.namespace,
      parentWorkflowExecution: params.parent && { workflowId: params.parent.workflowId, runId: params.parent.runId },
      parentInitiatedEventId: params.parent && long(params.parent.initiatedEventId),
      rootWorkflowExecution: params.root ?? ex.execution,
      priority: params.priority,
    },
    now,
  );
  options.beforeFirstTask?.(ex);
  if (params.runTimeoutMs > 0) {
    ex.runTimers.push(engine.clock.setTimer(params.runTimeoutMs, () => timeOutRun(engine, ex, true)));
  }
  if (params.executionExpirationMs > 0) {
    ex.runTimers.push(engine.clock.setTimer(params.executionExpirationMs - now, () => timeOutRun(engine, ex, false)));
  }
  if (ex.waitingForFirstTask) {
    ex.runTimers.push(
      engine.clock.setTimer(params.firstWorkflowTaskBackoffMs, () => {
        ex.waitingForFirstTask = false;
        scheduleWorkflowTask(engine, ex);
      }),
    );
  } else {
    scheduleWorkflowTask(engine, ex);
  }
  return ex;
}

/**
 * Applies the workflow-id rules before a start: the current run with the same id blocks a new
 * one while it runs (conflict policy) and, once closed, per the reuse policy. Returns the run to
 * answer with instead of starting, if any; throws ALREADY_EXISTS when the start is refused.
 */
export function admitStart(
  engine: Engine,
  request: {
    namespace: string;
    workflowId: string;
    requestId: string;
    reusePolicy: temporal.api.enums.v1.WorkflowIdReusePolicy;
    conflictPolicy: temporal.api.enums.v1.WorkflowIdConflictPolicy;
  },
): Execution | undefined {
  const current = engine.store.current(request.namespace, request.workflowId);
  if (!current) return undefined;
  const refuse = () => workflowAlreadyStarted(request.workflowId, current.runId, current.params.requestId);
  if (current.isRunning) {
    if (request.requestId && request.requestId === current.params.requestId) return current;
    if (request.conflictPolicy === Conflict.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING) return current;
    if (
      request.conflictPolicy === Conflict.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING ||
      request.reusePolicy === Reuse.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING
    ) {
      terminateRun(engine, current, {
        reason: 'terminated by a new start with the same workflow id',
        identity: SERVICE_IDENTITY,
      });
      return undefined;
    }
    throw refuse();
  }
  if (request.reusePolicy === Reuse.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE) throw refuse();
  const completed = current.status === Status.WORKFLOW_EXECUTION_STATUS_COMPLETED;
  if (request.reusePolicy === Reuse.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY && completed) {
    throw refuse();
  }
  return undefined;
}

export function signalRun(
  engine: Engine,
  ex: Execution,
  signal: {
    signalName: string;
    input?: Payloads | null;
    header?: Header | null;
    identity: string;
    requestId?: string;
    externalWorkflowExecution?: { workflowId: string; runId: string };
  },
): void {
  if (!ex.isRunning) throw workflowAlreadyCompleted();
  deliver(engine, ex, () => ex.history.append('workflowExecutionSignaledEventAttributes', signal, engine.clock.now()));
}

export function requestCancelRun(
  engine: Engine,
  ex: Execution,
  request: {
    cause: string;
    identity: string;
    externalInitiatedEventId?: number;
    externalWorkflowExecution?: { workflowId: string; runId: string };
  },
): void {
  if (!ex.isRunning) throw workflowAlreadyCompleted();
  if (ex.cancelRequested) return;
  ex.cancelRequested = true;
  deliver(engine, ex, () =>
    ex.history.append(
      'workflowExecutionCancelRequestedEventAttributes',
      {
        cause: request.cause,
        identity: request.identity,
        externalInitiatedEventId: request.externalInitiatedEventId ? long(request.externalInitiatedEventId) : undefined,
        externalWorkflowExecution: request.externalWorkflowExecution,
      },
      engine.clock.now(),
    ),
  );
}

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
function timeOutRun(engine: Engine, ex: Execution, retryable: boolean): void {
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
