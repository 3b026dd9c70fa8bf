/**
 * The tables of the load test and what a reader may see of them. Every table starts with
 * `OLD_ROWS` rows of generation 1; an ingest adds generation-2 rows in batches, in one of three
 * ways:
 * - `replace`: `delete: 'before-first-batch'` with `visibility: 'end-of-ingest'` — one swap at the
 *   end; a reader sees all of generation 1 or all of generation 2, never a mix or an empty table;
 * - `rebuild`: a column type change (a rewrite) — the first batch goes into a fresh table with the
 *   old rows, swapped in right after it; then batches are appended;
 * - `append`: batches appended in place.
 * A read (one statement, through the table's view) must show whole batches only: generation 2 as
 * batches 1 … k, each complete.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { quoteIdent, type IngestBatch, type IngestPlanOptions, type JsonValue, type TableDefinition } from '../../../src/index.js';

export type LoadKind = 'replace' | 'rebuild' | 'append';

export const OLD_ROWS = 200;

export interface LoadTable {
  readonly kind: LoadKind;
  readonly definition: TableDefinition;
  /** The definition the ingest uses (a changed column type for `rebuild`). */
  readonly target: TableDefinition;
  readonly view: string;
  readonly options: IngestPlanOptions;
}

export interface LoadArgs {
  readonly batches: number;
  readonly rowsPerBatch: number;
  /** Milliseconds the source takes before each batch after the first (as a paged API would). Default 0. */
  readonly pauseMs?: number;
}

export function loadTable(schema: string, index: number, kind: LoadKind): LoadTable {
  const definition: TableDefinition = {
    schema,
    name: `t${index}`,
    columns: [
      { name: 'id', type: 'integer', primaryKey: true },
      { name: 'gen', type: 'integer', nullable: false },
      { name: 'batch', type: 'integer', nullable: false },
      { name: 'payload', type: 'text' },
    ],
  };
  const target = kind === 'rebuild' ? { ...definition, columns: definition.columns.map((c) => (c.name === 'batch' ? { ...c, type: 'bigint' } : c)) } : definition;
  const options: IngestPlanOptions = kind === 'replace' ? { delete: 'before-first-batch', visibility: 'end-of-ingest' } : {};
  return { kind, definition, target, view: `v${index}`, options };
}

/** Creates the table with generation 1 and its view (run before the load). */
export async function seedLoadTable(db: pg.Pool, table: LoadTable): Promise<void> {
  const name = `${quoteIdent(table.definition.schema)}.${quoteIdent(table.definition.name)}`;
  await db.query(`CREATE TABLE ${name} (id integer PRIMARY KEY, gen integer NOT NULL, batch integer NOT NULL, payload text)`);
  await db.query(`INSERT INTO ${name} SELECT i, 1, 0, 'old ' || i FROM generate_series(1, ${OLD_ROWS}) i`);
  await db.query(`CREATE VIEW ${quoteIdent(table.definition.schema)}.${quoteIdent(table.view)} AS SELECT id, gen, batch, payload FROM ${name}`);
}

/** Generation-2 batches after `highWatermark` (the last batch stored, or anything else for none). */
export async function* loadBatches(highWatermark: JsonValue, args: LoadArgs): AsyncGenerator<IngestBatch> {
  const after = typeof highWatermark === 'number' ? highWatermark : 0;
  for (let batch = after + 1; batch <= args.batches; batch++) {
    if (batch > after + 1 && args.pauseMs) await sleep(args.pauseMs);
    const rows: unknown[][] = [];
    // Ids past the old rows for append and rebuild; from 1 for replace (a fresh table): either way unique.
    for (let row = 1; row <= args.rowsPerBatch; row++) rows.push([OLD_ROWS + (batch - 1) * args.rowsPerBatch + row, 2, batch, `new ${batch}.${row}`]);
    yield { highWatermark: batch, rows };
  }
}

/** What one read saw: `state` is `old` (generation 1 only), `new` (generation 2 only) or the number of new batches; `problem` why that is impossible, or null. */
export interface LoadRead {
  readonly state: string;
  readonly problem: string | null;
}

/** Reads the view in one statement and judges what it saw. */
export async function readLoadTable(client: pg.ClientBase, table: LoadTable, args: LoadArgs): Promise<LoadRead> {
  const { rows } = await client.query<{ gen: number; batch: number; n: number }>(
    `SELECT gen, batch::int AS batch, count(*)::int AS n FROM ${quoteIdent(table.definition.schema)}.${quoteIdent(table.view)} GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  const old = rows.filter((row) => row.gen === 1);
  const fresh = rows.filter((row) => row.gen === 2);
  const oldRows = old.reduce((sum, row) => sum + row.n, 0);
  const state = fresh.length === 0 ? 'old' : oldRows === 0 ? 'new' : `batches ${fresh.length}`;
  const show = () => `${table.view} (${table.kind}): ${JSON.stringify(rows)}`;
  if (fresh.some((row, i) => row.batch !== i + 1 || row.n !== args.rowsPerBatch)) return { state, problem: `partial or missing batch in ${show()}` };
  if (table.kind === 'replace') {
    const allOld = oldRows === OLD_ROWS && fresh.length === 0;
    const allNew = oldRows === 0 && fresh.length === args.batches;
    return { state, problem: allOld || allNew ? null : `neither all old nor all new: ${show()}` };
  }
  return { state, problem: oldRows === OLD_ROWS ? null : `old rows missing: ${show()}` };
}
