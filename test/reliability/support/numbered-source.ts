/**
 * A deterministic batch source for fault and crash tests, and the check that a table holds its
 * rows exactly once. Batch `b` (from 1) holds rows `(b - 1) · rowsPerBatch + 1 …`, each
 * `[id, batch, payload]`; its watermark is `b`, so the source resumes after the stored watermark.
 * A hook runs before chosen rows, where a test injects its fault (terminate, cut, stop the server).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { expect } from 'vitest';
import { quoteQualified, readHighWatermark, type IngestBatch, type JsonValue, type TableDefinition } from '../../../src/index.js';

export interface NumberedArgs {
  /** Batches in all. */
  readonly batches: number;
  readonly rowsPerBatch: number;
  /** Characters of each row's payload. Default 20. */
  readonly payloadChars?: number;
  /** A pause of this many milliseconds every `pauseEvery` rows (a slow API), so that batches take time. Default none. */
  readonly pauseMs?: number;
  /** Default 10. */
  readonly pauseEvery?: number;
  /** Names the ingest, for tests running several at once through one source (not part of the rows). */
  readonly tag?: string;
}

export type NumberedRow = [id: number, batch: number, payload: string];

/** The table the rows fit; `key` makes `id` its primary key. */
export function numberedTable(schema: string, name: string, key: boolean): TableDefinition {
  return {
    schema,
    name,
    columns: [
      { name: 'id', type: 'bigint', ...(key ? { primaryKey: true } : {}) },
      { name: 'batch', type: 'integer', nullable: false },
      { name: 'payload', type: 'text' },
    ],
  };
}

export function numberedRow(id: number, batch: number, payloadChars = 20): NumberedRow {
  const seed = `row ${id} of batch ${batch} `;
  return [id, batch, seed.repeat(Math.ceil(payloadChars / seed.length)).slice(0, payloadChars)];
}

/** Called before row `row` (from 1, within the batch) of batch `batch` is handed out, and with row 0 before the batch itself is. */
export type BeforeRow = (batch: number, row: number) => void | Promise<void>;

/** The batches after `highWatermark` (the last batch stored, `null` for none). */
export async function* numberedBatches(highWatermark: JsonValue, args: NumberedArgs, beforeRow?: BeforeRow): AsyncGenerator<IngestBatch<NumberedRow>> {
  const after = typeof highWatermark === 'number' ? highWatermark : 0;
  for (let batch = after + 1; batch <= args.batches; batch++) {
    if (beforeRow) await beforeRow(batch, 0);
    yield { highWatermark: batch, rows: rowsOf(batch, args, beforeRow) };
  }
}

async function* rowsOf(batch: number, args: NumberedArgs, beforeRow?: BeforeRow): AsyncGenerator<NumberedRow> {
  const first = (batch - 1) * args.rowsPerBatch;
  for (let row = 1; row <= args.rowsPerBatch; row++) {
    if (args.pauseMs && row % (args.pauseEvery ?? 10) === 0) await sleep(args.pauseMs);
    if (beforeRow) await beforeRow(batch, row);
    yield numberedRow(first + row, batch, args.payloadChars);
  }
}

/** The source of `ingest`: `(hwm) => numberedBatches(hwm, args, beforeRow)`. */
export function numberedSource(args: NumberedArgs, beforeRow?: BeforeRow): (highWatermark: JsonValue) => AsyncIterable<IngestBatch<NumberedRow>> {
  return (highWatermark) => numberedBatches(highWatermark, args, beforeRow);
}

/**
 * Asserts that `table` holds the rows of batches 1 … `batches` exactly once each, row by row, and
 * that its stored watermark is `batches` (`null` when 0).
 */
export async function expectBatchesExactlyOnce(db: pg.Pool, table: TableDefinition, batches: number, args: NumberedArgs): Promise<void> {
  const { rows } = await db.query<{ key: string; batch: number; payload: string }>(`SELECT id::text AS key, batch, payload FROM ${quoteQualified(table)} ORDER BY id, batch, payload`);
  const expected: NumberedRow[] = [];
  for (let batch = 1; batch <= batches; batch++) {
    for (let row = 1; row <= args.rowsPerBatch; row++) expected.push(numberedRow((batch - 1) * args.rowsPerBatch + row, batch, args.payloadChars));
  }
  const actual = rows.map((row): NumberedRow => [Number(row.key), Number(row.batch), row.payload]);
  if (actual.length !== expected.length) {
    // A short summary first: which ids are missing or repeated, rather than a diff of thousands of rows.
    const counts = new Map<number, number>();
    for (const [id] of actual) counts.set(id, (counts.get(id) ?? 0) + 1);
    const repeated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    const missing = expected.map(([id]) => id).filter((id) => !counts.has(id));
    expect({ rows: actual.length, repeated: repeated.slice(0, 20), missing: missing.slice(0, 20) }).toEqual({ rows: expected.length, repeated: [], missing: [] });
  }
  expect(actual).toEqual(expected);
  expect(await readHighWatermark(db, table)).toBe(batches === 0 ? null : batches);
}

/** Watermark and row count agree: the table holds exactly the batches its watermark claims. */
export async function expectConsistent(db: pg.Pool, table: TableDefinition, args: NumberedArgs): Promise<number> {
  const { rows } = await db.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [quoteQualified(table)]);
  if (rows[0]?.found !== true) return 0;
  const watermark = await readHighWatermark(db, table);
  const batches = typeof watermark === 'number' ? watermark : 0;
  await expectBatchesExactlyOnce(db, table, batches, args);
  return batches;
}
