/**
 * Throughput of `ingestWorkflow` (one activity per 10,000-row batch, through a real worker and the
 * in-memory Temporal service) next to the library `ingest` with the same batches, on the same rows
 * and the same embedded PostgreSQL 18 with production-like durability:
 *
 *   npm run bench -- ingest-temporal [rows=300000] [runs=3] [batch=10000]
 *
 * Both append the anchor rows (see `support/anchor-rows.ts`) to an empty table without a primary
 * key; the workflow's batches come from a named source registered at the worker, so rows never
 * travel through Temporal. Cells run interleaved, `runs` times after a discarded warm-up; medians
 * are printed with the ratio of the workflow to the library call. The service, the worker and the
 * library call share this process (and the machine's cores with PostgreSQL).
 */
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import pg from 'pg';
import { executeIngest } from '../src/client/index.js';
import { ingest, type BatchSource, type SourceBatch, type TableDefinition } from '../src/index.js';
import { startEmbeddedPostgres } from '../test/support/embedded-postgres.js';
import { startTemporalTestService } from '../test/temporal-service/index.js';
import { createWorker, workflowsPath } from '../worker/index.js';
import { ANCHOR_COLUMNS, anchorRows, median } from './support/anchor-rows.js';

const ROWS = Number(process.argv[2] ?? 300_000);
const RUNS = Number(process.argv[3] ?? 3);
const BATCH = Number(process.argv[4] ?? 10_000);

const table: TableDefinition = {
  schema: 'public',
  name: 'bench',
  columns: [
    { name: 'id', type: 'bigint' },
    { name: 'name', type: 'text' },
    { name: 'created_at', type: 'timestamptz' },
    { name: 'amount', type: 'numeric(12,2)' },
    { name: 'payload', type: 'jsonb' },
    { name: 'active', type: 'boolean' },
  ],
};

/** `rows` anchor rows in batches of `batch`, after the watermark (the number of rows already given). */
const anchor: BatchSource<{ rows: number; batch: number }> = function* (highWatermark, args): Generator<SourceBatch> {
  for (let start = typeof highWatermark === 'number' ? highWatermark : 0; start < args.rows; start += args.batch) {
    const end = Math.min(args.rows, start + args.batch);
    yield { highWatermark: end, rows: anchorRows(end, 0, start) };
  }
};

Runtime.install({ logger: new DefaultLogger('ERROR') });
const server = await startEmbeddedPostgres({
  major: 18,
  settings: { fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on', shared_buffers: '512MB', max_wal_size: '4GB' },
});
const service = await startTemporalTestService({ log: () => undefined });
const pool = new pg.Pool({ connectionString: server.url, max: 6 });
const clientConnection = await Connection.connect({ address: service.address });
const workerConnection = await NativeConnection.connect({ address: service.address });
try {
  const client = new Client({ connection: clientConnection });
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('ERROR') });
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const worker = await createWorker({
    connection: workerConnection,
    taskQueue: 'bench',
    databases: pool,
    sources: { anchor: anchor as BatchSource },
    logger: quiet,
    workflowBundle: { code },
  });
  await worker.runUntil(async () => {
    const reset = async () => {
      await pool.query('DROP TABLE IF EXISTS bench');
      await pool.query(`CREATE TABLE bench (${ANCHOR_COLUMNS})`);
      await pool.query('CHECKPOINT');
    };
    const check = async () => {
      const n = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM bench')).rows[0]?.n);
      if (n !== ROWS) throw new Error(`expected ${ROWS} rows, found ${n}`);
    };
    const cells = [
      {
        name: `ingest, ${BATCH.toLocaleString('en')}-row batches`,
        run: async () => void (await ingest(pool, table, (hwm) => anchor(hwm, { rows: ROWS, batch: BATCH }))),
      },
      {
        name: `ingestWorkflow, ${BATCH.toLocaleString('en')}-row batches`,
        run: async () => void (await executeIngest(client, { tables: table, source: { name: 'anchor', args: { rows: ROWS, batch: BATCH } } }, { taskQueue: 'bench' })),
      },
    ];
    const samples = new Map(cells.map((cell) => [cell, [] as number[]]));
    for (let run = 0; run <= RUNS; run++) {
      for (const cell of cells) {
        await reset();
        const started = performance.now();
        await cell.run();
        const seconds = (performance.now() - started) / 1000;
        await check();
        if (run > 0) samples.get(cell)!.push(seconds);
      }
    }
    const [library, workflow] = cells.map((cell) => median(samples.get(cell)!));
    const rate = (seconds: number) => Math.round(ROWS / seconds).toLocaleString('en');
    console.log(`${ROWS.toLocaleString('en')} rows appended in ${Math.ceil(ROWS / BATCH)} batches, medians of ${RUNS} runs after a warm-up, PostgreSQL 18 embedded, fsync on, in-memory Temporal service`);
    console.log(`${'cell'.padEnd(36)} ${'rows/s'.padStart(9)}  ${'× ingest'.padStart(8)}`);
    console.log(`${cells[0]!.name.padEnd(36)} ${rate(library!).padStart(9)}  ${'1.00'.padStart(8)}`);
    console.log(`${cells[1]!.name.padEnd(36)} ${rate(workflow!).padStart(9)}  ${(library! / workflow!).toFixed(2).padStart(8)}`);
    console.log(`wall seconds per run: ${cells.map((cell) => `${cell.name}: ${samples.get(cell)!.map((s) => s.toFixed(2)).join('/')}`).join('; ')}`);
  });
} finally {
  await clientConnection.close();
  await workerConnection.close();
  await pool.end();
  await service.shutdown();
  await server.stop();
}
