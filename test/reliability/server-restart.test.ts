/**
 * Fault injection: PostgreSQL goes down mid-ingest — an orderly fast shutdown (a restart, an
 * upgrade) or a crash (immediate shutdown, crash recovery from the WAL) — and comes back on the same
 * port. The call fails with a retryable error and does not crash the process; the batches committed
 * before survive with their watermark, the one in flight is gone; the next call, on the same pool,
 * completes with every row exactly once.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../src/index.js';
import { expectBatchesExactlyOnce, numberedSource, numberedTable, type NumberedArgs } from './support/numbered-source.js';
import { useOwnServer } from './support/own-server.js';
import { expectRetryable } from './support/expect-error.js';

const own = useOwnServer();

/** The point of the ingest at which the server goes down. */
interface Moment {
  readonly batch: number;
  /** Row of the batch about to be handed out (0: before the batch itself, between two transactions). */
  readonly row: number;
}

const CASES: Array<{ name: string; mode: 'fast' | 'immediate'; key: boolean; at: Moment }> = [
  { name: 'stopped (fast shutdown) while a batch COPYs, table with a primary key', mode: 'fast', key: true, at: { batch: 3, row: 150 } },
  { name: 'crashing (immediate shutdown) after the last row of a batch, before its commit, table without a key', mode: 'immediate', key: false, at: { batch: 4, row: 300 } },
  { name: 'crashing between two batches, while the ingest holds an idle connection', mode: 'immediate', key: true, at: { batch: 3, row: 0 } },
];

describe('PostgreSQL goes down mid-ingest and comes back', () => {
  for (const { name, mode, key, at } of CASES) it(name, async () => {
    const schema = `restart_${mode}_${at.batch}_${at.row}`;
    const admin = new pg.Client({ connectionString: own.server.url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();

    const pool = new pg.Pool({ connectionString: own.server.url, max: 3 });
    // Idle connections die with the server; the pool notices and discards them.
    pool.on('error', () => undefined);
    const table = numberedTable(schema, 'events', key);
    const args: NumberedArgs = { batches: 6, rowsPerBatch: 300, payloadChars: 100 };
    let restarted: Promise<void> | undefined;
    const source = numberedSource(args, async (batch, row) => {
      if (restarted || batch !== at.batch || row !== at.row) return;
      restarted = own.restart(mode);
      await restarted;
    });
    try {
      const failure = await ingest(pool, table, source).catch((error: unknown) => error);
      // The call may fail as soon as its connection dies, before the server is back.
      expect(restarted).toBeDefined();
      await restarted;
      expectRetryable(failure);
      await expectBatchesExactlyOnce(pool, table, at.batch - 1, args);

      const report = await ingest(pool, table, source);
      expect(report.batches).toBe(args.batches - at.batch + 1);
      await expectBatchesExactlyOnce(pool, table, args.batches, args);
    } finally {
      await pool.end();
    }
  });
});
