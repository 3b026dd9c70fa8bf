/**
 * Activity semantics, driven only through the real worker and client: results, retries with
 * backoff, non-retryable failures, the four timeouts, heartbeat details across attempts,
 * cancellation delivered by heartbeat, and late completions. Runs unchanged against a real server
 * with TEMPORAL_ADDRESS set.
 */
import { ActivityNotFoundError, WorkflowFailedError } from '@temporalio/client';
import { ActivityCancellationType, ActivityFailure, ApplicationFailure, CancelledFailure, TimeoutFailure } from '@temporalio/common';
import { activityInfo, CompleteAsyncError, Context, heartbeat, sleep } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import { eventually, useTemporal } from '../helpers/temporal.js';
import { activitySequence, callActivity, cancelActivityOnSignal, cancelActivitySignal } from './workflows/activities.js';

const temporal = useTemporal({ workflowsPath: new URL('./workflows/activities.ts', import.meta.url) });

/** The failure chain of a workflow that failed because of an activity. */
async function activityFailureOf(run: Promise<unknown>): Promise<ActivityFailure> {
  const err = await run.then(
    () => {
      throw new Error('expected the workflow to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ActivityFailure);
  return cause as ActivityFailure;
}

describe('activities', () => {
  it('returns the result of a successful activity', async () => {
    const result = await temporal.withWorker({ activities: { greet: async (name: string) => `Hello, ${name}` } }, ({ client, taskQueue }) =>
      client.workflow.execute(callActivity, {
        taskQueue,
        workflowId: temporal.workflowId('success'),
        args: ['greet', { startToCloseTimeout: '10s' }, 'Ada'],
      }),
    );
    expect(result).toBe('Hello, Ada');
  });

  it('retries a failing activity with exponential backoff, then succeeds', async () => {
    const startedAt: number[] = [];
    const flaky = async () => {
      startedAt.push(Date.now());
      if (activityInfo().attempt < 3) throw new Error(`transient failure ${activityInfo().attempt}`);
      return activityInfo().attempt;
    };
    const result = await temporal.withWorker({ activities: { flaky } }, ({ client, taskQueue }) =>
      client.workflow.execute(callActivity, {
        taskQueue,
        workflowId: temporal.workflowId('backoff'),
        args: ['flaky', { startToCloseTimeout: '10s', retry: { initialInterval: '200ms', backoffCoefficient: 2 } }],
      }),
    );
    expect(result).toBe(3);
    expect(startedAt).toHaveLength(3);
    // 200 ms, then 400 ms between attempts (a little slack for clock granularity).
    expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(180);
    expect(startedAt[2]! - startedAt[1]!).toBeGreaterThanOrEqual(380);
  });

  it('waits for the nextRetryDelay a failure asks for instead of the backoff', async () => {
    const startedAt: number[] = [];
    const slowDown = async () => {
      startedAt.push(Date.now());
      if (activityInfo().attempt === 1) {
        throw ApplicationFailure.create({ message: 'rate limited', type: 'RateLimited', nextRetryDelay: '600ms' });
      }
      return 'ok';
    };
    await temporal.withWorker({ activities: { slowDown } }, ({ client, taskQueue }) =>
      client.workflow.execute(callActivity, {
        taskQueue,
        workflowId: temporal.workflowId('next-retry-delay'),
        args: ['slowDown', { startToCloseTimeout: '10s', retry: { initialInterval: '10ms' } }],
      }),
    );
    expect(startedAt).toHaveLength(2);
    expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(580);
  });

  it('does not retry a non-retryable failure', async () => {
    let attempts = 0;
    const fatal = async () => {
      attempts++;
      throw ApplicationFailure.nonRetryable('table does not exist', 'MissingTable', { table: 'events' });
    };
    const failure = await activityFailureOf(
      temporal.withWorker({ activities: { fatal } }, ({ client, taskQueue }) =>
        client.workflow.execute(callActivity, {
          taskQueue,
          workflowId: temporal.workflowId('non-retryable'),
          args: ['fatal', { startToCloseTimeout: '10s', retry: { initialInterval: '10ms' } }],
        }),
      ),
    );
    expect(attempts).toBe(1);
    expect(failure.retryState).toBe('NON_RETRYABLE_FAILURE');
    expect(failure.cause).toBeInstanceOf(ApplicationFailure);
    const cause = failure.cause as ApplicationFailure;
    expect(cause.type).toBe('MissingTable');
    expect(cause.message).toBe('table does not exist');
    expect(cause.details).toEqual([{ table: 'events' }]);
  });

  it('does not retry an error type the retry policy lists as non-retryable', async () => {
    let attempts = 0;
    const badInput = async () => {
      attempts++;
      throw ApplicationFailure.retryable('bad input', 'BadInput');
    };
    const failure = await activityFailureOf(
      temporal.withWorker({ activities: { badInput } }, ({ client, taskQueue }) =>
        client.workflow.execute(callActivity, {
          taskQueue,
          workflowId: temporal.workflowId('non-retryable-type'),
          args: ['badInput', { startToCloseTimeout: '10s', retry: { initialInterval: '10ms', nonRetryableErrorTypes: ['BadInput'] } }],
        }),
      ),
    );
    expect(attempts).toBe(1);
    expect(failure.retryState).toBe('NON_RETRYABLE_FAILURE');
  });

  it('stops retrying at the maximum number of attempts', async () => {
    let attempts = 0;
    const alwaysFails = async () => {
      attempts++;
      throw new Error(`attempt ${activityInfo().attempt} failed`);
    };
    const failure = await activityFailureOf(
      temporal.withWorker({ activities: { alwaysFails } }, ({ client, taskQueue }) =>
        client.workflow.execute(callActivity, {
          taskQueue,
          workflowId: temporal.workflowId('max-attempts'),
          args: ['alwaysFails', { startToCloseTimeout: '10s', retry: { initialInterval: '10ms', maximumAttempts: 3 } }],
        }),
      ),
    );
    expect(attempts).toBe(3);
    expect(failure.retryState).toBe('MAXIMUM_ATTEMPTS_REACHED');
    expect((failure.cause as ApplicationFailure).message).toBe('attempt 3 failed');
  });

  it('times out an attempt after start-to-close and retries it', async () => {
    const attempts: number[] = [];
    const slowOnce = async () => {
      attempts.push(activityInfo().attempt);
      if (activityInfo().attempt === 1) await sleep('5s'); // cancelled once the worker learns the attempt is gone
      return 'finished';
    };
    const result = await temporal.withWorker({ activities: { slowOnce } }, ({ client, taskQueue }) =>
      client.workflow.execute(callActivity, {
        taskQueue,
        workflowId: temporal.workflowId('start-to-close'),
        args: ['slowOnce', { startToCloseTimeout: '1s', retry: { initialInterval: '10ms' } }],
      }),
    );
    expect(result).toBe('finished');
    expect(attempts).toEqual([1, 2]);
  });

  it('times out an attempt that stops heartbeating, and the next attempt resumes from its last details', async () => {
    const resumedFrom: unknown[] = [];
    const resumable = async () => {
      const { attempt, heartbeatDetails } = activityInfo();
      resumedFrom.push(heartbeatDetails);
      if (attempt === 1) {
        for (let row = 1; row <= 3; row++) {
          heartbeat({ row });
          await sleep('100ms');
        }
        await sleep('5s'); // stalls without heartbeats
      }
      return heartbeatDetails;
    };
    const result = await temporal.withWorker({ activities: { resumable } }, ({ client, taskQueue }) =>
      client.workflow.execute(callActivity, {
        taskQueue,
        workflowId: temporal.workflowId('heartbeat-timeout'),
        args: ['resumable', { startToCloseTimeout: '30s', heartbeatTimeout: '1500ms', retry: { initialInterval: '10ms' } }],
      }),
    );
    expect(resumedFrom[0]).toBeUndefined();
    expect(result).toEqual({ row: 3 });
  });

  it('hands the heartbeat details of a failed attempt to the next attempt', async () => {
    const copyRows = async () => {
      const start = (activityInfo().heartbeatDetails as { copied: number } | undefined)?.copied ?? 0;
      for (let copied = start + 1; copied <= start + 3; copied++) heartbeat({ copied });
      if (activityInfo().attempt === 1) throw new Error('connection reset');
      return start;
    };
    const result = await temporal.withWorker({ activities: { copyRows } }, ({ client, taskQueue }) =>
      client.workflow.execute(callActivity, {
        taskQueue,
        workflowId: temporal.workflowId('heartbeat-details'),
        args: ['copyRows', { startToCloseTimeout: '10s', heartbeatTimeout: '10s', retry: { initialInterval: '10ms' } }],
      }),
    );
    expect(result).toBe(3);
  });

  it('delivers cancellation to a running activity through its heartbeat', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let observed: unknown;
    const waitForCancel = async () => {
      started();
      try {
        for (;;) {
          heartbeat();
          await sleep('50ms');
        }
      } catch (err) {
        observed = err;
        throw err;
      }
    };
    const { outcome, latencyMs } = await temporal.withWorker({ activities: { waitForCancel } }, async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(cancelActivityOnSignal, {
        taskQueue,
        workflowId: temporal.workflowId('cancel'),
        args: [
          'waitForCancel',
          { startToCloseTimeout: '30s', heartbeatTimeout: '5s', cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED },
        ],
      });
      await running;
      const pending = await eventually(
        async () => (await handle.describe()).raw.pendingActivities ?? [],
        (activities) => activities[0]?.lastHeartbeatTime != null,
      );
      expect(pending.map((activity) => [activity.activityType?.name, activity.attempt])).toEqual([['waitForCancel', 1]]);
      const signalledAt = Date.now();
      await handle.signal(cancelActivitySignal);
      const outcome = await handle.result();
      return { outcome, latencyMs: Date.now() - signalledAt };
    });
    expect(outcome).toBe('cancelled');
    expect(observed).toBeInstanceOf(CancelledFailure);
    expect(latencyMs).toBeLessThan(5000);
  });

  it('fails an activity that no worker picks up within schedule-to-start', async () => {
    const failure = await activityFailureOf(
      temporal.withWorker(({ client, taskQueue }) =>
        client.workflow.execute(callActivity, {
          taskQueue,
          workflowId: temporal.workflowId('schedule-to-start'),
          args: ['nobodyPolls', { taskQueue: temporal.taskQueue('empty'), scheduleToStartTimeout: '500ms', startToCloseTimeout: '10s' }],
        }),
      ),
    );
    expect(failure.cause).toBeInstanceOf(TimeoutFailure);
    expect((failure.cause as TimeoutFailure).timeoutType).toBe('SCHEDULE_TO_START');
  });

  it('fails an activity whose schedule-to-close deadline passes, whatever the attempt', async () => {
    const stalls = async () => {
      await sleep('10s');
    };
    const failure = await activityFailureOf(
      temporal.withWorker({ activities: { stalls } }, ({ client, taskQueue }) =>
        client.workflow.execute(callActivity, {
          taskQueue,
          workflowId: temporal.workflowId('schedule-to-close'),
          args: ['stalls', { scheduleToCloseTimeout: '800ms', startToCloseTimeout: '10s' }],
        }),
      ),
    );
    expect(failure.cause).toBeInstanceOf(TimeoutFailure);
    expect((failure.cause as TimeoutFailure).timeoutType).toBe('SCHEDULE_TO_CLOSE');
    expect(failure.retryState).toBe('TIMEOUT');
  });

  it('answers a completion that arrives after the attempt timed out with NOT_FOUND', async () => {
    let taskToken: Uint8Array | undefined;
    const completesLater = async () => {
      taskToken = Context.current().info.taskToken;
      throw new CompleteAsyncError();
    };
    await temporal.withWorker({ activities: { completesLater } }, async ({ client, taskQueue }) => {
      const failure = await activityFailureOf(
        client.workflow.execute(callActivity, {
          taskQueue,
          workflowId: temporal.workflowId('late-completion'),
          args: ['completesLater', { startToCloseTimeout: '500ms', retry: { maximumAttempts: 1 } }],
        }),
      );
      expect((failure.cause as TimeoutFailure).timeoutType).toBe('START_TO_CLOSE');
      await expect(client.activity.complete(taskToken!, 'too late')).rejects.toBeInstanceOf(ActivityNotFoundError);
    });
  });

  it('completes an activity asynchronously, by workflow and activity id', async () => {
    let started!: (id: { workflowId: string; activityId: string }) => void;
    const waiting = new Promise<{ workflowId: string; activityId: string }>((resolve) => (started = resolve));
    const completedElsewhere = async () => {
      const info = activityInfo();
      started({ workflowId: info.workflowExecution!.workflowId, activityId: info.activityId });
      throw new CompleteAsyncError();
    };
    const result = await temporal.withWorker({ activities: { completedElsewhere } }, async ({ client, taskQueue }) => {
      const run = client.workflow.execute(callActivity, {
        taskQueue,
        workflowId: temporal.workflowId('async-by-id'),
        args: ['completedElsewhere', { startToCloseTimeout: '30s', heartbeatTimeout: '10s' }],
      });
      const id = await waiting;
      await client.activity.heartbeat(id, { progress: 'half' });
      await client.activity.complete(id, 'done by id');
      return await run;
    });
    expect(result).toBe('done by id');
  });

  it('runs 200 sequential activities in a few seconds', async () => {
    const double = async (i: number) => i * 2;
    const startedAt = performance.now();
    const total = await temporal.withWorker({ activities: { double } }, ({ client, taskQueue }) =>
      client.workflow.execute(activitySequence, {
        taskQueue,
        workflowId: temporal.workflowId('sequence'),
        args: ['double', 200, { startToCloseTimeout: '10s' }],
      }),
    );
    const elapsedMs = performance.now() - startedAt;
    console.log(`200 sequential activities: ${Math.round(elapsedMs)} ms (${temporal.external ? `server at ${temporal.address}` : 'in-memory service'})`);
    expect(total).toBe(2 * ((199 * 200) / 2));
    // About 2–4 s on an idle machine; generous because 2 shared cores run other test files meanwhile.
    expect(elapsedMs).toBeLessThan(45_000);
  });
});
