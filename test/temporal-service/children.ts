/**
 * Child workflows and external signal/cancel. The command writes its "initiated" event inside
 * the workflow task; the actual start, signal or cancel happens afterwards (the real server's
 * transfer task), and its outcome comes back to the initiating run as a new event plus a
 * workflow task. A child's close is reported to its parent (continue-as-new is not a close);
 * a parent's close applies each open child's parent-close policy.
 */
import type { Engine } from './engine.js';
import type { ChildState, Execution } from './execution.js';
import { enums, long, type temporal, type HistoryEvent } from './proto.js';
import { RpcError } from './rpc-error.js';
import { terminateRun } from './run-close.js';
import { requestCancelRun, signalRun } from './run-signals.js';
import { admitStart, firstRunParams, SERVICE_IDENTITY, startRun } from './run-start.js';
import { deliver } from './workflow-tasks.js';

type ChildAttributes = temporal.api.command.v1.IStartChildWorkflowExecutionCommandAttributes;

const Policy = enums.ParentClosePolicy;
const SignalFailed = enums.SignalExternalWorkflowExecutionFailedCause;
const CancelFailed = enums.CancelExternalWorkflowExecutionFailedCause;
const Status = enums.WorkflowExecutionStatus;

export function initiateChild(engine: Engine, parent: Execution, attrs: ChildAttributes, completedEventId: number): void {
  const namespace = attrs.namespace || parent.namespace;
  const taskQueue = attrs.taskQueue?.name || parent.taskQueue;
  const initiatedEventId = parent.history.append(
    'startChildWorkflowExecutionInitiatedEventAttributes',
    {
      ...attrs,
      namespace,
      taskQueue: { name: taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      workflowTaskCompletedEventId: long(completedEventId),
    },
    engine.clock.now(),
  );
  const child: ChildState = {
    initiatedEventId,
    namespace,
    workflowId: attrs.workflowId ?? '',
    workflowType: attrs.workflowType?.name ?? '',
    parentClosePolicy: attrs.parentClosePolicy || Policy.PARENT_CLOSE_POLICY_TERMINATE,
    startedEventId: 0,
  };
  parent.children.set(initiatedEventId, child);
  engine.defer(() => startChild(engine, parent, child, { ...attrs, namespace, taskQueue: { name: taskQueue } }));
}

function startChild(engine: Engine, parent: Execution, child: ChildState, attrs: ChildAttributes): void {
  // The real server skips the start when the parent closed in the meantime.
  if (!parent.isRunning || parent.children.get(child.initiatedEventId) !== child) return;
  const common = {
    namespace: child.namespace,
    workflowType: { name: child.workflowType },
    initiatedEventId: long(child.initiatedEventId),
  };
  try {
    admitStart(engine, {
      namespace: child.namespace,
      workflowId: child.workflowId,
      requestId: '',
      reusePolicy: attrs.workflowIdReusePolicy ?? enums.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
      conflictPolicy: enums.WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
    });
  } catch (err) {
    if (!(err instanceof RpcError)) throw err;
    parent.children.delete(child.initiatedEventId);
    deliver(engine, parent, () =>
      parent.history.append(
        'startChildWorkflowExecutionFailedEventAttributes',
        {
          ...common,
          workflowId: child.workflowId,
          cause: enums.StartChildWorkflowExecutionFailedCause.START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS,
          control: attrs.control,
        },
        engine.clock.now(),
      ),
    );
    return;
  }
  const params = firstRunParams(engine, {
    ...attrs,
    namespace: child.namespace,
    workflowId: child.workflowId,
    workflowType: child.workflowType,
    taskQueue: attrs.taskQueue?.name ?? parent.taskQueue,
    identity: SERVICE_IDENTITY,
    requestId: '',
    parent: { namespace: parent.namespace, ...parent.execution, initiatedEventId: child.initiatedEventId },
    root: parent.params.root ?? parent.execution,
  });
  const run = startRun(engine, params);
  child.runId = run.runId;
  deliver(engine, parent, () => {
    child.startedEventId = parent.history.append(
      'childWorkflowExecutionStartedEventAttributes',
      { ...common, workflowExecution: run.execution, header: attrs.header },
      engine.clock.now(),
    );
  });
}

/** Tells the parent (if any) that this run closed, with the matching ChildWorkflowExecution* event. */
export function reportCloseToParent(engine: Engine, ex: Execution): void {
  const link = ex.params.parent;
  if (!link) return;
  const closeEvent = ex.history.events.at(-1)!;
  if (nextRunOf(closeEvent)) return; // retried: the next run reports
  const parent = engine.store.find(link.namespace, link.workflowId, link.runId);
  const child = parent?.children.get(link.initiatedEventId);
  if (!parent || !child) return;
  parent.children.delete(link.initiatedEventId);
  deliver(engine, parent, () => {
    const common = {
      namespace: ex.namespace,
      workflowExecution: ex.execution,
      workflowType: { name: ex.params.workflowType },
      initiatedEventId: long(child.initiatedEventId),
      startedEventId: long(child.startedEventId),
    };
    const now = engine.clock.now();
    const history = parent.history;
    switch (ex.status) {
      case Status.WORKFLOW_EXECUTION_STATUS_COMPLETED: {
        const result = closeEvent.workflowExecutionCompletedEventAttributes?.result;
        history.append('childWorkflowExecutionCompletedEventAttributes', { ...common, result }, now);
        break;
      }
      case Status.WORKFLOW_EXECUTION_STATUS_FAILED: {
        const { failure, retryState } = closeEvent.workflowExecutionFailedEventAttributes ?? {};
        history.append('childWorkflowExecutionFailedEventAttributes', { ...common, failure, retryState }, now);
        break;
      }
      case Status.WORKFLOW_EXECUTION_STATUS_CANCELED: {
        const details = closeEvent.workflowExecutionCanceledEventAttributes?.details;
        history.append('childWorkflowExecutionCanceledEventAttributes', { ...common, details }, now);
        break;
      }
      case Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT: {
        const retryState = closeEvent.workflowExecutionTimedOutEventAttributes?.retryState;
        history.append('childWorkflowExecutionTimedOutEventAttributes', { ...common, retryState }, now);
        break;
      }
      default:
        history.append('childWorkflowExecutionTerminatedEventAttributes', common, now);
    }
  });
}

function nextRunOf(event: HistoryEvent): string | undefined {
  return (
    event.workflowExecutionFailedEventAttributes?.newExecutionRunId ||
    event.workflowExecutionTimedOutEventAttributes?.newExecutionRunId ||
    undefined
  );
}

/** Terminates or cancels the still-running children of a run that closed, per their policy. */
export function applyParentClosePolicy(engine: Engine, parent: Execution): void {
  const children = [...parent.children.values()];
  parent.children.clear();
  for (const child of children) {
    if (!child.runId || child.parentClosePolicy === Policy.PARENT_CLOSE_POLICY_ABANDON) continue;
    const run = engine.store.current(child.namespace, child.workflowId);
    if (!run?.isRunning || run.firstExecutionRunId !== firstRunOf(engine, child)) continue;
    if (child.parentClosePolicy === Policy.PARENT_CLOSE_POLICY_REQUEST_CANCEL) {
      requestCancelRun(engine, run, { cause: 'by parent close policy', identity: SERVICE_IDENTITY });
    } else {
      terminateRun(engine, run, { reason: 'by parent close policy', identity: SERVICE_IDENTITY });
    }
  }
}

function firstRunOf(engine: Engine, child: ChildState): string | undefined {
  return engine.store.find(child.namespace, child.workflowId, child.runId)?.firstExecutionRunId;
}

/**
 * After the initiating task: finds the target run (it must be running, and a child of `ex` when
 * `childWorkflowOnly`), acts on it, and reports back to `ex` with the success or failure event.
 */
function reachExternal(
  engine: Engine,
  ex: Execution,
  target: { namespace: string; workflowId: string; runId: string; childWorkflowOnly?: boolean | null },
  act: (run: Execution) => void,
  report: (reached: boolean) => void,
): void {
  engine.defer(() => {
    const run = engine.store.find(target.namespace, target.workflowId, target.runId);
    const reached =
      run?.isRunning === true && (!target.childWorkflowOnly || run.params.parent?.workflowId === ex.workflowId);
    if (run && reached) act(run);
    deliver(engine, ex, () => report(reached));
  });
}

export function initiateSignalExternal(
  engine: Engine,
  ex: Execution,
  attrs: temporal.api.command.v1.ISignalExternalWorkflowExecutionCommandAttributes,
  completedEventId: number,
): void {
  const namespace = attrs.namespace || ex.namespace;
  const target = { workflowId: attrs.execution?.workflowId ?? '', runId: attrs.execution?.runId ?? '' };
  const initiatedEventId = ex.history.append(
    'signalExternalWorkflowExecutionInitiatedEventAttributes',
    {
      namespace,
      workflowExecution: target,
      signalName: attrs.signalName,
      input: attrs.input,
      control: attrs.control,
      childWorkflowOnly: attrs.childWorkflowOnly,
      header: attrs.header,
      workflowTaskCompletedEventId: long(completedEventId),
    },
    engine.clock.now(),
  );
  const common = {
    namespace,
    workflowExecution: target,
    initiatedEventId: long(initiatedEventId),
    control: attrs.control,
  };
  reachExternal(
    engine,
    ex,
    { namespace, ...target, childWorkflowOnly: attrs.childWorkflowOnly },
    (run) =>
      signalRun(engine, run, {
        signalName: attrs.signalName ?? '',
        input: attrs.input,
        header: attrs.header,
        identity: SERVICE_IDENTITY,
        externalWorkflowExecution: ex.execution,
      }),
    (reached) =>
      reached
        ? ex.history.append('externalWorkflowExecutionSignaledEventAttributes', common, engine.clock.now())
        : ex.history.append(
            'signalExternalWorkflowExecutionFailedEventAttributes',
            {
              ...common,
              cause: SignalFailed.SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND,
            },
            engine.clock.now(),
          ),
  );
}

export function initiateCancelExternal(
  engine: Engine,
  ex: Execution,
  attrs: temporal.api.command.v1.IRequestCancelExternalWorkflowExecutionCommandAttributes,
  completedEventId: number,
): void {
  const namespace = attrs.namespace || ex.namespace;
  const target = { workflowId: attrs.workflowId ?? '', runId: attrs.runId ?? '' };
  const initiatedEventId = ex.history.append(
    'requestCancelExternalWorkflowExecutionInitiatedEventAttributes',
    {
      namespace,
      workflowExecution: target,
      control: attrs.control,
      childWorkflowOnly: attrs.childWorkflowOnly,
      reason: attrs.reason,
      workflowTaskCompletedEventId: long(completedEventId),
    },
    engine.clock.now(),
  );
  const common = { namespace, workflowExecution: target, initiatedEventId: long(initiatedEventId) };
  reachExternal(
    engine,
    ex,
    { namespace, ...target, childWorkflowOnly: attrs.childWorkflowOnly },
    (run) =>
      requestCancelRun(engine, run, {
        cause: attrs.reason ?? '',
        identity: SERVICE_IDENTITY,
        externalInitiatedEventId: initiatedEventId,
        externalWorkflowExecution: ex.execution,
      }),
    (reached) =>
      reached
        ? ex.history.append('externalWorkflowExecutionCancelRequestedEventAttributes', common, engine.clock.now())
        : ex.history.append(
            'requestCancelExternalWorkflowExecutionFailedEventAttributes',
            {
              ...common,
              control: attrs.control,
              cause: CancelFailed.CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND,
            },
            engine.clock.now(),
          ),
  );
}
