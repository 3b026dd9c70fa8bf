/**
 * Workflow-task lifecycle: schedule → started (by a poll, always with the full history on the
 * normal queue; stickiness is ignored) → completed, failed or timed out. Events arriving while a
 * task runs are buffered and written after its completion; a task that tries to close the run
 * while events are buffered is rejected with UNHANDLED_COMMAND.
 *
 * Core reports only the first failure of a task; later attempts fail silently, so the
 * start-to-close timeout is what drives retries after a failed task.
 */
import { status } from '@grpc/grpc-js';
import { applyCommands, findInvalidCommand, isCloseCommand } from './commands.js';
import type { Engine } from './engine.js';
import type { BufferedEvent, Execution, WorkflowTaskState } from './execution.js';
import { buildEvent } from './history.js';
import { enums, long, msDuration, msTimestamp, type temporal, type Failure } from './proto.js';
import { notFound, RpcError } from './rpc-error.js';
import { decodeToken, encodeToken } from './tokens.js';

type PollResponse = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse;
type CompletedRequest = temporal.api.workflowservice.v1.RespondWorkflowTaskCompletedRequest;
type FailedRequest = temporal.api.workflowservice.v1.RespondWorkflowTaskFailedRequest;
type FailedCause = temporal.api.enums.v1.WorkflowTaskFailedCause;

const Cause = enums.WorkflowTaskFailedCause;

/** Delivers events from outside the workflow task: written now, or buffered while a task runs. */
export function deliver(
  engine: Engine,
  ex: Execution,
  write: () => void,
  tag: Omit<BufferedEvent, 'write'> = {},
): void {
  if (!ex.isRunning) return;
  if (ex.workflowTask?.phase === 'started') {
    ex.buffered.push({ write, ...tag });
    return;
  }
  write();
  scheduleWorkflowTask(engine, ex);
}

/** Schedules a workflow task unless one is already scheduled or running. */
export function scheduleWorkflowTask(engine: Engine, ex: Execution): void {
  if (!ex.isRunning || ex.workflowTask || ex.waitingForFirstTask) return;
  const now = engine.clock.now();
  const attempt = ex.nextWorkflowTaskAttempt;
  const task: WorkflowTaskState = {
    phase: 'scheduled',
    attempt,
    sequence: ++ex.workflowTaskSequence,
    transient: attempt > 1,
    scheduledEventId: 0,
    startedEventId: 0,
    scheduledTimeMs: now,
    startedTimeMs: 0,
    transientEvents: [],
  };
  if (!task.transient) {
    const attributes = scheduledAttributes(ex, attempt);
    task.scheduledEventId = ex.history.append('workflowTaskScheduledEventAttributes', attributes, now);
  }
  ex.workflowTask = task;
  engine.queues.add('workflow', ex.taskQueue, {
    take: (poller) => startWorkflowTask(engine, ex, task, poller.identity),
  });
}

function scheduledAttributes(ex: Execution, attempt: number) {
  return {
    taskQueue: { name: ex.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    startToCloseTimeout: msDuration(ex.params.workflowTaskTimeoutMs),
    attempt,
  };
}

/** Like the real server, suggests continue-as-new once the history grows past the limits. */
function startedAttributes(engine: Engine, ex: Execution, task: WorkflowTaskState, identity: string) {
  const Reason = enums.SuggestContinueAsNewReason;
  const reasons: temporal.api.enums.v1.SuggestContinueAsNewReason[] = [];
  if (ex.history.nextEventId >= engine.suggestContinueAsNew.events) {
    reasons.push(Reason.SUGGEST_CONTINUE_AS_NEW_REASON_TOO_MANY_HISTORY_EVENTS);
  }
  if (ex.history.sizeBytes >= engine.suggestContinueAsNew.bytes) {
    reasons.push(Reason.SUGGEST_CONTINUE_AS_NEW_REASON_HISTORY_SIZE_TOO_LARGE);
  }
  return {
    scheduledEventId: long(task.scheduledEventId),
    identity,
    historySizeBytes: long(ex.history.sizeBytes),
    suggestContinueAsNew: reasons.length > 0,
    suggestContinueAsNewReasons: reasons,
  };
}

function startWorkflowTask(
  engine: Engine,
  ex: Execution,
  task: WorkflowTaskState,
  identity: string,
): PollResponse | undefined {
  if (!ex.isRunning || ex.workflowTask !== task || task.phase !== 'scheduled') return undefined;
  const now = engine.clock.now();
  task.phase = 'started';
  task.startedTimeMs = now;
  let events = ex.history.events;
  if (task.transient) {
    task.scheduledEventId = ex.history.nextEventId;
    task.startedEventId = task.scheduledEventId + 1;
    const scheduled = scheduledAttributes(ex, task.attempt);
    const started = startedAttributes(engine, ex, task, identity);
    task.transientEvents = [
      buildEvent(task.scheduledEventId, 'workflowTaskScheduledEventAttributes', scheduled, task.scheduledTimeMs),
      buildEvent(task.startedEventId, 'workflowTaskStartedEventAttributes', started, now),
    ];
    events = [...events, ...task.transientEvents];
  } else {
    const started = startedAttributes(engine, ex, task, identity);
    task.startedEventId = ex.history.append('workflowTaskStartedEventAttributes', started, now);
    events = [...events];
  }
  task.timeout = engine.clock.setTimer(ex.params.workflowTaskTimeoutMs, () => timeoutWorkflowTask(engine, ex, task));
  return {
    taskToken: encodeToken({ kind: 'workflow', ...ex.ref, sequence: task.sequence }),
    workflowExecution: ex.execution,
    workflowType: { name: ex.params.workflowType },
    workflowExecutionTaskQueue: { name: ex.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    previousStartedEventId: long(ex.lastCompletedStartedEventId),
    startedEventId: long(task.startedEventId),
    attempt: task.attempt,
    history: { events },
    scheduledTime: msTimestamp(task.scheduledTimeMs),
    startedTime: msTimestamp(now),
  };
}

/** The run and task a workflow-task token names, or NOT_FOUND when that task is over. */
function runningTask(
  engine: Engine,
  tokenBytes: Uint8Array | null | undefined,
): { ex: Execution; task: WorkflowTaskState } {
  const token = decodeToken(tokenBytes, 'workflow');
  const ex = engine.store.byRef(token);
  const task = ex?.workflowTask;
  if (!ex || !ex.isRunning || !task || task.phase !== 'started' || task.sequence !== token.sequence) {
    throw notFound('Workflow task not found.');
  }
  return { ex, task };
}

export function completeWorkflowTask(engine: Engine, request: CompletedRequest): object {
  const { ex, task } = runningTask(engine, request.taskToken);
  const commands = request.commands;
  const closing = commands.findIndex(isCloseCommand);
  if (closing >= 0 && closing < commands.length - 1) {
    throw new RpcError(
      status.INVALID_ARGUMENT,
      'invalid command sequence: a command that closes the workflow must be the last command',
    );
  }
  if (closing >= 0 && ex.buffered.length > 0) {
    const cause = Cause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND;
    endFailedTask(engine, ex, task, { cause, identity: request.identity });
    // Core recognises this exact message and evicts the run quietly, then replays the new task.
    throw new RpcError(status.INVALID_ARGUMENT, 'UnhandledCommand');
  }
  const invalid = findInvalidCommand(ex, commands);
  if (invalid) {
    const failure = { message: invalid.message };
    endFailedTask(engine, ex, task, { cause: invalid.cause, failure, identity: request.identity });
    throw new RpcError(status.INVALID_ARGUMENT, invalid.message);
  }

  task.timeout?.cancel();
  if (task.transient) ex.history.appendBuilt(task.transientEvents);
  const completedEventId = ex.history.append(
    'workflowTaskCompletedEventAttributes',
    {
      scheduledEventId: long(task.scheduledEventId),
      startedEventId: long(task.startedEventId),
      identity: request.identity,
      binaryChecksum: request.binaryChecksum,
      workerVersion: request.workerVersionStamp,
      sdkMetadata: request.sdkMetadata,
      meteringMetadata: request.meteringMetadata,
    },
    engine.clock.now(),
  );
  ex.workflowTask = undefined;
  ex.nextWorkflowTaskAttempt = 1;
  ex.lastCompletedStartedEventId = task.startedEventId;

  const { newWorkflowTask } = applyCommands(engine, ex, commands, completedEventId, request.identity);
  if (ex.isRunning) {
    const hadBuffered = flushBuffered(ex);
    if (hadBuffered || newWorkflowTask || request.forceCreateNewWorkflowTask) scheduleWorkflowTask(engine, ex);
  }
  return {};
}

export function failWorkflowTask(engine: Engine, request: FailedRequest): object {
  const { ex, task } = runningTask(engine, request.taskToken);
  endFailedTask(engine, ex, task, { cause: request.cause, failure: request.failure, identity: request.identity });
  return {};
}

function timeoutWorkflowTask(engine: Engine, ex: Execution, task: WorkflowTaskState): void {
  if (!ex.isRunning || ex.workflowTask !== task || task.phase !== 'started') return;
  ex.workflowTask = undefined;
  if (!task.transient) {
    ex.history.append(
      'workflowTaskTimedOutEventAttributes',
      {
        scheduledEventId: long(task.scheduledEventId),
        startedEventId: long(task.startedEventId),
        timeoutType: enums.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE,
      },
      engine.clock.now(),
    );
  }
  ex.nextWorkflowTaskAttempt = task.attempt + 1;
  flushBuffered(ex);
  scheduleWorkflowTask(engine, ex);
}

/**
 * Ends a running task as failed. A retry of a failed task writes nothing (it is transient), except
 * UNHANDLED_COMMAND: the server decided that one, so it is always recorded, and the next task
 * starts over at attempt 1 because the worker did nothing a retry would repeat.
 */
function endFailedTask(
  engine: Engine,
  ex: Execution,
  task: WorkflowTaskState,
  failed: { cause: FailedCause; failure?: Failure | null; identity: string },
): void {
  const unhandled = failed.cause === Cause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND;
  task.timeout?.cancel();
  ex.workflowTask = undefined;
  if (!task.transient || unhandled) {
    if (task.transient) ex.history.appendBuilt(task.transientEvents);
    ex.history.append(
      'workflowTaskFailedEventAttributes',
      {
        scheduledEventId: long(task.scheduledEventId),
        startedEventId: long(task.startedEventId),
        cause: failed.cause,
        failure: failed.failure,
        identity: failed.identity,
      },
      engine.clock.now(),
    );
  }
  ex.nextWorkflowTaskAttempt = unhandled ? 1 : task.attempt + 1;
  flushBuffered(ex);
  scheduleWorkflowTask(engine, ex);
}

/** Writes the events buffered during the task that just ended; true when there were any. */
function flushBuffered(ex: Execution): boolean {
  const buffered = ex.buffered.splice(0);
  for (const event of buffered) event.write();
  return buffered.length > 0;
}

/** Drops the workflow task of a run that just closed (its completion will get NOT_FOUND). */
export function abandonWorkflowTask(ex: Execution): void {
  ex.workflowTask?.timeout?.cancel();
  ex.workflowTask = undefined;
  ex.buffered = [];
}
