/**
 * Reading what the database says about an ingest's progress (the truth, whatever a step was told),
 * and judging a step against it: go ahead, already done by an earlier attempt, or another ingest
 * got in between. Pure, apart from {@link readTables}.
 */
import { queryRows, type Queryable } from '../../db/queryable.js';
import { displayName, type QualifiedName } from '../../sql/identifier.js';
import type { TableDefinition } from '../definition/table-definition.js';
import { markedIngest, parseTableComment, writerFingerprint, type Ledger, type TableComment } from './comment.js';
import { ConcurrentIngestError } from './errors.js';
import { relationStateQuery, type RelationFacts } from './ingest-sql.js';
import { freshTableOf } from './names.js';
import type { IngestPlan, IngestState } from './types.js';

/** One table of the ingest as the catalog shows it now. */
export interface TableNow {
  readonly target: QualifiedName;
  readonly fresh: QualifiedName;
  readonly targetFacts: RelationFacts;
  readonly freshFacts: RelationFacts;
  /** The ingest whose fresh table this is (from its comment), `null` when none or not ours. */
  readonly freshOwner: string | null;
  /** The session's `lock_timeout` setting, as the server prints it. */
  readonly lockTimeout: string;
}

/** The target and fresh table of every definition, in one catalog query (no lock). */
export async function readTables(client: Queryable, tables: readonly TableDefinition[]): Promise<TableNow[]> {
  const targets = tables.map((table): QualifiedName => ({ schema: table.schema, name: table.name }));
  const freshes = targets.map(freshTableOf);
  const rows = await queryRows<Omit<RelationFacts, 'oid'> & { oid: string | number | null; lockTimeout: string }>(client, relationStateQuery([...targets, ...freshes]));
  const facts = rows.map((row): RelationFacts => ({ ord: row.ord, oid: row.oid === null ? null : Number(row.oid), comment: row.comment, signature: row.signature }));
  const lockTimeout = rows[0]?.lockTimeout ?? '0';
  return targets.map((target, i) => {
    const freshFacts = facts[targets.length + i] as RelationFacts;
    return {
      target,
      fresh: freshes[i] as QualifiedName,
      targetFacts: facts[i] as RelationFacts,
      freshFacts,
      freshOwner: freshFacts.oid === null ? null : markedIngest(freshFacts.comment),
      lockTimeout,
    };
  });
}

/** The first table's comment, parsed (`null` when the table does not exist). */
export function firstComment(now: readonly TableNow[]): TableComment | null {
  const first = now[0] as TableNow;
  return first.targetFacts.oid === null ? null : parseTableComment(first.targetFacts.comment, displayName(first.target));
}

/** What a step should do, given the database. */
export type Verdict =
  | { readonly kind: 'proceed' }
  | {
      readonly kind: 'already-committed';
      /** What the database says: this ingest is at `ledger.batch` (see {@link reconciledState}). */
      readonly ledger: Ledger;
    };

/**
 * Judges batch `state.batches + 1` of `plan`. The ledger lives in the first table's comment — in
 * its fresh table while that one is ours. Ours at the batch before: proceed. Ours at this batch or
 * later: an earlier attempt committed it. Someone else's (or, for the first batch, anything that
 * changed since the plan): another ingest got in between.
 *
 * @throws ConcurrentIngestError
 */
export function judgeBatch(plan: IngestPlan, state: IngestState, now: readonly TableNow[]): Verdict {
  const batch = state.batches + 1;
  const first = now[0] as TableNow;
  const table = displayName(first.target);
  const inFresh = first.freshOwner === plan.ingestId;
  const comment = inFresh
    ? parseTableComment(first.freshFacts.comment, table)
    : first.targetFacts.oid === null
      ? null
      : parseTableComment(first.targetFacts.comment, table);
  const ledger = comment?.ledger ?? null;
  if (ledger !== null && ledger.ingest === plan.ingestId) {
    if (ledger.batch >= batch) {
      return { kind: 'already-committed', ledger };
    }
    if (ledger.batch === batch - 1) return { kind: 'proceed' };
    throw concurrent(plan, table, `its ledger says batch ${ledger.batch} of this ingest, but the step is for batch ${batch}`);
  }
  if (state.batches === 0 && writerFingerprint(comment) === plan.writerFingerprint) return { kind: 'proceed' };
  const other = ledger === null ? 'a writer without a ledger (pg-bulk-ingest, or by hand)' : `ingest ${JSON.stringify(ledger.ingest)} (batch ${ledger.batch})`;
  throw concurrent(plan, table, `${other} stored a watermark since this ingest ${state.batches === 0 ? 'planned' : `committed batch ${state.batches}`}`);
}

/**
 * The state as the database has it: when the ledger shows this ingest further than `state` (a step
 * committed, then its answer was lost), counts, watermark and pending fresh tables from the ledger;
 * otherwise `state` unchanged. Pure.
 */
export function reconciledState(plan: IngestPlan, state: IngestState, now: readonly TableNow[]): IngestState {
  const first = now[0] as TableNow;
  const table = displayName(first.target);
  const facts = first.freshOwner === plan.ingestId ? first.freshFacts : first.targetFacts;
  const comment = facts.oid === null ? null : parseTableComment(facts.comment, table);
  const ledger = comment?.ledger ?? null;
  if (ledger === null || ledger.ingest !== plan.ingestId || ledger.batch <= state.batches) return state;
  const pending = now.flatMap((entry, i) => (entry.freshOwner === plan.ingestId ? [i] : []));
  return {
    ...state,
    batches: ledger.batch,
    rows: ledger.rows,
    highWatermark: comment?.watermark ?? null,
    pending,
    swapDue: pending.length > 0 && plan.options.visibility === 'after-each-batch',
  };
}

function concurrent(plan: IngestPlan, table: string, why: string): ConcurrentIngestError {
  return new ConcurrentIngestError(`table ${table}: ${why}; plan the ingest again to start from the stored watermark`, {
    details: { table, ingestId: plan.ingestId },
  });
}
