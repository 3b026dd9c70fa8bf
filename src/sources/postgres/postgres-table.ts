/**
 * An incremental read of a table (or view, materialized view, foreign table) on a source database:
 * rows in the order of a watermark column (then tiebreaker columns), in batches after the stored
 * watermark, each batch read through a cursor in one read-only snapshot. See `sql.ts` for how the
 * batch boundary keeps rows that share a value together, and `decode.ts` for the values.
 */
import type pg from 'pg';
import { findDatabase, type Databases } from '../../db/databases.js';
import { isPostgresError } from '../../errors/postgres-error.js';
import { displayName } from '../../sql/identifier.js';
import {
  InvalidSourceWatermarkError,
  NullOrderingValueError,
  SourceTableNotFoundError,
  UnknownSourceColumnError,
  UnknownSourceDatabaseError,
} from '../errors.js';
import type { BatchSource, JsonValue, SourceBatch, SourceContext } from '../types.js';
import type { TypeInfo } from './decode.js';
import { readBatch } from './read-batch.js';
import { describeRelationSql, nullCheckSql, watermarkProbeSql } from './sql.js';
import {
  POSTGRES_TABLE_SOURCE,
  readTableArgs,
  watermarkValues,
  type PostgresTableArgs,
  type TableRead,
} from './table-args.js';

export { POSTGRES_TABLE_SOURCE, watermarkValues, type PostgresTableArgs };

/**
 * The worker's source databases: a pool (named `default`) or pools by name — the same type as the
 * activities' `databases`, usually the same map. Args name one; URLs never travel.
 */
export type SourceDatabases = Databases;

/** Options of {@link createPostgresTableSource}, fixed by the worker. */
export interface PostgresTableSourceOptions {
  /** Source databases by name (a single pool is named `default`). The source checks out one connection per batch. */
  readonly databases: SourceDatabases;
}

function poolNamed(databases: SourceDatabases, name: string): pg.Pool {
  const { pool, known } = findDatabase(databases, name);
  if (pool === undefined) {
    throw new UnknownSourceDatabaseError(
      `${POSTGRES_TABLE_SOURCE}: no source database named ${JSON.stringify(name)} on this worker (registered: ${known.length > 0 ? known.join(', ') : 'none'})`,
      { details: { source: POSTGRES_TABLE_SOURCE, database: name, known } },
    );
  }
  return pool;
}

/** The PostgreSQL source bound to the worker's databases. Args are checked when it is called. */
export function createPostgresTableSource(options: PostgresTableSourceOptions): BatchSource<PostgresTableArgs> {
  return postgresTableSource(options);
}

/** {@link createPostgresTableSource} for a registry: args `unknown`, checked at run time. */
export function postgresTableSource(options: PostgresTableSourceOptions): BatchSource {
  return function postgresTable(highWatermark: JsonValue | null, args: unknown, context: SourceContext = {}): AsyncIterable<SourceBatch> {
    const read = readTableArgs(args);
    const after = watermarkValues(highWatermark, read.key);
    const pool = poolNamed(options.databases, read.database);
    return tableBatches(pool, read, after, context.signal);
  };
}

async function* tableBatches(
  pool: pg.Pool,
  read: TableRead,
  firstAfter: readonly (string | number | boolean)[],
  signal: AbortSignal | undefined,
): AsyncGenerator<SourceBatch> {
  signal?.throwIfAborted();
  const columns = await prepare(pool, read, firstAfter);
  const types = new Map<number, TypeInfo>();
  let after: readonly unknown[] = firstAfter;
  for (;;) {
    signal?.throwIfAborted();
    const batch = await readBatch(pool, { ...read, columns }, after, types, signal);
    if (batch === undefined) return;
    try {
      yield { highWatermark: batch.watermark, rows: batch.rows };
    } finally {
      await batch.rows.retire();
    }
    after = batch.through;
  }
}

/** Checks the relation, its columns, NULL keys and the watermark; returns the columns to read. */
async function prepare(pool: pg.Pool, read: TableRead, after: readonly unknown[]): Promise<readonly string[]> {
  const describe = describeRelationSql(read.relation);
  const described = await pool.query<{ attname: string | null; attnotnull: boolean | null }>(describe.text, [
    ...describe.values,
  ]);
  const where = { source: POSTGRES_TABLE_SOURCE, database: read.database, schema: read.relation.schema, table: read.relation.name };
  const name = displayName(read.relation);
  if (described.rows.length === 0) {
    throw new SourceTableNotFoundError(`${POSTGRES_TABLE_SOURCE}: source database ${read.database} has no table or view ${name}`, {
      details: where,
    });
  }
  const notNull = new Map(described.rows.filter((row) => row.attname !== null).map((row) => [row.attname as string, row.attnotnull === true]));
  const check = (column: string, field: string) => {
    if (!notNull.has(column)) {
      throw new UnknownSourceColumnError(`${POSTGRES_TABLE_SOURCE}: ${name} has no column ${JSON.stringify(column)} (args.${field})`, {
        details: { ...where, column, field },
      });
    }
  };
  read.key.forEach((column, i) => check(column, i === 0 ? 'watermarkColumn' : 'tiebreakerColumns'));
  read.columns?.forEach((column) => check(column, 'columns'));

  if (read.nulls === 'error') {
    const nullable = read.key.filter((column) => notNull.get(column) !== true);
    if (nullable.length > 0) {
      const statement = nullCheckSql(read.relation, nullable);
      const result = await pool.query<unknown[]>({ text: statement.text, values: [], rowMode: 'array' });
      const found = nullable.filter((_, i) => result.rows[0]?.[i] === true);
      if (found.length > 0) {
        throw new NullOrderingValueError(
          `${POSTGRES_TABLE_SOURCE}: ${name} has rows with NULL in ${found.join(', ')}; they have no place in the order and would never be read (args.nulls: 'skip' leaves them out)`,
          { details: { ...where, columns: found } },
        );
      }
    }
  }

  if (after.length > 0) await probeWatermark(pool, read, after);
  return read.columns ?? [...notNull.keys()];
}

/** A watermark the key's types reject (a string where a timestamp is expected …) is the caller's error, not the data's. */
async function probeWatermark(pool: pg.Pool, read: TableRead, after: readonly unknown[]): Promise<void> {
  const statement = watermarkProbeSql(read.relation, read.key, after);
  try {
    await pool.query(statement.text, [...statement.values]);
  } catch (error) {
    if (isPostgresError(error) && error.code.startsWith('22')) {
      throw new InvalidSourceWatermarkError(
        `${POSTGRES_TABLE_SOURCE}: the high watermark ${JSON.stringify(after)} does not fit the type of ${read.key.join(', ')}: ${error.message}`,
        { cause: error, details: { source: POSTGRES_TABLE_SOURCE, highWatermark: [...after], key: [...read.key], sqlstate: error.code } },
      );
    }
    throw error;
  }
}
