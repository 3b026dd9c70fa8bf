/**
 * The state of one workflow run: its history plus everything pending (the workflow task,
 * activities, timers, children) and the events that arrived while a workflow task was running.
 * Pure data; the lifecycle files change it.
 */
import type { TimerHandle } from './clock.js';
import { History } from './history.js';
import {
  enums,
  type temporal,
  type Failure,
  type Header,
  type HistoryEvent,
  type Memo,
  type Payloads,
  type RetryPolicy,
  type SearchAttributes,
} from './proto.js';
import type { RunRef } from './tokens.js';

export type WorkflowStatus = temporal.api.enums.v1.WorkflowExecutionStatus;

export interface ParentLink {
  namespace: string;
  workflowId: string;
  runId: string;
  initiatedEventId: number;
}

/** Everything a run is started with; continue-as-new and retries derive the next run's from it. */
export interface StartParams {
  namespace: string;
  workflowId: string;
  workflowType: string;
  taskQueue: string;
  input?: Payloads | null;
  header?: Header | null;
  memo?: Memo | null;
  searchAttributes?: SearchAttributes | null;
  workflowTaskTimeoutMs: number;
  /** 0 = no run timeout. */
  runTimeoutMs: number;
  /** 0 = no execution timeout. */
  executionTimeoutMs: number;
  /** Absolute deadline of the whole chain of runs (ms since epoch), 0 = none. */
  executionExpirationMs: number;
  retryPolicy?: RetryPolicy;
  identity: string;
  requestId: string;
  attempt: number;
  firstExecutionRunId?: string;
  continuedExecutionRunId?: string;
  initiator?: temporal.api.enums.v1.ContinueAsNewInitiator;
  continuedFailure?: Failure | null;
  lastCompletionResult?: Payloads | null;
  firstWorkflowTaskBackoffMs: number;
  parent?: ParentLink;
  root?: { workflowId: string; runId: string };
  priority?: temporal.api.common.v1.IPriority | null;
  userMetadata?: temporal.api.sdk.v1.IUserMetadata | null;
}

export interface WorkflowTaskState {
  phase: 'scheduled' | 'started';
  attempt: number;
  /** Unique per task within the run; task tokens carry it. */
  sequence: number;
  /**
   * A retry of a failed task (attempt ≥ 2): like the real server, its scheduled and started events
   * are only sent to the worker and stored once the task completes, so a task failing in a loop
   * does not grow the history.
   */
  transient: boolean;
  scheduledEventId: number;
  startedEventId: number;
  scheduledTimeMs: number;
  startedTimeMs: number;
  transientEvents: HistoryEvent[];
  timeout?: TimerHandle;
}

export interface ActivityState {
  scheduledEventId: number;
  activityId: string;
  activityType: string;
  taskQueue: string;
  input?: Payloads | null;
  header?: Header | null;
  scheduleToCloseMs: number;
  scheduleToStartMs: number;
  startToCloseMs: number;
  heartbeatMs: number;
  retryPolicy: RetryPolicy;
  scheduledTimeMs: number;
  /** Absolute schedule-to-close deadline, 0 = none. */
  expirationMs: number;
  attempt: number;
  phase: 'scheduled' | 'started' | 'backoff';
  currentAttemptScheduledTimeMs: number;
  startedTimeMs: number;
  startedIdentity: string;
  heartbeatDetails?: Payloads | null;
  lastHeartbeatTimeMs: number;
  lastFailure?: Failure | null;
  cancelRequestedEventId: number;
  timers: {
    scheduleToClose?: TimerHandle;
    scheduleToStart?: TimerHandle;
    startToClose?: TimerHandle;
    heartbeat?: TimerHandle;
    retry?: TimerHandle;
  };
}

export interface TimerState {
  startedEventId: number;
  handle: TimerHandle;
}

export interface ChildState {
  initiatedEventId: number;
  namespace: string;
  workflowId: string;
  workflowType: string;
  parentClosePolicy: temporal.api.enums.v1.ParentClosePolicy;
  /** Set once the child started; the parent's ChildWorkflowExecutionStarted event id. */
  runId?: string;
  startedEventId: number;
}

/** An event (or group of events) that arrived while a workflow task was running. */
export interface BufferedEvent {
  write(): void;
  /** A fired timer, so cancelling that timer in the running task can drop the event. */
  timerId?: string;
  /** A finished activity, so a cancel request for it in the running task is still valid. */
  activityScheduledEventId?: number;
}

export class Execution {
  readonly history = new History();
  status: WorkflowStatus = enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
  closeTimeMs = 0;
  /** When the first workflow task may run (start delay, retry or continue-as-new backoff). */
  readonly executionTimeMs: number;
  memo: Memo | null | undefined;
  searchAttributes: SearchAttributes | null | undefined;

  workflowTask: WorkflowTaskState | undefined;
  nextWorkflowTaskAttempt = 1;
  workflowTaskSequence = 0;
  lastCompletedStartedEventId = 0;
  waitingForFirstTask: boolean;
  buffered: BufferedEvent[] = [];

  readonly activities = new Map<number, ActivityState>();
  readonly timers = new Map<string, TimerState>();
  readonly children = new Map<number, ChildState>();
  cancelRequested = false;
  /** Run timeout, execution timeout and first-task backoff timers. */
  readonly runTimers: TimerHandle[] = [];

  constructor(
    readonly runId: string,
    readonly params: StartParams,
    readonly startTimeMs: number,
  ) {
    this.executionTimeMs = startTimeMs + params.firstWorkflowTaskBackoffMs;
    this.waitingForFirstTask = params.firstWorkflowTaskBackoffMs > 0;
    this.memo = params.memo;
    this.searchAttributes = params.searchAttributes;
  }

  get namespace(): string {
    return this.params.namespace;
  }

  get workflowId(): string {
    return this.params.workflowId;
  }

  get taskQueue(): string {
    return this.params.taskQueue;
  }

  get firstExecutionRunId(): string {
    return this.params.firstExecutionRunId ?? this.runId;
  }

  get isRunning(): boolean {
    return this.status === enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
  }

  get ref(): RunRef {
    return { namespace: this.namespace, workflowId: this.workflowId, runId: this.runId };
  }

  get execution(): { workflowId: string; runId: string } {
    return { workflowId: this.workflowId, runId: this.runId };
  }

  activityById(activityId: string): ActivityState | undefined {
    for (const activity of this.activities.values()) if (activity.activityId === activityId) return activity;
    return undefined;
  }
}
