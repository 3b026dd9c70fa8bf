/**
 * The contract between a source of rows and the ingest engine, written structurally so it matches
 * the engine's `batches(highWatermark)` argument and the worker's named `sources` without importing
 * either.
 *
 * A source is called with the high watermark stored with the target table (or `null` on a first
 * run) and yields batches in order. Each batch carries the watermark to store once its rows are
 * committed. On Temporal every batch activity calls the source afresh with the current watermark and
 * takes only the next batch, so a source must:
 * - resume purely from the watermark (no state kept between calls, a deterministic order);
 * - be cheap to start: do its work lazily, when iterated, not when called;
 * - never yield an empty final batch just to say "done" (a consumer that takes one batch per call
 *   would loop forever): when nothing is left after the watermark, yield nothing;
 * - release what it holds (files, connections) when the consumer stops early, through the
 *   iterator's `return()` (a `for await … of` loop that breaks calls it).
 *
 * @module
 */
import type { JsonValue } from '../locks/advisory-key.js';

export type { JsonValue };

/**
 * One row: an array of values in the target's column order, or a plain object keyed by column name
 * (a missing key is NULL). With several target tables a row is a pair `[table, values]`.
 */
export type SourceRow = readonly unknown[] | Readonly<Record<string, unknown>>;

/** A watermark, or a function returning it that the consumer calls after the batch's rows were consumed. */
export type BatchWatermark = JsonValue | (() => JsonValue);

/** One batch: rows that are committed together with the watermark that follows them. */
export interface SourceBatch {
  /**
   * Stored with the batch, in the same transaction; the next call of the source receives it. A
   * function is called once, after every row of the batch was consumed.
   */
  readonly highWatermark: BatchWatermark;
  /** The batch's rows, streamed: never held whole in memory by a built-in source. */
  readonly rows: Iterable<SourceRow> | AsyncIterable<SourceRow>;
  /** Facts about the batch for callbacks and logs (for example the files it came from). JSON. */
  readonly metadata?: JsonValue;
}

/** What the caller hands a source besides the watermark and its arguments. */
export interface SourceContext {
  /** Aborts reading: the source stops at the next row or chunk and throws the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * A named source as a worker registers it: `args` arrive as JSON from a workflow input (validate
 * them), `highWatermark` is the stored one (`null` when none is stored yet). A registry holds
 * `BatchSource` (args `unknown`, checked at run time), which every source that validates its args
 * is; `BatchSource<CsvFilesArgs>` and the like are typed views for calling one directly.
 */
export type BatchSource<Args = unknown> = (
  highWatermark: JsonValue | null,
  args: Args,
  context?: SourceContext,
) => Iterable<SourceBatch> | AsyncIterable<SourceBatch>;
