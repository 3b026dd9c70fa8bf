/**
 * Workflow-level semantics through the real worker and client: timers, signals, queries,
 * cancellation, termination, continue-as-new, child workflows with their parent-close policy, and
 * signalling or cancelling other workflows. Runs unchanged against a real server with
 * TEMPORAL_ADDRESS set.
 */
import { QueryNotRegisteredError, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { eventually, useTemporal } from '../helpers/temporal.js';
import {
  accumulator,
  addSignal,
  cancelledTimer,
  cancelsChild,
  child,
  cleanupQuery,
  countdown,
  failsFirstAttempt,
  itemsQuery,
  parent,
  parentLeavingChild,
  signalsChild,
  signalsNobody,
  sleeper,
  totalQuery,
  waitsForCancel,
} from './workflows/control.js';

const temporal = useTemporal({ workflowsPath: new URL('./workflows/control.ts', import.meta.url) });


async function failureOf(handle: WorkflowHandle): Promise<WorkflowFailedError> {
  const err = await handle.result().then(
    () => new Error('expected the workflow to fail'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return err as WorkflowFailedError;
}

describe('timers', () => {
  it('fires a timer after its duration', async () => {
    const startedAt = Date.now();
    const advanced = await temporal.withWorker(({ client, taskQueue }) =>
      client.workflow.execute(sleeper, { taskQueue, workflowId: temporal.workflowId('timer'), args: [300] }),
    );
    expect(advanced).toBeGreaterThanOrEqual(300);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(300);
  });

  it('cancels a timer', async () => {
    const outcome = await temporal.withWorker(({ client, taskQueue }) =>
      client.workflow.execute(cancelledTimer, { taskQueue, workflowId: temporal.workflowId('cancel-timer') }),
    );
    expect(outcome).toBe('cancelled');
  });
});

describe('signals and queries', () => {
  it('delivers signals in order and answers queries about the state they built', async () => {
    await temporal.withWorker(async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(accumulator, { taskQueue, workflowId: temporal.workflowId('signals'), args: [10] });
      await handle.signal(addSignal, 3);
      await handle.signal(addSignal, 4);
      expect(await eventually(() => handle.query(totalQuery), (total) => total === 7)).toBe(7);
      expect(await handle.query(itemsQuery, 1)).toEqual([3]);
      await handle.signal(addSignal, 5);
      expect(await handle.result()).toEqual([3, 4, 5]);
      // A closed workflow still answers queries (the worker replays its history).
      expect(await handle.query(totalQuery)).toBe(12);
    });
  });

  it('rejects a query the workflow does not handle', async () => {
    await temporal.withWorker(async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(accumulator, { taskQueue, workflowId: temporal.workflowId('bad-query'), args: [1] });
      await eventually(() => handle.query(totalQuery), (total) => total === 0);
      await expect(handle.query('noSuchQuery')).rejects.toBeInstanceOf(QueryNotRegisteredError);
      await handle.signal(addSignal, 1);
      await handle.result();
    });
  });
});

describe('cancellation and termination', () => {
  it('cancels a workflow, which cleans up and ends cancelled', async () => {
    await temporal.withWorker(async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(waitsForCancel, { taskQueue, workflowId: temporal.workflowId('cancel') });
      await eventually(() => handle.query(cleanupQuery), (state) => state === 'not yet');
      await handle.cancel();
      const failure = await failureOf(handle);
      expect(failure.cause).toBeInstanceOf(CancelledFailure);
      expect((await handle.describe()).status.name).toBe('CANCELLED');
      expect(await handle.query(cleanupQuery)).toBe('done');
    });
  });

  it('terminates a workflow at once', async () => {
    await temporal.withWorker(async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(waitsForCancel, { taskQueue, workflowId: temporal.workflowId('terminate') });
      await handle.terminate('operator stopped it');
      const failure = await failureOf(handle);
      expect(failure.cause).toBeInstanceOf(TerminatedFailure);
      expect(failure.message).toBe('operator stopped it');
      expect((await handle.describe()).status.name).toBe('TERMINATED');
    });
  });
});

describe('run retries and timeouts', () => {
  it('retries a failed run under the workflow retry policy and follows it to the result', async () => {
    await temporal.withWorker(async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(failsFirstAttempt, {
        taskQueue,
        workflowId: temporal.workflowId('workflow-retry'),
        retry: { maximumAttempts: 2, initialInterval: '100ms' },
      });
      expect(await handle.result()).toBe(2);
      const first = await client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
      expect(first.status.name).toBe('FAILED');
    });
  });

  it('times out a run that exceeds its run timeout', async () => {
    await temporal.withWorker(async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(waitsForCancel, {
        taskQueue,
        workflowId: temporal.workflowId('run-timeout'),
        workflowRunTimeout: '500ms',
      });
      const failure = await failureOf(handle);
      expect(failure.cause).toBeInstanceOf(TimeoutFailure);
      expect((await handle.describe()).status.name).toBe('TIMED_OUT');
    });
  });
});

describe('continue-as-new', () => {
  it('follows the chain of runs to the final result', async () => {
    await temporal.withWorker(async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(countdown, { taskQueue, workflowId: temporal.workflowId('countdown'), args: [3] });
      const runs = await handle.result();
      expect(runs).toHaveLength(4);
      expect(runs[0]).toBe(handle.firstExecutionRunId);
      expect(new Set(runs).size).toBe(4);
      const latest = await client.workflow.getHandle(handle.workflowId).describe();
      expect(latest.runId).toBe(runs[3]);
      expect(latest.status.name).toBe('COMPLETED');
      const first = await client.workflow.getHandle(handle.workflowId, runs[0]).describe();
      expect(first.status.name).toBe('CONTINUED_AS_NEW');
    });
  });
});

describe('child workflows', () => {
  it('runs a child and returns its result to the parent', async () => {
    const workflowId = temporal.workflowId('parent');
    const result = await temporal.withWorker(({ client, taskQueue }) =>
      client.workflow.execute(parent, { taskQueue, workflowId, args: ['hi'] }),
    );
    expect(result).toBe(`hi from ${workflowId}`);
    const described = await temporal.client.workflow.getHandle(`${workflowId}-child`).describe();
    expect(described.parentExecution?.workflowId).toBe(workflowId);
    expect(described.type).toBe(child.name);
  });

  it.each([
    ['TERMINATE', 'TERMINATED'],
    ['REQUEST_CANCEL', 'CANCELLED'],
    ['ABANDON', 'RUNNING'],
  ] as const)('applies parent-close policy %s to a child still running', async (policy, childStatus) => {
    await temporal.withWorker(async ({ client, taskQueue }) => {
      const childId = await client.workflow.execute(parentLeavingChild, {
        taskQueue,
        workflowId: temporal.workflowId(`policy-${policy.toLowerCase()}`),
        args: [policy],
      });
      const childHandle = client.workflow.getHandle(childId);
      const status = await eventually(
        async () => (await childHandle.describe()).status.name,
        (name) => name === childStatus,
      );
      expect(status).toBe(childStatus);
      if (status === 'RUNNING') await childHandle.terminate('test cleanup');
    });
  });

  it('signals a child through an external handle', async () => {
    const result = await temporal.withWorker(({ client, taskQueue }) =>
      client.workflow.execute(signalsChild, { taskQueue, workflowId: temporal.workflowId('signal-external'), args: ['go'] }),
    );
    expect(result).toBe('go');
  });

  it('cancels a child through an external handle', async () => {
    const result = await temporal.withWorker(({ client, taskQueue }) =>
      client.workflow.execute(cancelsChild, { taskQueue, workflowId: temporal.workflowId('cancel-external') }),
    );
    expect(result).toBe('cancelled');
  });

  it('fails a signal to a workflow that does not exist', async () => {
    const result = await temporal.withWorker(({ client, taskQueue }) =>
      client.workflow.execute(signalsNobody, { taskQueue, workflowId: temporal.workflowId('signal-nobody') }),
    );
    expect(result).toMatch(/not found/i);
  });
});
