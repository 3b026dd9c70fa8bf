/**
 * Fault injection through the ingest workflow: the same faults as the library-level files — our
 * backend terminated mid-COPY and mid-swap, PostgreSQL stopped or crashing and started again, the
 * network cut and refused for a while, a lock held on the target while a batch loads and while the
 * swap waits — but nobody calls again by hand: the activities retry and the workflow completes,
 * with every row exactly once and the watermark of the last batch.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { executeIngest, type IngestInput } from '../../src/client/index.js';
import { ingest, type TableDefinition } from '../../src/index.js';
import type { BatchSource } from '../../src/sources/types.js';
import { useTestDatabase } from '../helpers/database.js';
import { useTemporal } from '../helpers/temporal.js';
import { holdLock, terminate, waitForBackend } from './support/backends.js';
import { useDatabaseProxy } from './support/database-proxy.js';
import { expectBatchesExactlyOnce, numberedBatches, numberedSource, numberedTable, type BeforeRow, type NumberedArgs } from './support/numbered-source.js';
import { useOwnServer } from './support/own-server.js';
import { packageWorkflows } from '../e2e/helpers.js';

const db = useTestDatabase();
const own = useOwnServer();
const temporal = useTemporal({ workflowsPath: packageWorkflows });
const proxy = useDatabaseProxy(db);

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const args: NumberedArgs = { batches: 5, rowsPerBatch: 300, payloadChars: 100 };
/** Short heartbeats, so a retry after a lost worker or connection comes within seconds. */
const activities = { heartbeatTimeoutMs: 2000, swap: { heartbeatTimeoutMs: 2000, watcherHeartbeatTimeoutMs: 2000 } };

/** Runs the ingest workflow on a worker whose `numbered` source calls `fault` before each row (and with row 0 before each batch). */
async function runIngest(pool: pg.Pool, input: Omit<IngestInput, 'source' | 'activities'>, fault: BeforeRow) {
  const numbered: BatchSource = (hwm, sourceArgs) => numberedBatches(hwm, sourceArgs as NumberedArgs, fault);
  return temporal.withWorker({ activities: createActivities({ databases: pool, sources: { numbered }, logger: quiet }) }, ({ client, taskQueue }) =>
    executeIngest(client, { ...input, source: { name: 'numbered', args: { ...args } }, activities }, { taskQueue, workflowId: temporal.workflowId('fault') }),
  );
}

/** A fault that happens once, at `batch`/`row`; `happened` is awaited by the test. */
function once(batch: number, row: number, inject: () => Promise<void>): BeforeRow & { happened: () => Promise<void> | undefined } {
  let done: Promise<void> | undefined;
  const fault = async (b: number, r: number) => {
    if (done || b !== batch || r !== row) return;
    done = inject();
    await done;
  };
  return Object.assign(fault, { happened: () => done });
}

async function freshSchema(pool: pg.Pool, name: string): Promise<string> {
  await pool.query(`DROP SCHEMA IF EXISTS ${name} CASCADE; CREATE SCHEMA ${name}`);
  return name;
}

describe('faults during an ingest workflow: it retries and completes, every row exactly once', () => {
  for (const key of [true, false]) {
    it(`our backend terminated mid-COPY (${key ? 'primary key' : 'no primary key'})`, async () => {
      const table = numberedTable(await freshSchema(db.pool, `wf_copy_${key}`), 'events', key);
      const pool = db.newPool({ max: 4 });
      let terminated = 0;
      const terminating = once(3, 150, async () => {
        const copy = await waitForBackend(db.pool, undefined, (b) => b.application_name.startsWith('tpg-in:') && b.query.startsWith('COPY'), 'the COPY of batch 3');
        await terminate(db.pool, copy.pid);
        terminated++;
      });
      const report = await runIngest(pool, { tables: table }, terminating);
      expect(terminated).toBe(1);
      expect(report.batches).toBe(args.batches);
      await expectBatchesExactlyOnce(db.pool, table, args.batches, args);
      await pool.end();
    });
  }

  it('our backend terminated while the swap waits for a lock', async () => {
    const schema = await freshSchema(db.pool, 'wf_swap');
    const table = numberedTable(schema, 'events', true);
    await ingest(db.pool, table, numberedSource({ ...args, batches: 1 }));
    const widened: TableDefinition = { ...table, columns: table.columns.map((c) => (c.name === 'batch' ? { ...c, type: 'bigint' } : c)) };
    const holder = await db.client({ applicationName: 'long report' });
    const held = await holdLock(holder, `${schema}.events`, 'ACCESS SHARE');
    const pool = db.newPool({ max: 4 });
    let terminated = 0;
    const watcher = (async () => {
      const swap = await waitForBackend(db.pool, undefined, (b) => b.application_name.startsWith('tpg-fx:') && b.wait_event_type === 'Lock', 'the swap waiting for its lock', 30_000);
      await terminate(db.pool, swap.pid);
      terminated++;
      await held.release();
    })();
    const report = await runIngest(pool, { tables: widened, forceExecute: { delayMs: 60_000, lockTimeoutMs: 0 } }, () => undefined);
    await watcher;
    await holder.end();
    expect(terminated).toBe(1);
    expect(report.swapped).toBe(true);
    await expectBatchesExactlyOnce(db.pool, table, args.batches, args);
    await pool.end();
  });

  for (const mode of ['fast', 'immediate'] as const) {
    it(`PostgreSQL ${mode === 'fast' ? 'stopped' : 'crashing'} mid-COPY and down for a second and a half`, async () => {
      const admin = new pg.Client({ connectionString: own.server.url });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS wf_restart_${mode} CASCADE; CREATE SCHEMA wf_restart_${mode}`);
      await admin.end();
      const pool = new pg.Pool({ connectionString: own.server.url, max: 4 });
      pool.on('error', () => undefined);
      const table = numberedTable(`wf_restart_${mode}`, 'events', mode === 'fast');
      const restart = once(3, 150, () => own.restart(mode, () => new Promise((resolve) => setTimeout(resolve, 1500))));
      try {
        const report = await runIngest(pool, { tables: table }, restart);
        await restart.happened();
        expect(report.batches).toBe(args.batches);
        await expectBatchesExactlyOnce(pool, table, args.batches, args);
      } finally {
        await pool.end();
      }
    });
  }

  it('the network cut mid-COPY and refused for a second and a half', async () => {
    const table = numberedTable(await freshSchema(db.pool, 'wf_cut'), 'events', false);
    const pool = db.newPool({ connectionString: proxy().rewrite(db.url), max: 4 });
    const cut = once(3, 150, async () => {
      proxy().cutAll();
      proxy().refuse(true);
      setTimeout(() => proxy().refuse(false), 1500);
    });
    const report = await runIngest(pool, { tables: table }, cut);
    expect(report.batches).toBe(args.batches);
    await expectBatchesExactlyOnce(db.pool, table, args.batches, args);
    await pool.end();
  });

  it('a lock held on the table while a batch wants it: the batch waits in short attempts, and the workflow completes', async () => {
    const schema = await freshSchema(db.pool, 'wf_held');
    const table = numberedTable(schema, 'events', true);
    await ingest(db.pool, table, numberedSource({ ...args, batches: 1 }));
    const holder = await db.client({ applicationName: 'index build' });
    const held = await holdLock(holder, `${schema}.events`, 'SHARE');
    setTimeout(() => void held.release(), 4000);
    const pool = db.newPool({ max: 4 });
    const report = await runIngest(pool, { tables: table, lockTimeoutMs: 50 }, () => undefined);
    await holder.end();
    expect(report.batches).toBe(args.batches - 1);
    await expectBatchesExactlyOnce(db.pool, table, args.batches, args);
    await pool.end();
  });
});
