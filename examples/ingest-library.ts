/**
 * The library ingest, no Temporal: load batches into a table it creates, then run again — it
 * resumes after the stored high watermark and loads only what is new.
 *
 *   DATABASE_URL=postgres://user:password@host/db npx tsx examples/ingest-library.ts
 */
import pg from 'pg';
import { ingest, readHighWatermark, type IngestBatch, type TableDefinition } from 'temporal-pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
await pool.query('DROP TABLE IF EXISTS example.readings'); // start afresh on every run of the example

const readings: TableDefinition = {
  schema: 'example',
  name: 'readings',
  columns: [
    { name: 'sensor', type: 'text', primaryKey: true },
    { name: 'day', type: 'date', primaryKey: true },
    { name: 'celsius', type: 'numeric(5,2)' },
    { name: 'raw', type: 'jsonb' },
  ],
  indexes: [{ columns: ['day'] }],
};

/** Stands in for an API: one batch per day after the watermark (an ISO date), up to `lastDay`. */
function* daysAfter(highWatermark: unknown, lastDay: string): Generator<IngestBatch> {
  for (let day = nextDay((highWatermark as string | null) ?? '2024-05-31'); day <= lastDay; day = nextDay(day)) {
    yield { highWatermark: day, rows: ['north', 'south'].map((sensor) => ({ sensor, day, celsius: 21.5, raw: { sensor, day } })) };
  }
}
const nextDay = (iso: string) => new Date(Date.parse(`${iso}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

const first = await ingest(pool, readings, (hwm) => daysAfter(hwm, '2024-06-03'));
console.log(`first run: ${first.batches} batches, ${first.rows} rows, migration ${first.tables[0]?.migration}, watermark ${JSON.stringify(first.highWatermark)}`);

const second = await ingest(pool, readings, (hwm) => daysAfter(hwm, '2024-06-05'));
console.log(`second run: ${second.batches} batches, ${second.rows} rows, watermark ${JSON.stringify(second.highWatermark)}`);

console.log('stored watermark:', await readHighWatermark(pool, readings));
const { rows } = await pool.query('SELECT count(*)::int AS rows, max(day)::text AS last FROM example.readings');
console.log('table:', rows[0]);
await pool.end();
