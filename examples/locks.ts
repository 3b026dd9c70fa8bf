/**
 * Advisory locks, table locks with a bounded wait, and who waits for whom.
 *
 *   DATABASE_URL=postgres://user:password@host/db npx tsx examples/locks.ts
 */
import pg from 'pg';
import { LockNotAcquiredError, advisoryLock, listBlocked, lockTable, withAdvisoryLock } from 'temporal-pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 6 });
await pool.query('CREATE TABLE IF NOT EXISTS example_orders (id int PRIMARY KEY, note text)');

// One process at a time: a session lock on a pooled connection of its own.
const lock = await advisoryLock(pool, 'nightly-import', { wait: false });
console.log('nightly-import lock:', lock ? 'acquired' : 'held elsewhere');
const second = await advisoryLock(pool, 'nightly-import', { wait: 200 }); // 200 ms, then give up
console.log('a second taker gets:', second); // null: the lock is taken
await lock?.release();

// Run a function under a lock; skip it when another process has it.
const ran = await withAdvisoryLock(pool, 'tenant-42', async () => 'rebuilt tenant 42', { wait: false, onFail: 'skip' });
console.log('withAdvisoryLock:', ran);

// A session holds the table; our LOCK TABLE waits at most 300 ms instead of queueing forever.
const holder = await pool.connect();
await holder.query('BEGIN');
await holder.query('LOCK TABLE example_orders IN ACCESS EXCLUSIVE MODE');

const reader = await pool.connect();
const read = reader.query('SELECT count(*) FROM example_orders'); // queues behind the holder
await new Promise((resolve) => setTimeout(resolve, 200));
for (const wait of await listBlocked(pool, { relation: 'example_orders' })) {
  console.log(`pid ${wait.pid} waits for ${wait.mode} on ${wait.description}, blocked by ${wait.blockedBy.map((b) => b.pid).join(', ')}`);
}

const client = await pool.connect();
await client.query('BEGIN');
try {
  await lockTable(client, 'public.example_orders', { mode: 'SHARE ROW EXCLUSIVE', timeoutMs: 300 });
} catch (error) {
  if (!(error instanceof LockNotAcquiredError)) throw error;
  console.log('lockTable gave up:', error.message);
}
await client.query('ROLLBACK');

await holder.query('COMMIT');
console.log('the reader got through:', (await read).rows[0]);
for (const c of [holder, reader, client]) c.release();
await pool.end();
