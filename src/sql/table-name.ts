/**
 * Table names as callers write them — `'name'`, `'schema.name'` or `{ schema, name }` — turned into
 * quoted SQL through the identifier helper.
 */
import { InvalidIdentifierError } from '../errors/invalid-identifier-error.js';
import { quoteIdent, quoteQualified, type QualifiedName } from './identifier.js';

/**
 * A table: `'name'` (found through `search_path`), `'schema.name'`, or `{ schema, name }` (needed
 * when a name contains a dot). Names are case-sensitive, as if double-quoted.
 */
export type TableName = string | QualifiedName;

/** Quotes a {@link TableName}: `'a.b'` → `"a"."b"`, `'t'` → `"t"`. */
export function quoteTableName(table: TableName): string {
  if (typeof table !== 'string') return quoteQualified(table);
  const parts = table.split('.');
  if (parts.length === 1) return quoteIdent(table, 'table');
  if (parts.length === 2) return quoteQualified({ schema: parts[0] as string, name: parts[1] as string });
  throw new InvalidIdentifierError(`table name ${JSON.stringify(table)} has more than one dot; pass { schema, name } for names that contain dots`, {
    details: { what: 'table', name: table },
  });
}

/** The name as the caller gave it, for messages. */
export function tableNameText(table: TableName): string {
  return typeof table === 'string' ? table : `${table.schema}.${table.name}`;
}
