/**
 * Advisory locks, table locks with a bounded wait, who waits for whom, and a query that terminates
 * the session blocking it.
 *
 *   DATABASE_URL=postgres://user:password@host/db npx tsx examples/locks.ts
 */
import pg from 'pg';
import { LockNotAcquiredError, advisoryLock, listBlocked, lockTable, prioritize, withAdvisoryLock } from 'temporal-pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 6 });
pool.on('error', () => undefined); // a pooled session is terminated below, on purpose
await pool.query('CREATE TABLE IF NOT EXISTS example_orders (id int PRIMARY KEY, note text)');

// One process at a time: a session lock on a pooled connection of its own, released with the block.
{
  await using lock = await advisoryLock(pool, 'nightly-import', { wait: false });
  console.log('nightly-import lock:', lock ? 'acquired' : 'held elsewhere');
  lock?.on('lost', (error) => console.error('stop working:', error.message)); // its connection died
  await lock?.assertHeld(); // asks pg_locks, before a critical step
  console.log('a second taker gets:', await advisoryLock(pool, 'nightly-import', { wait: 200 })); // null after 200 ms
}

// Run a function under a lock (the key django-pglock would use for 'tenant-42'); skip it if taken.
const ran = await withAdvisoryLock(pool, 'tenant-42', async () => 'rebuilt tenant 42', { wait: false, onFail: 'skip' });
console.log('withAdvisoryLock:', ran);

// A session holds the table and stays idle in its transaction; a reader queues behind it.
const holder = await pool.connect();
holder.on('error', () => undefined);
await holder.query('BEGIN');
await holder.query('LOCK TABLE example_orders IN ACCESS EXCLUSIVE MODE');
const reader = await pool.connect();
const read = reader.query('SELECT count(*) FROM example_orders');
await new Promise((resolve) => setTimeout(resolve, 200));
for (const wait of await listBlocked(pool, { relation: 'example_orders' })) {
  console.log(`pid ${wait.pid} waits for ${wait.mode} on ${wait.description}, blocked by ${wait.blockedBy.map((b) => b.pid).join(', ')}`);
}

// LOCK TABLE that waits at most 300 ms instead of queueing behind the holder.
const client = await pool.connect();
await client.query('BEGIN');
try {
  await lockTable(client, 'public.example_orders', { mode: 'SHARE ROW EXCLUSIVE', timeoutMs: 300 });
} catch (error) {
  if (!(error instanceof LockNotAcquiredError)) throw error;
  console.log('lockTable gave up:', error.message);
}
await client.query('ROLLBACK');
client.release();

// A query that terminates whatever blocks it (never the replicator), and reports whom.
const { result, report } = await prioritize(pool, (c) => c.query('SELECT count(*)::int AS n FROM example_orders'), { excludeApplicationNames: ['replicator'] });
console.log(`prioritize: ${report.map((b) => `${b.action} pid ${b.pid} (${b.state})`).join(', ')}; count ${result.rows[0].n}`);
console.log('the reader got through:', (await read).rows[0]);
holder.release(true); // its session was terminated
reader.release();
await pool.end();
