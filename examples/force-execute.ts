/**
 * Force-execute: a rename that a forgotten transaction blocks goes through after a one-second
 * delay, and the blocking session is terminated and reported; then the same inside a transaction
 * of your own (a table swap).
 *
 *   DATABASE_URL=postgres://user:password@host/db npx tsx examples/force-execute.ts
 */
import pg from 'pg';
import { forceExecute, forceExecuteInTransaction } from 'temporal-pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
await pool.query('DROP TABLE IF EXISTS example_sales_old; CREATE TABLE IF NOT EXISTS example_sales (id int)');

// A session (think: a BI dashboard) reads the table inside a transaction and stays idle in it.
const dashboard = new pg.Client({ connectionString: process.env.DATABASE_URL, application_name: 'dashboard' });
dashboard.on('error', () => undefined); // it is about to be terminated
await dashboard.connect();
await dashboard.query('BEGIN');
await dashboard.query('SELECT count(*) FROM example_sales');

// One statement (a list runs in one transaction; a function (client) => … runs in it too).
const { blockers, attempts, durationMs, forced } = await forceExecute(pool, 'ALTER TABLE example_sales RENAME TO example_sales_old', {
  delayMs: 1_000, // act on blockers after 1 s (default 5 min, as pg-force-execute)
  lockTimeoutMs: 200, // until then, no reader waits behind our statement for more than 200 ms
  excludeApplicationNames: ['replicator'], // never touch these sessions
  signal: AbortSignal.timeout(60_000), // give up (cancel and roll back) after a minute
  onBlocker: (b) => console.log(`${b.action} pid ${b.pid} (${b.applicationName}, ${b.state}) holding ${b.locksHeld.map((l) => `${l.mode} on ${l.target}`).join(', ')}`),
});
console.log(`renamed after ${Math.round(durationMs)} ms, ${attempts} attempts, forced: ${forced}, victims: ${blockers.map((b) => b.pid).join(', ')}`);

// Inside a transaction you hold (an ingest's batch, a swap): on any outcome it rolls back only to
// its own savepoint, so your transaction stays usable.
const client = await pool.connect();
await client.query('BEGIN');
await client.query('CREATE TABLE example_sales_new (id int)');
await forceExecuteInTransaction(client, pool, (c) => c.query('ALTER TABLE example_sales_new RENAME TO example_sales'), { delayMs: 30_000 });
await client.query('COMMIT');
client.release();
console.log('swapped in a new example_sales');

await dashboard.end().catch(() => undefined);
await pool.end();
