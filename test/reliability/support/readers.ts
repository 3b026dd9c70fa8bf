/**
 * Readers that keep querying while an ingest migrates, loads or swaps: each read is timed, and
 * whatever it throws (a server error, a missing view, an inconsistency its own check found) is
 * collected, so a test can assert "no reader error, nobody stalled for long".
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';

export interface ReadersSummary {
  readonly reads: number;
  readonly errors: readonly string[];
  /** The slowest read, in milliseconds. */
  readonly maxLatencyMs: number;
}

export interface Readers {
  stop(): Promise<ReadersSummary>;
}

/**
 * Starts `concurrency` loops, each running `read` on a connection of `pool` and pausing `pauseMs`
 * (default 10) between reads, until `stop()`.
 */
export function startReaders(pool: pg.Pool, read: (client: pg.PoolClient) => Promise<void>, options: { concurrency?: number; pauseMs?: number } = {}): Readers {
  let running = true;
  let reads = 0;
  let maxLatencyMs = 0;
  const errors: string[] = [];
  const loop = async (): Promise<void> => {
    const client = await pool.connect();
    try {
      while (running) {
        const started = performance.now();
        try {
          await read(client);
          reads++;
        } catch (error) {
          errors.push(error instanceof Error ? error.message : String(error));
        }
        maxLatencyMs = Math.max(maxLatencyMs, performance.now() - started);
        await sleep(options.pauseMs ?? 10);
      }
    } finally {
      client.release();
    }
  };
  const loops = Array.from({ length: options.concurrency ?? 1 }, loop);
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return { reads, errors, maxLatencyMs: Math.round(maxLatencyMs) };
    },
  };
}
