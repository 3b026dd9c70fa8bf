/**
 * An incremental read of a table (or view, materialized view, foreign table) on a source database:
 * rows in the order of a watermark column (then tiebreaker columns), in batches after the stored
 * watermark, each batch read through a cursor in one read-only snapshot. See `sql.ts` for how the
 * batch boundary keeps rows that share a value together, and `decode.ts` for the values.
 */
import type pg from 'pg';
import { isPool } from '../../db/queryable.js';
import { isPostgresError } from '../../errors/postgres-error.js';
import { displayName, type QualifiedName } from '../../sql/identifier.js';
import { ArgsReader } from '../args.js';
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

/** The registered name of this source in {@link builtInSources}. */
export const POSTGRES_TABLE_SOURCE = 'temporal-pg/postgres-table';

/** The worker's source databases: a pool (named `default`) or pools by name. Args name one; URLs never travel. */
export type SourceDatabases = pg.Pool | Readonly<Record<string, pg.Pool>>;

/** Arguments of the PostgreSQL source (JSON, as a workflow passes them). */
export interface PostgresTableArgs {
  /** Name of the source database among the worker's `databases`. Default `'default'`. */
  readonly database?: string;
  /** Schema of the relation. Default `'public'`. */
  readonly schema?: string;
  /** The table, view, materialized view or foreign table to read (for a query, create a view). */
  readonly table: string;
  /**
   * The column the watermark follows: rows are read in its order, and only rows after the stored
   * watermark. Index it (with the tiebreakers) so each batch is an index range scan.
   */
  readonly watermarkColumn: string;
  /**
   * Columns that, after `watermarkColumn`, make the order unique (typically the primary key). With
   * them the watermark is `[value, ...tiebreakers]` and batches hold exactly `batchSize` rows; without,
   * it is the value alone and a batch grows past `batchSize` to take every row sharing its last
   * value. Either way no row is lost or repeated at a boundary. Default none.
   */
  readonly tiebreakerColumns?: string | readonly string[];
  /** Columns to read, in this order; they become the row object's keys. Default: all, in table order. */
  readonly columns?: readonly string[];
  /** Rows per batch (and per target transaction). Default 10,000. */
  readonly batchSize?: number;
  /** Rows per round trip from the source cursor (what is held in memory at once). Default 1,000. */
  readonly fetchSize?: number;
  /**
   * Rows with NULL in the watermark or a tiebreaker column have no place in the order and are never
   * read. `'error'` checks for them at each call (one `EXISTS` per nullable key column) and fails with
   * `NullOrderingValue`; `'skip'` leaves them out without looking. Default `'error'`.
   */
  readonly nulls?: 'error' | 'skip';
}

/** Options of {@link createPostgresTableSource}, fixed by the worker. */
export interface PostgresTableSourceOptions {
  /** Source databases by name (a single pool is named `default`). The source checks out one connection per batch. */
  readonly databases: SourceDatabases;
}

/** The validated args of one call. */
export interface TableRead {
  readonly database: string;
  readonly relation: QualifiedName;
  /** The watermark column, then the tiebreakers. */
  readonly key: readonly string[];
  readonly columns: readonly string[] | undefined;
  readonly batchSize: number;
  readonly fetchSize: number;
  readonly nulls: 'error' | 'skip';
}

function readArgs(args: unknown): TableRead {
  const reader = new ArgsReader(POSTGRES_TABLE_SOURCE, args);
  const database = reader.string('database', 'default');
  const relation = { schema: reader.string('schema', 'public'), name: reader.string('table') };
  const watermarkColumn = reader.string('watermarkColumn');
  const tiebreakers = reader.stringList('tiebreakerColumns', { single: true }) ?? [];
  const read: TableRead = {
    database,
    relation,
    key: [watermarkColumn, ...tiebreakers],
    columns: reader.stringList('columns', {}),
    batchSize: reader.integer('batchSize', 10_000, 1, 100_000_000),
    fetchSize: reader.integer('fetchSize', 1_000, 1, 1_000_000),
    nulls: reader.oneOf('nulls', ['error', 'skip'], 'error'),
  };
  reader.done();
  const key = new Set<string>();
  for (const column of read.key) {
    if (key.has(column)) reader.fail('tiebreakerColumns', `repeats column ${JSON.stringify(column)}`);
    key.add(column);
  }
  if (read.columns !== undefined && new Set(read.columns).size !== read.columns.length) reader.fail('columns', 'lists a column twice');
  return read;
}

/** The values after which to read: none, the watermark column's value, or one per key column. */
export function watermarkValues(highWatermark: JsonValue | null, key: readonly string[]): readonly (string | number | boolean)[] {
  if (highWatermark === null) return [];
  const isScalar = (value: unknown): value is string | number | boolean =>
    typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
  if (isScalar(highWatermark)) return [highWatermark];
  if (Array.isArray(highWatermark) && key.length > 1 && highWatermark.length === key.length && highWatermark.every(isScalar)) {
    return highWatermark;
  }
  const expected = key.length === 1 ? `a ${key[0]} value` : `a ${key[0]} value or an array [${key.join(', ')}]`;
  throw new InvalidSourceWatermarkError(
    `${POSTGRES_TABLE_SOURCE}: the high watermark ${JSON.stringify(highWatermark)} is not ${expected} (or null)`,
    { details: { source: POSTGRES_TABLE_SOURCE, highWatermark, key: [...key] } },
  );
}

function poolNamed(databases: SourceDatabases, name: string): pg.Pool {
  const pools: Readonly<Record<string, pg.Pool>> = isPool(databases as pg.Pool) ? { default: databases as pg.Pool } : (databases as Record<string, pg.Pool>);
  const pool = Object.hasOwn(pools, name) ? pools[name] : undefined;
  if (pool === undefined) {
    const known = Object.keys(pools);
    throw new UnknownSourceDatabaseError(
      `${POSTGRES_TABLE_SOURCE}: no source database named ${JSON.stringify(name)} on this worker (registered: ${known.length > 0 ? known.join(', ') : 'none'})`,
      { details: { source: POSTGRES_TABLE_SOURCE, database: name, known } },
    );
  }
  return pool;
}

/** The PostgreSQL source bound to the worker's databases. Args are checked when it is called. */
export function createPostgresTableSource(options: PostgresTableSourceOptions): BatchSource<PostgresTableArgs> {
  return function postgresTable(highWatermark: JsonValue | null, args: PostgresTableArgs, context: SourceContext = {}): AsyncIterable<SourceBatch> {
    const read = readArgs(args);
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
      await batch.close();
    }
    after = batch.through;
  }
}

/** Checks the relation, its columns, NULL keys and the watermark; returns the columns to read. */
async function prepare(pool: pg.Pool, read: TableRead, after: readonly unknown[]): Promise<readonly string[]> {
  const describe = describeRelationSql(read.relation);
  const described = await pool.query<{ relkind: string; attname: string | null; attnotnull: boolean | null }>(describe.text, [
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
