/**
 * Which table a row of a multi-table ingest names: the definition object itself, any object with
 * its `schema` and `name`, or the string `"schema.name"` (or the quoted form messages use).
 */
import { displayName } from '../../sql/identifier.js';
import type { TableDefinition } from '../definition/table-definition.js';
import { UnknownTableError } from './errors.js';
import { plainName } from './names.js';

/** A resolver for the rows of batch `batch`: reference → index into `tables`; throws UnknownTableError. */
export function tableResolver(tables: readonly TableDefinition[], batch: number): (reference: unknown, row: number) => number {
  const byObject = new Map<unknown, number>(tables.map((table, index) => [table, index]));
  const byKey = new Map<string, number>(tables.map((table, index) => [JSON.stringify([table.schema, table.name]), index]));
  const byName = new Map<string, number | 'ambiguous'>();
  tables.forEach((table, index) => {
    for (const name of new Set([plainName(table), displayName(table)])) byName.set(name, byName.has(name) && byName.get(name) !== index ? 'ambiguous' : index);
  });
  return (reference, row) => {
    const direct = byObject.get(reference);
    if (direct !== undefined) return direct;
    if (typeof reference === 'string') {
      const found = byName.get(reference);
      if (typeof found === 'number') return found;
      throw unknown(found === 'ambiguous' ? `names more than one table of the ingest; pass the definition object instead` : 'is not a table of this ingest', JSON.stringify(reference), batch, row, tables);
    }
    if (typeof reference === 'object' && reference !== null) {
      const { schema, name } = reference as { schema?: unknown; name?: unknown };
      if (typeof schema === 'string' && typeof name === 'string') {
        const found = byKey.get(JSON.stringify([schema, name]));
        if (found !== undefined) return found;
        throw unknown('is not a table of this ingest', displayName({ schema, name }), batch, row, tables);
      }
    }
    throw unknown('is neither a table definition nor a "schema.name" string', typeof reference, batch, row, tables);
  };
}

function unknown(what: string, shown: string, batch: number, row: number, tables: readonly TableDefinition[]): UnknownTableError {
  return new UnknownTableError(`row ${row} of batch ${batch} names table ${shown}, which ${what} (tables: ${tables.map((table) => displayName(table)).join(', ')})`, {
    details: { batch, row, table: shown, tables: tables.map((table) => displayName(table)) },
  });
}
