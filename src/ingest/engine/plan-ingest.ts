/**
 * `planIngest`: everything an ingest decides before its first batch, read from the database without
 * changing anything — the definitions validated and canonicalised by the server, what each table
 * needs, the stored high watermark, leftovers of crashed ingests.
 */
import type { Queryable } from '../../db/queryable.js';
import { displayName } from '../../sql/identifier.js';
import { MalformedDefinitionError } from '../definition/errors.js';
import type { TableDefinition } from '../definition/table-definition.js';
import { validateDefinition } from '../definition/validate-definition.js';
import { planTable, type TablePlan } from '../schema/plan-table.js';
import { writerFingerprint } from './comment.js';
import { firstComment, readTables } from './ledger.js';
import { freshTableName } from './names.js';
import { resolvePlanOptions } from './options.js';
import { withSession } from './session.js';
import type { IngestPlan, IngestPlanOptions, IngestRunOptions, IngestState, JsonValue, PlannedTable } from './types.js';

/**
 * Validates the definitions and options, plans each table (`none`, `create`, `in-place`,
 * `rebuild`), reads the stored watermark and resolves the one to hand to the batch source. Reads
 * only. The plan is plain JSON: every later step takes it as is.
 *
 * @throws InvalidIngestOptionError, the definition and schema modules' errors (naming table,
 *   column or index), InvalidTableCommentError when the first table's comment is not a JSON object.
 */
export async function planIngest(
  db: Queryable,
  tables: TableDefinition | readonly TableDefinition[],
  options: IngestPlanOptions & IngestRunOptions = {},
): Promise<IngestPlan> {
  const definitions = ingestTables(tables);
  const { ingestId, options: resolved } = resolvePlanOptions(options);
  return withSession(db, options.signal, async (client) => {
    const tablePlans: TablePlan[] = [];
    for (const definition of definitions) tablePlans.push(await planTable(client, definition));
    const now = await readTables(client, definitions);
    const comment = firstComment(now);
    const storedHighWatermark: JsonValue = comment?.watermark ?? null;
    const highWatermark = resolved.highWatermark === 'latest' ? storedHighWatermark : resolved.highWatermark === 'earliest' ? null : resolved.highWatermark;
    const planned = definitions.map((definition, index): PlannedTable => {
      const table = now[index];
      const tablePlan = tablePlans[index];
      return {
        table: displayName(definition),
        migration: tablePlan?.plan.kind ?? 'none',
        reasons: [...(tablePlan?.plan.reasons ?? [])],
        freshTable: freshTableName(definition),
        leftover: table !== undefined && table.freshFacts.oid !== null && table.freshOwner !== ingestId,
      };
    });
    options.logger?.debug('ingest planned', { ingestId, tables: planned.map((table) => ({ table: table.table, migration: table.migration })), highWatermark });
    return { ingestId, tables: definitions, options: resolved, highWatermark, storedHighWatermark, writerFingerprint: writerFingerprint(comment), planned };
  });
}

/** The state before the first batch. */
export function initialIngestState(plan: IngestPlan): IngestState {
  return {
    batches: 0,
    rows: 0,
    bytes: 0,
    highWatermark: plan.storedHighWatermark,
    pending: [],
    swapDue: false,
    tables: plan.planned.map((table) => ({ table: table.table, migration: 'none', statements: [], rows: 0, swapped: false, swap: null })),
    blockers: [],
    batchMs: 0,
    swapMs: 0,
  };
}

/** One definition or a non-empty list of them, each valid, no table twice; copied so later changes by the caller do not leak in. */
export function ingestTables(tables: TableDefinition | readonly TableDefinition[]): TableDefinition[] {
  const list = Array.isArray(tables) ? (tables as readonly TableDefinition[]) : [tables as TableDefinition];
  if (list.length === 0) throw new MalformedDefinitionError('an ingest needs at least one table definition');
  const seen = new Set<string>();
  return list.map((definition) => {
    validateDefinition(definition);
    const key = JSON.stringify([definition.schema, definition.name]);
    if (seen.has(key)) {
      throw new MalformedDefinitionError(`table ${displayName(definition)} is listed twice in the ingest`, { details: { table: displayName(definition) } });
    }
    seen.add(key);
    return structuredClone(definition) as TableDefinition;
  });
}
