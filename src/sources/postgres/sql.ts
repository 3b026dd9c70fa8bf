/**
 * Every statement of the PostgreSQL source, as pure functions. Identifiers go through `quoteIdent`;
 * watermark and boundary values are parameters, typed by PostgreSQL from the column they are
 * compared with (so a timestamptz watermark compares as a timestamptz, a numeric as a numeric).
 *
 * The order is the key: the watermark column, then the tiebreaker columns. A batch is the keys in
 * `(watermark, boundary]`, where the boundary is the key of the `batchSize`-th row after the
 * watermark (or the last key when fewer are left), found in the same snapshot as the rows. Rows
 * whose key equals the boundary's all fall inside the batch, so equal values never straddle two
 * batches, whatever their number: without a unique tiebreaker a batch grows to finish the run.
 */
import type { SqlQuery } from '../../db/queryable.js';
import { quoteIdent, quoteQualified, type QualifiedName } from '../../sql/identifier.js';

/** The name of the cursor each batch reads through (one per transaction). */
export const CURSOR_NAME = 'temporal_pg_source';

/**
 * Opens the batch's transaction: one snapshot for the boundary and the rows, read-only, and output
 * formats pinned so values and watermarks read the same on every server whatever its settings:
 * ISO dates, ISO 8601 intervals, UTC offsets, hex bytea, shortest exact floats.
 */
export const BEGIN_BATCH = [
  'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY',
  "SET LOCAL TimeZone = 'UTC'",
  "SET LOCAL DateStyle = 'ISO, YMD'",
  "SET LOCAL IntervalStyle = 'iso_8601'",
  "SET LOCAL bytea_output = 'hex'",
  'SET LOCAL extra_float_digits = 1',
].join('; ');

/** The relation's columns in order (no row when it does not exist; one row of NULLs when it has no column). */
export function describeRelationSql(relation: QualifiedName): SqlQuery {
  return {
    text: `SELECT a.attname, a.attnotnull
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
ORDER BY a.attnum`,
    values: [relation.schema, relation.name],
  };
}

/** One boolean per column: does any row have NULL in it? */
export function nullCheckSql(relation: QualifiedName, columns: readonly string[]): SqlQuery {
  const from = quoteQualified(relation);
  const checks = columns.map((column) => `EXISTS (SELECT 1 FROM ${from} WHERE ${quoteIdent(column, 'column')} IS NULL)`);
  return { text: `SELECT ${checks.join(', ')}`, values: [] };
}

/** `(a, b)` for a compound key, `a` for one column. */
function tuple(items: readonly string[]): string {
  return items.length === 1 ? (items[0] as string) : `(${items.join(', ')})`;
}

function params(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `$${first + i}`);
}

/**
 * The rows of interest: keys not NULL (such rows have no place in the order) and, when a watermark
 * is given, after it. A watermark may bound fewer columns than the key (a scalar watermark for a
 * compound key means "after every row with this value").
 */
function afterCondition(key: readonly string[], afterValues: number): string {
  const quoted = key.map((column) => quoteIdent(column, 'column'));
  const conditions = quoted.map((column) => `${column} IS NOT NULL`);
  if (afterValues > 0) conditions.push(`${tuple(quoted.slice(0, afterValues))} > ${tuple(params(1, afterValues))}`);
  return conditions.join(' AND ');
}

function orderBy(key: readonly string[], direction: 'ASC' | 'DESC'): string {
  return key.map((column) => `${quoteIdent(column, 'column')} ${direction}`).join(', ');
}

/**
 * Up to two rows `(which, ...key)`: `which = 1` is the key of the `batchSize`-th row after the
 * watermark, `which = 2` the last key after it. No row: nothing is left. Parameters: the watermark
 * values, then the OFFSET.
 */
export function boundarySql(relation: QualifiedName, key: readonly string[], after: readonly unknown[], batchSize: number): SqlQuery {
  const from = quoteQualified(relation);
  const columns = key.map((column) => quoteIdent(column, 'column')).join(', ');
  const where = afterCondition(key, after.length);
  const offset = `$${after.length + 1}`;
  return {
    text: `SELECT 1 AS which, * FROM (SELECT ${columns} FROM ${from} WHERE ${where} ORDER BY ${orderBy(key, 'ASC')} OFFSET ${offset} LIMIT 1) AS nth
UNION ALL
SELECT 2 AS which, * FROM (SELECT ${columns} FROM ${from} WHERE ${where} ORDER BY ${orderBy(key, 'DESC')} LIMIT 1) AS last`,
    values: [...after, batchSize - 1],
  };
}

/** The batch's rows, keys in `(after, through]`, in key order. Parameters: watermark values, then boundary values. */
export function declareCursorSql(
  relation: QualifiedName,
  columns: readonly string[],
  key: readonly string[],
  after: readonly unknown[],
  through: readonly unknown[],
): SqlQuery {
  const quotedKey = key.map((column) => quoteIdent(column, 'column'));
  const upper = `${tuple(quotedKey)} <= ${tuple(params(after.length + 1, through.length))}`;
  return {
    text: `DECLARE ${CURSOR_NAME} NO SCROLL CURSOR FOR SELECT ${columns.map((column) => quoteIdent(column, 'column')).join(', ')}
FROM ${quoteQualified(relation)} WHERE ${afterCondition(key, after.length)} AND ${upper} ORDER BY ${orderBy(key, 'ASC')}`,
    values: [...after, ...through],
  };
}

export function fetchSql(rows: number): string {
  return `FETCH FORWARD ${Math.trunc(rows)} FROM ${CURSOR_NAME}`;
}

/**
 * Checks that the watermark values are valid input for the key columns' types, without reading a
 * row: a value a type rejects fails at bind time.
 */
export function watermarkProbeSql(relation: QualifiedName, key: readonly string[], after: readonly unknown[]): SqlQuery {
  return {
    text: `SELECT 1 FROM ${quoteQualified(relation)} WHERE ${afterCondition(key, after.length)} LIMIT 0`,
    values: [...after],
  };
}

/**
 * For type OIDs not known statically: the base type (domains followed down), whether it is an
 * array, its element type and the element's array delimiter.
 */
export function typeInfoSql(oids: readonly number[]): SqlQuery {
  return {
    text: `WITH RECURSIVE chain(start, oid, depth) AS (
  SELECT t.oid, t.oid, 0 FROM pg_catalog.pg_type t WHERE t.oid = ANY($1::oid[])
  UNION ALL
  SELECT chain.start, t.typbasetype, chain.depth + 1
  FROM chain JOIN pg_catalog.pg_type t ON t.oid = chain.oid
  WHERE t.typtype = 'd' AND chain.depth < 32
)
SELECT chain.start::int8 AS start, t.oid::int8 AS base,
       (t.typcategory = 'A' AND t.typelem <> 0 AND t.oid NOT IN ('int2vector'::regtype, 'oidvector'::regtype)) AS is_array,
       t.typelem::int8 AS element, e.typdelim AS delimiter
FROM chain JOIN pg_catalog.pg_type t ON t.oid = chain.oid
LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem
WHERE t.typtype <> 'd'`,
    values: [oids],
  };
}
