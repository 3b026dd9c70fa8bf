/**
 * Every catalog query of the schema module, in one place. All of them are parameterised and read
 * only the system catalogs, so they need no privilege on the table and take no lock on it. They work
 * on PostgreSQL 14 and later: columns that only newer versions have (`indnullsnotdistinct`, 15) are
 * read through `to_jsonb(row)` so that older servers yield `null` instead of an error.
 */

/** A statement and its parameters, ready for `client.query`. */
export interface SqlQuery {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** Row returned by {@link describeTableByName} and {@link describeTableByOid}. */
export interface TableDescriptionRow {
  oid: string;
  relkind: string;
  relpersistence: string;
  schema: string;
  name: string;
  owner: string;
  comment: string | null;
  columns: Array<{
    name: string;
    attnum: number;
    typeOid: number;
    typmod: number;
    type: string;
    notNull: boolean;
    hasDefault: boolean;
    identity: string;
    generated: string;
    dependentViews: string[];
  }>;
  constraints: Array<{ name: string; type: 'p' | 'u'; indexName: string; columns: string[] }>;
  checks: Array<{ name: string; valid: boolean }>;
  indexes: Array<{
    oid: number;
    name: string;
    method: string;
    unique: boolean;
    valid: boolean;
    constraint: 'p' | 'u' | 'x' | null;
    predicate: string | null;
    nullsNotDistinct: boolean;
    keys: Array<{ column: string | null; expression: string | null; options: string[] }>;
    include: string[];
  }>;
}

/** Index keys (plain or expression) with their non-default options, for one `pg_index` row `i`. */
const INDEX_KEYS = `
  COALESCE((
    SELECT jsonb_agg(jsonb_build_object(
             'column', ka.attname,
             'expression', CASE WHEN k.attnum = 0 THEN pg_get_indexdef(i.indexrelid, k.ord::int, true) END,
             'options', to_jsonb(array_remove(ARRAY[
               CASE WHEN k.opt & 1 = 1 THEN 'DESC' END,
               CASE WHEN k.opt & 1 = 1 AND k.opt & 2 = 0 THEN 'NULLS LAST'
                    WHEN k.opt & 1 = 0 AND k.opt & 2 = 2 THEN 'NULLS FIRST' END,
               CASE WHEN NOT opc.opcdefault THEN 'opclass ' || quote_ident(opcn.nspname) || '.' || quote_ident(opc.opcname) END,
               CASE WHEN k.attnum <> 0 AND k.coll <> ka.attcollation
                    THEN 'collation ' || quote_ident(colln.nspname) || '.' || quote_ident(coll.collname) END
             ], NULL))
           ) ORDER BY k.ord)
      FROM unnest(i.indkey::int2[], i.indoption::int2[], i.indclass::oid[], i.indcollation::oid[])
             WITH ORDINALITY AS k(attnum, opt, opclass, coll, ord)
      LEFT JOIN pg_attribute ka ON ka.attrelid = i.indrelid AND ka.attnum = k.attnum AND k.attnum <> 0
      LEFT JOIN pg_opclass opc ON opc.oid = k.opclass
      LEFT JOIN pg_namespace opcn ON opcn.oid = opc.opcnamespace
      LEFT JOIN pg_collation coll ON coll.oid = k.coll
      LEFT JOIN pg_namespace colln ON colln.oid = coll.collnamespace
     WHERE k.ord <= i.indnkeyatts
  ), '[]')`;

const INDEX_INCLUDE = `
  COALESCE((
    SELECT jsonb_agg(ka.attname ORDER BY k.ord)
      FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute ka ON ka.attrelid = i.indrelid AND ka.attnum = k.attnum
     WHERE k.ord > i.indnkeyatts
  ), '[]')`;

/** Views and materialized views whose rewrite rules use column `a` of relation `rel`. */
const DEPENDENT_VIEWS = `
  COALESCE((
    SELECT jsonb_agg(DISTINCT quote_ident(vn.nspname) || '.' || quote_ident(v.relname))
      FROM pg_depend d
      JOIN pg_rewrite r ON r.oid = d.objid
      JOIN pg_class v ON v.oid = r.ev_class
      JOIN pg_namespace vn ON vn.oid = v.relnamespace
     WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
       AND d.refobjid = rel.oid AND d.refobjsubid = a.attnum AND v.oid <> rel.oid
  ), '[]')`;

/** The whole description in one statement, so that it is one consistent catalog snapshot. */
function describeTable(filter: string): string {
  return `
WITH rel AS (
  SELECT c.oid, c.relkind, c.relpersistence, n.nspname, c.relname,
         pg_get_userbyid(c.relowner) AS owner, obj_description(c.oid, 'pg_class') AS comment
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE ${filter}
)
SELECT rel.oid::text AS oid, rel.relkind::text AS relkind, rel.relpersistence::text AS relpersistence,
       rel.nspname AS schema, rel.relname AS name, rel.owner, rel.comment,
       COALESCE((
         SELECT jsonb_agg(jsonb_build_object(
                  'name', a.attname,
                  'attnum', a.attnum,
                  'typeOid', a.atttypid::int8,
                  'typmod', a.atttypmod,
                  'type', format_type(a.atttypid, a.atttypmod),
                  'notNull', a.attnotnull,
                  'hasDefault', a.atthasdef,
                  'identity', a.attidentity::text,
                  'generated', a.attgenerated::text,
                  'dependentViews', ${DEPENDENT_VIEWS}
                ) ORDER BY a.attnum)
           FROM pg_attribute a
          WHERE a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped
       ), '[]') AS columns,
       COALESCE((
         SELECT jsonb_agg(jsonb_build_object(
                  'name', con.conname,
                  'type', con.contype::text,
                  'indexName', ic.relname,
                  'columns', (SELECT jsonb_agg(ca.attname ORDER BY k.ord)
                                FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                                JOIN pg_attribute ca ON ca.attrelid = con.conrelid AND ca.attnum = k.attnum)
                ) ORDER BY con.conname)
           FROM pg_constraint con
           JOIN pg_class ic ON ic.oid = con.conindid
          WHERE con.conrelid = rel.oid AND con.contype IN ('p', 'u')
       ), '[]') AS constraints,
       COALESCE((
         SELECT jsonb_agg(jsonb_build_object('name', con.conname, 'valid', con.convalidated) ORDER BY con.conname)
           FROM pg_constraint con
          WHERE con.conrelid = rel.oid AND con.contype = 'c'
       ), '[]') AS checks,
       COALESCE((
         SELECT jsonb_agg(jsonb_build_object(
                  'oid', i.indexrelid::int8,
                  'name', ic.relname,
                  'method', am.amname,
                  'unique', i.indisunique,
                  'valid', i.indisvalid AND i.indisready AND i.indislive,
                  'constraint', con.contype::text,
                  'predicate', pg_get_expr(i.indpred, i.indrelid),
                  'nullsNotDistinct', COALESCE((to_jsonb(i) ->> 'indnullsnotdistinct')::boolean, false),
                  'keys', ${INDEX_KEYS},
                  'include', ${INDEX_INCLUDE}
                ) ORDER BY ic.relname)
           FROM pg_index i
           JOIN pg_class ic ON ic.oid = i.indexrelid
           JOIN pg_am am ON am.oid = ic.relam
           LEFT JOIN pg_constraint con
                  ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
          WHERE i.indrelid = rel.oid
       ), '[]') AS indexes
  FROM rel`;
}

const BY_NAME = describeTable('n.nspname = $1 AND c.relname = $2');
const BY_OID = describeTable('c.oid = $1::oid');

/** Description of the relation `schema.name` (exact names, no search_path): zero or one row. */
export function describeTableByName(schema: string, name: string): SqlQuery {
  return { text: BY_NAME, values: [schema, name] };
}

/** Description of the relation with this OID: zero or one row. */
export function describeTableByOid(oid: number): SqlQuery {
  return { text: BY_OID, values: [oid] };
}

/** `{ exists }`: whether a schema of that exact name exists. */
export function schemaExists(schema: string): SqlQuery {
  return { text: `SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1) AS exists`, values: [schema] };
}

/** Row of {@link lookUpTypes} and {@link lookUpType}. */
export interface TypeLookupRow {
  /** 1-based position in the input. */
  ord: string;
  /** `pg_type` OID, or `null` when the name parses but names no type. */
  oid: string | null;
  /** `pg_type.typtype`: `b` base, `c` composite, `d` domain, `e` enum, `p` pseudo, `r` range, `m` multirange. */
  typtype: string | null;
  /** `false` for a shell type (declared, not yet defined). */
  defined: boolean | null;
}

/**
 * Resolves type spellings with `to_regtype`, which parses its argument as exactly one type name: a
 * string holding anything else (a second column, a `;`, a clause) is a syntax error, and the whole
 * statement fails; {@link lookUpType} then finds the culprit.
 */
export function lookUpTypes(types: readonly string[]): SqlQuery {
  return {
    text: `SELECT k.ord::text AS ord, t.oid::text AS oid, t.typtype::text AS typtype, t.typisdefined AS defined
             FROM unnest($1::text[]) WITH ORDINALITY AS k(spelling, ord)
             LEFT JOIN pg_type t ON t.oid = to_regtype(k.spelling)
            ORDER BY k.ord`,
    values: [types],
  };
}

/** {@link lookUpTypes} for one spelling. */
export function lookUpType(type: string): SqlQuery {
  return {
    text: `SELECT 1::text AS ord, t.oid::text AS oid, t.typtype::text AS typtype, t.typisdefined AS defined
             FROM (SELECT to_regtype($1) AS oid) r
             LEFT JOIN pg_type t ON t.oid = r.oid`,
    values: [type],
  };
}

/** `{ name }` rows: which of `names` are taken by a relation (table, index, view, sequence …) in `schema`. */
export function takenRelationNames(schema: string, names: readonly string[]): SqlQuery {
  return {
    text: `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = ANY($2::text[])`,
    values: [schema, names],
  };
}

/** `{ pid }`: the backend process id of this session. */
export const backendPid: SqlQuery = { text: `SELECT pg_backend_pid() AS pid`, values: [] };

/** `{ oid }` of the session's own TEMP table `name` (the canonicaliser's probe). */
export function temporaryTableOid(name: string): SqlQuery {
  return {
    text: `SELECT c.oid::text AS oid FROM pg_class c WHERE c.relname = $1 AND c.relnamespace = pg_my_temp_schema()`,
    values: [name],
  };
}
