/**
 * Turns a {@link TableDefinition} into the server's own description of it: the definition is created
 * as a TEMP table (with its keys and indexes) inside a transaction that is rolled back, and read back
 * with the very query that reads the live table. Types, nullability, keys, index methods, INCLUDE
 * lists and deparsed predicates are then compared in one domain, PostgreSQL's, so a definition that
 * matches its table never migrates again — whatever spelling it uses (`float`, `int4`, `varchar`).
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { isPostgresError } from '../../errors/postgres-error.js';
import { displayName } from '../../sql/identifier.js';
import { DuplicateIndexError } from '../definition/errors.js';
import type { TableDefinition } from '../definition/table-definition.js';
import { indexLabel, validateDefinition } from '../definition/validate-definition.js';
import { lookUpType, lookUpTypes, temporaryTableOid, type TypeLookupRow } from './catalog-sql.js';
import { probeIndex, probeTable } from './ddl.js';
import { DefinitionRejectedError, InvalidColumnTypeError } from './errors.js';
import { queryExtended } from '../../db/extended-query.js';
import { readTableByOid } from './read-live-table.js';
import { indexSignature, type DesiredIndex, type DesiredTable } from './table-shape.js';

const SHORTHANDS: Record<string, string> = {
  smallserial: 'smallint',
  serial2: 'smallint',
  serial: 'integer',
  serial4: 'integer',
  bigserial: 'bigint',
  serial8: 'bigint',
};

/**
 * Validates `definition` ({@link validateDefinition}), checks every column type with `to_regtype`,
 * then creates the definition as a TEMP table in a rolled-back transaction (a savepoint when `client`
 * is already in one) and reads it back. Needs one connection (not a pool) and the TEMPORARY
 * privilege on the database, which PUBLIC has by default. Types resolve through the session's
 * `search_path`.
 *
 * Throws the errors of {@link validateDefinition}, {@link InvalidColumnTypeError} naming the column,
 * {@link DefinitionRejectedError} naming the index when the server refuses a part of the definition,
 * and {@link DuplicateIndexError} when two indexes turn out to be the same once canonicalised.
 */
export async function canonicalizeDefinition(client: pg.ClientBase, definition: TableDefinition): Promise<DesiredTable> {
  validateDefinition(definition);
  const table = displayName(definition);
  return inRolledBackTransaction(client, async () => {
    await checkTypes(client, definition, table);
    const probe = `temporal_pg_probe_${randomBytes(8).toString('hex')}`;
    await run(client, probeTable(probe, definition), table, {});
    const indexes = definition.indexes ?? [];
    for (const [position, index] of indexes.entries()) {
      await run(client, probeIndex(probe, `${probe}_i${position}`, index), table, { index: indexLabel(index, position) });
    }
    const { text, values } = temporaryTableOid(probe);
    const { rows } = await client.query<{ oid: string }>(text, [...values]);
    const shape = await readTableByOid(client, Number(rows[0]?.oid));

    const order = new Map(definition.columns.map((column, position) => [column.name, position]));
    const byPosition = (a: { columns: readonly string[] }, b: { columns: readonly string[] }) =>
      (order.get(a.columns[0] ?? '') ?? 0) - (order.get(b.columns[0] ?? '') ?? 0);
    const desiredIndexes: DesiredIndex[] = indexes.map((index, position) => {
      const probed = shape.indexes.find((candidate) => candidate.name === `${probe}_i${position}`);
      if (probed === undefined) throw new Error(`probe index ${position} of ${table} not found`);
      const { method, unique, keys, include, predicate, nullsNotDistinct } = probed;
      return { name: index.name ?? null, method, unique, keys, include, predicate, nullsNotDistinct };
    });
    rejectDuplicates(desiredIndexes, definition, table);
    return {
      schema: definition.schema,
      name: definition.name,
      columns: shape.columns.map(({ name, typeOid, typmod, type, notNull }) => ({ name, typeOid, typmod, type, notNull })),
      primaryKey: shape.primaryKey === null ? null : { columns: shape.primaryKey.columns },
      uniqueConstraints: shape.uniqueConstraints.map((unique) => ({ columns: unique.columns })).sort(byPosition),
      indexes: desiredIndexes,
    };
  });
}

function rejectDuplicates(indexes: readonly DesiredIndex[], definition: TableDefinition, table: string): void {
  const seen = new Map<string, number>();
  indexes.forEach((index, position) => {
    const signature = indexSignature(index);
    const earlier = seen.get(signature);
    const all = definition.indexes ?? [];
    if (earlier !== undefined) {
      const label = indexLabel(all[position] ?? { columns: [] }, position);
      const other = indexLabel(all[earlier] ?? { columns: [] }, earlier);
      throw new DuplicateIndexError(`table ${table} lists the same index twice once PostgreSQL has parsed them: ${other} and ${label}`, {
        details: { table, index: label, position, duplicateOf: earlier },
      });
    }
    seen.set(signature, position);
  });
}

/** Resolves every type in one statement; if that fails, one by one to name the culprit. */
async function checkTypes(client: pg.ClientBase, definition: TableDefinition, table: string): Promise<void> {
  const spellings = definition.columns.map((column) => column.type);
  const all = await attempt(client, lookUpTypes(spellings));
  for (const [position, column] of definition.columns.entries()) {
    let row: TypeLookupRow | undefined;
    let failure: unknown;
    if (all.ok) {
      row = all.rows[position];
    } else {
      const one = await attempt(client, lookUpType(column.type));
      if (one.ok) row = one.rows[0];
      else failure = one.error;
    }
    const details = { table, column: column.name, type: column.type };
    const prefix = `column ${JSON.stringify(column.name)} of table ${table}: type ${JSON.stringify(column.type)}`;
    if (failure !== undefined) {
      const serverMessage = failure instanceof Error ? failure.message : String(failure);
      throw new InvalidColumnTypeError(`${prefix} is not a PostgreSQL type name (${serverMessage})`, {
        details: { ...details, sqlstate: isPostgresError(failure) ? failure.code : null, serverMessage },
        cause: failure,
      });
    }
    if (row?.oid === null || row?.oid === undefined) {
      const shorthand = SHORTHANDS[column.type.trim().toLowerCase()];
      const hint = shorthand
        ? `; ${column.type.trim()} is CREATE TABLE shorthand for ${shorthand} with a sequence default, which definitions do not support: use ${shorthand}`
        : ' (is its extension installed, and its schema on the search_path?)';
      throw new InvalidColumnTypeError(`${prefix} does not exist${hint}`, { details });
    }
    if (row.typtype === 'p') {
      throw new InvalidColumnTypeError(`${prefix} is a pseudo-type, which a column cannot have`, { details });
    }
    if (row.defined === false) {
      throw new InvalidColumnTypeError(`${prefix} is only a shell type (declared, not defined yet)`, { details });
    }
  }
}

type Attempt = { ok: true; rows: TypeLookupRow[] } | { ok: false; error: unknown };

/** Runs a lookup that may fail inside the probe transaction, behind a savepoint so a failure does not abort it. */
async function attempt(client: pg.ClientBase, query: { text: string; values: readonly unknown[] }): Promise<Attempt> {
  await client.query('SAVEPOINT temporal_pg_lookup');
  try {
    const { rows } = await client.query<TypeLookupRow>(query.text, [...query.values]);
    await client.query('RELEASE SAVEPOINT temporal_pg_lookup');
    return { ok: true, rows };
  } catch (error) {
    if (!isPostgresError(error)) throw error;
    await client.query('ROLLBACK TO SAVEPOINT temporal_pg_lookup');
    await client.query('RELEASE SAVEPOINT temporal_pg_lookup');
    return { ok: false, error };
  }
}

async function run(client: pg.ClientBase, text: string, table: string, where: { index?: string }): Promise<void> {
  try {
    await queryExtended(client, text);
  } catch (error) {
    if (!isPostgresError(error)) throw error;
    const subject = where.index === undefined ? `table ${table}` : `index ${where.index} of table ${table}`;
    const hint = error.code === '42501' ? ' (canonicalising a definition creates a TEMP table: the role needs the TEMPORARY privilege on the database)' : '';
    throw new DefinitionRejectedError(`PostgreSQL rejected ${subject}: ${error.message}${hint}`, {
      details: {
        table,
        ...(where.index === undefined ? {} : { index: where.index }),
        ...(error.column === undefined ? {} : { column: error.column }),
        sqlstate: error.code,
        serverMessage: error.message,
      },
      cause: error,
    });
  }
}

/** Runs `fn` in a transaction that is always rolled back; a savepoint when the client is already in a transaction. */
async function inRolledBackTransaction<T>(client: pg.ClientBase, fn: () => Promise<T>): Promise<T> {
  const nested = client.getTransactionStatus() === 'T';
  await client.query(nested ? 'SAVEPOINT temporal_pg_probe' : 'BEGIN');
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    await undo(client, nested).catch(() => undefined);
    throw error;
  }
  await undo(client, nested);
  return result;
}

async function undo(client: pg.ClientBase, nested: boolean): Promise<void> {
  if (!nested) {
    await client.query('ROLLBACK');
    return;
  }
  await client.query('ROLLBACK TO SAVEPOINT temporal_pg_probe');
  await client.query('RELEASE SAVEPOINT temporal_pg_probe');
}
