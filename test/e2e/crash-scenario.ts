/**
 * One ingest, four worker processes, three SIGKILLs, and every row exactly once at the end.
 *
 * The table holds 200 rows from an earlier ingest; the new definition changes a column's type, so
 * the first batch goes into a fresh table that must be swapped in, while a session holds the table.
 *
 * 1. Worker A plans, loads batch 1 into the fresh table and starts the swap, which waits for the
 *    session holding the table: A is killed while the swap waits.
 * 2. Worker B retries the swap (after ending A's backend), which terminates the holder once the delay
 *    has passed and commits; B loads batch 2 and kills itself right after the batch activity
 *    returned it as committed, before Temporal heard of it.
 * 3. Worker C retries batch 2, finds it committed in the ledger and reports it without reading it
 *    again; it is killed while batch 3's rows stream through COPY.
 * 4. Worker D loads batch 3 again (the killed COPY rolled back) and batch 4, and finishes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { ingestProgress, startIngest } from '../../src/client/index.js';
import { ingest, readHighWatermark } from '../../src/index.js';
import type { TestDatabase } from '../helpers/database.js';
import type { TestTemporal } from '../helpers/temporal.js';
import { numbers } from './fixtures/sources.js';
import { duplicatesAndCount, holdTable, numbersTable, rowsPerBatch, settledLeftovers, waitFor } from './helpers.js';

/** How long to wait for a kill point (the machine may be busy with other tests). */
const WAIT_MS = 40_000;

const workerScript = fileURLToPath(new URL('./fixtures/ingest-worker-process.ts', import.meta.url));

interface WorkerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<unknown>;
  /** Starts polling; resolves once it does. */
  start(): Promise<void>;
}

/** Spawns a worker process and waits until it is loaded (connected, not yet polling). */
async function spawnWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', workerScript], { env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout });
  const seen = (wanted: string) => new Promise<void>((resolve) => lines.on('line', (line) => line === wanted && resolve()));
  const failed = () => exited.then(() => Promise.reject(new Error(`worker process exited early:\n${stderr}`)));
  const ready = seen('ready');
  await Promise.race([seen('loaded'), failed()]);
  return {
    child,
    exited,
    async start() {
      child.stdin.write('start\n');
      await Promise.race([ready, failed()]);
    },
  };
}

async function kill(worker: WorkerProcess): Promise<void> {
  worker.child.kill('SIGKILL');
  await worker.exited;
}

/** A backend of this database whose `application_name` matches `pattern` (and, when given, runs `query`). */
async function backend(db: TestDatabase, pattern: string, query?: string): Promise<number | undefined> {
  const { rows } = await db.pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE $1 AND ($2::text IS NULL OR (state = 'active' AND query LIKE $2)) LIMIT 1`,
    [pattern, query ?? null],
  );
  return rows[0]?.pid;
}

export async function runCrashScenario(db: TestDatabase, temporal: TestTemporal, options: { primaryKey: boolean }): Promise<void> {
  const name = options.primaryKey ? 'crash_keyed' : 'crash_unkeyed';
  const target = { schema: 'public', name };
  await ingest(db.pool, numbersTable('public', name, { primaryKey: options.primaryKey }), (hwm) => numbers(hwm, { batches: 2, rowsPerBatch: 100, label: 'old' }));

  const scratch = await mkdtemp(join(tmpdir(), 'temporal-pg-crash-'));
  const bundle = join(scratch, 'workflows.js');
  await writeFile(bundle, temporal.workflowBundle.code);
  const taskQueue = temporal.taskQueue(name);
  const env = { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace, TASK_QUEUE: taskQueue, WORKFLOW_BUNDLE: bundle, DATABASE_URL: db.url };
  const workers: WorkerProcess[] = [];
  const holder = await holdTable(db, `public.${name}`, 'crash-holder', { mode: 'ACCESS SHARE' });
  try {
    const a = await spawnWorker(env);
    workers.push(a);
    const b = await spawnWorker({ ...env, KILL_AFTER_COMMITTED_BATCH: '2' });
    workers.push(b);
    await a.start();

    const args = { batches: 6, rowsPerBatch: 300, label: 'new', slowBatches: [5], pauseMs: 40, pauseEvery: 10 };
    const handle = await startIngest(
      temporal.client,
      {
        tables: numbersTable('public', name, { primaryKey: options.primaryKey, batchType: 'bigint' }),
        source: { name: 'numbers', args },
        forceExecute: { delayMs: 3000, lockTimeoutMs: 200, checkIntervalMs: 200 },
        activities: { heartbeatTimeoutMs: 2000, swap: { heartbeatTimeoutMs: 2000, watcherHeartbeatTimeoutMs: 2000 } },
      },
      { taskQueue },
    );

    // 1. A dies while its swap waits for the holder.
    await waitFor('the swap to wait for the holder', () => backend(db, 'tpg-fx:%'), WAIT_MS);
    await kill(a);
    const c = await spawnWorker(env);
    workers.push(c);
    await b.start();

    // 2. B swaps (terminating the holder), commits batch 2 and dies before reporting it.
    await b.exited;
    expect(await readHighWatermark(db.pool, numbersTable('public', name, { primaryKey: options.primaryKey }))).toBe(4);
    await c.start();
    const d = await spawnWorker(env);
    workers.push(d);

    // 3. C finds batch 2 committed, and dies while batch 3 streams through COPY.
    await waitFor('batch 3 to stream through COPY', () => backend(db, 'tpg-in:%:3.%', 'COPY%'), WAIT_MS);
    await kill(c);
    await d.start();

    // 4. D loads batch 3 again and batch 4, and finishes.
    const report = await handle.result();
    expect(report).toMatchObject({ batches: 4, highWatermark: 6, swapped: true });
    expect(report.tables[0]).toMatchObject({ migration: 'rebuild', swapped: true });
    expect(report.blockers.map((blocker) => [blocker.pid, blocker.applicationName, blocker.action])).toEqual([[holder.pid, 'crash-holder', 'terminate']]);
    const progress = await handle.query(ingestProgress);
    expect(progress).toMatchObject({ phase: 'done', batches: 4, recoveredBatches: 1 });
  } finally {
    for (const worker of workers) worker.child.kill('SIGKILL');
    await Promise.all(workers.map((worker) => worker.exited));
    await holder.client.end().catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
  }
  expect(await duplicatesAndCount(db.pool, target)).toEqual({ duplicates: [], rows: 200 + 4 * 300 });
  expect(await rowsPerBatch(db.pool, target)).toEqual({ 1: 100, 2: 100, 3: 300, 4: 300, 5: 300, 6: 300 });
  expect(await readHighWatermark(db.pool, numbersTable('public', name, { primaryKey: options.primaryKey }))).toBe(6);
  expect(await settledLeftovers(db.pool)).toEqual({ freshTables: [], locks: [], backends: [] });
}
