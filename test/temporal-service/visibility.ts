/**
 * What clients see of runs without reading histories: DescribeWorkflowExecution, and
 * ListWorkflowExecutions / CountWorkflowExecutions with a deliberately small filter language:
 * `Field = 'value'` terms joined by AND over WorkflowId, RunId, WorkflowType, TaskQueue and
 * ExecutionStatus (e.g. `WorkflowType = 'ingest' AND ExecutionStatus = 'Running'`). Anything else
 * is refused with INVALID_ARGUMENT rather than silently matching everything.
 */
import type { Engine } from './engine.js';
import type { ActivityState, Execution } from './execution.js';
import { enums, long, msDuration, msTimestamp, type temporal } from './proto.js';
import { invalidArgument } from './rpc-error.js';

type ExecutionInfo = temporal.api.workflow.v1.IWorkflowExecutionInfo;

const Status = enums.WorkflowExecutionStatus;

export function executionInfo(ex: Execution): ExecutionInfo {
  return {
    execution: ex.execution,
    type: { name: ex.params.workflowType },
    startTime: msTimestamp(ex.startTimeMs),
    closeTime: ex.closeTimeMs ? msTimestamp(ex.closeTimeMs) : undefined,
    status: ex.status,
    historyLength: long(ex.history.events.length),
    parentExecution: ex.params.parent && { workflowId: ex.params.parent.workflowId, runId: ex.params.parent.runId },
    rootExecution: ex.params.root ?? ex.execution,
    executionTime: msTimestamp(ex.executionTimeMs),
    memo: ex.memo,
    searchAttributes: ex.searchAttributes,
    taskQueue: ex.taskQueue,
    firstRunId: ex.firstExecutionRunId,
    executionDuration: ex.closeTimeMs ? msDuration(ex.closeTimeMs - ex.executionTimeMs) : undefined,
  };
}

export function describeExecution(ex: Execution): temporal.api.workflowservice.v1.IDescribeWorkflowExecutionResponse {
  const task = ex.workflowTask;
  const TaskState = enums.PendingWorkflowTaskState;
  return {
    executionConfig: {
      taskQueue: { name: ex.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      workflowExecutionTimeout: ex.params.executionTimeoutMs ? msDuration(ex.params.executionTimeoutMs) : undefined,
      workflowRunTimeout: ex.params.runTimeoutMs ? msDuration(ex.params.runTimeoutMs) : undefined,
      defaultWorkflowTaskTimeout: msDuration(ex.params.workflowTaskTimeoutMs),
      userMetadata: ex.params.userMetadata,
    },
    workflowExecutionInfo: executionInfo(ex),
    pendingActivities: [...ex.activities.values()].map(pendingActivityInfo),
    pendingChildren: [...ex.children.values()]
      .filter((child) => child.runId)
      .map((child) => ({
        workflowId: child.workflowId,
        runId: child.runId,
        workflowTypeName: child.workflowType,
        initiatedId: long(child.initiatedEventId),
        parentClosePolicy: child.parentClosePolicy,
      })),
    pendingWorkflowTask: task && {
      state:
        task.phase === 'started'
          ? TaskState.PENDING_WORKFLOW_TASK_STATE_STARTED
          : TaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED,
      scheduledTime: msTimestamp(task.scheduledTimeMs),
      originalScheduledTime: msTimestamp(task.scheduledTimeMs),
      startedTime: task.startedTimeMs ? msTimestamp(task.startedTimeMs) : undefined,
      attempt: task.attempt,
    },
  };
}

const STATUS_NAMES: Record<string, temporal.api.enums.v1.WorkflowExecutionStatus> = {
  running: Status.WORKFLOW_EXECUTION_STATUS_RUNNING,
  completed: Status.WORKFLOW_EXECUTION_STATUS_COMPLETED,
  failed: Status.WORKFLOW_EXECUTION_STATUS_FAILED,
  canceled: Status.WORKFLOW_EXECUTION_STATUS_CANCELED,
  terminated: Status.WORKFLOW_EXECUTION_STATUS_TERMINATED,
  continuedasnew: Status.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW,
  timedout: Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
};

const FIELDS: Record<string, (ex: Execution) => string> = {
  workflowid: (ex) => ex.workflowId,
  runid: (ex) => ex.runId,
  workflowtype: (ex) => ex.params.workflowType,
  taskqueue: (ex) => ex.taskQueue,
};

/** Parses the filter into a predicate; throws INVALID_ARGUMENT for anything outside the subset. */
export function parseFilter(query: string): (ex: Execution) => boolean {
  const text = query.trim();
  if (!text) return () => true;
  const tests = text.split(/\s+AND\s+/i).map((term) => {
    const match = /^(\w+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")$/.exec(term.trim());
    if (!match) throw unsupportedFilter(query);
    const field = match[1]!.toLowerCase();
    const value = (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1');
    if (field === 'executionstatus') {
      const status = STATUS_NAMES[value.toLowerCase()];
      if (status === undefined) throw invalidArgument(`unknown ExecutionStatus '${value}'`);
      return (ex: Execution) => ex.status === status;
    }
    const read = FIELDS[field];
    if (!read) throw unsupportedFilter(query);
    return (ex: Execution) => read(ex) === value;
  });
  return (ex) => tests.every((test) => test(ex));
}

function unsupportedFilter(query: string) {
  return invalidArgument(
    `unsupported list filter "${query}": the in-memory Temporal service understands Field = 'value' terms ` +
      `joined by AND over WorkflowId, RunId, WorkflowType, TaskQueue and ExecutionStatus`,
  );
}

export function listExecutions(
  engine: Engine,
  request: temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest,
): temporal.api.workflowservice.v1.IListWorkflowExecutionsResponse {
  const matches = engine.store
    .all(request.namespace)
    .filter(parseFilter(request.query))
    .sort((a, b) => b.startTimeMs - a.startTimeMs);
  const offset = request.nextPageToken?.length ? Number(Buffer.from(request.nextPageToken).toString('utf8')) : 0;
  const pageSize = request.pageSize > 0 ? request.pageSize : 1000;
  const page = matches.slice(offset, offset + pageSize);
  const next = offset + page.length;
  return {
    executions: page.map(executionInfo),
    nextPageToken: next < matches.length ? Buffer.from(String(next)) : undefined,
  };
}

export function countExecutions(
  engine: Engine,
  request: temporal.api.workflowservice.v1.CountWorkflowExecutionsRequest,
): temporal.api.workflowservice.v1.ICountWorkflowExecutionsResponse {
  if (/\bGROUP\s+BY\b/i.test(request.query)) throw unsupportedFilter(request.query);
  return { count: long(engine.store.all(request.namespace).filter(parseFilter(request.query)).length) };
}

/** The `pendingActivities` entry of DescribeWorkflowExecution. */
export function pendingActivityInfo(activity: ActivityState): temporal.api.workflow.v1.IPendingActivityInfo {
  const State = enums.PendingActivityState;
  return {
    activityId: activity.activityId,
    activityType: { name: activity.activityType },
    state:
      activity.cancelRequestedEventId > 0
        ? State.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED
        : activity.phase === 'started'
          ? State.PENDING_ACTIVITY_STATE_STARTED
          : State.PENDING_ACTIVITY_STATE_SCHEDULED,
    heartbeatDetails: activity.heartbeatDetails,
    lastHeartbeatTime: activity.lastHeartbeatTimeMs ? msTimestamp(activity.lastHeartbeatTimeMs) : undefined,
    lastStartedTime: activity.startedTimeMs ? msTimestamp(activity.startedTimeMs) : undefined,
    attempt: activity.attempt,
    maximumAttempts: activity.retryPolicy.maximumAttempts ?? 0,
    scheduledTime: msTimestamp(activity.currentAttemptScheduledTimeMs),
    expirationTime: activity.expirationMs ? msTimestamp(activity.expirationMs) : undefined,
    lastFailure: activity.lastFailure,
    lastWorkerIdentity: activity.startedIdentity,
  };
}
