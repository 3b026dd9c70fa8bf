/**
 * `ingest`: the library's one call — a thin loop over the steps a Temporal workflow runs one
 * activity at a time: plan, then each batch (and its swap when due), then finish.
 */
import type { Queryable } from '../../db/queryable.js';
import type { TableDefinition } from '../definition/table-definition.js';
import { BatchSourceError, InvalidIngestOptionError } from './errors.js';
import { finishIngest } from './finish-ingest.js';
import { ingestBatch } from './ingest-batch.js';
import { checkRunOptions, resolvePlanOptions } from './options.js';
import { ingestTables, initialIngestState, planIngest } from './plan-ingest.js';
import { cancellable, releaseIngestLocks, takeIngestLocks, withSession } from './session.js';
import { swapPending } from './swap-pending.js';
import type { IngestBatches, IngestBatch, IngestOptions, IngestReport, IngestRunOptions, IngestState } from './types.js';

/**
 * Ingests the batches `batches(highWatermark)` yields into `tables`, one transaction per batch with
 * its high watermark; creates or migrates the tables first (with the first batch, so that no batch
 * means no migration and no delete), and swaps in fresh tables when a rewrite, a delete or
 * `visibility: 'end-of-ingest'` calls for them.
 *
 * `db` is a pool (one connection is held for the whole call) or a client outside any transaction.
 * The tables are locked against other ingests for the whole call (advisory locks: `'wait'` for
 * the other ingest to finish, or `'fail'`, by `onConcurrentIngest`).
 *
 * Batches committed before a failure stay committed with their watermark; the failing batch leaves
 * no trace.
 *
 * @throws the errors of `planIngest`, `ingestBatch`, `swapPending` and `finishIngest`;
 *   BatchSourceError when `batches` (or its iterator) throws between batches.
 */
export async function ingest(
  db: Queryable,
  tables: TableDefinition | readonly TableDefinition[],
  batches: IngestBatches,
  options: IngestOptions = {},
): Promise<IngestReport> {
  const startedAt = performance.now();
  const definitions = ingestTables(tables);
  const { options: resolved } = resolvePlanOptions(options);
  checkRunOptions(options);
  if (typeof batches !== 'function') {
    throw new InvalidIngestOptionError('batches must be a function (highWatermark) => iterable of { highWatermark, rows, metadata? }', { details: { option: 'batches' } });
  }
  const run: IngestRunOptions = pick(options);
  const targets = definitions.map(({ schema, name }) => ({ schema, name }));
  return withSession(db, undefined, async (client) => {
    await cancellable(db, client, options.signal, () => takeIngestLocks(client, targets, 'session', resolved.onConcurrentIngest));
    try {
      const plan = await planIngest(client, definitions, options);
      let state: IngestState = initialIngestState(plan);
      const source = openSource(batches, plan.highWatermark, options.signal);
      let done = false;
      try {
        for (;;) {
          options.signal?.throwIfAborted();
          const step = await nextBatch(source, state.batches + 1);
          if (step.done === true) {
            done = true;
            break;
          }
          state = (await ingestBatch(client, plan, state, step.value, run)).state;
          if (state.swapDue) state = (await swapPending(client, plan, state, run)).state;
        }
      } finally {
        // Lets a generator clean up (close its cursor, file …) when the ingest stops early.
        if (!done) await Promise.resolve(source.return?.()).catch(() => undefined);
      }
      return (await finishIngest(client, plan, state, { ...run, startedAt })).report;
    } finally {
      await releaseIngestLocks(client, targets);
    }
  });
}

type BatchIterator = Iterator<IngestBatch> | AsyncIterator<IngestBatch>;

function openSource(batches: IngestBatches, highWatermark: Parameters<IngestBatches>[0], signal: AbortSignal | undefined): BatchIterator {
  try {
    const iterable = batches(highWatermark, undefined, signal === undefined ? {} : { signal });
    if (typeof (iterable as Partial<AsyncIterable<IngestBatch>>)[Symbol.asyncIterator] === 'function') {
      return (iterable as AsyncIterable<IngestBatch>)[Symbol.asyncIterator]();
    }
    if (typeof (iterable as Partial<Iterable<IngestBatch>>)[Symbol.iterator] === 'function') return (iterable as Iterable<IngestBatch>)[Symbol.iterator]();
  } catch (error) {
    throw new BatchSourceError(`the batch source threw when called: ${message(error)}`, { details: { batch: 1 }, cause: error });
  }
  throw new InvalidIngestOptionError('batches(highWatermark) must return an iterable or an async iterable of batches', { details: { option: 'batches' } });
}

async function nextBatch(source: BatchIterator, batch: number): Promise<IteratorResult<IngestBatch>> {
  try {
    return await source.next();
  } catch (error) {
    throw new BatchSourceError(`the batch source threw while producing batch ${batch}: ${message(error)}`, { details: { batch }, cause: error });
  }
}

function pick(options: IngestOptions): IngestRunOptions {
  const { signal, logger, onProgress, progressIntervalMs, onBeforeVisible } = options;
  return {
    ...(signal === undefined ? {} : { signal }),
    ...(logger === undefined ? {} : { logger }),
    ...(onProgress === undefined ? {} : { onProgress }),
    ...(progressIntervalMs === undefined ? {} : { progressIntervalMs }),
    ...(onBeforeVisible === undefined ? {} : { onBeforeVisible }),
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
