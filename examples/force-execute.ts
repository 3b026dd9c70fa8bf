/**
 * Force-execute: a rename that a forgotten transaction blocks goes through after a one-second
 * delay, and the blocking session is terminated and reported.
 *
 *   DATABASE_URL=postgres://user:password@host/db npx tsx examples/force-execute.ts
 */
import pg from 'pg';
import { forceExecute } from 'temporal-pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
await pool.query('DROP TABLE IF EXISTS example_sales_old; CREATE TABLE IF NOT EXISTS example_sales (id int)');

// A session (think: a BI dashboard) reads the table inside a transaction and stays idle in it.
const dashboard = new pg.Client({ connectionString: process.env.DATABASE_URL, application_name: 'dashboard' });
dashboard.on('error', () => undefined); // it is about to be terminated
await dashboard.connect();
await dashboard.query('BEGIN');
await dashboard.query('SELECT count(*) FROM example_sales');

const { blockers, attempts, durationMs, forced } = await forceExecute(pool, 'ALTER TABLE example_sales RENAME TO example_sales_old', {
  delayMs: 1_000, // act on blockers after 1 s (default 5 min)
  lockTimeoutMs: 200, // until then, never hold readers up for more than 200 ms
  excludeApplicationNames: ['replicator'], // never touch these sessions
  onBlocker: (b) => console.log(`${b.action} pid ${b.pid} (${b.applicationName}, ${b.state}) holding ${b.locksHeld.map((l) => `${l.mode} on ${l.target}`).join(', ')}`),
});
console.log(`renamed after ${Math.round(durationMs)} ms, ${attempts} attempts, forced: ${forced}, victims: ${blockers.map((b) => b.pid).join(', ')}`);

await dashboard.end().catch(() => undefined);
await pool.end();
