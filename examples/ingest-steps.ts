/**
 * The steps the library `ingest` is a loop over, and that the Temporal workflow runs one activity
 * each: plan, one transaction per batch, swap, finish. Each takes and returns plain JSON, and a batch
 * step run again with the state it was first given finds its batch already committed.
 *
 *   DATABASE_URL=postgres://user:password@host/db npx tsx examples/ingest-steps.ts
 */
import pg from 'pg';
import { finishIngest, ingestBatch, initialIngestState, planIngest, swapPending, type IngestBatch, type TableDefinition } from 'temporal-pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
const counters: TableDefinition = {
  schema: 'example',
  name: 'counters',
  columns: [
    { name: 'name', type: 'text', primaryKey: true },
    { name: 'value', type: 'bigint' },
  ],
};
const batches: IngestBatch[] = [1, 2, 3].map((n) => ({ highWatermark: n, rows: [[`counter-${n}`, n * 10]] }));

const plan = await planIngest(pool, counters, { highWatermark: 'earliest' }); // reads only
let state = initialIngestState(plan);
for (const batch of batches) {
  const before = state;
  const outcome = await ingestBatch(pool, plan, state, batch); // one transaction: rows + watermark
  ({ state } = outcome);
  // A retried step (its worker died after the commit) is told, not loaded twice:
  const again = await ingestBatch(pool, plan, before, batch);
  console.log(`batch ${outcome.batch}: ${outcome.status}, ${outcome.rows} rows; run again: ${again.status}`);
  if (state.swapDue) ({ state } = await swapPending(pool, plan, state));
}
const { report } = await finishIngest(pool, plan, state);
console.log(`${report.batches} batches, ${report.rows} rows, watermark ${JSON.stringify(report.highWatermark)}, migration ${report.tables[0]?.migration}`);
await pool.end();
