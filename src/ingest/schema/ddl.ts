/**
 * Every DDL statement of the schema module, as pure functions returning SQL text. Identifiers go
 * through `quoteIdent`; types and predicates are spliced only in the form the server itself printed
 * them (`format_type`, `pg_get_expr`) after canonicalising the definition, never as the caller wrote
 * them. DDL takes no parameters, so there are no values here.
 */
import { quoteIdent, quoteQualified, type QualifiedName } from '../../sql/identifier.js';
import type { IndexDefinition, TableDefinition } from '../definition/table-definition.js';
import type { DesiredColumn, DesiredTable, IndexSpec } from './table-shape.js';

/** `CREATE SCHEMA IF NOT EXISTS` (only planned when the schema is missing: the statement needs CREATE on the database even when it exists). */
export function createSchema(schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema, 'schema')}`;
}

/** Explicit constraint names for {@link createTable}; by default PostgreSQL picks them (`<table>_pkey`, `<table>_<column>_key`). */
export interface ConstraintNames {
  readonly primaryKey?: string;
  /** One per entry of `DesiredTable.uniqueConstraints`, same order. */
  readonly unique?: readonly string[];
}

/**
 * `CREATE TABLE` with every column, NOT NULL, the primary key and the unique constraints (unless
 * `keys` is `false`: then they come later, from {@link addKeys}). Secondary indexes are separate
 * ({@link createIndex}).
 */
export function createTable(table: QualifiedName, desired: DesiredTable, names: ConstraintNames = {}, keys = true): string {
  const lines = desired.columns.map((column) => `  ${columnDefinition(column, column.notNull)}`);
  if (!keys) return `CREATE TABLE ${quoteQualified(table)} (\n${lines.join(',\n')}\n)`;
  if (desired.primaryKey) {
    lines.push(`  ${constraintName(names.primaryKey)}PRIMARY KEY (${columnList(desired.primaryKey.columns)})`);
  }
  desired.uniqueConstraints.forEach((unique, position) => {
    lines.push(`  ${constraintName(names.unique?.[position])}UNIQUE (${columnList(unique.columns)})`);
  });
  return `CREATE TABLE ${quoteQualified(table)} (\n${lines.join(',\n')}\n)`;
}

/**
 * `ALTER TABLE … ADD [CONSTRAINT name] PRIMARY KEY (…), ADD [CONSTRAINT name] UNIQUE (…)`: the keys
 * of a table created without them ({@link createTable} with `keys: false`) and loaded first — one
 * sorted index build instead of index maintenance row by row. `null` when there are no keys.
 */
export function addKeys(table: QualifiedName, desired: DesiredTable, names: ConstraintNames = {}): string | null {
  const actions: string[] = [];
  if (desired.primaryKey) actions.push(`ADD ${constraintName(names.primaryKey)}PRIMARY KEY (${columnList(desired.primaryKey.columns)})`);
  desired.uniqueConstraints.forEach((unique, position) => {
    actions.push(`ADD ${constraintName(names.unique?.[position])}UNIQUE (${columnList(unique.columns)})`);
  });
  return actions.length === 0 ? null : alterTable(table, actions);
}

/** Options of {@link createIndex}. */
export interface CreateIndexOptions {
  /** `CREATE INDEX CONCURRENTLY` (cannot run inside a transaction block). Default `false`. */
  readonly concurrently?: boolean;
}

/**
 * `CREATE [UNIQUE] INDEX [CONCURRENTLY] [name] ON table USING method (keys) [INCLUDE (…)] [WHERE …]`.
 * With `name` `null` PostgreSQL chooses one. Only plain column keys can be created (what a
 * definition can express).
 */
export function createIndex(table: QualifiedName, index: IndexSpec, name: string | null, options: CreateIndexOptions = {}): string {
  const keys = index.keys.map((key) => {
    if (key.column === null || key.options.length > 0) {
      throw new TypeError(`createIndex: only plain column keys can be created, got ${JSON.stringify(key)}`);
    }
    return quoteIdent(key.column, 'column');
  });
  let text = `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${options.concurrently ? 'CONCURRENTLY ' : ''}`;
  if (name !== null) text += `${quoteIdent(name, 'index')} `;
  text += `ON ${quoteQualified(table)}`;
  if (index.method !== 'btree') text += ` USING ${quoteIdent(index.method, 'access method')}`;
  text += ` (${keys.join(', ')})`;
  if (index.include.length > 0) text += ` INCLUDE (${columnList(index.include)})`;
  if (index.nullsNotDistinct) text += ' NULLS NOT DISTINCT';
  if (index.predicate !== null) text += ` WHERE (${index.predicate})`;
  return text;
}

/** `DROP INDEX [CONCURRENTLY] IF EXISTS schema.index`. */
export function dropIndex(schema: string, name: string, options: CreateIndexOptions = {}): string {
  return `DROP INDEX ${options.concurrently ? 'CONCURRENTLY ' : ''}IF EXISTS ${quoteQualified({ schema, name })}`;
}

/** `ALTER INDEX schema.from RENAME TO to`. */
export function renameIndex(schema: string, from: string, to: string): string {
  return `ALTER INDEX ${quoteQualified({ schema, name: from })} RENAME TO ${quoteIdent(to, 'index')}`;
}

/** `ALTER TABLE … RENAME CONSTRAINT from TO to` (renames the constraint's index too). */
export function renameConstraint(table: QualifiedName, from: string, to: string): string {
  return `ALTER TABLE ${quoteQualified(table)} RENAME CONSTRAINT ${quoteIdent(from, 'constraint')} TO ${quoteIdent(to, 'constraint')}`;
}

/** One `ALTER TABLE` with several actions: one lock acquisition for all of them. */
export function alterTable(table: QualifiedName, actions: readonly string[]): string {
  return `ALTER TABLE ${quoteQualified(table)}\n  ${actions.join(',\n  ')}`;
}

/** Actions for {@link alterTable}. */
export const action = {
  addColumn: (column: DesiredColumn, notNull: boolean) => `ADD COLUMN ${columnDefinition(column, notNull)}`,
  dropColumn: (name: string) => `DROP COLUMN ${quoteIdent(name, 'column')}`,
  /** Only for changes PostgreSQL makes without a rewrite (see `type-changes.ts`). */
  setType: (name: string, type: string) => `ALTER COLUMN ${quoteIdent(name, 'column')} TYPE ${type}`,
  dropNotNull: (name: string) => `ALTER COLUMN ${quoteIdent(name, 'column')} DROP NOT NULL`,
  setNotNull: (name: string) => `ALTER COLUMN ${quoteIdent(name, 'column')} SET NOT NULL`,
  dropIdentity: (name: string) => `ALTER COLUMN ${quoteIdent(name, 'column')} DROP IDENTITY IF EXISTS`,
  dropExpression: (name: string) => `ALTER COLUMN ${quoteIdent(name, 'column')} DROP EXPRESSION`,
  dropConstraint: (name: string, ifExists = false) => `DROP CONSTRAINT ${ifExists ? 'IF EXISTS ' : ''}${quoteIdent(name, 'constraint')}`,
  addNotNullCheck: (name: string, column: string) =>
    `ADD CONSTRAINT ${quoteIdent(name, 'constraint')} CHECK (${quoteIdent(column, 'column')} IS NOT NULL) NOT VALID`,
  validateConstraint: (name: string) => `VALIDATE CONSTRAINT ${quoteIdent(name, 'constraint')}`,
  addUniqueUsingIndex: (name: string) => `ADD CONSTRAINT ${quoteIdent(name, 'constraint')} UNIQUE USING INDEX ${quoteIdent(name, 'index')}`,
} as const;

/** `INSERT INTO to (cols) SELECT cols FROM from`: keeps existing rows across a rebuild (assignment casts apply to changed types). */
export function copyRows(from: QualifiedName, to: QualifiedName, columns: readonly string[]): string {
  const list = columnList(columns);
  return `INSERT INTO ${quoteQualified(to)} (${list}) SELECT ${list} FROM ${quoteQualified(from)}`;
}

/** `{ hasRows }`: whether the table has at least one row (stops at the first). */
export function hasRows(table: QualifiedName): string {
  return `SELECT EXISTS (SELECT FROM ${quoteQualified(table)}) AS "hasRows"`;
}

/** `SET LOCAL lock_timeout` in milliseconds (a non-negative integer; 0 means wait forever). */
export function setLocalLockTimeout(milliseconds: number): string {
  if (!Number.isSafeInteger(milliseconds) || milliseconds < 0) {
    throw new RangeError(`lock timeout must be a non-negative integer number of milliseconds, got ${milliseconds}`);
  }
  return `SET LOCAL lock_timeout = ${milliseconds}`;
}

/**
 * The throw-away TEMP table that canonicalises a definition (created in a transaction that is rolled
 * back). This is the only statement that carries the caller's type spellings: each has been accepted
 * by `to_regtype` as exactly one type name beforehand, it is followed by a line break so that a
 * trailing `--` comment cannot swallow what follows, and the statement is sent through the extended
 * protocol, which refuses more than one statement.
 */
export function probeTable(name: string, definition: TableDefinition): string {
  const lines = definition.columns.map((column) => {
    const notNull = column.nullable === false || column.primaryKey === true;
    return `  ${quoteIdent(column.name, 'column')} ${column.type}\n    ${notNull ? 'NOT NULL' : 'NULL'}${column.unique === true ? ' UNIQUE' : ''}`;
  });
  const key = definition.columns.filter((column) => column.primaryKey === true).map((column) => column.name);
  if (key.length > 0) lines.push(`  PRIMARY KEY (${columnList(key)})`);
  return `CREATE TEMP TABLE ${quoteIdent(name, 'table')} (\n${lines.join(',\n')}\n)`;
}

/**
 * An index of the probe table. The caller's `where` is wrapped in parentheses and line breaks; the
 * server parses it as the predicate (whatever it contains can only become part of that predicate, the
 * last clause of `CREATE INDEX`) and its deparsed form is what later DDL uses.
 */
export function probeIndex(table: string, name: string, index: IndexDefinition): string {
  let text = `CREATE ${index.unique === true ? 'UNIQUE ' : ''}INDEX ${quoteIdent(name, 'index')} ON pg_temp.${quoteIdent(table, 'table')}`;
  if (index.using !== undefined) text += ` USING ${quoteIdent(index.using.toLowerCase(), 'access method')}`;
  text += ` (${columnList(index.columns)})`;
  if (index.include !== undefined && index.include.length > 0) text += ` INCLUDE (${columnList(index.include)})`;
  if (index.where !== undefined) text += ` WHERE (\n${index.where}\n)`;
  return text;
}

function columnDefinition(column: DesiredColumn, notNull: boolean): string {
  return `${quoteIdent(column.name, 'column')} ${column.type}${notNull ? ' NOT NULL' : ''}`;
}

function columnList(columns: readonly string[]): string {
  return columns.map((column) => quoteIdent(column, 'column')).join(', ');
}

function constraintName(name: string | undefined): string {
  return name === undefined ? '' : `CONSTRAINT ${quoteIdent(name, 'constraint')} `;
}
