/**
 * The contract between a source of rows and the ingest engine: one batch type and one source type
 * for the library `ingest` (its `batches`), the worker's named `sources` and the built-in sources.
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

/**
 * A watermark (any JSON value), or a function returning it (or a promise of it) that the consumer
 * calls once, after the batch's rows were consumed (e.g. the largest timestamp seen).
 */
export type BatchWatermark = JsonValue | (() => JsonValue | Promise<JsonValue>);

/**
 * One batch: rows that are committed together with the watermark that follows them. The one batch
 * shape of the package: what a named source yields, what the library `ingest` consumes
 * (`IngestBatch` is this type), what the Temporal batch activity loads.
 *
 * @typeParam Row the row type; {@link SourceRow} by default.
 */
export interface SourceBatch<Row = SourceRow> {
  /**
   * Stored with the batch, in the same transaction; the next call of the source receives it. A
   * function is called once, after every row of the batch was consumed.
   */
  readonly highWatermark: BatchWatermark;
  /** The batch's rows, streamed: never held whole in memory by a built-in source. */
  readonly rows: Iterable<Row> | AsyncIterable<Row>;
  /**
   * Facts about the batch for `onBeforeVisible` and logs (for example the files it came from). JSON
   * for the built-in sources; never stored in workflow history.
   */
  readonly metadata?: unknown;
}

/** What the caller hands a source besides the watermark and its arguments. */
export interface SourceContext {
  /** Aborts reading: the source stops at the next row or chunk and throws the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * A batch source: called with the high watermark stored with the target table (`null` when none
 * is stored yet), its `args` and a context, it yields the batches after that watermark. The one
 * source type of the package:
 * - a worker's named sources (`createActivities({ sources })`) are `BatchSource`s: `args` arrive as
 *   JSON from a workflow input (validate them); a registry holds `BatchSource` (args `unknown`),
 *   which every source that validates its args is; `BatchSource<CsvFilesArgs>` and the like are
 *   typed views for calling one directly;
 * - the library `ingest`'s `batches` is a `BatchSource<undefined>` (`IngestBatches`): a plain
 *   `(highWatermark) => …` fits, and so does a named source given its args,
 *   `(hwm, _args, context) => csvFiles(hwm, { directory }, context)`.
 *
 * @typeParam Args the arguments' type.
 * @typeParam Row the rows' type.
 */
export type BatchSource<Args = unknown, Row = SourceRow> = (
  highWatermark: JsonValue | null,
  args: Args,
  context?: SourceContext,
) => Iterable<SourceBatch<Row>> | AsyncIterable<SourceBatch<Row>>;
