/**
 * Cost of the lock toolkit's advisory locks, by hand: `npx tsx bench/advisory-lock.ts`.
 * Starts an embedded PostgreSQL 18 (or uses DATABASE_URL) and times, per operation:
 * - raw `pg_advisory_lock` + `pg_advisory_unlock` on one client (the floor: two round trips),
 *   with the key in the text (simple protocol) and as a parameter (extended protocol, as we do);
 * - `advisoryLock(client)` + `release()` (try first, then unlock);
 * - `advisoryLock(pool)` + `release()` (adds a pool checkout);
 * - `withAdvisoryLock(pool, …)` around an empty function;
 * - a bounded wait that times out (`wait: 20`), which pays for lock_timeout save/restore.
 */
import pg from 'pg';
import { advisoryLock, withAdvisoryLock } from '../src/index.js';
import { startEmbeddedPostgres } from '../test/support/embedded-postgres.js';

async function time(label: string, runs: number, op: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < Math.min(50, runs); i++) await op();
  const started = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) await op();
  const micros = Number(process.hrtime.bigint() - started) / 1000 / runs;
  console.log(`${label.padEnd(46)} ${micros.toFixed(0).padStart(7)} µs/op  (${runs} runs)`);
}

const server = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres({ major: 18 });
const url = process.env.DATABASE_URL ?? server!.url;
const pool = new pg.Pool({ connectionString: url, max: 4 });
const client = new pg.Client({ connectionString: url });
await client.connect();
const holder = new pg.Client({ connectionString: url });
await holder.connect();
try {
  await time('raw pg_advisory_lock + unlock (client)', 2000, async () => {
    await client.query('SELECT pg_advisory_lock(1)');
    await client.query('SELECT pg_advisory_unlock(1)');
  });
  await time('raw, key as a parameter (extended protocol)', 2000, async () => {
    await client.query('SELECT pg_advisory_lock($1::bigint)', ['1']);
    await client.query('SELECT pg_advisory_unlock($1::bigint)', ['1']);
  });
  await time('advisoryLock(client) + release()', 2000, async () => (await advisoryLock(client, 1))!.release());
  await time('advisoryLock(pool) + release()', 2000, async () => (await advisoryLock(pool, 1))!.release());
  await time('withAdvisoryLock(pool, key, noop)', 2000, () => withAdvisoryLock(pool, 'bench', () => undefined));
  await time("advisoryLock(client, 'string key') + release()", 2000, async () => (await advisoryLock(client, 'a string key'))!.release());
  await holder.query('SELECT pg_advisory_lock(2)');
  await time('bounded wait that times out (wait: 20 ms)', 100, () => advisoryLock(client, 2, { wait: 20 }));
} finally {
  await Promise.all([client.end(), holder.end(), pool.end()]);
  await server?.stop();
}
