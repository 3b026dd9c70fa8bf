/**
 * Shared pieces of the ingest tests: batch sources, table readers, and a schema per test.
 */
import type pg from 'pg';
import type { IngestBatch, JsonValue } from '../../../src/ingest/engine/index.js';
import { quoteIdent, quoteQualified, type QualifiedName } from '../../../src/sql/identifier.js';

export { freshSchema, privilegesOf, relationOid, rowsOf, viewDefinitions } from '../swap/swap-helpers.js';

/** A source of the given batches, recording the watermark it was called with. */
export function batchesOf<Row>(batches: readonly IngestBatch<Row>[], seen: JsonValue[] = []): (hwm: JsonValue) => Iterable<IngestBatch<Row>> {
  return (hwm) => {
    seen.push(hwm);
    return batches;
  };
}

/** No batches at all. */
export const noBatches = (): Iterable<IngestBatch<never>> => [];

/** The table's rows as arrays, ordered by the given columns (default: all). */
export async function selectAll(db: pg.Pool | pg.ClientBase, table: QualifiedName, order = '1'): Promise<unknown[][]> {
  const { rows } = await db.query({ text: `SELECT * FROM ${quoteQualified(table)} ORDER BY ${order}`, rowMode: 'array' });
  return rows as unknown[][];
}

/** Relations of a schema (name and kind), to look for leftovers. */
export async function relationsOf(db: pg.Pool, schema: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1`,
    [schema],
  );
  return rows.map((row) => row.name);
}

/** The table comment, parsed. */
export async function commentOf(db: pg.Pool, table: QualifiedName): Promise<unknown> {
  const { rows } = await db.query<{ comment: string | null }>(`SELECT obj_description($1::regclass, 'pg_class') AS comment`, [quoteQualified(table)]);
  const text = rows[0]?.comment ?? null;
  return text === null ? null : JSON.parse(text);
}

/** Whether a relation exists. */
export async function exists(db: pg.Pool, table: QualifiedName): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [quoteQualified(table)]);
  return rows[0]?.found === true;
}

/** `"schema"` quoted, for ad-hoc SQL in tests. */
export const q = quoteIdent;
