/**
 * Event sequences the in-memory service writes, pinned against what the real server writes (as
 * described in the Java test server and in real histories): retried activities record only their
 * final attempt, cancellations and buffered signals land where the real server puts them, and
 * retries of a failing workflow task stay out of the history. Always uses the in-memory service.
 */
import { ActivityCancellationType } from '@temporalio/common';
import { activityInfo, heartbeat, sleep } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { useTemporal } from '../../helpers/temporal.js';
import {
  callActivity,
  cancelActivityOnSignal,
  cancelActivitySignal,
  completesAfterLocalActivity,
  countdown,
  defuseSignal,
  explodeSignal,
  failsUntilDefused,
  noteSignal,
  parent,
  sleeper,
} from './workflows.js';

const temporal = useTemporal({ workflowsPath: new URL('./workflows.ts', import.meta.url), inMemory: true });

type Event = proto.api.history.v1.IHistoryEvent;
const enums = proto.api.enums.v1;

const WT = ['WorkflowTaskScheduled', 'WorkflowTaskStarted', 'WorkflowTaskCompleted'];

function eventName(event: Event): string {
  const attributes = Object.keys(event).find((key) => key.endsWith('EventAttributes'))!;
  return attributes.charAt(0).toUpperCase() + attributes.slice(1).replace(/EventAttributes$/, '');
}

async function eventsOf(handle: WorkflowHandle): Promise<Event[]> {
  return (await handle.fetchHistory()).events ?? [];
}

async function namesOf(handle: WorkflowHandle): Promise<string[]> {
  return (await eventsOf(handle)).map(eventName);
}

describe('golden event sequences', () => {
  it('records only the final attempt of a retried activity, together with its result', async () => {
    const flaky = async () => {
      if (activityInfo().attempt < 3) throw new Error(`attempt ${activityInfo().attempt} failed`);
      return 'ok';
    };
    await temporal.withWorker({ activities: { flaky } }, async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(callActivity, {
        taskQueue,
        workflowId: temporal.workflowId('retried'),
        args: ['flaky', { startToCloseTimeout: '10s', retry: { initialInterval: '10ms' } }],
      });
      await handle.result();
      const events = await eventsOf(handle);
      expect(events.map(eventName)).toEqual([
        'WorkflowExecutionStarted',
        ...WT,
        'ActivityTaskScheduled',
        'ActivityTaskStarted',
        'ActivityTaskCompleted',
        ...WT,
        'WorkflowExecutionCompleted',
      ]);
      const started = events[5]!.activityTaskStartedEventAttributes!;
      expect(started.attempt).toBe(3);
      expect(started.lastFailure?.message).toBe('attempt 2 failed');
      expect(Number(events[6]!.activityTaskCompletedEventAttributes!.startedEventId)).toBe(6);
      // Server defaults filled in on the scheduled event.
      const retryPolicy = events[4]!.activityTaskScheduledEventAttributes!.retryPolicy!;
      expect(retryPolicy.backoffCoefficient).toBe(2);
      expect(Number(retryPolicy.maximumInterval?.seconds)).toBe(1); // 100 × 10 ms
    });
  });

  it('records a start-to-close timeout of the last attempt with its retry state', async () => {
    const stalls = async () => {
      await sleep('10s');
    };
    await temporal.withWorker({ activities: { stalls } }, async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(callActivity, {
        taskQueue,
        workflowId: temporal.workflowId('timed-out'),
        args: ['stalls', { startToCloseTimeout: '300ms', retry: { initialInterval: '10ms', maximumAttempts: 2 } }],
      });
      await handle.result().catch(() => undefined);
      const events = await eventsOf(handle);
      expect(events.map(eventName)).toEqual([
        'WorkflowExecutionStarted',
        ...WT,
        'ActivityTaskScheduled',
        'ActivityTaskStarted',
        'ActivityTaskTimedOut',
        ...WT,
        'WorkflowExecutionFailed',
      ]);
      expect(events[5]!.activityTaskStartedEventAttributes!.attempt).toBe(2);
      const timedOut = events[6]!.activityTaskTimedOutEventAttributes!;
      expect(timedOut.failure?.timeoutFailureInfo?.timeoutType).toBe(enums.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE);
      expect(timedOut.retryState).toBe(enums.RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
    });
  });

  it('records a cancelled running activity as cancel-requested, then started and canceled', async () => {
    let running!: () => void;
    const started = new Promise<void>((resolve) => (running = resolve));
    const waits = async () => {
      running();
      for (;;) {
        heartbeat();
        await sleep(50);
      }
    };
    await temporal.withWorker({ activities: { waits } }, async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(cancelActivityOnSignal, {
        taskQueue,
        workflowId: temporal.workflowId('cancelled'),
        args: ['waits', { startToCloseTimeout: '30s', heartbeatTimeout: '5s', cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED }],
      });
      await started;
      await handle.signal(cancelActivitySignal);
      expect(await handle.result()).toBe('cancelled');
      const events = await eventsOf(handle);
      expect(events.map(eventName)).toEqual([
        'WorkflowExecutionStarted',
        ...WT,
        'ActivityTaskScheduled',
        'WorkflowExecutionSignaled',
        ...WT,
        'ActivityTaskCancelRequested',
        'ActivityTaskStarted',
        'ActivityTaskCanceled',
        ...WT,
        'WorkflowExecutionCompleted',
      ]);
      expect(Number(events[11]!.activityTaskCanceledEventAttributes!.latestCancelRequestedEventId)).toBe(10);
    });
  });

  it('rejects a completing task while a signal is buffered (UNHANDLED_COMMAND), then delivers the signal', async () => {
    let running!: () => void;
    const taskRunning = new Promise<void>((resolve) => (running = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const holdTask = async () => {
      if (++calls > 1) return;
      running();
      await released;
    };
    await temporal.withWorker({ activities: { holdTask } }, async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(completesAfterLocalActivity, { taskQueue, workflowId: temporal.workflowId('unhandled') });
      await taskRunning;
      await handle.signal(noteSignal, 'late');
      release();
      await handle.result();
      expect(await namesOf(handle)).toEqual([
        'WorkflowExecutionStarted',
        'WorkflowTaskScheduled',
        'WorkflowTaskStarted',
        'WorkflowTaskFailed',
        'WorkflowExecutionSignaled',
        ...WT,
        'MarkerRecorded',
        'WorkflowExecutionCompleted',
      ]);
    });
  });

  it('keeps retries of a failing workflow task out of the history', async () => {
    await temporal.withWorker(async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(failsUntilDefused, {
        taskQueue,
        workflowId: temporal.workflowId('transient'),
        workflowTaskTimeout: '1s',
      });
      await handle.signal(explodeSignal);
      for (let attempt = 0; attempt < 3; ) {
        attempt = (await handle.describe()).raw.pendingWorkflowTask?.attempt ?? 0;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await handle.signal(defuseSignal);
      await handle.result();
      const events = await eventsOf(handle);
      const names = events.map(eventName);
      // What comes before the failure depends on timing (the signal may arrive before the first
      // task starts). What matters: the first failure is recorded, its retries (attempts 2, 3, …)
      // are not, and the attempt that finally succeeds is stored with its attempt number.
      expect(names.filter((name) => name === 'WorkflowTaskFailed'), names.join(' ')).toHaveLength(1);
      const failedAt = names.indexOf('WorkflowTaskFailed');
      expect(names.slice(failedAt + 1), names.join(' ')).toEqual(['WorkflowExecutionSignaled', ...WT, 'WorkflowExecutionCompleted']);
      expect(events[failedAt + 2]!.workflowTaskScheduledEventAttributes!.attempt).toBeGreaterThanOrEqual(3);
    });
  });

  it('records timers, children and continue-as-new like the real server', async () => {
    await temporal.withWorker(async ({ client, taskQueue }) => {
      const timer = await client.workflow.start(sleeper, { taskQueue, workflowId: temporal.workflowId('timer'), args: [50] });
      await timer.result();
      expect(await namesOf(timer)).toEqual(['WorkflowExecutionStarted', ...WT, 'TimerStarted', 'TimerFired', ...WT, 'WorkflowExecutionCompleted']);

      const parentHandle = await client.workflow.start(parent, { taskQueue, workflowId: temporal.workflowId('parent'), args: ['x'] });
      await parentHandle.result();
      expect(await namesOf(parentHandle)).toEqual([
        'WorkflowExecutionStarted',
        ...WT,
        'StartChildWorkflowExecutionInitiated',
        'ChildWorkflowExecutionStarted',
        ...WT,
        'ChildWorkflowExecutionCompleted',
        ...WT,
        'WorkflowExecutionCompleted',
      ]);
      const childStart = (await eventsOf(client.workflow.getHandle(`${parentHandle.workflowId}-child`)))[0]!
        .workflowExecutionStartedEventAttributes!;
      expect(childStart.parentWorkflowExecution?.workflowId).toBe(parentHandle.workflowId);
      expect(Number(childStart.parentInitiatedEventId)).toBe(5);

      const chain = await client.workflow.start(countdown, { taskQueue, workflowId: temporal.workflowId('chain'), args: [1] });
      const runs = await chain.result();
      const first = await eventsOf(client.workflow.getHandle(chain.workflowId, runs[0]));
      expect(first.at(-1)!.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId).toBe(runs[1]);
      const second = (await eventsOf(client.workflow.getHandle(chain.workflowId, runs[1])))[0]!.workflowExecutionStartedEventAttributes!;
      expect(second.continuedExecutionRunId).toBe(runs[0]);
      expect(second.firstExecutionRunId).toBe(runs[0]);
    });
  });
});
