/**
 * Saved histories of the package's workflows replay against today's workflow code, so a change
 * that breaks determinism (an activity added, removed or reordered, a timer moved …) fails here
 * before it fails running workflows. Shapes: an ingest with no swap, one with a forced swap, one
 * that continues as new (three runs), one cancelled mid-batch, one failed on a bad value, and a
 * force-execute that terminates a blocker.
 *
 * `RECORD_HISTORIES=1 npx vitest run test/e2e/replay.test.ts` records them again from live runs
 * (after an intended change; running workflows of the old code then need `patched()`). A file is
 * named after its workflow id (`<workflow id>[.<run number>].json`): replay needs the real id.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import type { HistoryAndWorkflowId } from '@temporalio/common';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { temporal as proto } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { startForceExecute, startIngest } from '../../src/client/index.js';
import { useTestDatabase } from '../helpers/database.js';
import { useTemporal } from '../helpers/temporal.js';
import { heartbeatsOf, holdTable, numbersTable, packageWorkflows, waitFor, withIngestWorker } from './helpers.js';

const db = useTestDatabase();
const temporal = useTemporal({ workflowsPath: packageWorkflows });
const historiesDir = fileURLToPath(new URL('./histories/', import.meta.url));
const recording = process.env.RECORD_HISTORIES === '1';

type History = proto.api.history.v1.IHistory;

/** Every run of a workflow (following continue-as-new), named like the saved files. */
async function runsOf(handle: WorkflowHandle, firstRunId: string): Promise<{ name: string; history: History }[]> {
  const runs: { name: string; history: History }[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: History = await temporal.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    runs.push({ name: handle.workflowId, history });
    runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs.length === 1 ? runs : runs.map((run, index) => ({ ...run, name: `${run.name}.${index + 1}` }));
}

/** Runs each shape live and returns the histories of all their runs. */
async function record(): Promise<{ name: string; history: History }[]> {
  return withIngestWorker(temporal, db.pool, async ({ client, taskQueue }) => {
    const runs: { name: string; history: History }[] = [];
    const table = (name: string, batchType = 'integer') => numbersTable('public', name, { primaryKey: false, batchType });

    const plain = await startIngest(client, { tables: table('plain'), source: { name: 'numbers', args: { batches: 3, rowsPerBatch: 10 } } }, { taskQueue, workflowId: 'replay-ingest-plain' });
    await plain.result();
    runs.push(...(await runsOf(plain, plain.firstExecutionRunId)));

    await (await startIngest(client, { tables: table('swapped'), source: { name: 'numbers', args: { batches: 1, rowsPerBatch: 10 } } }, { taskQueue, workflowId: 'replay-ingest-swap-setup' })).result();
    const blocker = await holdTable(db, 'public.swapped', 'replay-blocker', { mode: 'ACCESS SHARE' });
    const swap = await startIngest(
      client,
      { tables: table('swapped', 'bigint'), source: { name: 'numbers', args: { batches: 3, rowsPerBatch: 10 } }, forceExecute: { delayMs: 1000, checkIntervalMs: 200 } },
      { taskQueue, workflowId: 'replay-ingest-swap' },
    );
    expect((await swap.result()).blockers).toHaveLength(1);
    await blocker.client.end().catch(() => undefined);
    runs.push(...(await runsOf(swap, swap.firstExecutionRunId)));

    const continued = await startIngest(client, { tables: table('continued'), source: { name: 'numbers', args: { batches: 5, rowsPerBatch: 10 } }, batchesPerRun: 2 }, { taskQueue, workflowId: 'replay-ingest-continued' });
    await continued.result();
    runs.push(...(await runsOf(continued, continued.firstExecutionRunId)));

    const slow = { batches: 3, rowsPerBatch: 300, slowBatches: [2], pauseMs: 50, pauseEvery: 10 };
    const cancelled = await startIngest(client, { tables: table('cancelled'), source: { name: 'numbers', args: slow } }, { taskQueue, workflowId: 'replay-ingest-cancelled' });
    await waitFor('batch 2 to load', async () => ((await heartbeatsOf(cancelled)).ingestNextBatch as { batch?: number; rows?: number } | undefined)?.batch === 2 ? true : undefined);
    await cancelled.cancel();
    await expect(cancelled.result()).rejects.toThrow();
    runs.push(...(await runsOf(cancelled, cancelled.firstExecutionRunId)));

    const failed = await startIngest(client, { tables: table('failed'), source: { name: 'numbers', args: { batches: 3, rowsPerBatch: 10, badBatch: 2 } } }, { taskQueue, workflowId: 'replay-ingest-failed' });
    await expect(failed.result()).rejects.toThrow();
    runs.push(...(await runsOf(failed, failed.firstExecutionRunId)));

    await db.pool.query('CREATE TABLE IF NOT EXISTS public.renamed_by_force (x int)');
    const holder = await holdTable(db, 'public.renamed_by_force', 'replay-force-blocker', { mode: 'ACCESS SHARE' });
    const force = await startForceExecute(
      client,
      { statements: 'ALTER TABLE public.renamed_by_force RENAME TO renamed_by_force_old', delayMs: 1000, checkIntervalMs: 200 },
      { taskQueue, workflowId: 'replay-force-execute' },
    );
    await force.result();
    await holder.client.end().catch(() => undefined);
    runs.push(...(await runsOf(force, force.firstExecutionRunId)));
    return runs;
  });
}

async function savedHistories(): Promise<HistoryAndWorkflowId[]> {
  const files = (await readdir(historiesDir)).filter((file) => file.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => ({
      workflowId: file.replace(/(\.\d+)?\.json$/, ''),
      history: historyFromJSON(JSON.parse(await readFile(`${historiesDir}${file}`, 'utf8'))),
    })),
  );
}

describe('saved histories of the package workflows', () => {
  it('replay against the current workflow code', async () => {
    if (recording) {
      for (const run of await record()) await writeFile(`${historiesDir}${run.name}.json`, `${historyToJSON(run.history)}\n`);
    }
    const histories = await savedHistories();
    expect(histories.map((history) => history.workflowId)).toEqual([
      'replay-force-execute',
      'replay-ingest-cancelled',
      'replay-ingest-continued',
      'replay-ingest-continued',
      'replay-ingest-continued',
      'replay-ingest-failed',
      'replay-ingest-plain',
      'replay-ingest-swap',
    ]);
    const results: { workflowId: string; error?: Error }[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: temporal.workflowBundle }, histories)) results.push(result);
    expect(results.map((result) => [result.workflowId, result.error?.message])).toEqual(histories.map((history) => [history.workflowId, undefined]));
  });
});
