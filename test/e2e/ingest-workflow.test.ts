/**
 * `ingestWorkflow` end to end: a real worker with the package's workflows and activities, the real
 * PostgreSQL, the in-memory Temporal service (or TEMPORAL_ADDRESS), started from a client.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { ActivityFailure, RetryState } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  InvalidIngestInputError,
  defaultIngestWorkflowId,
  executeIngest,
  ingestProgress,
  startIngest,
  type IngestProgressSnapshot,
} from '../../src/client/index.js';
import { NullablePrimaryKeyError, readHighWatermark, type BlockerReport } from '../../src/index.js';
import { useTestDatabase } from '../helpers/database.js';
import { useTemporal } from '../helpers/temporal.js';
import { duplicatesAndCount, holdTable, numbersTable, packageWorkflows, rowsPerBatch, settledLeftovers, waitFor, withIngestWorker, workflowFailure } from './helpers.js';

const db = useTestDatabase();
const temporal = useTemporal({ workflowsPath: packageWorkflows });

describe('ingestWorkflow', () => {
  it('loads a multi-batch ingest started from a client, and a second run resumes from the stored watermark', async () => {
    const table = numbersTable('public', 'events', { primaryKey: true });
    const target = { schema: 'public', name: 'events' };
    await withIngestWorker(temporal, db.pool, async ({ client, taskQueue }) => {
      const first = await executeIngest(client, { tables: table, source: { name: 'numbers', args: { batches: 4, rowsPerBatch: 250 } } }, { taskQueue });
      expect(first).toMatchObject({ batches: 4, rows: 1000, highWatermark: 4, swapped: false, blockers: [] });
      expect(first.tables).toMatchObject([{ table: 'public.events', migration: 'create', rows: 1000, swapped: false }]);
      expect(await duplicatesAndCount(db.pool, target)).toEqual({ duplicates: [], rows: 1000 });
      expect(await readHighWatermark(db.pool, table)).toBe(4);

      const second = await executeIngest(client, { tables: table, source: { name: 'numbers', args: { batches: 6, rowsPerBatch: 250 } } }, { taskQueue });
      expect(second).toMatchObject({ batches: 2, rows: 500, highWatermark: 6 });
      expect(second.tables[0]?.migration).toBe('none');
      expect(await rowsPerBatch(db.pool, target)).toEqual({ 1: 250, 2: 250, 3: 250, 4: 250, 5: 250, 6: 250 });

      const nothingNew = await executeIngest(client, { tables: table, source: { name: 'numbers', args: { batches: 6, rowsPerBatch: 250 } } }, { taskQueue });
      expect(nothingNew).toMatchObject({ batches: 0, rows: 0, highWatermark: 6 });
    });
    expect(await duplicatesAndCount(db.pool, target)).toEqual({ duplicates: [], rows: 1500 });
    expect(await settledLeftovers(db.pool)).toEqual({ freshTables: [], locks: [], backends: [] });
  });

  it('swaps in a rebuilt table through force-execute, terminating the session that blocks the swap and naming it', async () => {
    const target = { schema: 'public', name: 'swapped' };
    const before = numbersTable('public', 'swapped', { primaryKey: false, batchType: 'integer' });
    const after = numbersTable('public', 'swapped', { primaryKey: false, batchType: 'bigint' });
    await withIngestWorker(temporal, db.pool, async ({ client, taskQueue }) => {
      await executeIngest(client, { tables: before, source: { name: 'numbers', args: { batches: 2, rowsPerBatch: 100 } } }, { taskQueue });
      const blocker = await holdTable(db, 'public.swapped', 'swap-blocker', { mode: 'ACCESS SHARE' });
      const report = await executeIngest(
        client,
        { tables: after, source: { name: 'numbers', args: { batches: 4, rowsPerBatch: 100 } }, forceExecute: { delayMs: 1000, checkIntervalMs: 200 } },
        { taskQueue },
      );
      expect(report).toMatchObject({ batches: 2, rows: 200, highWatermark: 4, swapped: true });
      expect(report.tables[0]).toMatchObject({ migration: 'rebuild', swapped: true, swap: { renamedOnly: false } });
      expect(report.blockers.map((b: BlockerReport) => [b.pid, b.applicationName, b.action, b.signalled])).toEqual([[blocker.pid, 'swap-blocker', 'terminate', true]]);
      await blocker.client.end().catch(() => undefined);
    });
    const { rows } = await db.pool.query<{ type: string }>(`SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'public.swapped'::regclass AND attname = 'batch'`);
    expect(rows[0]?.type).toBe('bigint');
    expect(await duplicatesAndCount(db.pool, target)).toEqual({ duplicates: [], rows: 400 });
    expect(await settledLeftovers(db.pool)).toEqual({ freshTables: [], locks: [], backends: [] });
  });

  it('continues as new every batchesPerRun batches, and the progress query answers in every run', async () => {
    const table = numbersTable('public', 'many', { primaryKey: false });
    const args = { batches: 10, rowsPerBatch: 20, slowBatches: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], pauseMs: 20, pauseEvery: 10 };
    await withIngestWorker(temporal, db.pool, async ({ client, taskQueue }) => {
      const handle = await startIngest(client, { tables: table, source: { name: 'numbers', args }, batchesPerRun: 3 }, { taskQueue });
      const seen: IngestProgressSnapshot[] = [];
      const done = handle.result();
      let finished = false;
      void done.finally(() => (finished = true)).catch(() => undefined);
      while (!finished) {
        const snapshot = await handle.query(ingestProgress).catch(() => undefined);
        if (snapshot) seen.push(snapshot);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const report = await done;
      expect(report).toMatchObject({ batches: 10, rows: 200, highWatermark: 10 });
      const last = await handle.query(ingestProgress);
      expect(last).toMatchObject({ phase: 'done', run: 4, batches: 10, rows: 200, highWatermark: 10, batchInFlight: null, batchesThisRun: 1 });
      expect(last.runId).not.toBe(handle.firstExecutionRunId);
      const runs = [...new Set(seen.map((snapshot) => snapshot.run))];
      expect(runs.length).toBeGreaterThanOrEqual(3);
      expect(runs).toEqual([...runs].sort((a, b) => a - b));
      // Counts carry over from run to run: they never go back.
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.batches).toBeGreaterThanOrEqual(seen[i - 1]!.batches);
      expect(seen.some((snapshot) => snapshot.run > 1 && snapshot.batches >= 3 && snapshot.ingestId === last.ingestId)).toBe(true);
    });
    expect(await duplicatesAndCount(db.pool, { schema: 'public', name: 'many' })).toEqual({ duplicates: [], rows: 200 });
  });

  it('refuses a second ingest of the same tables while the first runs, unless the caller chose another id', async () => {
    const table = numbersTable('public', 'single_writer', { primaryKey: true });
    const args = { batches: 3, rowsPerBatch: 50, slowBatches: [1], pauseMs: 100, pauseEvery: 10 };
    await withIngestWorker(temporal, db.pool, async ({ client, taskQueue }) => {
      const first = await startIngest(client, { tables: table, source: { name: 'numbers', args } }, { taskQueue });
      expect(first.workflowId).toBe(defaultIngestWorkflowId('default', table));
      expect(first.workflowId).toBe('temporal-pg-ingest:default:public.single_writer');
      await expect(startIngest(client, { tables: [table], source: { name: 'numbers', args } }, { taskQueue })).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
      const other = await startIngest(client, { tables: table, source: { name: 'numbers', args } }, { taskQueue, workflowId: temporal.workflowId('another-id') });
      await other.cancel();
      await expect(other.result()).rejects.toThrow();
      expect(await first.result()).toMatchObject({ batches: 3, rows: 150 });
    });
    expect(await duplicatesAndCount(db.pool, { schema: 'public', name: 'single_writer' })).toEqual({ duplicates: [], rows: 150 });
  });

  it('retries a batch whose backend was terminated mid-COPY, on a fresh session, and loads it once', async () => {
    const table = numbersTable('public', 'terminated', { primaryKey: false });
    await withIngestWorker(temporal, db.pool, async ({ client, taskQueue }) => {
      const args = { batches: 3, rowsPerBatch: 400, slowBatches: [2], pauseMs: 30, pauseEvery: 10 };
      const handle = await startIngest(client, { tables: table, source: { name: 'numbers', args } }, { taskQueue });
      const pid = await waitFor('batch 2 to stream through COPY', async () => {
        const { rows } = await db.pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'tpg-in:%:2.1' AND state = 'active' AND query LIKE 'COPY%'`);
        return rows[0]?.pid;
      });
      await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
      expect(await handle.result()).toMatchObject({ batches: 3, rows: 1200, highWatermark: 3 });
      const history = await handle.fetchHistory();
      const attempts = (history.events ?? []).flatMap((event) => (event.activityTaskStartedEventAttributes ? [event.activityTaskStartedEventAttributes.attempt] : []));
      expect(attempts).toContain(2);
    });
    expect(await rowsPerBatch(db.pool, { schema: 'public', name: 'terminated' })).toEqual({ 1: 400, 2: 400, 3: 400 });
  });

  describe('typed failures', () => {
    it('fails with the ApplicationFailure of a bad value, not retried, after the batches before it', async () => {
      const table = numbersTable('public', 'bad_value', { primaryKey: false });
      await withIngestWorker(temporal, db.pool, async ({ client, taskQueue }) => {
        const failure = await workflowFailure(executeIngest(client, { tables: table, source: { name: 'numbers', args: { batches: 3, rowsPerBatch: 10, badBatch: 2 } } }, { taskQueue }));
        expect(failure.type).toBe('InvalidValue');
        expect(failure.nonRetryable).toBe(true);
        expect(failure.message).toMatch(/batch/);
        expect(failure.cause).toBeInstanceOf(ActivityFailure);
        expect((failure.cause as ActivityFailure).retryState).toBe(RetryState.NON_RETRYABLE_FAILURE);
        const progress = (failure.details?.at(-1) as { ingest: IngestProgressSnapshot }).ingest;
        expect(progress).toMatchObject({ phase: 'failed', batches: 1, rows: 10, highWatermark: 1 });
      });
      expect(await rowsPerBatch(db.pool, { schema: 'public', name: 'bad_value' })).toEqual({ 1: 10 });
      expect(await readHighWatermark(db.pool, table)).toBe(1);
    });

    it('fails with UnknownSource before planning anything', async () => {
      const table = numbersTable('public', 'never_created', { primaryKey: true });
      await withIngestWorker(temporal, db.pool, async ({ client, taskQueue }) => {
        const failure = await workflowFailure(executeIngest(client, { tables: table, source: { name: 'no-such-source' } }, { taskQueue }));
        expect(failure).toMatchObject({ type: 'UnknownSource', nonRetryable: true });
        expect(failure.message).toContain('"no-such-source"');
        expect(failure.message).toContain('"numbers"');
      });
      const { rows } = await db.pool.query(`SELECT to_regclass('public.never_created') AS found`);
      expect(rows[0].found).toBeNull();
    });

    it('fails with SourceNotAdvancing when a source yields the watermark it started after', async () => {
      const table = numbersTable('public', 'stuck', { primaryKey: false });
      await withIngestWorker(temporal, db.pool, async ({ client, taskQueue }) => {
        const failure = await workflowFailure(executeIngest(client, { tables: table, source: { name: 'stuck' } }, { taskQueue }));
        expect(failure).toMatchObject({ type: 'SourceNotAdvancing', nonRetryable: true });
      });
      const { rows } = await db.pool.query(`SELECT to_regclass('public.stuck') AS found`);
      expect(rows[0].found).toBeNull();
    });

    it('refuses a malformed input in the client, with the library’s typed errors, before starting anything', async () => {
      const client = temporal.client;
      const options = { taskQueue: temporal.taskQueue('unused') };
      const source = { name: 'numbers' };
      const nullableKey = { schema: 'public', name: 't', columns: [{ name: 'id', type: 'int', primaryKey: true, nullable: true }] };
      await expect(startIngest(client, { tables: nullableKey, source }, options)).rejects.toBeInstanceOf(NullablePrimaryKeyError);
      const error = await startIngest(client, { tables: [], source: { name: '' }, upsert: 'sometimes', batchesPerRun: 0 } as never, options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidIngestInputError);
      expect((error as InvalidIngestInputError).details.problems).toEqual([
        'tables must be a table definition or a non-empty list of them',
        'source.name must be the name of a source registered at the worker',
        'upsert must be one of if-primary-key, off',
        'batchesPerRun must be an integer ≥ 1',
      ]);
    });
  });
});
