/**
 * `swapPending`: the fresh tables that hold committed batches take the place of their tables, all in
 * one transaction, so readers see every old table or every new one. Everything bound to a table
 * (views, grants, owner, comments …) is carried by the swap module.
 */
import type pg from 'pg';
import { queryRows, type Queryable } from '../../db/queryable.js';
import { displayName, type QualifiedName } from '../../sql/identifier.js';
import { canonicalizeDefinition } from '../schema/canonicalize-definition.js';
import { buildRebuildStatements, restoreName, type NameRestore } from '../schema/rebuild-statements.js';
import { executeSwap } from '../swap/execute.js';
import { parseTableComment } from './comment.js';
import { ConcurrentIngestError, IngestTableChangedError } from './errors.js';
import { commentOnTable, renameTable, takenNamesQuery } from './ingest-sql.js';
import { readTables, type TableNow } from './ledger.js';
import { checkRunOptions } from './options.js';
import { silentLogger } from './progress.js';
import { runSwapTransaction } from './run-swap.js';
import { takeIngestLocks, withSession } from './session.js';
import { stateAfterSwap } from '../../shared/ingest-state.js';
import type { IngestPlan, IngestRunOptions, IngestState, SwapOutcome, SwapSummary } from './types.js';

export { stateAfterSwap };

/** What a swap needs to know before its transaction (plain JSON), from {@link prepareSwap}. */
export interface SwapPreparation {
  /** Per pending table: how its constraints and indexes get their natural names back after the swap. */
  readonly tables: readonly { readonly index: number; readonly renames: readonly NameRestore[] }[];
}

/** What the swap transaction did: per table swapped, in short; `null` when an earlier attempt had committed it. */
export type SwapWorkResult = { readonly tables: readonly { readonly index: number; readonly swap: SwapSummary }[] } | null;

/**
 * Swaps in every fresh table of `state.pending` (after a batch with visibility `after-each-batch`,
 * or at the end with `end-of-ingest`), in one transaction run under the `forceExecute` options; a
 * fresh table whose table does not exist is renamed instead. Harmless to repeat: a swap already
 * committed (the ledger says so) is reported as done.
 *
 * For a Temporal workflow the same swap is three pieces: {@link prepareSwap} (an activity),
 * {@link swapWork} (what force-execute's statement activity runs in its transaction) and
 * {@link stateAfterSwap} (pure).
 *
 * @throws ConcurrentIngestError when another ingest wrote in between, IngestTableChangedError when a
 *   fresh table is gone, the swap module's errors (SwapBlockedError, DependentViewBrokenError …), and
 *   force-execute's (SignalPermissionDeniedError when a blocker may not be signalled …).
 */
export async function swapPending(db: Queryable, plan: IngestPlan, state: IngestState, options: IngestRunOptions = {}): Promise<SwapOutcome> {
  checkRunOptions(options);
  if (state.pending.length === 0) return { state: { ...state, swapDue: false }, swapped: [], blockers: [], attempts: 0, durationMs: 0 };
  const logger = options.logger ?? silentLogger;
  return withSession(db, options.signal, async (client) => {
    const preparation = await prepareSwap(client, plan, state);
    const outcome = await runSwapTransaction(db, client, swapWork(plan, state, preparation), {
      ...plan.options.forceExecute,
      logger,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const swapped = state.pending.map((index) => (plan.planned[index] as IngestPlan['planned'][number]).table);
    if (outcome.result === null) logger.info('the swap was committed by an earlier attempt', { tables: swapped });
    else logger.info(`swapped in ${swapped.join(', ')}`, { tables: swapped, blockers: outcome.blockers.length, durationMs: Math.round(outcome.durationMs) });
    const next = stateAfterSwap(state, outcome.result, { blockers: outcome.blockers, durationMs: outcome.durationMs });
    return { state: next, swapped, blockers: outcome.blockers, attempts: outcome.attempts, durationMs: outcome.durationMs };
  });
}

/** The names the swapped tables' keys and indexes get back; canonicalises the definitions (a TEMP table in a rolled-back transaction). */
export async function prepareSwap(db: Queryable, plan: IngestPlan, state: IngestState): Promise<SwapPreparation> {
  return withSession(db, undefined, async (client) => {
    const tables = [];
    for (const index of state.pending) {
      const desired = await canonicalizeDefinition(client, plan.tables[index] as IngestPlan['tables'][number]);
      tables.push({ index, renames: buildRebuildStatements(desired, null, (plan.planned[index] as IngestPlan['planned'][number]).freshTable).renames });
    }
    return { tables };
  });
}

/**
 * The swap itself, for a transaction someone else runs (and commits): takes the tables' ingest
 * locks, checks the ledger, swaps (or renames) every pending fresh table and restores names.
 * Throws what {@link swapPending} throws; PostgreSQL's lock timeouts and deadlocks unchanged, so a
 * force-execute runner retries them.
 */
export function swapWork(plan: IngestPlan, state: IngestState, preparation: SwapPreparation): (client: pg.ClientBase) => Promise<SwapWorkResult> {
  const targets = plan.tables.map(({ schema, name }) => ({ schema, name }));
  return async (client) => {
    await takeIngestLocks(client, targets, 'transaction', plan.options.onConcurrentIngest);
    const now = await readTables(client, plan.tables);
    if (alreadySwapped(plan, state, now)) return null;
    const tables = [];
    for (const index of state.pending) {
      const renames = preparation.tables.find((table) => table.index === index)?.renames ?? [];
      tables.push({ index, swap: await swapOne(client, index, now[index] as TableNow, renames) });
    }
    return { tables };
  };
}

/** Whether an earlier attempt committed this swap: no fresh table of ours left, and the first table's ledger at our last batch. */
function alreadySwapped(plan: IngestPlan, state: IngestState, now: readonly TableNow[]): boolean {
  const first = now[0] as TableNow;
  const ours = state.pending.filter((index) => (now[index] as TableNow).freshOwner === plan.ingestId);
  const table = displayName(first.target);
  const ledgerTable = first.freshOwner === plan.ingestId ? first.freshFacts : first.targetFacts;
  const ledger = ledgerTable.oid === null ? null : parseTableComment(ledgerTable.comment, table).ledger;
  if (ledger === null || ledger.ingest !== plan.ingestId || ledger.batch !== state.batches) {
    throw new ConcurrentIngestError(`table ${table}: another ingest wrote since this one committed batch ${state.batches}; plan the ingest again`, {
      details: { table, ingestId: plan.ingestId },
    });
  }
  if (ours.length === 0) return true;
  if (ours.length < state.pending.length) {
    const missing = state.pending.filter((index) => !ours.includes(index)).map((index) => displayName((now[index] as TableNow).target));
    throw new IngestTableChangedError(`the fresh tables of ${missing.join(', ')} are gone before their swap; plan the ingest again`, { details: { tables: missing } });
  }
  return false;
}

/** Swaps (or renames) one fresh table into place and gives its constraints and indexes their natural names. */
async function swapOne(client: pg.ClientBase, index: number, table: TableNow, renames: readonly NameRestore[]): Promise<SwapSummary> {
  let summary: SwapSummary;
  if (table.targetFacts.oid === null) {
    await client.query(renameTable(table.fresh, table.target.name));
    if (index > 0) await client.query(commentOnTable(table.target, '')); // drop the marker
    summary = { statements: 1, views: 0, renamedOnly: true };
  } else {
    const result = await executeSwap(client, { target: table.target, replacement: table.fresh, tableComment: index === 0 ? 'replacement' : 'target' });
    summary = { statements: result.statements.length, views: result.plan.views.length, renamedOnly: false };
  }
  await restoreNames(client, table.target, renames);
  return summary;
}

/** Renames what still carries a fresh-table name, when the natural name is free. */
async function restoreNames(client: pg.ClientBase, table: QualifiedName, renames: readonly NameRestore[]): Promise<void> {
  if (renames.length === 0) return;
  const rows = await queryRows<{ name: string }>(client, takenNamesQuery(table, renames.flatMap((rename) => [rename.from, rename.to])));
  const taken = new Set(rows.map((row) => row.name));
  for (const rename of renames) {
    if (!taken.has(rename.from) || taken.has(rename.to)) continue;
    await client.query(restoreName(table, rename));
    taken.delete(rename.from);
    taken.add(rename.to);
  }
}
