/**
 * Every SQL statement of the table swap: the catalog queries that capture what is bound to the
 * target (run with an empty search_path, so every definition comes back fully qualified), and the
 * DDL that re-creates it. Pure functions; identifiers go through `quoteIdent`, catalog values that
 * DDL cannot take as parameters (comments, option values) through `quoteLiteral` (src/sql/literal.ts).
 */
import { quoteIdent, quoteQualified, type QualifiedName } from '../../sql/identifier.js';
import { quoteLiteral } from '../../sql/literal.js';

// ---------------------------------------------------------------------------------------------
// Quoting
// ---------------------------------------------------------------------------------------------

/** A role in GRANT/REVOKE/ALTER … OWNER: `null` is PUBLIC. */
export function roleSpec(role: string | null): string {
  return role === null ? 'PUBLIC' : quoteIdent(role, 'role');
}

/** Splits a catalog option `name=value` (e.g. `check_option=cascaded`, `toast.fillfactor=80`). */
export function splitOption(option: string): { key: string; value: string } {
  const at = option.indexOf('=');
  return at < 0 ? { key: option, value: '' } : { key: option.slice(0, at), value: option.slice(at + 1) };
}

/** An option name as SQL, namespaced names (`toast.x`) as two identifiers. */
function optionKey(key: string): string {
  return key.split('.').map((part) => quoteIdent(part, 'option')).join('.');
}

/** `"fillfactor"='70', "security_barrier"='true'` for WITH (…) and SET (…). */
export function optionList(options: readonly string[]): string {
  return options
    .map((option) => {
      const { key, value } = splitOption(option);
      return `${optionKey(key)}=${quoteLiteral(value)}`;
    })
    .join(', ');
}

const PRIVILEGES = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'MAINTAIN', 'USAGE']);

/** A privilege keyword from `aclexplode`, checked against the known list before it reaches SQL. */
export function privilegeKeyword(privilege: string): string {
  if (!PRIVILEGES.has(privilege)) throw new Error(`unknown privilege ${JSON.stringify(privilege)}`);
  return privilege;
}

// ---------------------------------------------------------------------------------------------
// Capture: session and search_path
// ---------------------------------------------------------------------------------------------

/** The current role, whether it is a superuser, the server version and the search_path to restore. */
export const sessionQuery = `
SELECT current_user AS "user",
       coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), false) AS superuser,
       current_setting('server_version_num')::int AS version,
       current_setting('search_path') AS search_path`;

/** Sets the search_path for the rest of the transaction (`''`: every definition comes out qualified). */
export const setSearchPath = { text: `SELECT pg_catalog.set_config('search_path', $1, true)` };

export const savepoint = (name: string) => `SAVEPOINT ${quoteIdent(name, 'savepoint')}`;
export const rollbackToSavepoint = (name: string) => `ROLLBACK TO SAVEPOINT ${quoteIdent(name, 'savepoint')}`;
export const releaseSavepoint = (name: string) => `RELEASE SAVEPOINT ${quoteIdent(name, 'savepoint')}`;

// ---------------------------------------------------------------------------------------------
// Capture: relations
// ---------------------------------------------------------------------------------------------

/** One relation by schema and name (no quoting involved: names are compared as values). */
export const relationQuery = `
SELECT c.oid, c.reltype, n.nspname AS schema, c.relname AS name, c.relkind AS kind, c.relpersistence AS persistence,
       c.relispartition AS is_partition, c.reloftype <> 0 AS is_typed,
       EXISTS (SELECT FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid OR i.inhparent = c.oid) AS inherits,
       EXISTS (SELECT FROM pg_catalog.pg_depend d
                WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e') AS in_extension,
       pg_catalog.pg_get_userbyid(c.relowner) AS owner,
       coalesce(c.reloptions, '{}') AS options, coalesce(t.reloptions, '{}') AS toast_options, c.reltoastrelid <> 0 AS has_toast,
       c.relrowsecurity AS row_security, c.relforcerowsecurity AS force_row_security, c.relreplident AS replica_identity,
       pg_catalog.obj_description(c.oid, 'pg_class') AS comment
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_class t ON t.oid = c.reltoastrelid
 WHERE n.nspname = $1 AND c.relname = $2`;

/**
 * Every view and materialized view that depends, directly or through other views, on the table
 * ($1) or its row type ($2). UNION (not UNION ALL) makes cycles terminate.
 */
export const dependentViewsQuery = `
WITH RECURSIVE found(oid) AS (
  SELECT r.ev_class
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
    JOIN pg_catalog.pg_class v ON v.oid = r.ev_class AND v.relkind IN ('v', 'm')
   WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass
     AND ((d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = $1)
       OR (d.refclassid = 'pg_catalog.pg_type'::regclass AND d.refobjid = $2))
  UNION
  SELECT r.ev_class
    FROM found f
    JOIN pg_catalog.pg_class fc ON fc.oid = f.oid
    JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass
     AND ((d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = fc.oid)
       OR (d.refclassid = 'pg_catalog.pg_type'::regclass AND d.refobjid = fc.reltype))
    JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid AND r.ev_class <> fc.oid
    JOIN pg_catalog.pg_class v ON v.oid = r.ev_class AND v.relkind IN ('v', 'm')
)
SELECT c.oid, c.reltype, n.nspname AS schema, c.relname AS name, c.relkind AS kind,
       pg_catalog.pg_get_viewdef(c.oid) AS definition,
       pg_catalog.pg_get_userbyid(c.relowner) AS owner,
       coalesce(c.reloptions, '{}') AS options, c.relispopulated AS populated,
       CASE WHEN c.relkind = 'm' AND am.amname <> 'heap' THEN am.amname END AS access_method,
       ts.spcname AS tablespace,
       pg_catalog.obj_description(c.oid, 'pg_class') AS comment,
       EXISTS (SELECT FROM pg_catalog.pg_depend d
                WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e') AS in_extension,
       ARRAY(SELECT DISTINCT CASE WHEN x.grantee = 0 THEN '' ELSE pg_catalog.pg_get_userbyid(x.grantee)::text END
               FROM pg_catalog.pg_default_acl da, pg_catalog.aclexplode(da.defaclacl) x
              WHERE da.defaclrole = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
                AND da.defaclobjtype = 'r' AND da.defaclnamespace IN (0, c.relnamespace)) AS default_privilege_grantees,
       EXISTS (SELECT FROM pg_catalog.pg_default_acl da
                WHERE da.defaclrole = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
                  AND da.defaclobjtype = 'r' AND da.defaclnamespace IN (0, c.relnamespace)) AS default_privileges_apply
  FROM found
  JOIN pg_catalog.pg_class c ON c.oid = found.oid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
  LEFT JOIN pg_catalog.pg_tablespace ts ON ts.oid = c.reltablespace`;

/**
 * The relations ($1) and row types ($2) each view's `_RETURN` rule ($3: view oids) reads, and the
 * columns of the target ($4) it reads directly.
 */
export const viewEdgesQuery = `
SELECT r.ev_class AS view,
       coalesce(c.oid, tc.oid) AS uses,
       CASE WHEN coalesce(c.oid, tc.oid) = $4 AND d.refobjsubid > 0 THEN a.attname END AS target_column
  FROM pg_catalog.pg_rewrite r
  JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
  LEFT JOIN pg_catalog.pg_class c ON d.refclassid = 'pg_catalog.pg_class'::regclass AND c.oid = d.refobjid AND c.oid = ANY($1)
  LEFT JOIN pg_catalog.pg_type t ON d.refclassid = 'pg_catalog.pg_type'::regclass AND t.oid = d.refobjid AND t.oid = ANY($2)
  LEFT JOIN pg_catalog.pg_class tc ON tc.oid = t.typrelid
  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = $4 AND a.attnum = d.refobjsubid AND c.oid = $4
 WHERE r.ev_class = ANY($3) AND r.rulename = '_RETURN'
   AND coalesce(c.oid, tc.oid) IS NOT NULL AND coalesce(c.oid, tc.oid) <> r.ev_class`;

/** Effective ACL of each relation ($1): the owner's implicit privileges included when unset. */
export const aclQuery = `
SELECT c.oid, c.relacl IS NULL AS is_default,
       pg_catalog.pg_get_userbyid(x.grantor) AS grantor,
       CASE WHEN x.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(x.grantee) END AS grantee,
       x.privilege_type AS privilege, x.is_grantable AS grantable
  FROM pg_catalog.pg_class c
  LEFT JOIN LATERAL pg_catalog.aclexplode(coalesce(c.relacl,
         pg_catalog.acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) x ON true
 WHERE c.oid = ANY($1)
 ORDER BY c.oid, grantor, grantee NULLS FIRST, privilege`;

/** Columns of each relation ($1) with the settings a swap keeps. */
export const columnsQuery = `
SELECT a.attrelid AS relation, a.attnum, a.attname AS name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
            THEN pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END AS collation,
       nullif(coalesce(a.attstattarget::int, -1), -1) AS statistics_target,
       coalesce(a.attoptions, '{}') AS options,
       CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage::text END AS storage,
       nullif(a.attcompression::text, '') AS compression,
       pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS default_expression,
       pg_catalog.col_description(a.attrelid, a.attnum) AS comment
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
  LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
  LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
 WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum`;

/** Column-level privileges of each relation ($1). */
export const columnAclQuery = `
SELECT a.attrelid AS relation, a.attname AS column,
       pg_catalog.pg_get_userbyid(x.grantor) AS grantor,
       CASE WHEN x.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(x.grantee) END AS grantee,
       x.privilege_type AS privilege, x.is_grantable AS grantable
  FROM pg_catalog.pg_attribute a, pg_catalog.aclexplode(a.attacl) x
 WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
 ORDER BY a.attrelid, a.attnum, grantor, grantee NULLS FIRST, privilege`;

/**
 * Indexes of each relation ($1). `prefix` is what `pg_get_indexdef` prints before the name-free
 * part (`USING btree (id) …`), so the rest identifies the index whatever the table is called.
 */
export const indexesQuery = `
SELECT i.indrelid AS relation, ic.relname AS name, pg_catalog.pg_get_indexdef(i.indexrelid) AS definition,
       pg_catalog.format('CREATE %sINDEX %I ON %I.%I ', CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END,
                         ic.relname, n.nspname, c.relname) AS prefix,
       con.contype AS constraint_type, con.conname AS constraint_name,
       coalesce(con.condeferrable, false) AS deferrable, coalesce(con.condeferred, false) AS deferred,
       CASE WHEN con.contype = 'x' THEN pg_catalog.pg_get_constraintdef(con.oid) END AS exclusion,
       pg_catalog.obj_description(con.oid, 'pg_constraint') AS constraint_comment,
       pg_catalog.obj_description(ic.oid, 'pg_class') AS comment,
       i.indisclustered AS clustered, i.indisreplident AS replica_identity, ts.spcname AS tablespace
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_constraint con
         ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
  LEFT JOIN pg_catalog.pg_tablespace ts ON ts.oid = ic.reltablespace
 WHERE i.indrelid = ANY($1)
 ORDER BY i.indrelid, ic.relname`;

/** CHECK, foreign-key and (PostgreSQL 18) NOT NULL constraints of each table ($1). */
export const constraintsQuery = `
SELECT con.conrelid AS relation, con.conname AS name, con.contype AS type,
       pg_catalog.pg_get_constraintdef(con.oid) AS definition,
       CASE WHEN con.contype = 'n' THEN
         (SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = con.conrelid AND a.attnum = con.conkey[1])
       END AS not_null_column,
       pg_catalog.obj_description(con.oid, 'pg_constraint') AS comment
  FROM pg_catalog.pg_constraint con
 WHERE con.conrelid = ANY($1) AND con.contype IN ('c', 'f', 'n')
 ORDER BY con.conrelid, con.conname`;

/** Triggers (not internal ones) of each relation ($1). */
export const triggersQuery = `
SELECT t.tgrelid AS relation, t.tgname AS name, pg_catalog.pg_get_triggerdef(t.oid) AS definition,
       t.tgenabled AS enabled, pg_catalog.obj_description(t.oid, 'pg_trigger') AS comment
  FROM pg_catalog.pg_trigger t
 WHERE t.tgrelid = ANY($1) AND NOT t.tgisinternal
 ORDER BY t.tgrelid, t.tgname`;

/** Rules other than `_RETURN` of each relation ($1); `drop_first` when they read a view in $2. */
export const rulesQuery = `
SELECT r.ev_class AS relation, r.rulename AS name, pg_catalog.pg_get_ruledef(r.oid) AS definition,
       r.ev_enabled AS enabled, pg_catalog.obj_description(r.oid, 'pg_rewrite') AS comment,
       EXISTS (SELECT FROM pg_catalog.pg_depend d
                WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
                  AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = ANY($2)
                  AND d.refobjid <> r.ev_class) AS drop_first
  FROM pg_catalog.pg_rewrite r
 WHERE r.ev_class = ANY($1) AND r.rulename <> '_RETURN'
 ORDER BY r.ev_class, r.rulename`;

/** Row-level security policies of the table ($1); `drop_first` when they read a view in $2. */
export const policiesQuery = `
SELECT p.polname AS name, p.polpermissive AS permissive, p.polcmd AS command,
       ARRAY(SELECT CASE WHEN r = 0 THEN '' ELSE pg_catalog.pg_get_userbyid(r)::text END
               FROM unnest(p.polroles) WITH ORDINALITY AS u(r, o) ORDER BY o) AS roles,
       pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS using_expression,
       pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS check_expression,
       pg_catalog.obj_description(p.oid, 'pg_policy') AS comment,
       EXISTS (SELECT FROM pg_catalog.pg_depend d
                WHERE d.classid = 'pg_catalog.pg_policy'::regclass AND d.objid = p.oid
                  AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = ANY($2)) AS drop_first
  FROM pg_catalog.pg_policy p
 WHERE p.polrelid = $1
 ORDER BY p.polname`;

/** Extended statistics objects on each relation ($1). */
export const statisticsQuery = `
SELECT s.stxrelid AS relation, n.nspname AS schema, s.stxname AS name,
       pg_catalog.pg_get_statisticsobjdef(s.oid) AS definition,
       pg_catalog.pg_get_userbyid(s.stxowner) AS owner,
       nullif(coalesce(s.stxstattarget::int, -1), -1) AS statistics_target,
       pg_catalog.obj_description(s.oid, 'pg_statistic_ext') AS comment
  FROM pg_catalog.pg_statistic_ext s
  JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace
 WHERE s.stxrelid = ANY($1)
 ORDER BY s.stxrelid, s.stxname`;

/** Sequences owned by (serial) or internal to (identity) a column of each table ($1), with their state. */
export const ownedSequencesQuery = `
SELECT d.refobjid AS relation, a.attname AS column, s.oid, sn.nspname AS schema, s.relname AS name,
       coalesce(v.last_value, sq.seqstart)::text AS last_value, v.last_value IS NOT NULL AS is_called,
       pg_catalog.obj_description(s.oid, 'pg_class') AS comment
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
  JOIN pg_catalog.pg_sequence sq ON sq.seqrelid = s.oid
  JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace
  -- Without the privilege the function raises; the permission check reports the real problem.
  CROSS JOIN LATERAL (SELECT CASE WHEN pg_catalog.has_sequence_privilege(s.oid, 'SELECT')
                                  THEN pg_catalog.pg_sequence_last_value(s.oid) END AS last_value) v
  JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
 WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
   AND d.refobjid = ANY($1) AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
 ORDER BY d.refobjid, a.attnum`;

/** `FOR TABLE` publications of the table ($1); column lists and row filters exist from PostgreSQL 15. */
export function publicationsQuery(serverVersion: number): string {
  const columns =
    serverVersion >= 150000
      ? `CASE WHEN pr.prattrs IS NULL THEN NULL ELSE
           ARRAY(SELECT a.attname::text FROM unnest(pr.prattrs::int2[]) WITH ORDINALITY AS k(n, o)
                   JOIN pg_catalog.pg_attribute a ON a.attrelid = pr.prrelid AND a.attnum = k.n ORDER BY k.o) END`
      : 'NULL::text[]';
  const filter = serverVersion >= 150000 ? 'pg_catalog.pg_get_expr(pr.prqual, pr.prrelid)' : 'NULL::text';
  return `
SELECT p.pubname AS publication, pg_catalog.pg_get_userbyid(p.pubowner) AS owner,
       ${columns} AS columns, ${filter} AS row_filter
  FROM pg_catalog.pg_publication_rel pr
  JOIN pg_catalog.pg_publication p ON p.oid = pr.prpubid
 WHERE pr.prrelid = $1
 ORDER BY p.pubname`;
}

/**
 * The relation the dependent `d` (a pg_depend row) belongs to: the view of a rewrite rule, the
 * table of a trigger, policy, constraint, default, statistics object or publication membership,
 * the relation of a row type (or of the element of an array type), the table of an index, owned
 * sequence or TOAST table, or the relation itself.
 */
const BELONGS_TO = `CASE d.classid
         WHEN 'pg_catalog.pg_rewrite'::regclass THEN (SELECT ev_class FROM pg_catalog.pg_rewrite WHERE oid = d.objid)
         WHEN 'pg_catalog.pg_trigger'::regclass THEN (SELECT tgrelid FROM pg_catalog.pg_trigger WHERE oid = d.objid)
         WHEN 'pg_catalog.pg_policy'::regclass THEN (SELECT polrelid FROM pg_catalog.pg_policy WHERE oid = d.objid)
         WHEN 'pg_catalog.pg_constraint'::regclass THEN (SELECT conrelid FROM pg_catalog.pg_constraint WHERE oid = d.objid)
         WHEN 'pg_catalog.pg_attrdef'::regclass THEN (SELECT adrelid FROM pg_catalog.pg_attrdef WHERE oid = d.objid)
         WHEN 'pg_catalog.pg_statistic_ext'::regclass THEN (SELECT stxrelid FROM pg_catalog.pg_statistic_ext WHERE oid = d.objid)
         WHEN 'pg_catalog.pg_publication_rel'::regclass THEN (SELECT prrelid FROM pg_catalog.pg_publication_rel WHERE oid = d.objid)
         WHEN 'pg_catalog.pg_type'::regclass THEN
           (SELECT coalesce(nullif(t.typrelid, 0), e.typrelid) FROM pg_catalog.pg_type t
              LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem WHERE t.oid = d.objid)
         WHEN 'pg_catalog.pg_class'::regclass THEN
           (SELECT CASE WHEN c.relkind IN ('i', 'I') THEN (SELECT indrelid FROM pg_catalog.pg_index WHERE indexrelid = c.oid)
                        WHEN c.relkind IN ('S', 't') AND d.deptype IN ('a', 'i') THEN d.refobjid
                        ELSE c.oid END
              FROM pg_catalog.pg_class c WHERE c.oid = d.objid)
       END`;

/**
 * Everything that depends on the relations ($1) or row types ($2) the swap drops, with the
 * relation each dependent belongs to: whatever belongs to none of the dropped relations would be
 * dropped by CASCADE and block a RESTRICT drop.
 */
export const dependentsQuery = `
SELECT d.classid::regclass::text AS catalog, d.deptype,
       pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) AS description,
       ${BELONGS_TO} AS belongs_to,
       CASE WHEN d.classid = 'pg_catalog.pg_constraint'::regclass
            THEN (SELECT contype::text FROM pg_catalog.pg_constraint WHERE oid = d.objid) END AS constraint_type
  FROM pg_catalog.pg_depend d
 WHERE (d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = ANY($1))
    OR (d.refclassid = 'pg_catalog.pg_type'::regclass AND d.refobjid = ANY($2))`;

/** Objects of the table ($1) that use one of its columns, by column name. */
export const columnUsesQuery = `
SELECT d.classid::regclass::text AS catalog, a.attname AS column,
       pg_catalog.pg_describe_object(d.classid, d.objid, 0) AS description,
       ${BELONGS_TO} AS belongs_to,
       d.classid = 'pg_catalog.pg_trigger'::regclass
         AND (SELECT tgisinternal FROM pg_catalog.pg_trigger WHERE oid = d.objid) AS internal
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
 WHERE d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = $1 AND d.refobjsubid > 0`;

/** Relations ($1) that carry a security label. */
export const securityLabelsQuery = `
SELECT DISTINCT objoid AS relation FROM pg_catalog.pg_seclabel
 WHERE classoid = 'pg_catalog.pg_class'::regclass AND objoid = ANY($1)`;

/**
 * What the current role may do as or to each role ($1): act as its owner (`usage`), become it
 * (`can_set`: SET ROLE, needed by ALTER … OWNER TO and by grants made in its name), and in which
 * schemas ($2) it may create.
 */
export function roleChecksQuery(serverVersion: number): string {
  const canSet = serverVersion >= 160000 ? `pg_catalog.pg_has_role(r.oid, 'SET')` : `pg_catalog.pg_has_role(r.oid, 'MEMBER')`;
  return `
SELECT r.rolname AS role, pg_catalog.pg_has_role(r.oid, 'USAGE') AS usage, ${canSet} AS can_set,
       ARRAY(SELECT s FROM unnest($2::text[]) AS s
              WHERE EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = s)
                AND pg_catalog.has_schema_privilege(r.oid, s, 'CREATE')) AS create_in
  FROM pg_catalog.pg_roles r
 WHERE r.rolname = ANY($1)`;
}

// ---------------------------------------------------------------------------------------------
// DDL: drop, rename
// ---------------------------------------------------------------------------------------------

export type RelationKind = 'table' | 'view' | 'materialized-view' | 'sequence' | 'index';

const KEYWORD: Record<RelationKind, string> = {
  table: 'TABLE',
  view: 'VIEW',
  'materialized-view': 'MATERIALIZED VIEW',
  sequence: 'SEQUENCE',
  index: 'INDEX',
};

/** `DROP VIEW a, b` — RESTRICT: a dependent the plan does not know makes it fail instead of vanishing. */
export function dropRelations(kind: RelationKind, relations: readonly QualifiedName[]): string {
  return `DROP ${KEYWORD[kind]} ${relations.map(quoteQualified).join(', ')} RESTRICT`;
}

export function dropRule(relation: QualifiedName, rule: string): string {
  return `DROP RULE ${quoteIdent(rule, 'rule')} ON ${quoteQualified(relation)} RESTRICT`;
}

export function dropPolicy(table: QualifiedName, policy: string): string {
  return `DROP POLICY ${quoteIdent(policy, 'policy')} ON ${quoteQualified(table)}`;
}

export function renameRelation(kind: RelationKind, relation: QualifiedName, newName: string): string {
  return `ALTER ${KEYWORD[kind]} ${quoteQualified(relation)} RENAME TO ${quoteIdent(newName, kind)}`;
}

export function renameConstraint(table: QualifiedName, from: string, to: string): string {
  return `ALTER TABLE ${quoteQualified(table)} RENAME CONSTRAINT ${quoteIdent(from, 'constraint')} TO ${quoteIdent(to, 'constraint')}`;
}

// ---------------------------------------------------------------------------------------------
// DDL: owners, options, columns, table settings
// ---------------------------------------------------------------------------------------------

export function alterOwner(kind: RelationKind, relation: QualifiedName, owner: string): string {
  return `ALTER ${KEYWORD[kind]} ${quoteQualified(relation)} OWNER TO ${roleSpec(owner)}`;
}

export function setOptions(kind: RelationKind, relation: QualifiedName, options: readonly string[]): string {
  return `ALTER ${KEYWORD[kind]} ${quoteQualified(relation)} SET (${optionList(options)})`;
}

export function resetOptions(kind: RelationKind, relation: QualifiedName, keys: readonly string[]): string {
  return `ALTER ${KEYWORD[kind]} ${quoteQualified(relation)} RESET (${keys.map(optionKey).join(', ')})`;
}

function alterColumn(kind: RelationKind, relation: QualifiedName, column: string, action: string): string {
  return `ALTER ${KEYWORD[kind]} ${quoteQualified(relation)} ALTER COLUMN ${quoteIdent(column, 'column')} ${action}`;
}

/** `SET STATISTICS n`; `null` restores the default (-1 is accepted by every supported version). */
export function setColumnStatistics(kind: RelationKind, relation: QualifiedName, column: string, target: number | null): string {
  const value = target ?? -1;
  if (!Number.isInteger(value)) throw new Error(`statistics target must be an integer, got ${value}`);
  return alterColumn(kind, relation, column, `SET STATISTICS ${value}`);
}

export function setColumnOptions(kind: RelationKind, relation: QualifiedName, column: string, options: readonly string[]): string {
  return alterColumn(kind, relation, column, `SET (${optionList(options)})`);
}

export function resetColumnOptions(kind: RelationKind, relation: QualifiedName, column: string, keys: readonly string[]): string {
  return alterColumn(kind, relation, column, `RESET (${keys.map(optionKey).join(', ')})`);
}

const STORAGE: Record<string, string> = { p: 'PLAIN', e: 'EXTERNAL', m: 'MAIN', x: 'EXTENDED' };
const COMPRESSION: Record<string, string> = { p: 'pglz', l: 'lz4' };

export function setColumnStorage(table: QualifiedName, column: string, storage: string): string {
  const word = STORAGE[storage];
  if (word === undefined) throw new Error(`unknown storage ${JSON.stringify(storage)}`);
  return alterColumn('table', table, column, `SET STORAGE ${word}`);
}

export function setColumnCompression(table: QualifiedName, column: string, compression: string): string {
  const method = COMPRESSION[compression];
  if (method === undefined) throw new Error(`unknown compression ${JSON.stringify(compression)}`);
  return alterColumn('table', table, column, `SET COMPRESSION ${method}`);
}

/** Column defaults exist on views (for INSERT through them). */
export function setColumnDefault(kind: RelationKind, relation: QualifiedName, column: string, expression: string): string {
  return alterColumn(kind, relation, column, `SET DEFAULT ${expression}`);
}

export function replicaIdentity(table: QualifiedName, mode: string, index: string | null): string {
  const clause =
    mode === 'n' ? 'NOTHING' : mode === 'f' ? 'FULL' : mode === 'i' && index !== null ? `USING INDEX ${quoteIdent(index, 'index')}` : 'DEFAULT';
  return `ALTER TABLE ${quoteQualified(table)} REPLICA IDENTITY ${clause}`;
}

export function clusterOn(relation: QualifiedName, kind: RelationKind, index: string): string {
  return `ALTER ${KEYWORD[kind]} ${quoteQualified(relation)} CLUSTER ON ${quoteIdent(index, 'index')}`;
}

export function rowSecurity(table: QualifiedName, action: 'ENABLE' | 'FORCE'): string {
  return `ALTER TABLE ${quoteQualified(table)} ${action} ROW LEVEL SECURITY`;
}

/** Trigger or rule firing state: `O` is the default after CREATE and needs no statement. */
export function firingState(relation: QualifiedName, what: 'TRIGGER' | 'RULE', name: string, enabled: string): string | null {
  const action = enabled === 'D' ? 'DISABLE' : enabled === 'R' ? 'ENABLE REPLICA' : enabled === 'A' ? 'ENABLE ALWAYS' : null;
  if (action === null) return null;
  return `ALTER TABLE ${quoteQualified(relation)} ${action} ${what} ${quoteIdent(name, what.toLowerCase())}`;
}

export function setIndexTablespace(schema: string, index: string, tablespace: string): string {
  return `ALTER INDEX ${quoteQualified({ schema, name: index })} SET TABLESPACE ${quoteIdent(tablespace, 'tablespace')}`;
}

/** Continues an owned sequence where the old one stood. */
export function setSequenceValue(sequence: QualifiedName, lastValue: string, isCalled: boolean): string {
  if (!/^-?\d+$/.test(lastValue)) throw new Error(`sequence value must be an integer, got ${JSON.stringify(lastValue)}`);
  return `SELECT pg_catalog.setval(${quoteLiteral(quoteQualified(sequence))}::regclass, ${lastValue}, ${isCalled})`;
}

export function setStatisticsObjectOwner(statistics: QualifiedName, owner: string): string {
  return `ALTER STATISTICS ${quoteQualified(statistics)} OWNER TO ${roleSpec(owner)}`;
}

export function setStatisticsObjectTarget(statistics: QualifiedName, target: number): string {
  if (!Number.isInteger(target)) throw new Error(`statistics target must be an integer, got ${target}`);
  return `ALTER STATISTICS ${quoteQualified(statistics)} SET STATISTICS ${target}`;
}

export function addToPublication(publication: string, table: QualifiedName, columns: readonly string[] | null, rowFilter: string | null): string {
  const list = columns === null ? '' : ` (${columns.map((c) => quoteIdent(c, 'column')).join(', ')})`;
  const where = rowFilter === null ? '' : ` WHERE (${rowFilter})`;
  return `ALTER PUBLICATION ${quoteIdent(publication, 'publication')} ADD TABLE ONLY ${quoteQualified(table)}${list}${where}`;
}

// ---------------------------------------------------------------------------------------------
// DDL: privileges
// ---------------------------------------------------------------------------------------------

/** `GRANT`/`REVOKE` object keyword: views and materialized views are granted as TABLE. */
export function aclObject(kind: RelationKind, relation: QualifiedName): string {
  return `${kind === 'sequence' ? 'SEQUENCE' : 'TABLE'} ${quoteQualified(relation)}`;
}

export function revokeAll(object: string, roles: readonly (string | null)[], columns?: readonly string[]): string {
  const what = columns === undefined ? 'ALL' : `ALL (${columns.map((c) => quoteIdent(c, 'column')).join(', ')})`;
  return `REVOKE ${what} ON ${object} FROM ${roles.map(roleSpec).join(', ')} CASCADE`;
}

/** `GRANT SELECT, UPDATE ("a") ON TABLE … TO …`; each privilege optionally restricted to columns. */
export function grant(
  object: string,
  privileges: readonly { privilege: string; columns?: readonly string[] }[],
  grantee: string | null,
  grantable: boolean,
): string {
  const list = privileges
    .map(({ privilege, columns }) =>
      columns === undefined ? privilegeKeyword(privilege) : `${privilegeKeyword(privilege)} (${columns.map((c) => quoteIdent(c, 'column')).join(', ')})`,
    )
    .join(', ');
  return `GRANT ${list} ON ${object} TO ${roleSpec(grantee)}${grantable ? ' WITH GRANT OPTION' : ''}`;
}

/** Grants recorded with another grantor than the owner are made as that grantor. */
export function setLocalRole(role: string): string {
  return `SET LOCAL ROLE ${quoteIdent(role, 'role')}`;
}

// ---------------------------------------------------------------------------------------------
// DDL: comments
// ---------------------------------------------------------------------------------------------

export type CommentTarget =
  | { kind: RelationKind; relation: QualifiedName }
  | { kind: 'column'; relation: QualifiedName; column: string }
  | { kind: 'constraint' | 'trigger' | 'rule' | 'policy'; relation: QualifiedName; name: string }
  | { kind: 'statistics'; statistics: QualifiedName };

export function commentOn(target: CommentTarget, comment: string | null): string {
  const text = comment === null ? 'NULL' : quoteLiteral(comment);
  switch (target.kind) {
    case 'column':
      return `COMMENT ON COLUMN ${quoteQualified(target.relation)}.${quoteIdent(target.column, 'column')} IS ${text}`;
    case 'constraint':
    case 'trigger':
    case 'rule':
    case 'policy':
      return `COMMENT ON ${target.kind.toUpperCase()} ${quoteIdent(target.name, target.kind)} ON ${quoteQualified(target.relation)} IS ${text}`;
    case 'statistics':
      return `COMMENT ON STATISTICS ${quoteQualified(target.statistics)} IS ${text}`;
    default:
      return `COMMENT ON ${KEYWORD[target.kind]} ${quoteQualified(target.relation)} IS ${text}`;
  }
}

// ---------------------------------------------------------------------------------------------
// DDL: views, materialized views, policies
// ---------------------------------------------------------------------------------------------

function withOptions(options: readonly string[]): string {
  return options.length === 0 ? '' : ` WITH (${optionList(options)})`;
}

/** `CREATE [OR REPLACE] VIEW … WITH (…) AS <pg_get_viewdef>`. */
export function createView(view: QualifiedName, options: readonly string[], definition: string, orReplace = false): string {
  return `CREATE ${orReplace ? 'OR REPLACE ' : ''}VIEW ${quoteQualified(view)}${withOptions(options)} AS ${definition.trimStart()}`;
}

/**
 * A stand-in with the view's column names and types that returns no rows, so views that depend on
 * each other in a cycle can be created one after the other and then replaced by their definitions.
 */
export function createPlaceholderView(
  view: QualifiedName,
  columns: readonly { name: string; type: string; collation: string | null }[],
): string {
  const list = columns.map((c) => `NULL::${c.type}${c.collation === null ? '' : ` COLLATE ${c.collation}`} AS ${quoteIdent(c.name, 'column')}`);
  return `CREATE VIEW ${quoteQualified(view)} AS SELECT ${list.join(', ')} WHERE false`;
}

/** Created empty: it is populated by REFRESH once its owner and everything it reads are in place. */
export function createMaterializedView(
  view: QualifiedName,
  accessMethod: string | null,
  options: readonly string[],
  tablespace: string | null,
  definition: string,
): string {
  const using = accessMethod === null ? '' : ` USING ${quoteIdent(accessMethod, 'access method')}`;
  const space = tablespace === null ? '' : ` TABLESPACE ${quoteIdent(tablespace, 'tablespace')}`;
  return `CREATE MATERIALIZED VIEW ${quoteQualified(view)}${using}${withOptions(options)}${space} AS ${definition.trimStart()} WITH NO DATA`;
}

export function refreshMaterializedView(view: QualifiedName, withData = true): string {
  return `REFRESH MATERIALIZED VIEW ${quoteQualified(view)}${withData ? '' : ' WITH NO DATA'}`;
}

const POLICY_COMMANDS: Record<string, string> = { '*': 'ALL', r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE' };

/** `CREATE POLICY` from its catalog parts (roles: `null` is PUBLIC). */
export function createPolicy(
  table: QualifiedName,
  policy: {
    name: string;
    permissive: boolean;
    command: string;
    roles: readonly (string | null)[];
    usingExpression: string | null;
    checkExpression: string | null;
  },
): string {
  const command = POLICY_COMMANDS[policy.command];
  if (command === undefined) throw new Error(`unknown policy command ${JSON.stringify(policy.command)}`);
  const roles = policy.roles.length === 0 ? 'PUBLIC' : policy.roles.map(roleSpec).join(', ');
  const using = policy.usingExpression === null ? '' : ` USING (${policy.usingExpression})`;
  const check = policy.checkExpression === null ? '' : ` WITH CHECK (${policy.checkExpression})`;
  return (
    `CREATE POLICY ${quoteIdent(policy.name, 'policy')} ON ${quoteQualified(table)}` +
    ` AS ${policy.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'} FOR ${command} TO ${roles}${using}${check}`
  );
}

/** Catalog definitions (`pg_get_viewdef`, `pg_get_ruledef`) end with a semicolon that a statement must not carry twice. */
export function withoutTrailingSemicolon(definition: string): string {
  return definition.replace(/;\s*$/, '');
}
