/**
 * History export and replay: a live run's history survives `historyToJSON` and replays cleanly;
 * the histories saved in test/temporal/histories/ replay against today's workflow code (so a
 * change that breaks determinism fails here); and a deliberately changed workflow fails replay with
 * a determinism error.
 *
 * `RECORD_HISTORIES=1` rewrites the saved histories from live runs (against a real server too, with
 * TEMPORAL_ADDRESS). A saved file is named after the workflow id of its run
 * (`<workflow id>[.<run number>].json`), because a history does not record it and replay needs it.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { activityInfo, heartbeat, sleep } from '@temporalio/activity';
import type { HistoryAndWorkflowId } from '@temporalio/common';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { temporal as proto } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { bundleWorkflows, useTemporal } from '../helpers/temporal.js';
import { approveSignal, pipeline, resilientPipeline, stageQuery, type ReplayActivities } from './workflows/replay.js';

const temporal = useTemporal({ workflowsPath: new URL('./workflows/replay.ts', import.meta.url) });
const historiesDir = fileURLToPath(new URL('./histories/', import.meta.url));
const recording = process.env.RECORD_HISTORIES === '1';

type History = proto.api.history.v1.IHistory;

const activities: ReplayActivities = {
  fetch: async () => 42,
  flaky: async () => {
    if (activityInfo().attempt === 1) throw new Error('first attempt fails');
    return `ok on attempt ${activityInfo().attempt}`;
  },
  stall: async () => {
    for (;;) {
      heartbeat();
      await sleep(50);
    }
  },
  store: async (rows) => `stored ${rows}`,
};

/** Runs both workflows live and returns every run's history, named like the saved files. */
async function recordRuns(): Promise<{ name: string; workflowId: string; history: History }[]> {
  return await temporal.withWorker({ activities }, async ({ client, taskQueue }) => {
    const pipelineId = recording ? 'replay-pipeline' : temporal.workflowId('replay-pipeline');
    const pipelineRun = await client.workflow.start(pipeline, { taskQueue, workflowId: pipelineId, args: ['events'] });
    for (let stage = ''; stage !== 'waiting'; ) {
      stage = await pipelineRun.query(stageQuery).catch(() => '');
      if (stage !== 'waiting') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await pipelineRun.signal(approveSignal, 'ops');
    expect(await pipelineRun.result()).toBe('stored 42: 42 rows, approved by ops');

    const resilientId = recording ? 'replay-resilient-pipeline' : temporal.workflowId('replay-resilient-pipeline');
    const resilientRun = await client.workflow.start(resilientPipeline, { taskQueue, workflowId: resilientId, args: [0] });
    expect(await resilientRun.result()).toBe('ok on attempt 2, cancelled: true');

    const runs = [{ name: pipelineId, workflowId: pipelineId, history: await pipelineRun.fetchHistory() }];
    let runId: string | undefined = resilientRun.firstExecutionRunId;
    for (let number = 1; runId; number++) {
      const history: History = await client.workflow.getHandle(resilientId, runId).fetchHistory();
      runs.push({ name: `${resilientId}.${number}`, workflowId: resilientId, history });
      runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    return runs;
  });
}

async function savedHistories(): Promise<HistoryAndWorkflowId[]> {
  const files = (await readdir(historiesDir)).filter((file) => file.endsWith('.json')).sort();
  return await Promise.all(
    files.map(async (file) => ({
      workflowId: file.replace(/(\.\d+)?\.json$/, ''),
      history: historyFromJSON(JSON.parse(await readFile(`${historiesDir}${file}`, 'utf8'))),
    })),
  );
}

async function replayAll(workflowBundle: { code: string }, histories: HistoryAndWorkflowId[]) {
  const results: { workflowId: string; error?: Error }[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) results.push(result);
  return results;
}

describe('history export and replay', () => {
  it('exports the histories of live runs to JSON and replays them', async () => {
    const runs = await recordRuns();
    expect(runs.map((run) => run.name.replace(/-[0-9a-f]{10}/, ''))).toEqual([
      'replay-pipeline',
      'replay-resilient-pipeline.1',
      'replay-resilient-pipeline.2',
    ]);
    for (const run of runs) {
      const json = historyToJSON(run.history);
      // Core records its flags in WorkflowTaskCompleted only when the service stores sdkMetadata;
      // without them, replay would skip the activity and child id/type checks.
      const completed = (run.history.events ?? []).filter((event) => event.workflowTaskCompletedEventAttributes);
      expect(completed.some((event) => event.workflowTaskCompletedEventAttributes?.sdkMetadata?.coreUsedFlags?.length)).toBe(true);
      await Worker.runReplayHistory({ workflowBundle: temporal.workflowBundle }, JSON.parse(json), run.workflowId);
      if (recording) await writeFile(`${historiesDir}${run.name}.json`, `${json}\n`);
    }
  });

  it('replays every saved history with the current workflow code', async () => {
    const histories = await savedHistories();
    expect(histories.length).toBeGreaterThanOrEqual(3);
    const results = await replayAll(temporal.workflowBundle, histories);
    expect(results.map((result) => [result.workflowId, result.error?.message])).toEqual(
      histories.map((history) => [history.workflowId, undefined]),
    );
  });

  it('fails replay with a determinism error when the workflow code changed', async () => {
    const changed = await bundleWorkflows(new URL('./workflows/replay-changed.ts', import.meta.url));
    const results = await replayAll(changed, await savedHistories());
    const pipelineResult = results.find((result) => result.workflowId === 'replay-pipeline');
    expect(pipelineResult?.error?.name).toBe('DeterminismViolationError');
    expect(pipelineResult?.error?.message).toMatch(/nondeterminism/i);
    expect(results.filter((result) => result.workflowId !== 'replay-pipeline').every((result) => !result.error)).toBe(true);
  });
});
