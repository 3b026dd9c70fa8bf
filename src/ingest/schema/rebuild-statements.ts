/**
 * Statements for the rebuild path: a fresh table in the same schema with the full definition, filled
 * (existing rows copied by column name, then the new data), indexed after the load, and swapped in
 * by the swap module. After the swap the constraints and indexes get the names PostgreSQL would
 * have given them (`<table>_pkey` …) instead of keeping the fresh table's temporary ones.
 */
import { randomBytes } from 'node:crypto';
import type { QualifiedName } from '../../sql/identifier.js';
import * as ddl from './ddl.js';
import { chooseName, indexNameAddition } from './object-names.js';
import type { DesiredIndex, DesiredTable, LiveTable } from './table-shape.js';

/** What the rebuild path runs, in this order: `createTable`, `copyRows`, load, `createIndexes`, swap, `restoreNames`. */
export interface RebuildStatements {
  /** The fresh table (same schema as the target). */
  readonly table: QualifiedName;
  /** `CREATE TABLE` with columns, NOT NULL, primary key and unique constraints (present during the load, as upserts need them). */
  readonly createTable: string;
  /**
   * For a load into an empty fresh table whose rows are known to have unique keys: `CREATE TABLE`
   * without the keys, and {@link RebuildStatements.addKeys} once it is loaded (a sorted index build
   * is faster than maintaining the index row by row).
   */
  readonly createTableWithoutKeys: string;
  /** `ALTER TABLE … ADD CONSTRAINT … PRIMARY KEY …, ADD CONSTRAINT … UNIQUE …` (same names as `createTable`), or `null` without keys. */
  readonly addKeys: string | null;
  /** `INSERT … SELECT` of the columns the live table and the definition share, or `null` when there is nothing to keep. */
  readonly copyRows: string | null;
  /** Secondary indexes, built after the load (faster than maintaining them row by row). Not concurrent: nobody sees the fresh table yet. */
  readonly createIndexes: readonly string[];
  /** After the swap, once the fresh table carries the target's name and the old table is gone: rename constraints and indexes to their natural names. */
  readonly restoreNames: readonly string[];
  /**
   * The same renames as data, in the same order. A swap that already gave an object the name of
   * its equal on the old table leaves nothing to rename for it: run only those whose `from` still
   * exists (and whose `to` is free).
   */
  readonly renames: readonly NameRestore[];
}

/** One rename of {@link RebuildStatements.renames}: a constraint (with its index) or an index of the swapped-in table. */
export interface NameRestore {
  readonly kind: 'constraint' | 'index';
  /** The name on the fresh table. */
  readonly from: string;
  /** The name PostgreSQL would have chosen (or the definition's). */
  readonly to: string;
}

/** A fresh-table name in the style pg-bulk-ingest uses: `_tmp_` and 24 hex digits (leaves room for suffixes within 63 bytes). */
export function freshTableName(): string {
  return `_tmp_${randomBytes(12).toString('hex')}`;
}

/**
 * Builds the rebuild of `live` (or of nothing, with `null`) into `desired` through a fresh table
 * named `freshName`. Pure. `copyRows` keeps every column whose name survives; a type change goes
 * through PostgreSQL's assignment cast (e.g. `integer` → `bigint`), and fails when none exists.
 */
export function buildRebuildStatements(desired: DesiredTable, live: LiveTable | null, freshName: string): RebuildStatements {
  const target: QualifiedName = { schema: desired.schema, name: desired.name };
  const fresh: QualifiedName = { schema: desired.schema, name: freshName };
  const freshTaken = new Set<string>([freshName]);
  const finalTaken = new Set<string>(desired.indexes.flatMap((index) => (index.name === null ? [] : [index.name])));
  const renames: NameRestore[] = [];

  let primaryKey: string | undefined;
  if (desired.primaryKey) {
    primaryKey = chooseName(freshName, null, 'pkey', freshTaken);
    renames.push({ kind: 'constraint', from: primaryKey, to: chooseName(desired.name, null, 'pkey', finalTaken) });
  }
  const unique = desired.uniqueConstraints.map((constraint) => {
    const name = chooseName(freshName, indexNameAddition(constraint.columns), 'key', freshTaken);
    renames.push({ kind: 'constraint', from: name, to: chooseName(desired.name, indexNameAddition(constraint.columns), 'key', finalTaken) });
    return name;
  });
  const createIndexes = desired.indexes.map((index) => {
    const name = chooseName(freshName, null, `idx${desired.indexes.indexOf(index)}`, freshTaken);
    renames.push({ kind: 'index', from: name, to: index.name ?? chooseName(desired.name, indexNameAddition(columnsOf(index)), 'idx', finalTaken) });
    return ddl.createIndex(fresh, index, name);
  });

  const wanted = new Set(desired.columns.map((column) => column.name));
  const kept = live === null ? [] : live.columns.filter((column) => wanted.has(column.name)).map((column) => column.name);
  return {
    table: fresh,
    createTable: ddl.createTable(fresh, desired, { primaryKey, unique }),
    createTableWithoutKeys: ddl.createTable(fresh, desired, {}, false),
    addKeys: ddl.addKeys(fresh, desired, { primaryKey, unique }),
    copyRows: live === null || kept.length === 0 ? null : ddl.copyRows({ schema: live.schema, name: live.name }, fresh, kept),
    createIndexes,
    restoreNames: renames.map((rename) => restoreName(target, rename)),
    renames,
  };
}

/** The statement of one {@link NameRestore} on `table` (the swapped-in table, under the target's name). */
export function restoreName(table: QualifiedName, rename: NameRestore): string {
  return rename.kind === 'constraint' ? ddl.renameConstraint(table, rename.from, rename.to) : ddl.renameIndex(table.schema, rename.from, rename.to);
}

/** The column names PostgreSQL uses to name an index: keys, then INCLUDE columns. */
function columnsOf(index: DesiredIndex): string[] {
  return [...index.keys.map((key) => key.column ?? 'expr'), ...index.include];
}

