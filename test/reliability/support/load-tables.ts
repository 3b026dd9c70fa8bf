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
 * batches 1 … k, each complete. The load tests (library and Temporal) share the tables, the
 * readers hammering their views and the final check.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { expect } from 'vitest';
import { quoteIdent, readHighWatermark, type IngestBatch, type IngestPlanOptions, type JsonValue, type TableDefinition } from '../../../src/index.js';
import { startReaders, type ReadersSummary } from './readers.js';

export type LoadKind = 'replace' | 'rebuild' | 'append';

export const OLD_ROWS = 200;

/** The eight tables of the load tests: three replaced, two rebuilt, three appended to. */
export const LOAD_KINDS: readonly LoadKind[] = ['replace', 'rebuild', 'append', 'replace', 'rebuild', 'append', 'replace', 'append'];

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

/** A fresh `schema` with one seeded table (and view) per kind. */
export async function createLoadTables(db: pg.Pool, schema: string, kinds: readonly LoadKind[]): Promise<LoadTable[]> {
  await db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE; CREATE SCHEMA ${quoteIdent(schema)}`);
  const tables = kinds.map((kind, index) => loadTable(schema, index, kind));
  for (const table of tables) await seedLoadTable(db, table);
  return tables;
}

export interface LoadReadersSummary extends ReadersSummary {
  /** Per table, the states its reads saw (`old`, `new`, `batches k`), sorted. */
  readonly seen: readonly string[][];
}

/** Eight readers cycling over the tables' views on `pool`; each read is checked, and the states seen recorded per table. */
export function hammerViews(pool: pg.Pool, tables: readonly LoadTable[], args: LoadArgs): { stop(): Promise<LoadReadersSummary> } {
  const seen = tables.map(() => new Set<string>());
  let next = 0;
  const readers = startReaders(
    pool,
    async (client) => {
      const index = next++ % tables.length;
      const read = await readLoadTable(client, tables[index] as LoadTable, args);
      seen[index]?.add(read.state);
      if (read.problem !== null) throw new Error(read.problem);
    },
    { concurrency: 8, pauseMs: 5 },
  );
  return {
    async stop() {
      const summary = await readers.stop();
      return { ...summary, seen: seen.map((states) => [...states].sort()) };
    },
  };
}

/**
 * What the readers must have found: no error, enough reads, some taken while a table was between
 * its first and its last batch, and a replaced table read both before and after its swap.
 */
export function expectCleanReads(summary: LoadReadersSummary, tables: readonly LoadTable[]): void {
  expect(summary.errors).toEqual([]);
  expect(summary.reads).toBeGreaterThan(50);
  expect(summary.seen.flat().filter((state) => state.startsWith('batches')).length).toBeGreaterThan(0);
  const replaced = tables.flatMap((table, index) => (table.kind === 'replace' ? [summary.seen[index] ?? []] : []));
  expect(replaced.some((states) => states.includes('old') && states.includes('new')), JSON.stringify(replaced)).toBe(true);
}

/** Every table ends with generation 2 exactly once (beside generation 1 unless replaced) and the watermark of the last batch. */
export async function expectLoaded(db: pg.Pool, tables: readonly LoadTable[], args: LoadArgs): Promise<void> {
  for (const table of tables) {
    const { rows } = await db.query(`SELECT gen, count(*)::int AS n, count(DISTINCT id)::int AS ids FROM ${quoteIdent(table.definition.schema)}.${quoteIdent(table.view)} GROUP BY 1 ORDER BY 1`);
    const fresh = { gen: 2, n: args.batches * args.rowsPerBatch, ids: args.batches * args.rowsPerBatch };
    expect(rows, table.definition.name).toEqual(table.kind === 'replace' ? [fresh] : [{ gen: 1, n: OLD_ROWS, ids: OLD_ROWS }, fresh]);
    expect(await readHighWatermark(db, table.definition)).toBe(args.batches);
  }
}
