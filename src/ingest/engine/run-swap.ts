/**
 * The one place where the ingest runs its swap transaction: force-execute inside a transaction of
 * the step's connection. Before `forceExecute.delayMs` each attempt waits at most
 * `forceExecute.lockTimeoutMs` for a lock (so readers never queue behind the swap's ACCESS
 * EXCLUSIVE request for long) and is retried; after it, the sessions blocking the swap are
 * cancelled or terminated, from a connection of their own, until it gets through.
 */
import type pg from 'pg';
import { openControlConnection } from '../../db/control-connection.js';
import type { Queryable } from '../../db/queryable.js';
import { isConnectionError } from '../../errors/postgres-error.js';
import { forceExecuteInTransaction } from '../../force-execute/force-execute.js';
import type { ForceExecuteResult } from '../../force-execute/attempts.js';
import type { IngestLogger, SwapForceOptions } from './types.js';

/** Options of {@link runSwapTransaction}: force-execute's plain options, and what only the run needs. */
export interface SwapRunOptions extends SwapForceOptions {
  readonly signal?: AbortSignal;
  readonly logger: IngestLogger;
}

/**
 * Runs `work` in a new transaction of `client` under force-execute and commits it. The watcher
 * uses a connection of its own to the same server as `db` (closed afterwards).
 *
 * @throws what force-execute throws (SignalPermissionDeniedError when a blocker may not be
 *   signalled, the signal's reason …) and what `work` throws; the transaction is then rolled back.
 */
export async function runSwapTransaction<T>(
  db: Queryable,
  client: pg.ClientBase,
  work: (client: pg.ClientBase) => Promise<T>,
  options: SwapRunOptions,
): Promise<ForceExecuteResult<T>> {
  const { signal, logger, ...force } = options;
  const control = await openControlConnection(db, 'temporal-pg ingest swap watcher');
  try {
    await client.query('BEGIN');
    try {
      const outcome = await forceExecuteInTransaction(client, control, work, {
        ...force,
        ...(signal === undefined ? {} : { signal }),
        onBlocker: (report) => logger.warn(`swap: ${report.action === 'terminate' ? 'terminated' : 'cancelled'} blocking session ${report.pid}`, { blocker: { ...report } }),
      });
      await client.query('COMMIT');
      return outcome;
    } catch (error) {
      if (!isConnectionError(error)) await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    await control.end().catch(() => undefined);
  }
}
