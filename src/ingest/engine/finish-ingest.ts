/**
 * `finishIngest`: what is left once the source has no more batches — the swap of an ingest that
 * stays invisible until its end, or, when there were no batches at all, the creation of tables that
 * do not exist yet (no migration, no delete) and the removal of fresh tables crashed ingests left.
 */
import type { Queryable } from '../../db/queryable.js';
import { displayName } from '../../sql/identifier.js';
import * as ddl from '../schema/ddl.js';
import { planTable, type TablePlan } from '../schema/plan-table.js';
import { dropTable } from './ingest-sql.js';
import { readTables, reconciledState } from './ledger.js';
import { checkRunOptions } from './options.js';
import { silentLogger } from './progress.js';
import { swapPending } from './swap-pending.js';
import { inTransaction, takeIngestLocks, withSession } from './session.js';
import type { IngestPlan, IngestReport, IngestRunOptions, IngestState, TableProgress } from './types.js';

/** What `finishIngest` returns. */
export interface FinishOutcome {
  readonly state: IngestState;
  readonly report: IngestReport;
}

/**
 * Ends an ingest: swaps in what is still pending (the only swap of `visibility: 'end-of-ingest'`),
 * or, after no batch at all, creates missing tables with their keys and indexes and drops leftover
 * fresh tables, in one transaction. Returns the final state and the report (`durationMs` counts from
 * `startedAt`, a `performance.now()` value, when given).
 */
export async function finishIngest(
  db: Queryable,
  plan: IngestPlan,
  state: IngestState,
  options: IngestRunOptions & { readonly startedAt?: number } = {},
): Promise<FinishOutcome> {
  checkRunOptions(options);
  // A batch step that committed and then lost its answer: the database knows better than `state`.
  let next = reconciledState(plan, state, await readTables(db, plan.tables));
  if (next.pending.length > 0) next = (await swapPending(db, plan, next, options)).state;
  else if (next.batches === 0) next = await createMissing(db, plan, next, options);
  return { state: next, report: ingestReport(plan, next, options.startedAt) };
}

async function createMissing(db: Queryable, plan: IngestPlan, state: IngestState, options: IngestRunOptions): Promise<IngestState> {
  const logger = options.logger ?? silentLogger;
  return withSession(db, options.signal, async (client) => {
    const tablePlans: TablePlan[] = [];
    for (const definition of plan.tables) tablePlans.push(await planTable(client, definition));
    const created: string[][] = plan.tables.map(() => []);
    await inTransaction(client, async () => {
      await takeIngestLocks(client, plan.tables.map(({ schema, name }) => ({ schema, name })), 'transaction', plan.options.onConcurrentIngest);
      const now = await readTables(client, plan.tables);
      for (const [index, table] of now.entries()) {
        if (table.freshFacts.oid !== null) {
          logger.info(`dropping ${table.fresh.name}, left by an ingest that did not finish`, { table: displayName(table.target) });
          await client.query(dropTable(table.fresh));
        }
        const tablePlan = tablePlans[index];
        if (tablePlan?.plan.kind !== 'create' || table.targetFacts.oid !== null) continue;
        const statements = [
          ...tablePlan.plan.steps.filter((step) => step.action === 'create-schema').flatMap((step) => step.statements),
          ddl.createTable(table.target, tablePlan.desired),
          ...tablePlan.desired.indexes.map((spec) => ddl.createIndex(table.target, spec, spec.name)),
        ];
        for (const statement of statements) await client.query(statement);
        created[index] = statements;
        logger.info(`created table ${displayName(table.target)} (no batches)`, { table: displayName(table.target) });
      }
    });
    return {
      ...state,
      tables: state.tables.map((progress, index): TableProgress =>
        (created[index] ?? []).length > 0 ? { ...progress, migration: 'create', statements: [...progress.statements, ...(created[index] ?? [])] } : progress,
      ),
    };
  });
}

/** The report of an ingest from its plan and final state. */
export function ingestReport(plan: IngestPlan, state: IngestState, startedAt?: number): IngestReport {
  return {
    ingestId: plan.ingestId,
    batches: state.batches,
    rows: state.rows,
    bytes: state.bytes,
    highWatermark: state.highWatermark,
    tables: state.tables.map((progress, index) => {
      const definition = plan.tables[index] as IngestPlan['tables'][number];
      return { ...progress, schema: definition.schema, name: definition.name };
    }),
    swapped: state.tables.some((table) => table.swapped),
    blockers: state.blockers,
    durationMs: startedAt === undefined ? state.batchMs + state.swapMs : performance.now() - startedAt,
    batchMs: state.batchMs,
    swapMs: state.swapMs,
  };
}
