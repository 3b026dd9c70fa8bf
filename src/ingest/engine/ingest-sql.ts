/**
 * Every SQL statement of the ingest engine, as pure functions returning text or `{ text, values }`.
 * Identifiers go through `quoteIdent`; values are parameters, except the table comment, which
 * `COMMENT ON` cannot take as one and which is quoted by `quoteLiteral`.
 */
import type { SqlQuery } from '../../db/queryable.js';
import type { TableLockMode } from '../../locks/sql.js';
import { quoteIdent, quoteQualified, type QualifiedName } from '../../sql/identifier.js';
import { quoteLiteral } from '../../sql/literal.js';
import { commentOn } from '../swap/swap-sql.js';

/** `{ pid }` of this session. */
export const backendPidQuery: SqlQuery = { text: 'SELECT pg_catalog.pg_backend_pid() AS pid', values: [] };

/** One row of {@link relationStateQuery}: a relation that may or may not exist. */
export interface RelationFacts {
  /** Position in the list asked for, from 1. */
  readonly ord: number;
  /** `null` when there is no ordinary table of that name. */
  readonly oid: number | null;
  readonly comment: string | null;
  /** A digest of the columns (names, types, NOT NULL): equal digests, same columns. */
  readonly signature: string | null;
}

/** The digest of {@link RelationFacts.signature}, for a table `c`. */
const COLUMNS_SIGNATURE = `(SELECT pg_catalog.md5(string_agg(a.attname || ':' || a.atttypid || ':' || a.atttypmod || ':' || a.attnotnull || ':' || a.attgenerated::text, ',' ORDER BY a.attnum))
          FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)`;

/**
 * For each relation of the list (tables and fresh tables alike): whether it exists as an ordinary
 * table, its comment and a digest of its columns; plus the session's `lock_timeout` (the same on
 * every row). One round trip, catalogs only, no lock.
 */
export function relationStateQuery(relations: readonly QualifiedName[]): SqlQuery {
  return {
    text: `SELECT r.ord::int4 AS ord, c.oid::int8 AS oid, pg_catalog.obj_description(c.oid, 'pg_class') AS comment,
       ${COLUMNS_SIGNATURE} AS signature,
       pg_catalog.current_setting('lock_timeout') AS "lockTimeout"
  FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(schema, name, ord)
  LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = r.schema
  LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = r.name AND c.relkind = 'r'
 ORDER BY r.ord`,
    values: [relations.map((relation) => relation.schema), relations.map((relation) => relation.name)],
  };
}

/** `{ comment }` of one table (`null` when it has none or does not exist). */
export function tableCommentQuery(table: QualifiedName): SqlQuery {
  return { text: `SELECT pg_catalog.obj_description(pg_catalog.to_regclass($1), 'pg_class') AS comment`, values: [quoteQualified(table)] };
}

/** A column as {@link relationColumnsQuery} describes it. */
export interface ColumnFact {
  readonly name: string;
  readonly typeOid: number;
  readonly typmod: number;
  readonly notNull: boolean;
  /**
   * Whether `IS DISTINCT FROM` works on the type (it, or for arrays and domains the type they are
   * made of, has a default btree operator class). `json`, `point`, `xml` … do not: their values
   * are compared as text.
   */
  readonly comparable: boolean;
}

/**
 * The columns (not dropped, not generated, in table order) of each table of the list, with what
 * the upsert needs to know of their types; row `{ ord, oid, signature, columns }` per table (`oid`
 * null when missing). Catalogs only, no lock.
 */
export function relationColumnsQuery(relations: readonly QualifiedName[]): SqlQuery {
  return {
    text: `SELECT r.ord::int4 AS ord, c.oid::int8 AS oid, ${COLUMNS_SIGNATURE} AS signature,
       COALESCE((
         SELECT json_agg(json_build_object(
                  'name', a.attname, 'typeOid', a.atttypid::int8, 'typmod', a.atttypmod, 'notNull', a.attnotnull,
                  'comparable', (
                    WITH RECURSIVE made_of(oid, depth) AS (
                      SELECT a.atttypid, 0
                      UNION ALL
                      SELECT CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.typelem END, m.depth + 1
                        FROM made_of m JOIN pg_catalog.pg_type t ON t.oid = m.oid
                       WHERE (t.typtype = 'd' OR t.typcategory = 'A') AND m.depth < 16
                    )
                    SELECT CASE
                             WHEN b.typtype IN ('e', 'r', 'm') THEN true
                             WHEN b.typtype = 'c' THEN false
                             ELSE EXISTS (SELECT FROM pg_catalog.pg_opclass o JOIN pg_catalog.pg_am am ON am.oid = o.opcmethod
                                           WHERE am.amname = 'btree' AND o.opcdefault AND o.opcintype = b.oid)
                           END
                      FROM made_of m JOIN pg_catalog.pg_type b ON b.oid = m.oid
                     ORDER BY m.depth DESC LIMIT 1))
                ORDER BY a.attnum)
           FROM pg_catalog.pg_attribute a
          WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
       ), '[]') AS columns
  FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(schema, name, ord)
  LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = r.schema
  LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = r.name AND c.relkind = 'r'
 ORDER BY r.ord`,
    values: [relations.map((relation) => relation.schema), relations.map((relation) => relation.name)],
  };
}

/**
 * Takes the locks of a batch in one round trip (a simple-protocol script): under a savepoint,
 * `lock_timeout` set for the LOCK statements only, then put back to `previous` (the session's
 * value as the server printed it). On a lock timeout the script stops at the LOCK; rolling back to
 * the savepoint then undoes the setting too.
 */
export function lockScript(savepoint: string, statements: readonly string[], lockTimeoutMs: number, previous: string): string {
  return [
    `SAVEPOINT ${quoteIdent(savepoint, 'savepoint')}`,
    `SET LOCAL lock_timeout = ${Math.max(0, Math.ceil(lockTimeoutMs))}`,
    ...statements,
    `SET LOCAL lock_timeout = ${quoteLiteral(previous)}`,
    `RELEASE SAVEPOINT ${quoteIdent(savepoint, 'savepoint')}`,
  ].join(';\n');
}

/** `ROLLBACK TO SAVEPOINT` and `RELEASE SAVEPOINT` of a failed {@link lockScript}. */
export function undoLockScript(savepoint: string): string {
  return `ROLLBACK TO SAVEPOINT ${quoteIdent(savepoint, 'savepoint')};\nRELEASE SAVEPOINT ${quoteIdent(savepoint, 'savepoint')}`;
}

/** `DROP TABLE IF EXISTS` (a leftover fresh table: nothing may depend on it, so no CASCADE). */
export function dropTable(table: QualifiedName): string {
  return `DROP TABLE IF EXISTS ${quoteQualified(table)}`;
}

/** `LOCK TABLE a, b IN <mode> MODE` (taken before any row is read, under `lock_timeout`). */
export function lockTables(tables: readonly QualifiedName[], mode: TableLockMode): string {
  return `LOCK TABLE ${tables.map((table) => quoteQualified(table)).join(', ')} IN ${mode} MODE`;
}

/**
 * The staging table of an upsert: the ingest table's columns (with their NOT NULL, so COPY itself
 * refuses a missing key and names the line) plus an ordinal filled in arrival order, so the last
 * of several rows with one key wins. TEMP: no WAL, invisible to other sessions. Kept for the
 * session and emptied at every commit: creating and dropping it costs more than a small batch
 * (its files, its sequence), so its name says which columns it has.
 */
export function createStage(stage: string, like: QualifiedName, ordinal: string): string {
  return `CREATE TEMP TABLE IF NOT EXISTS ${quoteIdent(stage, 'table')} (LIKE ${quoteQualified(like)}, ${quoteIdent(ordinal, 'column')} bigint GENERATED ALWAYS AS IDENTITY) ON COMMIT DELETE ROWS`;
}

/** How staged rows reach the ingest table. */
export type StageApply = 'merge' | 'on-conflict' | 'insert';

/** What {@link applyStage} needs to know about the table. */
export interface StageTarget {
  readonly table: QualifiedName;
  /** The staging table (in `pg_temp`). */
  readonly stage: string;
  readonly ordinal: string;
  /** Every loaded column, in COPY order. */
  readonly columns: readonly ColumnFact[];
  /** Primary-key columns, in key order. */
  readonly key: readonly string[];
}

/**
 * Moves the staged rows into the table, the last row of each key winning:
 * - `merge` (PostgreSQL 15+): `MERGE … WHEN MATCHED AND <row differs> THEN UPDATE … WHEN NOT
 *   MATCHED THEN INSERT` — unchanged rows are not written at all;
 * - `on-conflict` (before 15): `INSERT … ON CONFLICT (key) DO UPDATE … WHERE <row differs>`;
 * - `insert`: into a table known to be empty (created in this transaction without old rows).
 */
export function applyStage(target: StageTarget, how: StageApply): string {
  const table = quoteQualified(target.table);
  const names = target.columns.map((column) => quoteIdent(column.name, 'column'));
  const key = target.key.map((column) => quoteIdent(column, 'column'));
  const source = `SELECT DISTINCT ON (${key.join(', ')}) ${names.join(', ')} FROM pg_temp.${quoteIdent(target.stage, 'table')} ORDER BY ${key.join(', ')}, ${quoteIdent(target.ordinal, 'column')} DESC`;
  const keySet = new Set(target.key);
  const others = target.columns.filter((column) => !keySet.has(column.name));
  if (how === 'insert') return `INSERT INTO ${table} (${names.join(', ')})\n${source}`;
  if (how === 'merge') {
    const on = key.map((column) => `t.${column} = s.${column}`).join(' AND ');
    const matched =
      others.length === 0
        ? ''
        : `\nWHEN MATCHED AND (${differs(others, 't', 's')}) THEN UPDATE SET ${others.map((column) => `${quoteIdent(column.name, 'column')} = s.${quoteIdent(column.name, 'column')}`).join(', ')}`;
    return `MERGE INTO ${table} AS t\nUSING (${source}) AS s\nON ${on}${matched}\nWHEN NOT MATCHED THEN INSERT (${names.join(', ')}) VALUES (${names.map((name) => `s.${name}`).join(', ')})`;
  }
  const action =
    others.length === 0
      ? 'DO NOTHING'
      : `DO UPDATE SET ${others.map((column) => `${quoteIdent(column.name, 'column')} = EXCLUDED.${quoteIdent(column.name, 'column')}`).join(', ')}\nWHERE ${differs(others, 't', 'EXCLUDED')}`;
  return `INSERT INTO ${table} AS t (${names.join(', ')})\n${source}\nON CONFLICT (${key.join(', ')}) ${action}`;
}

/** `a IS DISTINCT FROM b OR …`, through `::text` for types without equality. */
function differs(columns: readonly ColumnFact[], left: string, right: string): string {
  return columns
    .map((column) => {
      const name = quoteIdent(column.name, 'column');
      return column.comparable ? `${left}.${name} IS DISTINCT FROM ${right}.${name}` : `${left}.${name}::text IS DISTINCT FROM ${right}.${name}::text`;
    })
    .join(' OR ');
}

/** `ANALYZE table`: a fresh table gets planner statistics before readers see it. */
export function analyze(table: QualifiedName): string {
  return `ANALYZE ${quoteQualified(table)}`;
}

/** `COMMENT ON TABLE table IS '…'`. */
export function commentOnTable(table: QualifiedName, text: string): string {
  return commentOn({ kind: 'table', relation: table }, text);
}

/** `ALTER TABLE from RENAME TO name` (a fresh table becoming a table that did not exist). */
export function renameTable(from: QualifiedName, name: string): string {
  return `ALTER TABLE ${quoteQualified(from)} RENAME TO ${quoteIdent(name, 'table')}`;
}

/**
 * Which of `names` are taken in the schema now, as relation names (indexes, constraints' indexes,
 * tables …) or as constraint names of `table`; row `{ name }` per taken name.
 */
export function takenNamesQuery(table: QualifiedName, names: readonly string[]): SqlQuery {
  return {
    text: `SELECT x.name
  FROM unnest($3::text[]) AS x(name)
 WHERE EXISTS (SELECT FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = $1 AND c.relname = x.name)
    OR EXISTS (SELECT FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = $1 AND c.relname = $2 AND k.conname = x.name)`,
    values: [table.schema, table.name, names],
  };
}
