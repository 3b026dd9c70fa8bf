/**
 * `ingestNextBatch`, the activity the ingest workflow runs once per batch: it opens the named source
 * after the watermark of the last committed batch, takes the next batch and loads it with
 * `ingestBatch` — one transaction with its watermark — on a connection of its own. Rows go from the
 * source to PostgreSQL inside the worker; only counts and the watermark travel through Temporal.
 *
 * - Exactly once: before reading anything it asks the database (the ledger stored with the
 *   watermark) whether an earlier attempt committed this batch; if so it reports the batch as done
 *   without reading the source. `ingestBatch` checks again under the ingest's lock.
 * - A retried attempt first terminates the backends earlier attempts of this ingest left behind
 *   (found by their `application_name` token), so it never waits for a dead worker's session.
 *   (A first attempt does not look: the ingest's lock and ledger keep a straggler harmless.)
 * - Heartbeats every 200 ms from a timer (phase, rows and bytes so far), also while one COPY,
 *   in-place migration step or index build runs; a retried attempt logs what the one before had
 *   done. Cancelling the activity cancels the backend's statement and rolls the batch back; when
 *   the worker (not the workflow) cancelled it, shutting down, the attempt fails retryably.
 */
import { Context } from '@temporalio/activity';
import type { Logger } from '@temporalio/common';
import { isTemporalPgError } from '../src/errors/temporal-pg-error.js';
import { endEarlierAttempts } from '../src/force-execute/token-backends.js';
import { BatchSourceError } from '../src/ingest/engine/errors.js';
import { ingestBatch } from '../src/ingest/engine/ingest-batch.js';
import { readTables, reconciledState } from '../src/ingest/engine/ledger.js';
import type { IngestPlan, JsonValue } from '../src/ingest/engine/types.js';
import {
  ingestBatchToken,
  ingestBatchTokenPrefix,
  type IngestBatchHeartbeat,
  type IngestBatchInput,
  type IngestBatchResult,
} from '../src/shared/ingest.js';
import type { BatchSource, SourceBatch } from '../src/sources/types.js';
import { resolveDatabase, type ActivityDatabases } from './databases.js';
import { withFailureConversion } from './failure.js';
import { startHeartbeats } from './heartbeats.js';
import { SourceNotAdvancingError } from './ingest-errors.js';
import { withTaggedSession } from './ingest-session.js';
import { interruption } from './interruption.js';
import { resolveSource, type ActivitySources } from './sources.js';

/** What the batch activity needs from the worker. */
export interface IngestBatchDependencies {
  readonly databases: ActivityDatabases;
  readonly sources: ActivitySources;
  readonly logger?: Logger;
}

/** How often (ms) the engine reports rows while they stream; the heartbeat timer picks up the latest. */
const PROGRESS_INTERVAL_MS = 200;

/** Builds the batch activity (see the module doc). */
export function createIngestBatchActivity(deps: IngestBatchDependencies) {
  const plans = new RecentPlans();
  return withFailureConversion(async function ingestNextBatch(input: IngestBatchInput): Promise<IngestBatchResult> {
    const context = Context.current();
    const log = deps.logger ?? context.log;
    const { state } = input;
    const plan = plans.same(input.plan);
    const pool = resolveDatabase(deps.databases, input.database);
    const source = resolveSource(deps.sources, input.source.name);
    const batch = state.batches + 1;
    const attempt = context.info.attempt;
    const signal = context.cancellationSignal;
    logEarlierAttempt(log, context.info.heartbeatDetails, batch, attempt);

    const progress: { -readonly [K in keyof IngestBatchHeartbeat]: IngestBatchHeartbeat[K] } = { batch, attempt, phase: 'checking-ledger', rows: 0, bytes: 0 };
    const heartbeats = startHeartbeats(context, () => ({ ...progress }));
    const started = performance.now();
    try {
      const token = ingestBatchToken(plan.ingestId, batch, attempt);
      if (attempt > 1) {
        const ended = await endEarlierAttempts(pool, ingestBatchTokenPrefix(plan.ingestId), token);
        if (ended.length > 0) log.warn(`ingest: terminated backends left behind by earlier attempts`, { batch, attempt, pids: ended });
      }

      return await withTaggedSession(pool, token, async (client): Promise<IngestBatchResult> => {
        // The database is the truth: an earlier attempt may have committed this batch and died before reporting it.
        const known = reconciledState(plan, state, await readTables(client, plan.tables));
        if (known.batches > state.batches) {
          progress.phase = 'already-committed';
          log.info(`ingest: batch ${batch} was committed by an earlier attempt; not reading it again`, { batch, attempt, committedBatches: known.batches });
          return { kind: 'batch', status: 'already-committed', batch, rows: 0, bytes: 0, highWatermark: known.highWatermark, durationMs: Math.round(performance.now() - started), attempt, state: known };
        }

        progress.phase = 'opening-source';
        const after = state.batches === 0 ? plan.highWatermark : state.highWatermark;
        const next = await takeNextBatch(source, input.source.name, after, input.source.args ?? {}, signal, batch);
        if (next === undefined) {
          progress.phase = 'exhausted';
          return { kind: 'exhausted', state };
        }
        try {
          progress.phase = 'loading';
          const outcome = await ingestBatch(client, plan, state, advancing(next.batch, after, input.source.name, batch), {
            signal,
            logger: log,
            progressIntervalMs: PROGRESS_INTERVAL_MS,
            onProgress: (totals) => {
              progress.rows = totals.rows - state.rows;
              progress.bytes = totals.bytes - state.bytes;
            },
          });
          progress.phase = outcome.status;
          const { status, rows, bytes, highWatermark } = outcome;
          return { kind: 'batch', status, batch, rows, bytes, highWatermark, durationMs: Math.round(performance.now() - started), attempt, state: outcome.state };
        } finally {
          await next.close();
        }
      });
    } catch (error) {
      throw interruption(context, sourceErrorItself(error));
    } finally {
      await heartbeats.stop();
    }
  });
}

/**
 * The plans of the ingests this worker loaded batches for lately. Each activity receives its plan
 * afresh from JSON; handing the engine the same object as last time keeps its per-plan cache (the
 * tables' columns and COPY plans, about 3 ms a batch) from one batch activity to the next.
 */
class RecentPlans {
  private readonly plans = new Map<string, { readonly json: string; readonly plan: IngestPlan }>();

  same(plan: IngestPlan): IngestPlan {
    const json = JSON.stringify(plan);
    const known = this.plans.get(plan.ingestId);
    if (known?.json === json) return known.plan;
    this.plans.delete(plan.ingestId);
    this.plans.set(plan.ingestId, { json, plan });
    if (this.plans.size > MAX_RECENT_PLANS) this.plans.delete(this.plans.keys().next().value as string);
    return plan;
  }
}

/** Ingests whose plans a worker keeps (a few hundred bytes to a few kilobytes each). */
const MAX_RECENT_PLANS = 32;

/** A retried attempt says what the one before had done (from its last heartbeat): the rows it loaded were rolled back. */
function logEarlierAttempt(log: Logger, details: unknown, batch: number, attempt: number): void {
  const earlier = details as Partial<IngestBatchHeartbeat> | undefined;
  if (attempt <= 1 || earlier?.batch !== batch) return;
  log.warn(`ingest: batch ${batch}, attempt ${attempt}: attempt ${earlier.attempt ?? attempt - 1} stopped in phase ${earlier.phase ?? 'unknown'} after ${earlier.rows ?? 0} rows; starting the batch over unless it was committed`, {
    batch,
    attempt,
    earlier,
  });
}

/** The first batch `source` yields after `after`, with a way to let the source go; `undefined` when it has none. */
async function takeNextBatch(
  source: BatchSource,
  name: string,
  after: JsonValue,
  args: JsonValue,
  signal: AbortSignal,
  batch: number,
): Promise<{ batch: SourceBatch; close: () => Promise<void> } | undefined> {
  let iterator: Iterator<SourceBatch> | AsyncIterator<SourceBatch>;
  try {
    const batches = source(after, args, { signal });
    iterator =
      typeof (batches as Partial<AsyncIterable<SourceBatch>>)[Symbol.asyncIterator] === 'function'
        ? (batches as AsyncIterable<SourceBatch>)[Symbol.asyncIterator]()
        : (batches as Iterable<SourceBatch>)[Symbol.iterator]();
  } catch (error) {
    throw sourceFailure(error, `source ${JSON.stringify(name)} threw when called for batch ${batch}`, batch, signal);
  }
  const close = async () => {
    await Promise.resolve(iterator.return?.()).catch(() => undefined);
  };
  let step: IteratorResult<SourceBatch>;
  try {
    step = await iterator.next();
  } catch (error) {
    await close();
    throw sourceFailure(error, `source ${JSON.stringify(name)} threw while producing batch ${batch}`, batch, signal);
  }
  if (step.done === true) {
    await close();
    return undefined;
  }
  return { batch: step.value, close };
}

function sourceFailure(error: unknown, what: string, batch: number, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  if (isTemporalPgError(error)) return error;
  return new BatchSourceError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { details: { batch }, cause: error });
}

/**
 * The batch, with a watermark that must differ from the one the source was opened after: the
 * workflow opens the source again after each batch, so a batch that does not move the watermark
 * would be read again and again (and its rows appended each time to a table without a key).
 */
function advancing(batch: SourceBatch, after: JsonValue, name: string, number: number): SourceBatch {
  const check = (value: JsonValue): JsonValue => {
    if (JSON.stringify(value) !== JSON.stringify(after)) return value;
    throw new SourceNotAdvancingError(
      `source ${JSON.stringify(name)}: batch ${number} ends at the watermark it started after (${JSON.stringify(value)}); a source must move the watermark with every batch, and yield nothing when nothing is left`,
      { details: { source: name, batch: number, highWatermark: value } },
    );
  };
  const given = batch.highWatermark;
  if (typeof given !== 'function') {
    check(given);
    return batch;
  }
  return { ...batch, highWatermark: async () => check(await given()) };
}

/**
 * A source's own typed error (bad args, a malformed file …) surfaces as itself, so its type is the
 * activity failure's type; the engine's wrapper only adds the batch number its message already has.
 */
function sourceErrorItself(error: unknown): unknown {
  return error instanceof BatchSourceError && isTemporalPgError(error.cause) ? error.cause : error;
}
