/**
 * Every SQL statement of the COPY layer, as pure functions of quoted identifiers. Values are
 * parameters; names go through quoteIdent / quoteQualified.
 */
import { quoteIdent, quoteQualified, type QualifiedName } from '../../sql/identifier.js';

export type CopyFormat = 'binary' | 'text';

/** `COPY "schema"."table" ("a", "b") FROM STDIN (FORMAT binary)`. */
export function copyFromStdin(target: QualifiedName, columns: readonly string[], format: CopyFormat): string {
  // An empty column list is not valid SQL; without a list COPY takes every column (a zero-column table).
  const list = columns.length === 0 ? '' : ` (${columns.map((name) => quoteIdent(name, 'column')).join(', ')})`;
  return `COPY ${quoteQualified(target)}${list} FROM STDIN (FORMAT ${format})`;
}

/**
 * The columns COPY can write, in table order: not dropped, not generated. One row per column; a
 * table without such columns gives one row with a null name; no row means no such table. Views are
 * left out (COPY cannot load them).
 */
export function liveColumnsQuery(target: QualifiedName): { text: string; values: unknown[] } {
  return {
    text: `SELECT a.attname AS name, a.atttypid AS "typeOid", a.atttypmod AS typmod, a.attnotnull AS "notNull"
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_attribute a
    ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
 WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'f')
 ORDER BY a.attnum`,
    values: [target.schema, target.name],
  };
}

/**
 * Everything the codecs need, in one round trip: the `pg_type` rows of the column types and,
 * recursively, of their array elements and domain bases (with enum labels and the receive
 * function, which names the binary format), the columns' types as PostgreSQL spells them, and the
 * server version.
 */
export function typeFactsQuery(typeOids: readonly number[], typmods: readonly number[]): { text: string; values: unknown[] } {
  return {
    text: `WITH RECURSIVE wanted(oid) AS (
  SELECT DISTINCT unnest($1::pg_catalog.oid[])
  UNION
  SELECT next.oid
    FROM wanted
    JOIN pg_catalog.pg_type t ON t.oid = wanted.oid
   CROSS JOIN LATERAL (VALUES (t.typelem), (t.typbasetype)) AS next(oid)
   WHERE next.oid <> 0
)
SELECT
  (SELECT coalesce(json_agg(json_build_object(
            'oid', t.oid::int8,
            'name', t.typname,
            'schema', n.nspname,
            'kind', t.typtype,
            'element', t.typelem::int8,
            'base', t.typbasetype::int8,
            'typmod', t.typtypmod,
            'delimiter', t.typdelim,
            'receive', p.proname,
            'receiveBuiltin', p.pronamespace = 'pg_catalog'::pg_catalog.regnamespace,
            'labels', CASE WHEN t.typtype = 'e' THEN
              (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid)
            END)), '[]')
     FROM wanted
     JOIN pg_catalog.pg_type t ON t.oid = wanted.oid
     JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
     LEFT JOIN pg_catalog.pg_proc p ON p.oid = t.typreceive) AS types,
  (SELECT json_agg(pg_catalog.format_type(c.oid, c.typmod) ORDER BY c.ord)
     FROM unnest($1::pg_catalog.oid[], $2::int4[]) WITH ORDINALITY AS c(oid, typmod, ord)) AS "columnTypes",
  pg_catalog.current_setting('server_version_num')::int4 AS "serverVersion"`,
    values: [typeOids, typmods],
  };
}
