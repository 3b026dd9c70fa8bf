/**
 * temporal-pg in a Temporal worker of your own, and its workflows started from a client: an ingest
 * from a source defined in the worker (followed through the ingestProgress query), then a forced
 * ALTER TABLE.
 *
 *   DATABASE_URL=postgres://user:password@host/db TEMPORAL_ADDRESS=localhost:7233 npx tsx examples/worker-and-client.ts
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import pg from 'pg';
import { builtInSources, type SourceBatch } from 'temporal-pg';
import { createActivities } from 'temporal-pg/activities';
import { executeForceExecute, ingestProgress, startIngest, type IngestInput } from 'temporal-pg/client';
import { workflowsPath } from 'temporal-pg/worker';

Runtime.install({ logger: new DefaultLogger('WARN') }); // the SDK logs every batch at INFO otherwise
const address = process.env.TEMPORAL_ADDRESS ?? 'localhost:7233';
const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });

/** A source of yours: the pages after the watermark (here generated: `args.pages` pages of 1,000 events). */
async function* events(highWatermark: unknown, args: unknown): AsyncGenerator<SourceBatch> {
  const { pages } = args as { pages: number };
  for (let page = ((highWatermark as number | null) ?? 0) + 1; page <= pages; page++) {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ id: page * 1000 + i, page, payload: { n: i } }));
    yield { highWatermark: page, rows, metadata: { page } };
  }
}

// The worker: temporal-pg's workflows and activities next to your own. Workflows name a database and
// a source registered here; connection strings never enter workflow inputs or history.
const worker = await Worker.create({
  connection: await NativeConnection.connect({ address }),
  namespace,
  taskQueue: 'postgres',
  workflowsPath, // or a module of yours exporting your workflows and re-exporting 'temporal-pg/workflows'
  maxHeartbeatThrottleInterval: '1s', // cancellations reach running activities within about a second
  activities: {
    ...createActivities({ databases: { default: pool }, sources: { ...builtInSources({ databases: { default: pool } }), events } }),
    // ...yourActivities,
  },
});

await worker.runUntil(async () => {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });

  const input: IngestInput = {
    database: 'default',
    tables: {
      schema: 'example',
      name: 'events',
      columns: [
        { name: 'id', type: 'bigint', primaryKey: true },
        { name: 'page', type: 'integer', nullable: false },
        { name: 'payload', type: 'jsonb' },
      ],
    },
    source: { name: 'events', args: { pages: 5 } },
    highWatermark: 'earliest', // read everything again on every run of this example
  };
  // Default workflow id: temporal-pg-ingest:default:example.events (one ingest of a table at a time).
  const handle = await startIngest(client, input, { taskQueue: 'postgres' });
  const progress = await handle.query(ingestProgress);
  console.log(`ingest ${handle.workflowId}: ${progress.phase}, ${progress.rows} rows so far`);
  const report = await handle.result();
  console.log(`ingested ${report.rows} rows in ${report.batches} batches, migration ${report.tables[0]?.migration}, watermark ${JSON.stringify(report.highWatermark)}`);

  const altered = await executeForceExecute(
    client,
    { database: 'default', statements: 'ALTER TABLE example.events ADD COLUMN IF NOT EXISTS note text', delayMs: 30_000 },
    { taskQueue: 'postgres' },
  );
  console.log(`force-execute: ${altered.statements.map((s) => s.command).join(', ')} in ${altered.durationMs} ms, ${altered.blockers.length} sessions acted on`);
  await connection.close();
});
await pool.end();
