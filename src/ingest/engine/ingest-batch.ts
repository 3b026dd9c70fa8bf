/**
 * `ingestBatch`: one batch, one transaction — its rows, the tables' new shape when this is the first
 * batch, and the high watermark with the ledger entry that makes a retried step harmless.
 */
import type pg from 'pg';
import { queryOne, type Queryable } from '../../db/queryable.js';
import { applyInPlaceMigration } from '../schema/apply-in-place-migration.js';
import type { MigrationKind } from '../schema/plan-migration.js';
import { planTable, type TablePlan } from '../schema/plan-table.js';
import { lockStatements, prepareTables, routeOf, type BatchTable, type Route } from './batch-tables.js';
import { assertJsonValue, commentWithBatch, parseTableComment, writerFingerprint, type Ledger } from './comment.js';
import { BatchSourceError, ConcurrentIngestError, InvalidBatchError } from './errors.js';
import { analyze, commentOnTable, tableCommentQuery } from './ingest-sql.js';
import { firstComment, judgeBatch, readTables, reconciledState, type TableNow } from './ledger.js';
import { loadBatch, type CachedTable } from './load-batch.js';
import { mapLoadError } from './server-errors.js';
import { checkRunOptions } from './options.js';
import { ProgressReporter, silentLogger } from './progress.js';
import { inTransaction, lockWithRetries, takeIngestLocks, withSession } from './session.js';
import { isIterable } from './source-guard.js';
import { tableResolver } from './table-resolver.js';
import type { BatchOutcome, IngestBatch, IngestPlan, IngestRunOptions, IngestState, JsonValue, TableProgress } from './types.js';

/**
 * Loads batch number `state.batches + 1` of `plan` and commits it with its high watermark, in one
 * transaction on one connection of `db`. For the first batch, the tables first get their new shape:
 * in-place steps each in a short transaction of their own (before the batch's), a missing table
 * created, or a fresh table built inside the batch transaction.
 *
 * Exactly once: if the ledger stored with the tables shows this batch committed already (an earlier
 * attempt committed and then lost its answer), nothing is read or written and the outcome says
 * `already-committed`, with the state as the database has it.
 *
 * Returns the new state; when `state.swapDue`, call `swapPending` before the next batch.
 *
 * @throws ConcurrentIngestError, InvalidBatchError, BatchSourceError, UnknownTableError, the COPY
 *   layer's value errors, RowRejectedError, BatchRejectedError, IncompatibleTypeChangeError,
 *   TableLockTimeoutError, IngestTableChangedError, the schema and swap modules' errors, and
 *   PostgreSQL's own for what cannot be classified (lost connection …). The batch then left no
 *   trace: data, watermark and the tables' shape (but for committed in-place steps) are as before.
 */
export async function ingestBatch(db: Queryable, plan: IngestPlan, state: IngestState, batch: IngestBatch, options: IngestRunOptions = {}): Promise<BatchOutcome> {
  checkRunOptions(options);
  const number = state.batches + 1;
  checkBatch(batch, number);
  const started = performance.now();
  return withSession(db, options.signal, (client) => runBatch(client, plan, state, batch, number, options, started));
}

async function runBatch(
  client: pg.ClientBase,
  plan: IngestPlan,
  state: IngestState,
  batch: IngestBatch,
  number: number,
  options: IngestRunOptions,
  started: number,
): Promise<BatchOutcome> {
  const logger = options.logger ?? silentLogger;
  const applied: string[][] = plan.tables.map(() => []);
  let tablePlans: TablePlan[] | undefined;

  if (number === 1) {
    // Cheap look first: a batch that is already committed, or another ingest, changes nothing at all.
    const before = await readTables(client, plan.tables);
    if (judgeBatch(plan, state, before).kind === 'proceed') {
      tablePlans = [];
      for (const definition of plan.tables) tablePlans.push(await planTable(client, definition));
      for (const [index, tablePlan] of tablePlans.entries()) {
        if (tablePlan.plan.kind !== 'in-place' || routeOf(index, number, state.pending, tablePlan, plan.options) !== 'direct') continue;
        logger.info(`migrating table ${plan.planned[index]?.table} in place`, { table: plan.planned[index]?.table, steps: tablePlan.plan.steps.map((step) => step.label) });
        const result = await applyInPlaceMigration(client, tablePlan.plan.steps, { lockTimeoutMs: plan.options.lockTimeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
        applied[index] = result.steps.flatMap((step) => step.step.statements);
      }
    }
  }

  const targets = plan.tables.map(({ schema, name }) => ({ schema, name }));
  const reporter = new ProgressReporter(options, number, state);
  const outcome = await inTransaction(client, async (): Promise<BatchOutcome> => {
    await takeIngestLocks(client, targets, 'transaction', plan.options.onConcurrentIngest);
    const now = await readTables(client, plan.tables);
    const verdict = judgeBatch(plan, state, now);
    if (verdict.kind === 'already-committed') {
      logger.info(`batch ${number} was committed by an earlier attempt; skipping it`, { batch: number, ledger: verdict.ledger });
      const next = reconciledState(plan, state, now);
      return { state: next, status: 'already-committed', batch: number, rows: 0, bytes: 0, highWatermark: next.highWatermark, durationMs: performance.now() - started };
    }

    const routes: Route[] = plan.tables.map((_, index) => routeOf(index, number, state.pending, tablePlans?.[index], plan.options));
    await lockWithRetries(client, lockStatements(routes, now, plan.options), {
      lockTimeoutMs: plan.options.lockTimeoutMs,
      previousLockTimeout: (now[0] as TableNow).lockTimeout,
      what: 'load the batch',
      tables: plan.planned.map((table) => table.table),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const seenBefore = writerFingerprint(firstComment(now));
    const tables = await prepareTables({ client, ingestId: plan.ingestId, batch: number, definitions: plan.tables, routes, now, tablePlans, options: plan.options });

    const loaded = await loadBatch({
      client,
      batch: number,
      tables,
      rows: batch.rows as Iterable<unknown> | AsyncIterable<unknown>,
      resolve: plan.tables.length > 1 ? tableResolver(plan.tables, number) : null,
      maxRowsPerTableBuffer: plan.options.maxRowsPerTableBuffer,
      upsert: plan.options.upsert,
      progressIntervalMs: options.progressIntervalMs ?? 1000,
      onProgress: (rows, bytes) => reporter.loading(rows, bytes),
      cache: runCache(plan),
      ...(options.signal ? { signal: options.signal } : {}),
    });

    for (const table of tables) {
      try {
        for (const statement of table.afterLoad) await client.query(statement);
      } catch (error) {
        throw mapLoadError(error, { table: table.display, batch: number });
      }
      if (table.route === 'create' || table.route === 'fresh-new') await client.query(analyze(table.into));
    }
    for (const table of tables) {
      await options.onBeforeVisible?.(client, { schema: table.into.schema, name: table.into.name, target: table.target }, batch.metadata);
    }
    const highWatermark = await resolveWatermark(batch, number);
    const rows = state.rows + loaded.rows;
    await writeWatermark(client, tables[0] as BatchTable, seenBefore, highWatermark, { ingest: plan.ingestId, batch: number, rows });

    const pending = [...new Set([...state.pending, ...tables.filter((table) => table.route === 'fresh-new').map((table) => table.index)])].sort((a, b) => a - b);
    const next: IngestState = {
      ...state,
      batches: number,
      rows,
      bytes: state.bytes + loaded.bytes,
      highWatermark,
      pending,
      swapDue: pending.length > 0 && plan.options.visibility === 'after-each-batch',
      tables: state.tables.map((progress, index) =>
        progressAfter(progress, tables[index] as BatchTable, applied[index] ?? [], plan.planned[index]?.migration ?? 'none', loaded.perTable[index] ?? 0),
      ),
      batchMs: state.batchMs + (performance.now() - started),
    };
    return { state: next, status: 'committed', batch: number, rows: loaded.rows, bytes: loaded.bytes, highWatermark, durationMs: performance.now() - started };
  });
  if (outcome.status === 'committed') reporter.committed(outcome.state.rows, outcome.state.bytes, outcome.highWatermark, outcome.durationMs);
  return outcome;
}

/**
 * What batches of one run learn about their tables, kept with the plan object: the `ingest` loop
 * passes the same plan to every batch, a workflow activity gets a fresh copy each time (and
 * learns again). Entries are keyed by OID and column digest, so a changed table is looked up anew.
 */
const caches = new WeakMap<IngestPlan, Map<string, CachedTable>>();

function runCache(plan: IngestPlan): Map<string, CachedTable> {
  let cache = caches.get(plan);
  if (cache === undefined) caches.set(plan, (cache = new Map()));
  return cache;
}

/**
 * The first table's comment gets the watermark and the ledger entry (its fresh table's, while one
 * carries its rows until the swap). Other keys of the comment are kept. A writer without our lock
 * (pg-bulk-ingest) that stored a watermark after the batch looked is caught here, under the
 * comment's lock.
 */
async function writeWatermark(client: pg.ClientBase, first: BatchTable, seenBefore: string, highWatermark: JsonValue, ledger: Ledger): Promise<void> {
  let base: Readonly<Record<string, JsonValue>> = {};
  if (first.route !== 'create') {
    // The target's comment, also for a fresh table of the first table: its other keys survive the swap.
    const source = first.route === 'fresh-pending' ? first.into : first.target;
    const { comment: text } = await queryOne<{ comment: string | null }>(client, tableCommentQuery(source));
    const comment = parseTableComment(text, first.display);
    if (first.route === 'direct' && writerFingerprint(comment) !== seenBefore) {
      throw new ConcurrentIngestError(`table ${first.display}: another writer stored a watermark while this batch waited for its locks; plan the ingest again`, {
        details: { table: first.display, batch: ledger.batch },
      });
    }
    base = comment.object;
  }
  await client.query(commentOnTable(first.into, commentWithBatch(base, highWatermark, ledger)));
}

async function resolveWatermark(batch: IngestBatch, number: number): Promise<JsonValue> {
  let value: unknown = batch.highWatermark;
  if (typeof value === 'function') {
    try {
      value = await (value as () => unknown)();
    } catch (error) {
      throw new BatchSourceError(`the high-watermark function of batch ${number} threw: ${error instanceof Error ? error.message : String(error)}`, {
        details: { batch: number },
        cause: error,
      });
    }
  }
  assertJsonValue(value, `the high watermark of batch ${number}`, number);
  return value;
}

function checkBatch(batch: IngestBatch, number: number): void {
  if (typeof batch !== 'object' || batch === null) {
    throw new InvalidBatchError(`batch ${number} must be an object { highWatermark, rows, metadata? }, got ${batch === null ? 'null' : typeof batch}`, { details: { batch: number } });
  }
  if (!Object.hasOwn(batch, 'highWatermark')) {
    throw new InvalidBatchError(`batch ${number} has no highWatermark (use null for none)`, { details: { batch: number } });
  }
  if (!isIterable(batch.rows)) {
    throw new InvalidBatchError(`the rows of batch ${number} must be an iterable or an async iterable (an array, a generator …)`, { details: { batch: number } });
  }
  const value = batch.highWatermark;
  if (typeof value !== 'function') assertJsonValue(value, `the high watermark of batch ${number}`, number);
}

/**
 * A table's progress after a batch. Its migration is the first that happened: in-place steps run
 * now, a creation or rebuild now, or — when an earlier attempt of this first batch committed the
 * in-place steps and then failed — what the plan found.
 */
function progressAfter(progress: TableProgress, table: BatchTable, applied: readonly string[], planned: MigrationKind, rows: number): TableProgress {
  let migration = progress.migration;
  if (migration === 'none') migration = applied.length > 0 ? 'in-place' : table.migration !== 'none' ? table.migration : planned === 'in-place' && table.route === 'direct' ? 'in-place' : 'none';
  return { ...progress, migration, statements: [...progress.statements, ...applied, ...table.statements], rows: progress.rows + rows };
}
