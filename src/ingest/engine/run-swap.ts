/**
 * The one place where the ingest runs its swap transaction and fights for the swap's locks. Each
 * attempt runs the work in a transaction under a short `lock_timeout`, so readers never queue
 * behind the swap's ACCESS EXCLUSIVE request for longer than one attempt; attempts are retried
 * with backoff until `delayMs` has passed.
 */
import type pg from 'pg';
import { isConnectionError, isPostgresError } from '../../errors/postgres-error.js';
import type { BlockerReport } from '../../locks/blockers.js';
import { withLockTimeout } from '../../locks/timeouts.js';
import { LOCK_RETRY_SQLSTATES, backoffDelay, pause } from '../schema/lock-retry.js';
import { TableLockTimeoutError } from './errors.js';
import type { Queryable } from '../../db/queryable.js';
import type { IngestLogger, SwapForceOptions } from './types.js';

/** What a swap transaction returns (the shape of force-execute's result). */
export interface SwapTransactionResult<T> {
  readonly result: T;
  /** Sessions acted on to get the locks. */
  readonly blockers: BlockerReport[];
  readonly attempts: number;
  readonly durationMs: number;
}

/**
 * Runs `work` in a transaction of `client` and commits it, retrying the whole transaction when a
 * lock is not granted within `options.lockTimeoutMs` (default 1000) until `options.delayMs`
 * (default 5 minutes) has passed.
 *
 * @throws TableLockTimeoutError (retryable) when the locks were never granted; what `work` throws.
 */
export async function runSwapTransaction<T>(
  db: Queryable,
  client: pg.ClientBase,
  work: (client: pg.ClientBase) => Promise<T>,
  options: SwapForceOptions & { readonly signal?: AbortSignal; readonly what: string; readonly logger: IngestLogger },
): Promise<SwapTransactionResult<T>> {
  void db;
  const started = performance.now();
  const lockTimeoutMs = options.lockTimeoutMs ?? 1000;
  const delayMs = options.delayMs ?? 300_000;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    await client.query('BEGIN');
    try {
      const result = await withLockTimeout(client, lockTimeoutMs, () => work(client));
      await client.query('COMMIT');
      return { result, blockers: [], attempts: attempt, durationMs: performance.now() - started };
    } catch (error) {
      if (!isConnectionError(error)) await client.query('ROLLBACK').catch(() => undefined);
      if (!isPostgresError(error) || !LOCK_RETRY_SQLSTATES.has(error.code)) throw error;
      const elapsed = performance.now() - started;
      if (elapsed >= delayMs) {
        throw new TableLockTimeoutError(`could not ${options.what} within ${Math.round(elapsed)} ms (${attempt} attempts of ${lockTimeoutMs} ms): other sessions hold the tables`, {
          details: { attempts: attempt, lockTimeoutMs, delayMs },
          cause: error,
        });
      }
      await pause(Math.min(backoffDelay(attempt, { initialMs: 100, maxMs: options.checkIntervalMs ?? 1000 }), delayMs - elapsed), options.signal);
    }
  }
}
