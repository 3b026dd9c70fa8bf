/**
 * Activity lifecycle, with the real server's rules:
 * - scheduling fills in defaults (timeouts derived from each other and capped by the run timeout;
 *   retry policy 1 s initial interval, coefficient 2, maximum 100 × initial, unlimited attempts);
 * - attempts that will be retried write no events: only the final attempt writes
 *   ActivityTaskStarted (with its attempt and the previous failure) together with its outcome;
 * - retries stop on a non-retryable failure or error type, at maximum attempts, or when the next
 *   attempt would start past the schedule-to-close deadline; `nextRetryDelay` overrides backoff;
 * - schedule-to-start, start-to-close, schedule-to-close and heartbeat timeouts; heartbeat
 *   details survive into the next attempt;
 * - cancellation of a started activity is delivered only through heartbeat responses;
 * - a completion for an attempt that is no longer running gets NOT_FOUND.
 */
import type { Engine } from './engine.js';
import type { ActivityState, Execution } from './execution.js';
import {
  enums,
  long,
  msDuration,
  msTimestamp,
  num,
  type temporal,
  type Failure,
  type Payloads,
} from './proto.js';
import { resolveTimeouts } from './activity-options.js';
import { nextRetry, withRetryDefaults } from './retry-policy.js';
import { invalidArgument, notFound } from './rpc-error.js';
import { decodeToken, encodeToken } from './tokens.js';
import { deliver } from './workflow-tasks.js';

type ScheduleAttributes = temporal.api.command.v1.IScheduleActivityTaskCommandAttributes;
type RetryState = temporal.api.enums.v1.RetryState;
type TimeoutType = temporal.api.enums.v1.TimeoutType;
type PollResponse = temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse;

const Retry = enums.RetryState;
const Timeout = enums.TimeoutType;

export function canCancelActivity(ex: Execution, scheduledEventId: number): boolean {
  return ex.activities.has(scheduledEventId) || ex.buffered.some((e) => e.activityScheduledEventId === scheduledEventId);
}

const optionalDuration = (ms: number) => (ms > 0 ? msDuration(ms) : undefined);

export function scheduleActivity(engine: Engine, ex: Execution, attrs: ScheduleAttributes, completedEventId: number): void {
  const now = engine.clock.now();
  const timeouts = resolveTimeouts(attrs, ex.params.runTimeoutMs);
  const retryPolicy = withRetryDefaults(attrs.retryPolicy);
  const taskQueue = attrs.taskQueue?.name || ex.taskQueue;
  const scheduledEventId = ex.history.append(
    'activityTaskScheduledEventAttributes',
    {
      activityId: attrs.activityId,
      activityType: attrs.activityType,
      taskQueue: { name: taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      header: attrs.header,
      input: attrs.input,
      scheduleToCloseTimeout: optionalDuration(timeouts.scheduleToClose),
      scheduleToStartTimeout: optionalDuration(timeouts.scheduleToStart),
      startToCloseTimeout: optionalDuration(timeouts.startToClose),
      heartbeatTimeout: optionalDuration(timeouts.heartbeat),
      workflowTaskCompletedEventId: long(completedEventId),
      retryPolicy,
      priority: attrs.priority,
    },
    now,
  );
  const activity: ActivityState = {
    scheduledEventId,
    activityId: attrs.activityId ?? '',
    activityType: attrs.activityType?.name ?? '',
    taskQueue,
    input: attrs.input,
    header: attrs.header,
    scheduleToCloseMs: timeouts.scheduleToClose,
    scheduleToStartMs: timeouts.scheduleToStart,
    startToCloseMs: timeouts.startToClose,
    heartbeatMs: timeouts.heartbeat,
    retryPolicy,
    scheduledTimeMs: now,
    expirationMs: timeouts.scheduleToClose > 0 ? now + timeouts.scheduleToClose : 0,
    attempt: 1,
    phase: 'scheduled',
    currentAttemptScheduledTimeMs: now,
    startedTimeMs: 0,
    startedIdentity: '',
    lastHeartbeatTimeMs: 0,
    cancelRequestedEventId: 0,
    timers: {},
  };
  ex.activities.set(scheduledEventId, activity);
  if (activity.scheduleToCloseMs > 0) {
    activity.timers.scheduleToClose = engine.clock.setTimer(activity.scheduleToCloseMs, () => {
      if (ex.activities.get(scheduledEventId) !== activity) return;
      const failure = timeoutFailure(Timeout.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE, activity);
      failure.cause = activity.lastFailure;
      finish(engine, ex, activity, { timedOut: { failure, retryState: Retry.RETRY_STATE_TIMEOUT } });
    });
  }
  enqueue(engine, ex, activity);
}

/** Puts the current attempt on its task queue. */
function enqueue(engine: Engine, ex: Execution, activity: ActivityState): void {
  const attempt = activity.attempt;
  const current = () =>
    ex.isRunning && ex.activities.get(activity.scheduledEventId) === activity && activity.attempt === attempt;
  if (activity.scheduleToStartMs > 0) {
    activity.timers.scheduleToStart = engine.clock.setTimer(activity.scheduleToStartMs, () => {
      if (!current() || activity.phase !== 'scheduled') return;
      const failure = timeoutFailure(Timeout.TIMEOUT_TYPE_SCHEDULE_TO_START, activity);
      finish(engine, ex, activity, { timedOut: { failure, retryState: Retry.RETRY_STATE_TIMEOUT } });
    });
  }
  engine.queues.add('activity', activity.taskQueue, {
    take: (poller) =>
      current() && activity.phase === 'scheduled' ? startAttempt(engine, ex, activity, poller.identity) : undefined,
  });
}

function startAttempt(engine: Engine, ex: Execution, activity: ActivityState, identity: string): PollResponse {
  const now = engine.clock.now();
  activity.phase = 'started';
  activity.startedTimeMs = now;
  activity.startedIdentity = identity;
  activity.lastHeartbeatTimeMs = now;
  activity.timers.scheduleToStart?.cancel();
  const attempt = activity.attempt;
  if (activity.startToCloseMs > 0) {
    activity.timers.startToClose = engine.clock.setTimer(activity.startToCloseMs, () =>
      timeoutAttempt(engine, ex, activity, attempt, Timeout.TIMEOUT_TYPE_START_TO_CLOSE),
    );
  }
  armHeartbeatTimeout(engine, ex, activity);
  return {
    taskToken: encodeToken({ kind: 'activity', ...ex.ref, scheduledEventId: activity.scheduledEventId, attempt }),
    workflowNamespace: ex.namespace,
    workflowType: { name: ex.params.workflowType },
    workflowExecution: ex.execution,
    activityType: { name: activity.activityType },
    activityId: activity.activityId,
    header: activity.header,
    input: activity.input,
    heartbeatDetails: activity.heartbeatDetails,
    scheduledTime: msTimestamp(activity.scheduledTimeMs),
    currentAttemptScheduledTime: msTimestamp(activity.currentAttemptScheduledTimeMs),
    startedTime: msTimestamp(now),
    attempt,
    // The TS worker requires all three, with zero meaning "none".
    scheduleToCloseTimeout: msDuration(activity.scheduleToCloseMs),
    startToCloseTimeout: msDuration(activity.startToCloseMs),
    heartbeatTimeout: msDuration(activity.heartbeatMs),
    retryPolicy: activity.retryPolicy,
  };
}

function armHeartbeatTimeout(engine: Engine, ex: Execution, activity: ActivityState): void {
  activity.timers.heartbeat?.cancel();
  if (activity.heartbeatMs <= 0) return;
  const attempt = activity.attempt;
  activity.timers.heartbeat = engine.clock.setTimer(activity.heartbeatMs, () =>
    timeoutAttempt(engine, ex, activity, attempt, Timeout.TIMEOUT_TYPE_HEARTBEAT),
  );
}

function timeoutAttempt(engine: Engine, ex: Execution, activity: ActivityState, attempt: number, type: TimeoutType) {
  const current = ex.activities.get(activity.scheduledEventId) === activity && activity.attempt === attempt;
  if (!current || activity.phase !== 'started') return;
  endAttempt(engine, ex, activity, timeoutFailure(type, activity), 'timedOut', activity.startedIdentity);
}

const TIMEOUT_NAMES: Record<number, string> = {
  [Timeout.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE]: 'ScheduleToClose',
  [Timeout.TIMEOUT_TYPE_SCHEDULE_TO_START]: 'ScheduleToStart',
  [Timeout.TIMEOUT_TYPE_START_TO_CLOSE]: 'StartToClose',
  [Timeout.TIMEOUT_TYPE_HEARTBEAT]: 'Heartbeat',
};

/** The failure a timeout records, worded like the real server's. */
function timeoutFailure(type: TimeoutType, activity: ActivityState): Failure {
  return {
    message: `activity ${TIMEOUT_NAMES[type as number]} timeout`,
    timeoutFailureInfo: { timeoutType: type, lastHeartbeatDetails: activity.heartbeatDetails },
  };
}

/** Decides whether a failed or timed-out attempt is retried, and after how long. */
function retryDecision(activity: ActivityState, failure: Failure, now: number): { state: RetryState; delayMs: number } {
  // The real server never retries an attempt whose activity the workflow asked to cancel.
  if (activity.cancelRequestedEventId > 0) return { state: Retry.RETRY_STATE_CANCEL_REQUESTED, delayMs: 0 };
  return nextRetry(activity.retryPolicy, activity.attempt, failure, now, activity.expirationMs);
}

/** A failed or timed-out attempt: schedule the retry, or record the final outcome. */
function endAttempt(
  engine: Engine,
  ex: Execution,
  activity: ActivityState,
  failure: Failure,
  kind: 'failed' | 'timedOut',
  identity: string,
): void {
  const { state, delayMs } = retryDecision(activity, failure, engine.clock.now());
  if (state !== Retry.RETRY_STATE_IN_PROGRESS) {
    const outcome = { failure, retryState: state, identity };
    finish(engine, ex, activity, kind === 'failed' ? { failed: outcome } : { timedOut: outcome });
    return;
  }
  clearAttemptTimers(activity);
  activity.phase = 'backoff';
  activity.attempt += 1;
  activity.lastFailure = failure;
  activity.timers.retry = engine.clock.setTimer(delayMs, () => {
    if (!ex.isRunning || ex.activities.get(activity.scheduledEventId) !== activity || activity.phase !== 'backoff') return;
    activity.phase = 'scheduled';
    activity.currentAttemptScheduledTimeMs = engine.clock.now();
    enqueue(engine, ex, activity);
  });
}

type Outcome =
  | { completed: { result?: Payloads | null; identity: string } }
  | { failed: { failure: Failure; retryState: RetryState; identity: string } }
  | { timedOut: { failure: Failure; retryState: RetryState } }
  | { canceled: { details?: Payloads | null; identity: string } };

/** Records the final outcome: ActivityTaskStarted (if the last attempt ran) plus the result event. */
function finish(engine: Engine, ex: Execution, activity: ActivityState, outcome: Outcome): void {
  ex.activities.delete(activity.scheduledEventId);
  clearAttemptTimers(activity);
  activity.timers.scheduleToClose?.cancel();
  const wasStarted = activity.phase === 'started';
  const scheduledEventId = long(activity.scheduledEventId);
  deliver(
    engine,
    ex,
    () => {
      const now = engine.clock.now();
      const startedEventId = long(
        wasStarted
          ? ex.history.append(
              'activityTaskStartedEventAttributes',
              {
                scheduledEventId,
                identity: activity.startedIdentity,
                attempt: activity.attempt,
                lastFailure: activity.lastFailure,
              },
              activity.startedTimeMs,
            )
          : 0,
      );
      if ('completed' in outcome) {
        const { result, identity } = outcome.completed;
        const attributes = { scheduledEventId, startedEventId, result, identity };
        ex.history.append('activityTaskCompletedEventAttributes', attributes, now);
      } else if ('failed' in outcome) {
        const attributes = { scheduledEventId, startedEventId, ...outcome.failed };
        ex.history.append('activityTaskFailedEventAttributes', attributes, now);
      } else if ('timedOut' in outcome) {
        const attributes = { scheduledEventId, startedEventId, ...outcome.timedOut };
        ex.history.append('activityTaskTimedOutEventAttributes', attributes, now);
      } else {
        ex.history.append(
          'activityTaskCanceledEventAttributes',
          {
            scheduledEventId,
            startedEventId,
            latestCancelRequestedEventId: long(activity.cancelRequestedEventId),
            ...outcome.canceled,
          },
          now,
        );
      }
    },
    { activityScheduledEventId: activity.scheduledEventId },
  );
}

function clearAttemptTimers(activity: ActivityState): void {
  const { scheduleToStart, startToClose, heartbeat, retry } = activity.timers;
  for (const timer of [scheduleToStart, startToClose, heartbeat, retry]) timer?.cancel();
}

/**
 * REQUEST_CANCEL_ACTIVITY_TASK: a started attempt learns about it from its next heartbeat; one
 * that is queued or waiting for a retry is cancelled at once. True when that needs a new
 * workflow task.
 */
export function requestCancelActivity(
  engine: Engine,
  ex: Execution,
  attrs: temporal.api.command.v1.IRequestCancelActivityTaskCommandAttributes,
  completedEventId: number,
): boolean {
  const scheduledEventId = num(attrs.scheduledEventId);
  const now = engine.clock.now();
  const cancelRequestedEventId = ex.history.append(
    'activityTaskCancelRequestedEventAttributes',
    { scheduledEventId: long(scheduledEventId), workflowTaskCompletedEventId: long(completedEventId) },
    now,
  );
  const activity = ex.activities.get(scheduledEventId);
  if (!activity) return false;
  if (activity.phase === 'started') {
    activity.cancelRequestedEventId = cancelRequestedEventId;
    return false;
  }
  ex.activities.delete(scheduledEventId);
  clearAttemptTimers(activity);
  activity.timers.scheduleToClose?.cancel();
  ex.history.append(
    'activityTaskCanceledEventAttributes',
    {
      scheduledEventId: long(scheduledEventId),
      startedEventId: long(0),
      latestCancelRequestedEventId: long(cancelRequestedEventId),
    },
    now,
  );
  return true;
}

/** Stops every activity of a run that closed; their heartbeats and completions get NOT_FOUND. */
export function abandonActivities(ex: Execution): void {
  for (const activity of ex.activities.values()) {
    clearAttemptTimers(activity);
    activity.timers.scheduleToClose?.cancel();
  }
  ex.activities.clear();
}

// ---- Outcomes reported by workers ----------------------------------------------------------

export interface RunningActivity {
  ex: Execution;
  activity: ActivityState;
}

/** The attempt a task token names, or NOT_FOUND when that attempt is no longer running. */
export function activityByToken(engine: Engine, token: Uint8Array | null | undefined): RunningActivity {
  const ref = decodeToken(token, 'activity');
  const ex = engine.store.byRef(ref);
  const activity = ex?.activities.get(ref.scheduledEventId);
  if (!ex || !ex.isRunning || !activity || activity.attempt !== ref.attempt || activity.phase !== 'started') {
    throw notFound('activity task not found');
  }
  return { ex, activity };
}

/** The running attempt of an activity named by id (the async-completion API). */
export function activityById(
  engine: Engine,
  request: { namespace: string; workflowId: string; runId: string; activityId: string },
): RunningActivity {
  const ex = engine.store.get(request.namespace, request.workflowId, request.runId);
  const activity = ex.isRunning ? ex.activityById(request.activityId) : undefined;
  if (!activity || activity.phase !== 'started') throw notFound('activity task not found');
  return { ex, activity };
}

export function completeActivity(
  engine: Engine,
  target: RunningActivity,
  result: Payloads | null | undefined,
  identity: string,
): void {
  finish(engine, target.ex, target.activity, { completed: { result, identity } });
}

export function failActivity(
  engine: Engine,
  target: RunningActivity,
  request: { failure?: Failure | null; lastHeartbeatDetails?: Payloads | null; identity: string },
): void {
  if (request.lastHeartbeatDetails) target.activity.heartbeatDetails = request.lastHeartbeatDetails;
  const failure = request.failure ?? { message: 'activity failed' };
  endAttempt(engine, target.ex, target.activity, failure, 'failed', request.identity);
}

/** The worker confirms a cancellation; only valid after the workflow asked for one. */
export function confirmActivityCanceled(
  engine: Engine,
  target: RunningActivity,
  details: Payloads | null | undefined,
  identity: string,
): void {
  if (target.activity.cancelRequestedEventId === 0) {
    throw invalidArgument('Unable to mark activity as canceled without activity being request canceled.');
  }
  finish(engine, target.ex, target.activity, { canceled: { details, identity } });
}

/** Records a heartbeat and answers whether the workflow asked to cancel the activity. */
export function recordHeartbeat(engine: Engine, target: RunningActivity, details: Payloads | null | undefined) {
  const { ex, activity } = target;
  if (details) activity.heartbeatDetails = details;
  activity.lastHeartbeatTimeMs = engine.clock.now();
  armHeartbeatTimeout(engine, ex, activity);
  return { cancelRequested: activity.cancelRequestedEventId > 0, activityPaused: false, activityReset: false };
}
