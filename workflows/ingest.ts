/**
 * `ingestWorkflow`: a durable ingest. One activity plans it; then one activity per batch opens the
 * named source after the last committed watermark, takes the next batch and commits it with its
 * watermark (rows never travel through Temporal); a swap, when the plan needs one, runs through
 * force-execute (its heartbeating statement activity and blocker-terminating watcher) at the point
 * the library would swap; a last activity finishes and reports. Every step is exactly-once: the
 * database's ledger says what an earlier attempt already committed.
 *
 * History stays bounded: the workflow continues as new every `batchesPerRun` batches, or when the
 * server suggests it, carrying plan, state and progress. Cancelling it rolls back the batch in
 * flight and drops this ingest's fresh tables (see the README, "Ingest on Temporal").
 */
import {
  ActivityCancellationType,
  CancellationScope,
  ContinueAsNew,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
  ApplicationFailure,
} from '@temporalio/workflow';
import type { IngestActivities } from '../activities/ingest.js';
import type { SwapWorkResult } from '../src/ingest/engine/swap-pending.js';
import type { IngestPlan, IngestState } from '../src/ingest/engine/types.js';
import type { ForceExecuteActivityOptions } from '../src/shared/force-execute.js';
import {
  INGEST_SWAP_OPERATION,
  INGEST_WORKFLOW_DEFAULTS,
  ingestProgress,
  type IngestActivityOptions,
  type IngestContinuation,
  type IngestInput,
  type IngestWorkflowOptions,
  type IngestWorkflowResult,
} from '../src/shared/ingest.js';
import { INVALID_INGEST_INPUT, ingestInputProblems } from '../src/shared/ingest-input.js';
import { stateAfterSwap } from '../src/shared/ingest-state.js';
import { withDetail } from './failures.js';
import { forceExecuteInWorkflow } from './force-execute.js';
import { IngestTracker } from './ingest-progress.js';

/**
 * Ingests the batches of `input.source` into `input.tables` of the worker's database
 * `input.database`; returns the library's `IngestReport`. `continuation` is only for the workflow
 * itself (continue-as-new).
 *
 * @throws ApplicationFailure `InvalidIngestInput` for a malformed input (never retried).
 * @throws ApplicationFailure with the type and message of the step that failed (`InvalidValue`,
 *   `RowRejected`, `UnknownSource`, `MalformedTableDefinition`, `ConcurrentIngest`, `SwapBlocked` …)
 *   and `{ ingest: <progress>, abandoned }` appended to its details, after the cleanup.
 * @throws the cancellation when cancelled, after the batch in flight was rolled back and the cleanup ran.
 */
export async function ingestWorkflow(input: IngestInput, continuation?: IngestContinuation): Promise<IngestWorkflowResult> {
  const problems = ingestInputProblems(input);
  if (problems.length > 0) {
    throw ApplicationFailure.create({ type: INVALID_INGEST_INPUT, message: `ingest: ${problems.join('; ')}`, nonRetryable: true, details: [{ problems }] });
  }
  const database = input.database ?? 'default';
  const batchesPerRun = input.batchesPerRun ?? INGEST_WORKFLOW_DEFAULTS.batchesPerRun;
  const steps = activitiesFor(input.activities);
  const tracker = new IngestTracker(continuation);
  setHandler(ingestProgress, () => tracker.snapshot());

  let plan: IngestPlan | undefined = continuation?.plan;
  try {
    let state: IngestState;
    if (plan === undefined || continuation === undefined) {
      ({ plan, state } = await steps.ingestPlan({ database, tables: input.tables, options: { ...libraryOptions(input), ingestId: uuid4() }, source: input.source.name }));
    } else {
      state = continuation.state;
    }
    const planned: IngestPlan = plan;
    tracker.plan = planned;
    tracker.state = state;
    tracker.phase = 'loading';

    const swap = async (): Promise<IngestState> => {
      tracker.phase = 'swapping';
      const preparation = await steps.ingestPrepareSwap({ database, plan: planned, state });
      const result = await forceExecuteInWorkflow({
        database,
        operation: { kind: INGEST_SWAP_OPERATION, plan: planned, state, preparation },
        ...planned.options.forceExecute,
        activities: swapActivities(input.activities),
      });
      tracker.phase = 'loading';
      return stateAfterSwap(state, (result.operationResult ?? null) as SwapWorkResult, { blockers: result.blockers, durationMs: result.durationMs });
    };

    for (;;) {
      if (state.swapDue) tracker.state = state = await swap();
      if (tracker.batchesThisRun >= batchesPerRun || workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof ingestWorkflow>(input, tracker.continuation(planned, state));
      }
      tracker.batchInFlight = state.batches + 1;
      const next = await steps.ingestNextBatch({ database, plan: planned, state, source: input.source });
      tracker.batchInFlight = null;
      tracker.state = state = next.state;
      if (next.kind === 'exhausted') break;
      tracker.batchesThisRun += 1;
      if (next.status === 'already-committed') tracker.recoveredBatches += 1;
    }
    if (state.pending.length > 0) tracker.state = state = await swap();

    tracker.phase = 'finishing';
    const finished = await steps.ingestFinish({ database, plan: planned, state });
    tracker.state = finished.state;
    tracker.phase = 'done';
    return { ...finished.report, durationMs: Date.now() - tracker.startedAt };
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    tracker.batchInFlight = null;
    const cancelled = isCancellation(error);
    tracker.phase = 'cleaning-up';
    const abandoned = plan === undefined ? null : await cleanUp(steps, database, plan);
    tracker.phase = cancelled ? 'cancelled' : 'failed';
    if (cancelled) throw error;
    throw withDetail(error, { ingest: tracker.snapshot(), abandoned });
  }
}

/**
 * Drops this ingest's fresh tables and ends its leftover batch sessions, even though the workflow
 * is being cancelled (a scope that cannot be). A cleanup that keeps failing is logged and given up:
 * the next ingest of the tables drops what is left.
 */
async function cleanUp(steps: ReturnType<typeof activitiesFor>, database: string, plan: IngestPlan) {
  try {
    return await CancellationScope.nonCancellable(() => steps.ingestAbandon({ database, plan }));
  } catch (error) {
    log.warn('ingest: the cleanup failed; the next ingest of these tables drops what is left', { error: error instanceof Error ? error.message : String(error) });
    return null;
  }
}

/** The library options of the input (plain JSON), as `planIngest` takes them. */
function libraryOptions(input: IngestInput): IngestWorkflowOptions {
  const { highWatermark, upsert, delete: deleteMode, visibility, forceExecute, lockTimeoutMs, onConcurrentIngest, maxRowsPerTableBuffer } = input;
  const options = { highWatermark, upsert, delete: deleteMode, visibility, forceExecute, lockTimeoutMs, onConcurrentIngest, maxRowsPerTableBuffer };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

/** The swap's force-execute activities run on the ingest's task queue unless told otherwise. */
function swapActivities(options: IngestActivityOptions = {}): ForceExecuteActivityOptions {
  const taskQueue = options.swap?.taskQueue ?? options.taskQueue;
  return { ...options.swap, ...(taskQueue === undefined ? {} : { taskQueue }) };
}

/**
 * The ingest's activities. Steps retry after 1 s, doubling up to a minute, `maximumAttempts` times
 * (non-retryable failures never); the cleanup a few times only. All wait for a cancelled attempt
 * to report that it rolled back before the workflow moves on.
 */
function activitiesFor(options: IngestActivityOptions = {}) {
  const defaults = INGEST_WORKFLOW_DEFAULTS;
  const common = {
    ...(options.taskQueue === undefined ? {} : { taskQueue: options.taskQueue }),
    startToCloseTimeout: options.startToCloseTimeoutMs ?? defaults.startToCloseTimeoutMs,
    heartbeatTimeout: options.heartbeatTimeoutMs ?? defaults.heartbeatTimeoutMs,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  };
  const { ingestPlan, ingestNextBatch, ingestPrepareSwap, ingestFinish } = proxyActivities<IngestActivities>({
    ...common,
    retry: { initialInterval: 1000, backoffCoefficient: 2, maximumInterval: 60_000, maximumAttempts: options.maximumAttempts ?? defaults.maximumAttempts },
  });
  const { ingestAbandon } = proxyActivities<IngestActivities>({
    ...common,
    retry: { initialInterval: 1000, backoffCoefficient: 2, maximumInterval: 10_000, maximumAttempts: defaults.cleanupAttempts },
  });
  return { ingestPlan, ingestNextBatch, ingestPrepareSwap, ingestFinish, ingestAbandon };
}
