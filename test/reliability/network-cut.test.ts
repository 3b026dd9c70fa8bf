/**
 * Fault injection: the network between the ingest and PostgreSQL drops (a proxy resets every
 * connection, then refuses new ones for a while). The call fails with a retryable connection error
 * and does not crash the process; the server rolls the batch in flight back on its own; a backend
 * that was waiting in a lock queue when its client vanished leaves the queue by itself
 * (`client_connection_check_interval`) instead of holding up everyone behind it; once the network
 * is back, the next call completes with every row exactly once.
 */
import { describe, expect, it } from 'vitest';
import { ingest, readHighWatermark, type TableDefinition } from '../../src/index.js';
import { useTestDatabase } from '../helpers/database.js';
import { backends, holdLock, waitForBackend, waitForNoBackend } from './support/backends.js';
import { useDatabaseProxy } from './support/database-proxy.js';
import { expectBatchesExactlyOnce, expectConsistent, numberedSource, numberedTable, type NumberedArgs } from './support/numbered-source.js';
import { expectRetryable } from './support/expect-error.js';

const db = useTestDatabase();
const proxy = useDatabaseProxy(db);

async function freshSchema(name: string): Promise<string> {
  await db.pool.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE; CREATE SCHEMA "${name}"`);
  return name;
}

describe('the network to PostgreSQL drops', () => {
  it('mid-COPY: the call fails retryably, the server rolls the batch back, calls fail while the network is down, and the next one completes exactly once', async () => {
    const table = numberedTable(await freshSchema('cut_copy'), 'events', false);
    const args: NumberedArgs = { batches: 5, rowsPerBatch: 300, payloadChars: 100 };
    const application = 'cut-copy';
    const pool = db.newPool({ connectionString: proxy().rewrite(db.url), application_name: application, max: 2 });
    let cut = false;
    const source = numberedSource(args, async (batch, row) => {
      if (cut || batch !== 3 || row !== 200) return;
      await waitForBackend(db.pool, application, (b) => b.query.startsWith('COPY') && b.state === 'active', 'the COPY of batch 3');
      proxy().cutAll();
      proxy().refuse(true);
      cut = true;
    });

    expectRetryable(await ingest(pool, table, source).catch((error: unknown) => error));
    // The server noticed: the backend is gone, and the batch with it.
    await waitForNoBackend(db.pool, application);
    await expectBatchesExactlyOnce(db.pool, table, 2, args);

    // While the network is down, calls fail fast with a retryable error.
    expectRetryable(await ingest(pool, table, source).catch((error: unknown) => error));
    proxy().refuse(false);
    const report = await ingest(pool, table, source);
    expect(report.batches).toBe(3);
    await expectBatchesExactlyOnce(db.pool, table, 5, args);
    await pool.end();
  });

  it('while the swap waits for its lock: the orphaned backend leaves the lock queue on its own; the next call swaps', async () => {
    const schema = await freshSchema('cut_swap');
    const table: TableDefinition = numberedTable(schema, 'events', true);
    const args: NumberedArgs = { batches: 3, rowsPerBatch: 40 };
    await ingest(db.pool, table, numberedSource({ ...args, batches: 1 }));
    const application = 'cut-swap';
    const pool = db.newPool({ connectionString: proxy().rewrite(db.url), application_name: application, max: 2 });
    const holder = await db.client({ applicationName: 'long report' });
    const held = await holdLock(holder, `${schema}.events`, 'ACCESS SHARE');

    // delete: 'before-first-batch' loads batch 2 into a fresh table, which the swap then puts in place.
    const call = ingest(pool, table, numberedSource({ ...args, batches: 2 }), { delete: 'before-first-batch', forceExecute: { delayMs: 120_000, lockTimeoutMs: 0 } }).catch((error: unknown) => error);
    const waiting = await waitForBackend(db.pool, application, (b) => b.wait_event_type === 'Lock', 'the swap queued behind the report');
    proxy().cutAll();
    expectRetryable(await call);

    // Still queued, it would stall every reader behind it until the report ends; it goes within seconds.
    await waitForNoBackend(db.pool, application, 10_000);
    expect((await backends(db.pool)).map((b) => b.pid)).not.toContain(waiting.pid);
    const reader = await db.pool.query(`SELECT count(*)::int AS n FROM ${schema}.events`);
    expect(reader.rows[0].n).toBe(40);
    expect(await readHighWatermark(db.pool, table)).toBe(1);
    expect(await expectConsistent(db.pool, table, args)).toBe(1);

    await held.release();
    await holder.end();
    const report = await ingest(pool, table, numberedSource(args), { delete: 'before-first-batch', forceExecute: { delayMs: 120_000, lockTimeoutMs: 100 } });
    expect(report.swapped).toBe(true);
    // Deleted before batch 2 of this call: only batches 2 and 3 remain, each once.
    const { rows } = await db.pool.query<{ batch: number; n: number }>(`SELECT batch, count(*)::int AS n, count(DISTINCT id)::int AS ids FROM ${schema}.events GROUP BY 1 ORDER BY 1`);
    expect(rows).toEqual([{ batch: 2, n: 40, ids: 40 }, { batch: 3, n: 40, ids: 40 }]);
    expect(await readHighWatermark(db.pool, table)).toBe(3);
    await pool.end();
  });
});
