/**
 * Consumers of a batch source for tests, shaped like the two real ones: the library `ingest` (one
 * call, every batch in turn) and the Temporal batch activity (a fresh call per batch, with the
 * watermark stored after the previous one, taking the first batch only). Watermarks go through JSON
 * on the way, as they do in a table comment.
 */
import type { BatchSource, JsonValue, SourceRow, SourceBatch } from '../../src/sources/types.js';

export interface DrainedBatch {
  readonly rows: SourceRow[];
  readonly watermark: JsonValue;
  readonly metadata: JsonValue | undefined;
}

async function consume(batch: SourceBatch): Promise<DrainedBatch> {
  const rows: SourceRow[] = [];
  for await (const row of batch.rows as AsyncIterable<SourceRow>) rows.push(row);
  const mark = typeof batch.highWatermark === 'function' ? await batch.highWatermark() : batch.highWatermark;
  return { rows, watermark: JSON.parse(JSON.stringify(mark)) as JsonValue, metadata: batch.metadata as JsonValue | undefined };
}

function iterate(batches: Iterable<SourceBatch> | AsyncIterable<SourceBatch>): AsyncIterator<SourceBatch> {
  if (Symbol.asyncIterator in batches) return (batches as AsyncIterable<SourceBatch>)[Symbol.asyncIterator]();
  return (batches as Iterable<SourceBatch>)[Symbol.iterator]() as unknown as AsyncIterator<SourceBatch>;
}

/** One call of the source: the first batch after `watermark`, read whole; then the iterator is closed. */
export async function takeOneBatch<A>(source: BatchSource<A>, watermark: JsonValue | null, args: A): Promise<DrainedBatch | undefined> {
  const iterator = iterate(source(watermark, args));
  try {
    const next = await iterator.next();
    return next.done ? undefined : await consume(next.value);
  } finally {
    await iterator.return?.();
  }
}

/** Like the Temporal workflow: one call per batch, each resuming from the previous batch's watermark. */
export async function drainByBatch<A>(source: BatchSource<A>, args: A, watermark: JsonValue | null = null, limit = 10_000): Promise<DrainedBatch[]> {
  const batches: DrainedBatch[] = [];
  let mark = watermark;
  for (let i = 0; i < limit; i++) {
    const batch = await takeOneBatch(source, mark, args);
    if (batch === undefined) return batches;
    batches.push(batch);
    mark = batch.watermark;
  }
  throw new Error(`the source yielded more than ${limit} batches`);
}

/** Like the library `ingest`: one call, every batch read in turn. */
export async function drainAll<A>(source: BatchSource<A>, args: A, watermark: JsonValue | null = null): Promise<DrainedBatch[]> {
  const batches: DrainedBatch[] = [];
  const iterator = iterate(source(watermark, args));
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) batches.push(await consume(next.value));
  return batches;
}
