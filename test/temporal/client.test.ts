/**
 * Client calls through the real `@temporalio/client`: start with workflow-id conflicts and reuse
 * policies, signal-with-start, describe, list and count, and history paging. Runs unchanged
 * against a real server with TEMPORAL_ADDRESS set (visibility there is eventually consistent,
 * hence the polling).
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { eventually, useTemporal } from '../helpers/temporal.js';
import { accumulator, addSignal, totalQuery } from './workflows/control.js';

const temporal = useTemporal({ workflowsPath: new URL('./workflows/control.ts', import.meta.url) });


describe('client', () => {
  it('refuses to start a workflow id that is already running', async () => {
    await temporal.withWorker(async ({ client, taskQueue }) => {
      const workflowId = temporal.workflowId('duplicate');
      const first = await client.workflow.start(accumulator, { taskQueue, workflowId, args: [1] });
      const second = client.workflow.start(accumulator, { taskQueue, workflowId, args: [1] });
      await expect(second).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
      await first.signal(addSignal, 1);
      await first.result();
    });
  });

  it('reuses a closed workflow id unless the reuse policy rejects duplicates', async () => {
    await temporal.withWorker(async ({ client, taskQueue }) => {
      const workflowId = temporal.workflowId('reuse');
      const first = await client.workflow.start(accumulator, { taskQueue, workflowId, args: [1] });
      await first.signal(addSignal, 1);
      await first.result();
      await expect(
        client.workflow.start(accumulator, {
          taskQueue,
          workflowId,
          args: [1],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        }),
      ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
      const second = await client.workflow.start(accumulator, { taskQueue, workflowId, args: [1] });
      expect(second.firstExecutionRunId).not.toBe(first.firstExecutionRunId);
      await second.signal(addSignal, 2);
      expect(await second.result()).toEqual([2]);
    });
  });

  it('signal-with-start starts a workflow with the signal delivered, then signals the running one', async () => {
    await temporal.withWorker(async ({ client, taskQueue }) => {
      const workflowId = temporal.workflowId('signal-with-start');
      const options = { taskQueue, workflowId, args: [10] as [number], signal: addSignal };
      const first = await client.workflow.signalWithStart(accumulator, { ...options, signalArgs: [4] });
      const second = await client.workflow.signalWithStart(accumulator, { ...options, signalArgs: [6] });
      expect(second.signaledRunId).toBe(first.signaledRunId);
      expect(await first.result()).toEqual([4, 6]);
    });
  });

  it('describes a run while it runs and after it closed', async () => {
    await temporal.withWorker(async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(accumulator, { taskQueue, workflowId: temporal.workflowId('describe'), args: [1] });
      await eventually(() => handle.query(totalQuery), (total) => total === 0);
      const running = await handle.describe();
      expect(running.status.name).toBe('RUNNING');
      expect(running.type).toBe('accumulator');
      expect(running.taskQueue).toBe(taskQueue);
      expect(running.runId).toBe(handle.firstExecutionRunId);
      expect(running.closeTime).toBeUndefined();
      await handle.signal(addSignal, 1);
      await handle.result();
      const closed = await handle.describe();
      expect(closed.status.name).toBe('COMPLETED');
      expect(closed.historyLength).toBeGreaterThan(running.historyLength);
      expect(closed.closeTime!.getTime()).toBeGreaterThanOrEqual(closed.startTime.getTime());
    });
  });

  it('lists and counts workflows matching a filter', async () => {
    await temporal.withWorker(async ({ client, taskQueue }) => {
      const handles = await Promise.all(
        [1, 2, 3].map((n) => client.workflow.start(accumulator, { taskQueue, workflowId: temporal.workflowId(`list-${n}`), args: [1] })),
      );
      for (const handle of handles.slice(0, 2)) {
        await handle.signal(addSignal, 1);
        await handle.result();
      }
      const running = async () => {
        const ids: string[] = [];
        for await (const info of client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'` })) {
          ids.push(info.workflowId);
        }
        return ids;
      };
      expect(await eventually(running, (ids) => ids.length === 1)).toEqual([handles[2]!.workflowId]);
      const count = await eventually(
        async () => (await client.workflow.count(`TaskQueue = '${taskQueue}'`)).count,
        (n) => n === 3,
      );
      expect(count).toBe(3);
      await handles[2]!.terminate('test done');
    });
  });

  it('pages through a history and matches fetchHistory', async () => {
    await temporal.withWorker(async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(accumulator, { taskQueue, workflowId: temporal.workflowId('paging'), args: [8] });
      for (let i = 0; i < 8; i++) await handle.signal(addSignal, 1);
      await handle.result();
      const all = (await handle.fetchHistory()).events ?? [];
      const paged: number[] = [];
      let pages = 0;
      let nextPageToken: Uint8Array | undefined;
      do {
        const page = await client.workflowService.getWorkflowExecutionHistory({
          namespace: temporal.namespace,
          execution: { workflowId: handle.workflowId },
          maximumPageSize: 4,
          nextPageToken,
        });
        pages++;
        paged.push(...(page.history?.events ?? []).map((event) => Number(event.eventId)));
        nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
      } while (nextPageToken);
      expect(all.length).toBeGreaterThan(8);
      expect(paged).toEqual(all.map((event) => Number(event.eventId)));
      expect(paged).toEqual(paged.map((_, index) => index + 1));
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(all.length / 4));
    });
  });
});
