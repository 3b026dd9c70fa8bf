/**
 * The batch activity in `MockActivityEnvironment` (no Temporal service), against real PostgreSQL:
 * heartbeats while one COPY streams, cancellation mid-COPY, what a retried attempt does with its
 * attempt number and the heartbeat details of the attempt before, exactly-once.
 */
import { randomUUID } from 'node:crypto';
import type { Info } from '@temporalio/activity';
import { ActivityCancellationDetails, ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { readHighWatermark, type BatchSource } from '../../src/index.js';
import { ingestBatchToken, type IngestBatchHeartbeat, type IngestBatchResult, type IngestPlanResult } from '../../src/shared/ingest.js';
import { acquireAdvisoryLock } from '../../src/locks/advisory-acquire.js';
import { ingestLockKey } from '../../src/ingest/engine/names.js';
import { useTestDatabase } from '../helpers/database.js';
import { numbers, type NumbersArgs } from './fixtures/sources.js';
import { numbersTable, recordingLogger, rowsPerBatch, settledLeftovers, waitFor } from './helpers.js';

const db = useTestDatabase();
const logger = recordingLogger();
let sourceCalls = 0;
const counted: BatchSource = (hwm, args, context) => {
  sourceCalls += 1;
  return numbers(hwm, args as NumbersArgs, context);
};
let activities: ReturnType<typeof createActivities>;
beforeAll(() => {
  activities = createActivities({ databases: db.pool, sources: { numbers: counted }, logger });
});

/** A fresh mock environment (one per call: a cancelled one stays cancelled) that records heartbeats. */
function environment(info: Partial<Info> = {}) {
  // The SDK's own lines (an activity failing on purpose) go to a recording logger, not the test output.
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 5000, ...info }, { logger: recordingLogger() });
  const beats: IngestBatchHeartbeat[] = [];
  env.on('heartbeat', (details: IngestBatchHeartbeat) => beats.push(details));
  return { env, beats };
}

/** The result of a batch that was loaded (or found committed): fails the test for `exhausted`. */
function loaded(result: IngestBatchResult): Extract<IngestBatchResult, { kind: 'batch' }> {
  if (result.kind !== 'batch') throw new Error(`expected a batch, got ${JSON.stringify(result)}`);
  return result;
}

async function plan(name: string, primaryKey: boolean): Promise<IngestPlanResult> {
  const { env } = environment();
  return env.run(activities.ingestPlan, { database: 'default', tables: numbersTable('public', name, { primaryKey }), options: { ingestId: randomUUID() }, source: 'numbers' });
}

describe('the batch activity', () => {
  it('heartbeats its phase and the rows so far from a timer while one COPY streams', async () => {
    const { plan: planned, state } = await plan('beats', true);
    const { env, beats } = environment();
    const args = { batches: 1, rowsPerBatch: 300, slowBatches: [1], pauseMs: 40, pauseEvery: 10 };
    const result = await env.run(activities.ingestNextBatch, { database: 'default', plan: planned, state, source: { name: 'numbers', args } });
    expect(result).toMatchObject({ kind: 'batch', status: 'committed', batch: 1, rows: 300, attempt: 1 });
    const loading = beats.filter((beat) => beat.phase === 'loading');
    const counts = [...new Set(loading.map((beat) => beat.rows))];
    expect(counts.length).toBeGreaterThanOrEqual(3);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(beats.every((beat) => beat.batch === 1 && beat.attempt === 1)).toBe(true);
    expect(beats.at(-1)).toMatchObject({ phase: 'committed', rows: 300 });
    expect(beats[0]?.phase).toBe('checking-ledger');
  });

  it('rolls the batch back when cancelled mid-COPY, and leaves no backend behind', async () => {
    const table = numbersTable('public', 'cancelled', { primaryKey: false });
    const { plan: planned, state } = await plan('cancelled', false);
    const { env, beats } = environment();
    const args = { batches: 1, rowsPerBatch: 1000, slowBatches: [1], pauseMs: 50, pauseEvery: 10 };
    const running = env.run(activities.ingestNextBatch, { database: 'default', plan: planned, state, source: { name: 'numbers', args } });
    await waitFor('rows to stream', async () => (beats.some((beat) => beat.phase === 'loading' && beat.rows > 0) ? true : undefined));
    const { rows: copying } = await db.pool.query(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, [ingestBatchToken(planned.ingestId, 1, 1)]);
    expect(copying).toHaveLength(1);
    env.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    // The table was to be created in the batch's transaction: it went with the rollback.
    const { rows: found } = await db.pool.query(`SELECT to_regclass('public.cancelled') AS oid`);
    expect(found).toEqual([{ oid: null }]);
    expect(await readHighWatermark(db.pool, table)).toBeNull();
    expect(await settledLeftovers(db.pool)).toEqual({ freshTables: [], locks: [], backends: [] });
  });

  it('fails retryably when its worker (not the workflow) cancels it, shutting down, after rolling back', async () => {
    const { plan: planned, state } = await plan('shutdown', false);
    const { env, beats } = environment();
    const args = { batches: 1, rowsPerBatch: 1000, slowBatches: [1], pauseMs: 50, pauseEvery: 10 };
    const running = env.run(activities.ingestNextBatch, { database: 'default', plan: planned, state, source: { name: 'numbers', args } });
    await waitFor('rows to stream', async () => (beats.some((beat) => beat.phase === 'loading' && beat.rows > 0) ? true : undefined));
    env.cancel('WORKER_SHUTDOWN', new ActivityCancellationDetails({ workerShutdown: true }));
    const error = await running.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'ActivityInterrupted', nonRetryable: false });
    expect((error as Error).message).toContain('WORKER_SHUTDOWN');
    const { rows: found } = await db.pool.query(`SELECT to_regclass('public.shutdown') AS oid`);
    expect(found).toEqual([{ oid: null }]);
    expect(await settledLeftovers(db.pool)).toEqual({ freshTables: [], locks: [], backends: [] });
  });

  it('on a retry, ends the session its earlier attempt left behind and logs what that attempt had done', async () => {
    const { plan: planned, state } = await plan('retried', false);
    // A session of attempt 1 still holds the table's ingest lock, as a dead worker's batch session would.
    const leftover = await db.client({ applicationName: ingestBatchToken(planned.ingestId, 1, 1) });
    leftover.on('error', () => undefined);
    await leftover.query('BEGIN');
    await acquireAdvisoryLock(leftover, { key: ingestLockKey({ schema: 'public', name: 'retried' }), scope: 'transaction', shared: false }, 0);
    const { rows: pids } = await leftover.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const earlier: IngestBatchHeartbeat = { batch: 1, attempt: 1, phase: 'loading', rows: 120, bytes: 4000 };
    const { env } = environment({ attempt: 2, heartbeatDetails: earlier });
    logger.lines.length = 0;
    const result = await env.run(activities.ingestNextBatch, { database: 'default', plan: planned, state, source: { name: 'numbers', args: { batches: 1, rowsPerBatch: 50 } } });
    expect(result).toMatchObject({ kind: 'batch', status: 'committed', batch: 1, rows: 50, attempt: 2 });
    const warnings = logger.lines.filter((line) => line.level === 'WARN');
    expect(warnings.map((line) => line.message)).toEqual([
      'ingest: batch 1, attempt 2: attempt 1 stopped in phase loading after 120 rows; starting the batch over unless it was committed',
      'ingest: terminated backends left behind by earlier attempts',
    ]);
    expect(warnings[1]?.meta).toMatchObject({ pids: [pids[0]?.pid] });
    await expect(leftover.query('SELECT 1')).rejects.toThrow();
    await leftover.end().catch(() => undefined);
  });

  it('reports a batch an earlier attempt committed as done, without reading the source again', async () => {
    const { plan: planned, state } = await plan('once', false);
    const input = { database: 'default', plan: planned, state, source: { name: 'numbers', args: { batches: 2, rowsPerBatch: 40 } } };
    const committed = loaded(await environment().env.run(activities.ingestNextBatch, input));
    expect(committed).toMatchObject({ status: 'committed', rows: 40, highWatermark: 1 });
    const calls = sourceCalls;
    const again = loaded(await environment({ attempt: 2 }).env.run(activities.ingestNextBatch, input));
    expect(again).toMatchObject({ kind: 'batch', status: 'already-committed', batch: 1, rows: 0, highWatermark: 1, attempt: 2 });
    expect(again.state).toMatchObject({ batches: 1, rows: 40, highWatermark: 1 });
    expect(sourceCalls).toBe(calls);
    expect(await rowsPerBatch(db.pool, { schema: 'public', name: 'once' })).toEqual({ 1: 40 });

    const second = loaded(await environment().env.run(activities.ingestNextBatch, { ...input, state: committed.state }));
    expect(second).toMatchObject({ kind: 'batch', status: 'committed', batch: 2, highWatermark: 2 });
    const exhausted = await environment().env.run(activities.ingestNextBatch, { ...input, state: second.state });
    expect(exhausted).toEqual({ kind: 'exhausted', state: second.state });
  });
});
