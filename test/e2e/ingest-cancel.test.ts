/**
 * Cancelling `ingestWorkflow` mid-batch: the batch in flight is rolled back, committed batches stay
 * with the watermark that matches them, and nothing of the ingest is left in PostgreSQL — no fresh
 * table, staging table, lock or backend.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { ingestProgress, startIngest, type IngestHandle } from '../../src/client/index.js';
import { readHighWatermark } from '../../src/index.js';
import { useTestDatabase } from '../helpers/database.js';
import { useTemporal } from '../helpers/temporal.js';
import { heartbeatsOf, leftovers, numbersTable, packageWorkflows, rowsPerBatch, settledLeftovers, stagingTables, waitFor, withIngestWorker } from './helpers.js';

const db = useTestDatabase();
const temporal = useTemporal({ workflowsPath: packageWorkflows });

/** Resolves once batch `batch` is loading rows (its heartbeat says so). */
async function loadingBatch(handle: IngestHandle, batch: number): Promise<void> {
  await waitFor(`batch ${batch} to load rows`, async () => {
    const beat = (await heartbeatsOf(handle)).ingestNextBatch as { batch: number; phase: string; rows: number } | undefined;
    return beat?.batch === batch && beat.phase === 'loading' && beat.rows > 0 ? true : undefined;
  });
}

/** Cancels and waits until the workflow has ended as cancelled. */
async function cancelled(handle: IngestHandle): Promise<void> {
  await handle.cancel();
  const error = await handle.result().then(
    () => new Error('expected the ingest to be cancelled'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
}

describe('cancelling an ingest', () => {
  it('rolls back the batch in flight and keeps the committed ones with their watermark; nothing is left behind', async () => {
    const table = numbersTable('public', 'keyed', { primaryKey: true });
    const target = { schema: 'public', name: 'keyed' };
    const workerPool = db.newPool({ max: 4 });
    await withIngestWorker(temporal, workerPool, async ({ client, taskQueue }) => {
      const args = { batches: 5, rowsPerBatch: 400, slowBatches: [3], pauseMs: 50, pauseEvery: 10 };
      const handle = await startIngest(client, { tables: table, source: { name: 'numbers', args } }, { taskQueue });
      await loadingBatch(handle, 3);
      await cancelled(handle);
      expect(await handle.query(ingestProgress)).toMatchObject({ phase: 'cancelled', batches: 2, rows: 800, highWatermark: 2, batchInFlight: null });
      expect(await rowsPerBatch(db.pool, target)).toEqual({ 1: 400, 2: 400 });
      expect(await readHighWatermark(db.pool, table)).toBe(2);
      expect(await settledLeftovers(db.pool)).toEqual({ freshTables: [], locks: [], backends: [] });
    });
    // Staging tables are session-local and empty between batches; they end with the worker's connections.
    await workerPool.end();
    expect(await stagingTables(db.pool)).toEqual([]);
  });

  it('drops the fresh table of an end-of-ingest ingest: readers keep the old rows and the old watermark', async () => {
    const table = numbersTable('public', 'all_or_nothing', { primaryKey: false });
    const target = { schema: 'public', name: 'all_or_nothing' };
    await withIngestWorker(temporal, db.pool, async ({ client, taskQueue }) => {
      const old = await startIngest(client, { tables: table, source: { name: 'numbers', args: { batches: 2, rowsPerBatch: 100, label: 'old' } } }, { taskQueue });
      expect(await old.result()).toMatchObject({ batches: 2, highWatermark: 2 });

      const args = { batches: 5, rowsPerBatch: 400, label: 'new', slowBatches: [4], pauseMs: 50, pauseEvery: 10 };
      const handle = await startIngest(client, { tables: table, source: { name: 'numbers', args }, visibility: 'end-of-ingest' }, { taskQueue });
      // The source's batch 4 is this ingest's second batch (its first went into the fresh table).
      await loadingBatch(handle, 2);
      expect((await leftovers(db.pool)).freshTables).toHaveLength(1);
      await cancelled(handle);
      expect(await handle.query(ingestProgress)).toMatchObject({ phase: 'cancelled', batches: 1 });
    });
    expect(await rowsPerBatch(db.pool, target)).toEqual({ 1: 100, 2: 100 });
    const { rows } = await db.pool.query(`SELECT DISTINCT label FROM public.all_or_nothing`);
    expect(rows).toEqual([{ label: 'old' }]);
    expect(await readHighWatermark(db.pool, table)).toBe(2);
    expect(await settledLeftovers(db.pool)).toEqual({ freshTables: [], locks: [], backends: [] });
  });
});
