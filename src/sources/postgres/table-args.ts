/**
 * The PostgreSQL source's arguments: their documented shape, their validation (JSON from a workflow
 * input), and the watermark they resume from.
 */
import { ArgsReader } from '../args.js';
import { InvalidSourceWatermarkError } from '../errors.js';
import type { JsonValue } from '../types.js';
import type { QualifiedName } from '../../sql/identifier.js';

/** The registered name of this source in {@link builtInSources}. */
export const POSTGRES_TABLE_SOURCE = 'temporal-pg/postgres-table';

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

export function readTableArgs(args: unknown): TableRead {
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

