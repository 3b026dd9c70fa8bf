/**
 * Runs the swap inside the caller's transaction: capture again (the catalog may have moved since
 * `planSwap`), build the statements, run them. Any failure rolls back to the swap's savepoint, so
 * the caller's transaction is unchanged and still usable (force-execute retries in it).
 */
import type pg from 'pg';
import { displayName } from '../../sql/identifier.js';
import { isPostgresError, isRetryableSqlState } from '../../errors/postgres-error.js';
import { inCatalogScope } from './catalog-scope.js';
import { captureSwap, normaliseRequest } from './capture.js';
import { DependentViewBrokenError, SwapConcurrentChangeError } from './errors.js';
import { buildSwapStatements, type SwapStatement } from './statements.js';
import { releaseSavepoint, rollbackToSavepoint, savepoint } from './swap-sql.js';
import type { SwapPlan, SwapRequest } from './types.js';

export interface ExecuteSwapOptions {
  /**
   * How many times to capture and drop again when an object bound to the target appeared between
   * the capture and the drop (the RESTRICT drop refuses it rather than dropping it unseen).
   * Default 3; then {@link SwapConcurrentChangeError}.
   */
  readonly maxAttempts?: number;
  /** Called (and awaited) before each statement runs: logging, progress. */
  readonly onStatement?: (statement: SwapStatement) => void | Promise<void>;
}

export interface SwapResult {
  /** The plan that was executed (captured under the swap's own locks). */
  readonly plan: SwapPlan;
  /** Every statement run, in order. */
  readonly statements: readonly SwapStatement[];
  /** Captures needed (more than 1 when the catalog changed between capture and drop). */
  readonly attempts: number;
  /** Whether what is bound to the target changed since the plan passed in was captured. */
  readonly changedSincePlan: boolean;
  /** Wall time of the swap, in milliseconds. */
  readonly durationMs: number;
}

const ATTEMPT = 'temporal_pg_swap_attempt';

/**
 * Swaps the replacement in for the target, keeping everything bound to the target. Must run
 * inside a transaction the caller commits (readers then see the old table and views or the new
 * ones, never a missing or empty view). Lock waits happen in the order readers lock (outermost
 * view first, the table last); set `lock_timeout` below `deadlock_timeout` (force-execute does)
 * so a reader never loses a deadlock against the swap.
 *
 * @param planOrRequest a plan from `planSwap` (what it captured is checked again here), or a request.
 * @throws SwapOutsideTransactionError, SwapTableMissingError, SwapBlockedError,
 *   DependentViewBrokenError, SwapConcurrentChangeError; PostgreSQL errors (lock timeout,
 *   deadlock, terminated connection …) unchanged, so the caller can classify and retry them.
 */
export async function executeSwap(
  client: pg.ClientBase,
  planOrRequest: SwapPlan | SwapRequest,
  options: ExecuteSwapOptions = {},
): Promise<SwapResult> {
  const started = performance.now();
  const given = 'session' in planOrRequest ? planOrRequest : undefined;
  const request = normaliseRequest(given?.request ?? (planOrRequest as SwapRequest));
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be a positive integer, got ${maxAttempts}`);

  return inCatalogScope(client, true, async () => {
    for (let attempt = 1; ; attempt++) {
      const plan = await captureSwap(client, request);
      const statements = buildSwapStatements(plan);
      await client.query(savepoint(ATTEMPT));
      let current: SwapStatement | undefined;
      try {
        for (current of statements) {
          await options.onStatement?.(current);
          await client.query(current.sql);
        }
        await client.query(releaseSavepoint(ATTEMPT));
        return {
          plan,
          statements,
          attempts: attempt,
          changedSincePlan: given !== undefined && comparable(given) !== comparable(plan),
          durationMs: performance.now() - started,
        };
      } catch (error) {
        try {
          await client.query(rollbackToSavepoint(ATTEMPT));
          await client.query(releaseSavepoint(ATTEMPT));
        } catch {
          throw error; // the connection is gone; the statement's error says why
        }
        // 2BP01 dependent_objects_still_exist: something was bound to a dropped object after the capture.
        if (isPostgresError(error) && error.code === '2BP01' && current?.step === 'drop') {
          if (attempt < maxAttempts) continue;
          throw new SwapConcurrentChangeError(
            `objects bound to ${displayName(request.target)} kept changing during ${attempt} attempts to swap it: ${error.message}`,
            { cause: error, details: { target: displayName(request.target), attempts: attempt } },
          );
        }
        throw asBrokenView(error, current, request) ?? error;
      }
    }
  });
}

/** A dependent view PostgreSQL refused to re-create on the replacement becomes a typed error. */
function asBrokenView(error: unknown, statement: SwapStatement | undefined, request: Required<SwapRequest>): DependentViewBrokenError | undefined {
  if (statement?.view === undefined || !isPostgresError(error) || isRetryableSqlState(error.code)) return undefined;
  const column = /column (?:"((?:[^"]|"")+)"|[^\s.]+\.(\S+)|(\S+)) does not exist/.exec(error.message);
  const name = column?.[1]?.replaceAll('""', '"') ?? column?.[2] ?? column?.[3];
  return new DependentViewBrokenError(
    displayName(request.target),
    [{ view: statement.view, reason: error.message, sqlstate: error.code, ...(name === undefined ? {} : { column: name }) }],
    { cause: error },
  );
}

/** A plan without what moves on its own between two captures (sequence positions). */
function comparable(plan: SwapPlan): string {
  return JSON.stringify({
    ...plan,
    table: { ...plan.table, sequences: plan.table.sequences.map((s) => ({ ...s, lastValue: '', isCalled: false })) },
  });
}
