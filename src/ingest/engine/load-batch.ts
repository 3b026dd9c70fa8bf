/**
 * Loading a batch's rows into its tables, inside the batch transaction: binary COPY (text when a
 * column type needs it) straight into the table, or — to upsert on a primary key — into a TEMP
 * staging table that is then applied in one statement, the last row of each key winning.
 */
import type pg from 'pg';
import { queryRows } from '../../db/queryable.js';
import { copyRows } from '../copy/copy-rows.js';
import { prepareCopy, retargetCopyPlan, type CopyPlan } from '../copy/plan.js';
import type { CopyRow } from '../copy/row-encoder.js';
import type { BatchTable } from './batch-tables.js';
import { BatchSourceError, IngestTableChangedError } from './errors.js';
import { applyStage, createStage, relationColumnsQuery, type ColumnFact } from './ingest-sql.js';
import { ordinalColumn, stageName } from './names.js';
import { routeRows } from './row-router.js';
import { mapLoadError } from './server-errors.js';
import { SourceFailure, guardRows } from './source-guard.js';

/** What {@link loadBatch} needs. */
export interface LoadInput {
  readonly client: pg.ClientBase;
  readonly batch: number;
  readonly tables: readonly BatchTable[];
  /** The batch's rows: values for one table, `[table, values]` pairs for several. */
  readonly rows: Iterable<unknown> | AsyncIterable<unknown>;
  /** Several tables: resolves a row's table reference to its index (throws for an unknown one). */
  readonly resolve: ((reference: unknown, row: number) => number) | null;
  readonly maxRowsPerTableBuffer: number;
  readonly upsert: 'if-primary-key' | 'off';
  readonly signal?: AbortSignal;
  readonly progressIntervalMs: number;
  /** Totals of the batch so far (all tables); may throw to abort. */
  readonly onProgress: (rows: number, bytes: number) => void;
  /** What earlier batches of the same run learnt about the tables (columns, COPY plans), by table and column digest. */
  readonly cache: Map<string, CachedTable>;
}

/** What a run remembers of a table between batches: valid while its OID and column digest stay the same. */
export interface CachedTable {
  readonly columns: readonly ColumnFact[];
  readonly signature: string;
  plan: CopyPlan | undefined;
}

/** What was loaded. */
export interface LoadResult {
  readonly rows: number;
  readonly bytes: number;
  /** Rows per table, in definition order. */
  readonly perTable: readonly number[];
}

/** One table's loading state. */
interface Destination {
  readonly table: BatchTable;
  readonly cached: CachedTable;
  readonly columns: readonly ColumnFact[];
  readonly key: readonly string[];
  readonly staged: boolean;
  readonly stage: string;
  readonly ordinal: string;
  plan: CopyPlan | undefined;
  stageCreated: boolean;
  rows: number;
}

/**
 * Streams the rows into the tables and applies the staged upserts. Rows are never held whole: one
 * table streams straight through; several go through the router's bounded buffers.
 *
 * @throws the COPY layer's row errors; RowRejectedError / BatchRejectedError for what the server
 *   refused; BatchSourceError when the rows' iterator threw; UnknownTableError for a row of an
 *   unknown table.
 */
export async function loadBatch(input: LoadInput): Promise<LoadResult> {
  const { client, batch } = input;
  const destinations = await describeDestinations(input);
  let doneRows = 0;
  let doneBytes = 0;

  const loadStream = async (index: number, rows: Iterable<CopyRow> | AsyncIterable<CopyRow>, rowOf: (position: number) => number | null) => {
    const destination = destinations[index] as Destination;
    const { table } = destination;
    destination.plan ??= destination.cached.plan ??= await prepareCopy(client, table.target, destination.columns.map(({ name, typeOid, typmod }) => ({ name, typeOid, typmod })));
    if (destination.staged && !destination.stageCreated) {
      await client.query(createStage(destination.stage, table.into, destination.ordinal));
      destination.stageCreated = true;
    }
    const into = destination.staged ? { schema: 'pg_temp', name: destination.stage } : table.into;
    // Errors keep naming the user's table, not the staging or fresh table the rows go into.
    const plan: CopyPlan = { ...destination.plan, statement: retargetCopyPlan(destination.plan, into).statement };
    try {
      const result = await copyRows(client, plan, rows, {
        batch,
        signal: input.signal,
        progressIntervalMs: input.progressIntervalMs,
        onProgress: (progress) => input.onProgress(doneRows + progress.rows, doneBytes + progress.bytes),
        rowNumber: (position) => rowOf(position) ?? position,
      });
      destination.rows += result.rows;
      doneRows += result.rows;
      doneBytes += result.bytes;
    } catch (error) {
      if (error instanceof SourceFailure) throw error;
      throw mapLoadError(error, { table: table.display, batch, rowOfLine: rowOf });
    }
  };

  try {
    if (input.resolve === null) {
      await loadStream(0, guardRows(input.rows as Iterable<CopyRow> | AsyncIterable<CopyRow>), (position) => position);
    } else {
      await routeRows(guardRows(input.rows), destinations.length, input.resolve, input.maxRowsPerTableBuffer, batch, loadStream);
    }
  } catch (error) {
    if (error instanceof SourceFailure) {
      throw new BatchSourceError(`the rows of batch ${batch} threw after ${error.rowsRead} row(s): ${describe(error.error)}`, {
        details: { batch, row: error.rowsRead + 1 },
        cause: error.error,
      });
    }
    throw error;
  }

  for (const destination of destinations) {
    if (!destination.stageCreated || destination.plan === undefined) continue;
    const how = destination.table.empty ? 'insert' : destination.plan.serverVersion >= 150000 ? 'merge' : 'on-conflict';
    const statement = applyStage(
      { table: destination.table.into, stage: destination.stage, ordinal: destination.ordinal, columns: destination.columns, key: destination.key },
      how,
    );
    try {
      await client.query(statement);
    } catch (error) {
      throw mapLoadError(error, { table: destination.table.display, batch });
    }
  }
  return { rows: doneRows, bytes: doneBytes, perTable: destinations.map((destination) => destination.rows) };
}

/** The columns of every destination (in definition order): from the run's cache, or from one catalog query for the others. */
async function describeDestinations(input: LoadInput): Promise<Destination[]> {
  const keyOf = (oid: number | null, signature: string | null) => `${oid}:${signature}`;
  const unknown = input.tables.filter((table) => table.intoFacts === null || !input.cache.has(keyOf(table.intoFacts.oid, table.intoFacts.signature)));
  if (unknown.length > 0) {
    const rows = await queryRows<{ oid: string | null; signature: string | null; columns: ColumnFact[] }>(input.client, relationColumnsQuery(unknown.map((table) => table.into)));
    unknown.forEach((table, i) => {
      const row = rows[i];
      if (row === undefined || row.oid === null || row.signature === null) {
        throw new IngestTableChangedError(`table ${table.display} is gone; plan the ingest again`, { details: { table: table.display, batch: input.batch } });
      }
      const cached: CachedTable = { columns: row.columns, signature: row.signature, plan: undefined };
      input.cache.set(keyOf(Number(row.oid), row.signature), cached);
      if (table.intoFacts === null) input.cache.set(`new:${table.index}`, cached);
    });
  }
  return input.tables.map((table, i) => {
    const cached = (table.intoFacts === null ? input.cache.get(`new:${table.index}`) : input.cache.get(keyOf(table.intoFacts.oid, table.intoFacts.signature))) as CachedTable;
    if (table.intoFacts === null) input.cache.delete(`new:${table.index}`);
    const byName = new Map(cached.columns.map((column) => [column.name, column]));
    const columns = table.definition.columns.map((column) => {
      const fact = byName.get(column.name);
      if (fact === undefined) {
        throw new IngestTableChangedError(`table ${table.display} has no column ${JSON.stringify(column.name)} any more (changed since the ingest planned); plan the ingest again`, {
          details: { table: table.display, column: column.name, batch: input.batch },
        });
      }
      return fact;
    });
    const key = table.definition.columns.filter((column) => column.primaryKey === true).map((column) => column.name);
    return {
      table,
      cached,
      columns,
      key,
      staged: input.upsert === 'if-primary-key' && key.length > 0,
      stage: stageName(i, cached.signature),
      ordinal: ordinalColumn(cached.columns.map((column) => column.name)),
      plan: undefined,
      stageCreated: false,
      rows: 0,
    };
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
