/**
 * The catalog reader: one statement that describes a table (columns, keys, indexes, owner,
 * comment). Used for the live table and, by the canonicaliser, for the TEMP table that stands for the
 * desired one, so both sides of a comparison come from the same query.
 */
import type { Queryable } from '../../db/queryable.js';
import { displayName, type QualifiedName } from '../../sql/identifier.js';
import { describeTableByName, describeTableByOid, type TableDescriptionRow } from './catalog-sql.js';
import { NotATableError } from './errors.js';
import type { LiveColumn, LiveConstraint, LiveIndex, LiveTable } from './table-shape.js';

const RELATION_KINDS: Record<string, string> = {
  v: 'a view',
  m: 'a materialized view',
  p: 'a partitioned table (not supported)',
  f: 'a foreign table',
  S: 'a sequence',
  i: 'an index',
  I: 'a partitioned index',
  c: 'a composite type',
  t: 'a TOAST table',
};

/**
 * Describes the table `schema.name` (exact names; `search_path` plays no part), or returns `null`
 * when no relation has that name. Reads only the catalogs: no privilege on the table is needed and no
 * lock is taken. Throws {@link NotATableError} when the name belongs to a view, a partitioned table or
 * any other kind of relation.
 */
export async function readLiveTable(db: Queryable, table: QualifiedName): Promise<LiveTable | null> {
  const { text, values } = describeTableByName(table.schema, table.name);
  const { rows } = await db.query<TableDescriptionRow>(text, [...values]);
  const row = rows[0];
  return row === undefined ? null : toLiveTable(row, table);
}

/** {@link readLiveTable} by OID (the canonicaliser's TEMP table). Throws when the relation is gone. */
export async function readTableByOid(db: Queryable, oid: number): Promise<LiveTable> {
  const { text, values } = describeTableByOid(oid);
  const { rows } = await db.query<TableDescriptionRow>(text, [...values]);
  const row = rows[0];
  if (row === undefined) throw new Error(`relation with OID ${oid} not found`);
  return toLiveTable(row, { schema: row.schema, name: row.name });
}

function toLiveTable(row: TableDescriptionRow, table: QualifiedName): LiveTable {
  if (row.relkind !== 'r') {
    const kind = RELATION_KINDS[row.relkind] ?? `a relation of kind ${row.relkind}`;
    throw new NotATableError(`${displayName(table)} is ${kind}, not a table`, {
      details: { table: displayName(table), relkind: row.relkind },
    });
  }
  const columns: LiveColumn[] = row.columns.map((column) => ({
    name: column.name,
    attnum: column.attnum,
    typeOid: column.typeOid,
    typmod: column.typmod,
    type: column.type,
    notNull: column.notNull,
    hasDefault: column.hasDefault,
    identity: column.identity === 'a' ? 'always' : column.identity === 'd' ? 'by-default' : null,
    generated: column.generated === 's' ? 'stored' : column.generated === 'v' ? 'virtual' : null,
    dependentViews: column.dependentViews,
  }));
  const constraint = (type: 'p' | 'u'): LiveConstraint[] =>
    row.constraints
      .filter((c) => c.type === type)
      .map((c) => ({ name: c.name, columns: c.columns, indexName: c.indexName }));
  const indexes: LiveIndex[] = row.indexes.map((index) => ({
    oid: index.oid,
    name: index.name,
    method: index.method,
    unique: index.unique,
    keys: index.keys.map((key) => ({ column: key.column, expression: key.expression, options: key.options })),
    include: index.include,
    predicate: index.predicate,
    nullsNotDistinct: index.nullsNotDistinct,
    valid: index.valid,
    constraint: index.constraint === 'p' ? 'primary-key' : index.constraint === 'u' ? 'unique' : index.constraint === 'x' ? 'exclusion' : null,
  }));
  return {
    oid: Number(row.oid),
    schema: row.schema,
    name: row.name,
    owner: row.owner,
    comment: row.comment,
    persistence: row.relpersistence === 'u' ? 'unlogged' : row.relpersistence === 't' ? 'temporary' : 'permanent',
    columns,
    primaryKey: constraint('p')[0] ?? null,
    uniqueConstraints: constraint('u'),
    indexes,
    checks: row.checks.map((check) => ({ name: check.name, valid: check.valid })),
  };
}
