/**
 * Starting runs: the start parameters of a first run, the WorkflowExecutionStarted event and first
 * workflow task (after any start backoff), and the workflow-id rules (reuse and conflict
 * policies) that decide whether a start may happen at all.
 */
import { randomUUID } from 'node:crypto';
import type { Engine } from './engine.js';
import { Execution, type StartParams } from './execution.js';
import { durationMs, enums, long, msDuration, msTimestamp, type temporal, type Duration } from './proto.js';
import { withRetryDefaults } from './retry-policy.js';
import { workflowAlreadyStarted } from './rpc-error.js';
import { terminateRun, timeOutRun } from './run-close.js';
import { scheduleWorkflowTask } from './workflow-tasks.js';

const Status = enums.WorkflowExecutionStatus;
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
