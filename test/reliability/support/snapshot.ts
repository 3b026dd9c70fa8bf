/**
 * Everything a test database holds outside the system schemas, in one comparable value: schemas,
 * relations (kind, columns with their types and nullability, constraints, comment) and the rows of
 * every table. "Nothing was written" is then `expect(await snapshot()).toEqual(before)`, whatever
 * the failure could have touched (data, schema, watermark, a leftover fresh table, a new schema).
 */
import type pg from 'pg';

export interface RelationSnapshot {
  readonly kind: string;
  readonly columns: readonly string[];
  readonly constraints: readonly string[];
  readonly comment: string | null;
  /** Rows of a table (as `row::text`, sorted); absent for views, indexes and sequences. */
  readonly rows?: readonly string[];
}

export interface DatabaseSnapshot {
  readonly schemas: readonly string[];
  /** By `"schema"."name"`. */
  readonly relations: Readonly<Record<string, RelationSnapshot>>;
}

/** Schemas the server owns (and TEMP schemas of sessions, which come and go). */
const SYSTEM_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;

export async function snapshotDatabase(db: pg.Pool | pg.ClientBase): Promise<DatabaseSnapshot> {
  const { rows: schemas } = await db.query<{ name: string }>(`SELECT n.nspname AS name FROM pg_namespace n WHERE ${SYSTEM_SCHEMA} ORDER BY 1`);
  const { rows: relations } = await db.query<{ key: string; kind: string; comment: string | null; columns: string[] | null; constraints: string[] | null; oid: number }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS key, c.relkind::text AS kind, obj_description(c.oid, 'pg_class') AS comment, c.oid::int8 AS oid,
            (SELECT array_agg(format('%I %s%s', a.attname, format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END) ORDER BY a.attnum)
               FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
            (SELECT array_agg(format('%I %s', k.conname, pg_get_constraintdef(k.oid)) ORDER BY k.conname)
               FROM pg_constraint k WHERE k.conrelid = c.oid) AS constraints
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${SYSTEM_SCHEMA} AND c.relkind IN ('r', 'p', 'v', 'm', 'i', 'S', 'f')
      ORDER BY 1`,
  );
  const result: Record<string, RelationSnapshot> = {};
  for (const relation of relations) {
    let rows: string[] | undefined;
    if (relation.kind === 'r' || relation.kind === 'm' || relation.kind === 'p') {
      const { rows: data } = await db.query<{ row: string }>(`SELECT t::text AS row FROM ${relation.key} t ORDER BY 1`);
      rows = data.map((row) => row.row);
    }
    result[relation.key] = {
      kind: relation.kind,
      columns: relation.columns ?? [],
      constraints: relation.constraints ?? [],
      comment: relation.comment,
      ...(rows === undefined ? {} : { rows }),
    };
  }
  return { schemas: schemas.map((schema) => schema.name), relations: result };
}
