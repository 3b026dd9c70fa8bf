/**
 * Pure checks of a {@link TableDefinition}, before anything reaches the server. What only PostgreSQL
 * can judge (whether a type or predicate exists) is checked later, when the definition is
 * canonicalised; everything else fails here with an error naming the table, column or index.
 */
import { InvalidIdentifierError } from '../../errors/invalid-identifier-error.js';
import { assertIdentifier, displayName } from '../../sql/identifier.js';
import {
  DuplicateColumnError,
  DuplicateIndexError,
  InvalidIndexMethodError,
  MalformedDefinitionError,
  MissingTableNameError,
  NoColumnsError,
  NullablePrimaryKeyError,
  UnknownIndexColumnError,
} from './errors.js';
import type { IndexDefinition, TableDefinition } from './table-definition.js';

const TABLE_FIELDS = new Set(['schema', 'name', 'columns', 'indexes']);
const COLUMN_FIELDS = new Set(['name', 'type', 'nullable', 'primaryKey', 'unique']);
const INDEX_FIELDS = new Set(['columns', 'unique', 'using', 'where', 'include', 'name']);
/** Unquoted SQL identifier: what `USING <method>` accepts without quotes (then folded to lower case). */
const METHOD_NAME = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/**
 * Checks that `definition` is a well-formed {@link TableDefinition}: schema and name present, at
 * least one column, unique column names, valid identifiers (non-empty, no NUL, at most 63 bytes), no
 * nullable primary-key column, indexes over known columns with a plain access-method name, and no
 * index listed twice. Unknown fields are rejected too (a typo such as `primary_key` would otherwise
 * be ignored silently).
 *
 * Pure: no database. Throws one of the errors of `./errors.js` or {@link InvalidIdentifierError}.
 */
export function validateDefinition(definition: unknown): asserts definition is TableDefinition {
  if (!isObject(definition)) {
    throw new MalformedDefinitionError(`a table definition must be an object, got ${describe(definition)}`);
  }
  const rawSchema = definition.schema;
  const rawName = definition.name;
  const table =
    typeof rawSchema === 'string' && typeof rawName === 'string' ? displayName({ schema: rawSchema, name: rawName }) : undefined;
  for (const field of ['schema', 'name'] as const) {
    const value = definition[field];
    if (value === undefined || value === null || value === '') {
      throw new MissingTableNameError(`the table definition has no ${field}`, { details: { field, table: table ?? null } });
    }
    if (typeof value !== 'string') {
      throw new MalformedDefinitionError(`the table definition's ${field} must be a string, got ${describe(value)}`, {
        details: { field },
      });
    }
  }
  const where = table as string;
  identifier(rawSchema, 'schema', where);
  identifier(rawName, 'table', where);
  unknownFields(definition, TABLE_FIELDS, `table ${where}`, { table: where });

  const columns = definition.columns;
  if (columns === undefined || (Array.isArray(columns) && columns.length === 0)) {
    throw new NoColumnsError(`table ${where} has no columns`, { details: { table: where } });
  }
  if (!Array.isArray(columns)) {
    throw new MalformedDefinitionError(`columns of table ${where} must be an array, got ${describe(columns)}`, {
      details: { table: where, field: 'columns' },
    });
  }
  const names = new Set<string>();
  columns.forEach((column: unknown, position: number) => {
    const at = `column #${position + 1} of table ${where}`;
    if (!isObject(column)) {
      throw new MalformedDefinitionError(`${at} must be an object, got ${describe(column)}`, { details: { table: where, position } });
    }
    identifier(column.name, 'column', where, { position });
    const name = column.name as string;
    const context = { table: where, column: name };
    unknownFields(column, COLUMN_FIELDS, `column ${JSON.stringify(name)} of table ${where}`, context);
    if (typeof column.type !== 'string' || column.type.trim() === '' || column.type.includes('\0')) {
      throw new MalformedDefinitionError(
        `column ${JSON.stringify(name)} of table ${where} needs a type (a non-empty string without NUL), got ${describe(column.type)}`,
        { details: { ...context, field: 'type' } },
      );
    }
    for (const flag of ['nullable', 'primaryKey', 'unique'] as const) {
      if (column[flag] !== undefined && typeof column[flag] !== 'boolean') {
        throw new MalformedDefinitionError(
          `${flag} of column ${JSON.stringify(name)} of table ${where} must be a boolean, got ${describe(column[flag])}`,
          { details: { ...context, field: flag } },
        );
      }
    }
    if (names.has(name)) {
      throw new DuplicateColumnError(`table ${where} lists column ${JSON.stringify(name)} twice`, { details: context });
    }
    names.add(name);
    if (column.primaryKey === true && column.nullable === true) {
      throw new NullablePrimaryKeyError(
        `column ${JSON.stringify(name)} of table ${where} is part of the primary key but declared nullable`,
        { details: context },
      );
    }
  });

  const indexes = definition.indexes;
  if (indexes === undefined) return;
  if (!Array.isArray(indexes)) {
    throw new MalformedDefinitionError(`indexes of table ${where} must be an array, got ${describe(indexes)}`, {
      details: { table: where, field: 'indexes' },
    });
  }
  const signatures = new Map<string, number>();
  const indexNames = new Set<string>();
  indexes.forEach((index: unknown, position: number) => {
    validateIndex(index, position, where, names);
    const checked = index as IndexDefinition;
    const label = indexLabel(checked, position);
    const signature = indexSignature(checked);
    const earlier = signatures.get(signature);
    if (earlier !== undefined) {
      throw new DuplicateIndexError(`table ${where} lists the same index twice: ${label} and ${indexLabel(indexes[earlier] as IndexDefinition, earlier)}`, {
        details: { table: where, index: label, position, duplicateOf: earlier },
      });
    }
    signatures.set(signature, position);
    if (checked.name !== undefined) {
      if (indexNames.has(checked.name)) {
        throw new DuplicateIndexError(`table ${where} has two indexes named ${JSON.stringify(checked.name)}`, {
          details: { table: where, index: checked.name, position },
        });
      }
      indexNames.add(checked.name);
    }
  });
}

/** A readable name for an index in messages: its name, or its position and columns. */
export function indexLabel(index: Pick<IndexDefinition, 'name' | 'columns'>, position: number): string {
  if (index.name !== undefined) return JSON.stringify(index.name);
  return `#${position + 1} (${index.columns.join(', ')})`;
}

function validateIndex(index: unknown, position: number, table: string, columns: ReadonlySet<string>): void {
  const at = `index #${position + 1} of table ${table}`;
  if (!isObject(index)) {
    throw new MalformedDefinitionError(`${at} must be an object, got ${describe(index)}`, { details: { table, position } });
  }
  if (index.name !== undefined) identifier(index.name, 'index', table, { position });
  const label = typeof index.name === 'string' ? `index ${JSON.stringify(index.name)} of table ${table}` : at;
  const context = { table, index: typeof index.name === 'string' ? index.name : `#${position + 1}`, position };
  unknownFields(index, INDEX_FIELDS, label, context);
  for (const field of ['columns', 'include'] as const) {
    const list = index[field];
    if (field === 'include' && list === undefined) continue;
    if (!Array.isArray(list) || (field === 'columns' && list.length === 0)) {
      throw new MalformedDefinitionError(`${field} of ${label} must be ${field === 'columns' ? 'a non-empty' : 'an'} array of column names, got ${describe(list)}`, {
        details: { ...context, field },
      });
    }
    for (const column of list as unknown[]) {
      if (typeof column !== 'string') {
        throw new MalformedDefinitionError(`${field} of ${label} must hold column names, got ${describe(column)}`, {
          details: { ...context, field },
        });
      }
      if (!columns.has(column)) {
        throw new UnknownIndexColumnError(`${label} refers to column ${JSON.stringify(column)}, which the table does not have`, {
          details: { ...context, column, field },
        });
      }
    }
  }
  if (index.unique !== undefined && typeof index.unique !== 'boolean') {
    throw new MalformedDefinitionError(`unique of ${label} must be a boolean, got ${describe(index.unique)}`, {
      details: { ...context, field: 'unique' },
    });
  }
  if (index.using !== undefined) {
    if (typeof index.using !== 'string' || !METHOD_NAME.test(index.using) || Buffer.byteLength(index.using) > 63) {
      throw new InvalidIndexMethodError(`using of ${label} must be an access-method name such as btree or gin, got ${describe(index.using)}`, {
        details: { ...context, using: typeof index.using === 'string' ? index.using : null },
      });
    }
  }
  if (index.where !== undefined) {
    if (typeof index.where !== 'string' || index.where.trim() === '' || index.where.includes('\0')) {
      throw new MalformedDefinitionError(`where of ${label} must be a non-empty SQL expression, got ${describe(index.where)}`, {
        details: { ...context, field: 'where' },
      });
    }
  }
}

/** Textual identity of an index definition, for spotting the same index listed twice. */
function indexSignature(index: IndexDefinition): string {
  return JSON.stringify([
    (index.using ?? 'btree').toLowerCase(),
    index.unique === true,
    index.columns,
    index.include ?? [],
    index.where?.trim() ?? null,
  ]);
}

function identifier(value: unknown, what: string, table: string, extra: Record<string, unknown> = {}): void {
  try {
    assertIdentifier(value, what);
  } catch (error) {
    if (!(error instanceof InvalidIdentifierError)) throw error;
    throw new InvalidIdentifierError(`table ${table}: ${error.message}`, { details: { ...error.details, ...extra, table } });
  }
}

function unknownFields(value: Record<string, unknown>, known: ReadonlySet<string>, where: string, details: Record<string, unknown>): void {
  const unknown = Object.keys(value).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new MalformedDefinitionError(`${where} has unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; known: ${[...known].join(', ')}`, {
      details: { ...details, unknownFields: unknown },
    });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value;
}
