/**
 * Workflow-task semantics through the real worker and client: a failing task is retried (driven
 * by the task timeout, since the worker reports only the first failure) until the workflow can
 * make progress, and a signal that arrives while a task runs is never lost, even when that task
 * tries to complete the workflow (UNHANDLED_COMMAND). Runs unchanged against a real server.
 */
import { temporal as proto } from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { useTemporal } from '../helpers/temporal.js';
import {
  completesAfterLocalActivity,
  defuseSignal,
  explodeSignal,
  failsUntilDefused,
  longLocalActivity,
  noteSignal,
} from './workflows/tasks.js';

const temporal = useTemporal({ workflowsPath: new URL('./workflows/tasks.ts', import.meta.url) });

const EventType = proto.api.enums.v1.EventType;
const Cause = proto.api.enums.v1.WorkflowTaskFailedCause;

async function waitForEvent(handle: WorkflowHandle, type: proto.api.enums.v1.EventType, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = (await handle.fetchHistory()).events ?? [];
    const event = events.find((e) => e.eventType === type);
    if (event || Date.now() > deadline) return event;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('workflow tasks', () => {
  it('retries a failing workflow task until the workflow can make progress', async () => {
    await temporal.withWorker(async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(failsUntilDefused, {
        taskQueue,
        workflowId: temporal.workflowId('failing-task'),
        workflowTaskTimeout: '1s',
      });
      await handle.signal(explodeSignal);
      const failed = await waitForEvent(handle, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
      expect(failed?.workflowTaskFailedEventAttributes?.cause).toBe(Cause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE);
      expect(failed?.workflowTaskFailedEventAttributes?.failure?.message).toContain('exploded before being defused');
      // Later attempts fail silently in the worker; only their timeouts make the server retry.
      const deadline = Date.now() + 10_000;
      let attempt = 0;
      while (attempt < 3 && Date.now() < deadline) {
        const described = await handle.describe();
        expect(described.status.name).toBe('RUNNING');
        attempt = described.raw.pendingWorkflowTask?.attempt ?? 0;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(attempt).toBeGreaterThanOrEqual(3);
      await handle.signal(defuseSignal);
      expect(await handle.result()).toBe('defused');
    });
  });

  it('keeps a signal that arrives while a task completing the workflow is running', async () => {
    let taskRunning!: () => void;
    const running = new Promise<void>((resolve) => (taskRunning = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const holdTask = async () => {
      if (++calls > 1) return;
      taskRunning();
      await released;
    };
    await temporal.withWorker({ activities: { holdTask } }, async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(completesAfterLocalActivity, {
        taskQueue,
        workflowId: temporal.workflowId('unhandled-command'),
      });
      await running;
      await handle.signal(noteSignal, 'arrived during the task');
      release();
      expect(await handle.result()).toEqual(['arrived during the task']);
      const rejected = await waitForEvent(handle, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
      expect(rejected?.workflowTaskFailedEventAttributes?.cause).toBe(Cause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND);
    });
  });

  it('keeps a workflow task alive while a local activity outlasts the task timeout', async () => {
    const slowLocal = async (ms: number) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return `slept ${ms} ms`;
    };
    await temporal.withWorker({ activities: { slowLocal } }, async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(longLocalActivity, {
        taskQueue,
        workflowId: temporal.workflowId('long-local-activity'),
        workflowTaskTimeout: '1s',
        args: [1500],
      });
      expect(await handle.result()).toBe('slept 1500 ms');
      const events = (await handle.fetchHistory()).events ?? [];
      // The worker completed at least one task only to keep the workflow task going.
      const completed = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
      expect(completed.length).toBeGreaterThanOrEqual(2);
      expect(events.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT)).toBe(false);
    });
  });
});
