/**
 * The ingest engine: `ingest` for a library call, and the steps it is made of for a Temporal
 * workflow to run one activity at a time. Plan and state are plain JSON.
 *
 *   const plan = await planIngest(pool, tables, options);          // reads only
 *   let state = initialIngestState(plan);
 *   for await (const batch of source(plan.highWatermark)) {
 *     ({ state } = await ingestBatch(pool, plan, state, batch));    // one transaction; exactly once
 *     if (state.swapDue) ({ state } = await swapPending(pool, plan, state));
 *   }
 *   const { report } = await finishIngest(pool, plan, state);
 *
 * See docs/ingest-design.md for the design and README.md ("Ingest") for the behaviour.
 *
 * @module
 */
export { ingest } from './ingest.js';
export { planIngest, initialIngestState } from './plan-ingest.js';
export { ingestBatch } from './ingest-batch.js';
export { prepareSwap, stateAfterSwap, swapPending, swapWork, type SwapPreparation, type SwapWorkResult } from './swap-pending.js';
export { finishIngest, ingestReport, type FinishOutcome } from './finish-ingest.js';
export { abandonIngest } from './abandon-ingest.js';
export { readHighWatermark } from './read-high-watermark.js';
export {
  BatchRejectedError,
  BatchSourceError,
  ConcurrentIngestError,
  IncompatibleTypeChangeError,
  IngestTableChangedError,
  InvalidBatchError,
  InvalidIngestOptionError,
  InvalidTableCommentError,
  RowRejectedError,
  TableLockTimeoutError,
  UnknownTableError,
} from './errors.js';
export type * from './types.js';
