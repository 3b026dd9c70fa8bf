/**
 * Load through Temporal: four worker processes on one task queue run eight `ingestWorkflow`s into
 * eight tables at once — three replacing their table with one swap at the end, two rebuilding it
 * (a swap after the first batch), three appending — while readers hammer a view on each table. No
 * reader gets an error, every read is consistent, every table ends with every row exactly once,
 * every workflow reports what it did, and the batches were spread over the worker processes. The
 * same ingests without Temporal: load.test.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startIngest } from '../../src/client/index.js';
import { useTestDatabase } from '../helpers/database.js';
import { useTemporal } from '../helpers/temporal.js';
import { spawnCrashWorker, type CrashWorker } from './support/crash-harness.js';
import { createLoadTables, expectCleanReads, expectLoaded, hammerViews, LOAD_KINDS, type LoadArgs } from './support/load-tables.js';
import { packageWorkflows } from '../e2e/helpers.js';

const db = useTestDatabase();
const temporal = useTemporal({ workflowsPath: packageWorkflows });
const args: LoadArgs = { batches: 4, rowsPerBatch: 100, pauseMs: 50 };
const WORKER_PROCESSES = 4;

/** Asks each process to drain and exit (SIGTERM), killing it if it has not within 10 s. */
async function stopAll(workers: readonly CrashWorker[]): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      worker.child.kill('SIGTERM');
      const exited = await Promise.race([worker.exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!exited) {
        worker.child.kill('SIGKILL');
        await worker.exited;
      }
    }),
  );
}

describe('eight ingests at once, readers hammering views during the swaps', () => {
  it('Temporal: four worker processes, eight ingest workflows; no reader error, no inconsistent read, every row exactly once', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'temporal-pg-load-'));
    const bundlePath = join(scratch, 'workflows.js');
    await writeFile(bundlePath, temporal.workflowBundle.code);
    const tables = await createLoadTables(db.pool, 'load_temporal', LOAD_KINDS);
    const taskQueue = temporal.taskQueue('load');
    const env = { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace, TASK_QUEUE: taskQueue, WORKFLOW_BUNDLE: bundlePath, DATABASE_URL: db.url, POOL_MAX: '12' };
    const spawned = Array.from({ length: WORKER_PROCESSES }, () => spawnCrashWorker(env));
    const workers = (await Promise.allSettled(spawned)).flatMap((settled) => (settled.status === 'fulfilled' ? [settled.value] : []));
    const readerPool = db.newPool({ max: 8, application_name: 'load reader' });
    try {
      expect(workers).toHaveLength(WORKER_PROCESSES);
      await Promise.all(workers.map((worker) => worker.start({ kind: 'none' })));
      const readers = hammerViews(readerPool, tables, args);
      const handles = await Promise.all(
        tables.map((table) =>
          startIngest(
            temporal.client,
            { tables: table.target, source: { name: 'load', args: { ...args } }, ...table.options, forceExecute: { delayMs: 30_000, lockTimeoutMs: 200 } },
            { taskQueue, workflowId: temporal.workflowId(`load-${table.definition.name}`) },
          ),
        ),
      );
      const reports = await Promise.all(handles.map((handle) => handle.result()));
      const summary = await readers.stop();

      expectCleanReads(summary, tables);
      expect(reports.map(({ batches, rows, highWatermark, swapped, blockers }) => ({ batches, rows, highWatermark, swapped, blockers }))).toEqual(
        LOAD_KINDS.map((kind) => ({ batches: args.batches, rows: args.batches * args.rowsPerBatch, highWatermark: args.batches, swapped: kind !== 'append', blockers: [] })),
      );
      await expectLoaded(db.pool, tables, args);
      // Each workflow asks for a batch once more than it has batches (the last answer: exhausted).
      const batchActivities = workers.map((worker) => worker.activities().get('ingestNextBatch') ?? 0);
      console.log(`load through Temporal: ${summary.reads} reads (slowest ${summary.maxLatencyMs} ms); batch activities per worker process: ${batchActivities.join(', ')}`);
      expect(batchActivities.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(tables.length * (args.batches + 1));
      expect(batchActivities.filter((n) => n > 0).length, `batch activities per worker process: ${batchActivities.join(', ')}`).toBeGreaterThan(1);
    } finally {
      await stopAll(workers);
      await readerPool.end();
      await rm(scratch, { recursive: true, force: true });
    }
  }, 180_000);
});
