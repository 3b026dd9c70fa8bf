/**
 * Shared steps of the swap tests: build a replacement next to a live table and swap it in, the
 * way the ingest does (one transaction), and read back what readers and the catalog see.
 */
import type pg from 'pg';
import { executeSwap, type ExecuteSwapOptions, type SwapResult } from '../../../src/ingest/swap/index.js';
import { quoteIdent, quoteQualified, type QualifiedName } from '../../../src/sql/identifier.js';

export interface Rebuild {
  /** Column and constraint list of the replacement, e.g. `id int PRIMARY KEY, v text`. */
  readonly columns: string;
  /** A query filling it (may read the live table), e.g. `SELECT id, v FROM t`; default: none. */
  readonly fill?: string;
  /** Statements run on the replacement before the swap (`{}` is its qualified name). */
  readonly after?: readonly string[];
  /** Name of the replacement table; default `<target>_new`. */
  readonly name?: string;
}

/** Builds the replacement and swaps it in, in one transaction; returns the swap's result. */
export async function rebuildAndSwap(
  pool: pg.Pool,
  target: QualifiedName,
  rebuild: Rebuild,
  options: ExecuteSwapOptions & { tableComment?: 'target' | 'replacement' } = {},
): Promise<SwapResult> {
  const replacement = { schema: target.schema, name: rebuild.name ?? `${target.name}_new` };
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`CREATE TABLE ${quoteQualified(replacement)} (${rebuild.columns})`);
    if (rebuild.fill !== undefined) await client.query(`INSERT INTO ${quoteQualified(replacement)} ${rebuild.fill}`);
    for (const statement of rebuild.after ?? []) await client.query(statement.replaceAll('{}', quoteQualified(replacement)));
    const result = await executeSwap(
      client,
      { target, replacement, ...(options.tableComment === undefined ? {} : { tableComment: options.tableComment }) },
      options,
    );
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** `pg_views` and `pg_matviews` definitions of a schema, by name. */
export async function viewDefinitions(pool: pg.Pool, schema: string): Promise<Record<string, string>> {
  const { rows } = await pool.query<{ name: string; definition: string }>(
    `SELECT viewname AS name, definition FROM pg_views WHERE schemaname = $1
     UNION ALL SELECT matviewname, definition FROM pg_matviews WHERE schemaname = $1`,
    [schema],
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.definition]));
}

/** The OID of a relation, to tell a swapped table from a kept one. */
export async function relationOid(pool: pg.Pool, relation: QualifiedName): Promise<number | null> {
  const { rows } = await pool.query<{ oid: number }>(
    `SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
    [relation.schema, relation.name],
  );
  return rows[0]?.oid ?? null;
}

/** All rows of a relation as arrays, ordered by every column. */
export async function rowsOf(pool: pg.Pool, relation: QualifiedName): Promise<unknown[][]> {
  const { fields } = await pool.query(`SELECT * FROM ${quoteQualified(relation)} LIMIT 0`);
  const order = fields.map((_, i) => i + 1).join(', ');
  const { rows } = await pool.query({ text: `SELECT * FROM ${quoteQualified(relation)} ORDER BY ${order}`, rowMode: 'array' });
  return rows as unknown[][];
}

/** A fresh schema per test, quoted name and all. */
export async function freshSchema(pool: pg.Pool, name: string): Promise<string> {
  await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(name)} CASCADE`);
  await pool.query(`CREATE SCHEMA ${quoteIdent(name)}`);
  return name;
}

/** Owner, effective ACL (grantor, grantee, privilege, grant option) and column ACLs of a relation, sorted. */
export async function privilegesOf(pool: pg.Pool, relation: QualifiedName): Promise<{ owner: string; aclIsNull: boolean; acl: string[]; columns: string[] }> {
  const { rows } = await pool.query<{ owner: string; acl_is_null: boolean; acl: string[]; columns: string[] }>(
    `SELECT pg_get_userbyid(c.relowner) AS owner, c.relacl IS NULL AS acl_is_null,
            ARRAY(SELECT pg_get_userbyid(x.grantor) || ' > ' || CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee) END
                         || ' ' || x.privilege_type || CASE WHEN x.is_grantable THEN ' +grant' ELSE '' END
                    FROM aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) x ORDER BY 1) AS acl,
            ARRAY(SELECT a.attname || ': ' || pg_get_userbyid(x.grantor) || ' > ' || CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee) END
                         || ' ' || x.privilege_type || CASE WHEN x.is_grantable THEN ' +grant' ELSE '' END
                    FROM pg_attribute a, aclexplode(a.attacl) x WHERE a.attrelid = c.oid AND a.attnum > 0 ORDER BY 1) AS columns
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
    [relation.schema, relation.name],
  );
  const row = rows[0];
  if (row === undefined) throw new Error(`no relation ${relation.schema}.${relation.name}`);
  return { owner: row.owner, aclIsNull: row.acl_is_null, acl: row.acl, columns: row.columns };
}
