/**
 * The ingest workflow's activities, one per step of the engine (see docs/ingest-design.md): plan,
 * next batch (`ingest-batch.ts`), prepare the swap, finish, and the cleanup after a cancellation or
 * failure. The swap itself runs as force-execute's statement activity, through the `ingest-swap`
 * operation registered here. Plan and state travel as plain JSON; rows never leave the worker.
 *
 * Every activity heartbeats from a timer, so a dead worker is noticed within the heartbeat timeout
 * however long a step runs, and a cancellation reaches it.
 */
import { Context } from '@temporalio/activity';
import type { Logger } from '@temporalio/common';
import { endEarlierAttempts } from '../src/force-execute/token-backends.js';
import { abandonIngest } from '../src/ingest/engine/abandon-ingest.js';
import { finishIngest } from '../src/ingest/engine/finish-ingest.js';
import { initialIngestState, planIngest } from '../src/ingest/engine/plan-ingest.js';
import { prepareSwap, swapWork, type SwapPreparation } from '../src/ingest/engine/swap-pending.js';
import {
  ingestBatchTokenPrefix,
  INGEST_SWAP_OPERATION,
  type IngestAbandonInput,
  type IngestAbandonResult,
  type IngestFinishResult,
  type IngestPlanInput,
  type IngestPlanResult,
  type IngestStepHeartbeat,
  type IngestStepInput,
  type IngestSwapOperation,
} from '../src/shared/ingest.js';
import { resolveDatabase, type ActivityDatabases } from './databases.js';
import { withFailureConversion } from './failure.js';
import type { ForceExecuteOperations } from './force-execute-operations.js';
import { startHeartbeats } from './heartbeats.js';
import { createIngestBatchActivity } from './ingest-batch.js';
import { interruption } from './interruption.js';
import { resolveSource, type ActivitySources } from './sources.js';

/** What the ingest activities need from the worker. */
export interface IngestActivityDependencies {
  /**
   * The databases workflows may name. A batch holds one connection of its pool for its whole run
   * (and opens a second, briefly, to cancel it); the swap up to three (see force-execute).
   */
  readonly databases: ActivityDatabases;
  /** The batch sources workflows may name. */
  readonly sources: ActivitySources;
  /** Where steps, retries and victims are logged. Default: the activity context's logger. */
  readonly logger?: Logger;
}

/** Builds the ingest activities; register them in the worker (see `createActivities`). */
export function createIngestActivities(deps: IngestActivityDependencies) {
  /** Runs `fn` with the pool, a logger and heartbeats naming `step`. */
  const step = async <T>(name: IngestStepHeartbeat['step'], database: string, fn: (context: { pool: ReturnType<typeof resolveDatabase>; log: Logger; signal: AbortSignal }) => Promise<T>): Promise<T> => {
    const context = Context.current();
    const pool = resolveDatabase(deps.databases, database);
    const heartbeats = startHeartbeats(context, (): IngestStepHeartbeat => ({ step: name }));
    try {
      return await fn({ pool, log: deps.logger ?? context.log, signal: context.cancellationSignal });
    } catch (error) {
      throw interruption(context, error);
    } finally {
      await heartbeats.stop();
    }
  };

  return {
    /** Checks the source and database are registered, then `planIngest` (reads only) and the initial state. */
    ingestPlan: withFailureConversion(async function ingestPlan(input: IngestPlanInput): Promise<IngestPlanResult> {
      resolveSource(deps.sources, input.source);
      return step('plan', input.database, async ({ pool, log, signal }) => {
        const plan = await planIngest(pool, input.tables, { ...input.options, logger: log, signal });
        return { plan, state: initialIngestState(plan) };
      });
    }),

    ingestNextBatch: createIngestBatchActivity(deps),

    /** `prepareSwap`: what the swap transaction needs, computed outside it. */
    ingestPrepareSwap: withFailureConversion(async function ingestPrepareSwap(input: IngestStepInput): Promise<SwapPreparation> {
      return step('prepare-swap', input.database, ({ pool }) => prepareSwap(pool, input.plan, input.state));
    }),

    /** `finishIngest`: creates missing tables after no batch at all, drops leftovers, builds the report. */
    ingestFinish: withFailureConversion(async function ingestFinish(input: IngestStepInput): Promise<IngestFinishResult> {
      return step('finish', input.database, ({ pool, log, signal }) => finishIngest(pool, input.plan, input.state, { logger: log, signal }));
    }),

    /**
     * After a cancellation or failure: terminates batch sessions of this ingest still running
     * (a worker that died) and drops its fresh tables (`abandonIngest`).
     */
    ingestAbandon: withFailureConversion(async function ingestAbandon(input: IngestAbandonInput): Promise<IngestAbandonResult> {
      return step('abandon', input.database, async ({ pool, log, signal }) => {
        const prefix = ingestBatchTokenPrefix(input.plan.ingestId);
        const terminatedBackends = await endEarlierAttempts(pool, prefix, prefix);
        if (terminatedBackends.length > 0) log.warn('ingest: terminated batch sessions left behind', { pids: terminatedBackends });
        const droppedTables = await abandonIngest(pool, input.plan, { logger: log, signal });
        return { droppedTables, terminatedBackends };
      });
    }),
  };
}

/** The activities {@link createIngestActivities} returns (for `proxyActivities<…>` in workflows). */
export type IngestActivities = ReturnType<typeof createIngestActivities>;

/**
 * The force-execute operations of the ingest: `ingest-swap`, the swap of the pending fresh tables
 * (`swapWork(plan, state, preparation)`), run by force-execute's statement activity.
 */
export const ingestForceExecuteOperations: ForceExecuteOperations = {
  [INGEST_SWAP_OPERATION]: (operation) => {
    const { plan, state, preparation } = operation as unknown as IngestSwapOperation;
    return swapWork(plan, state, preparation);
  },
};
