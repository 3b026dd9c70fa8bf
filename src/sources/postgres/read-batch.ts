/**
 * One batch of the PostgreSQL source on one pooled connection: open a read-only snapshot, find the
 * batch boundary, then stream the rows through a cursor `fetchSize` at a time. The connection goes
 * back to the pool as soon as the rows are read (COMMIT), or when the consumer stops early (ROLLBACK),
 * or is destroyed if even that fails.
 */
import type pg from 'pg';
import { checkOut } from '../../db/check-out.js';
import { BatchRows } from '../batch-rows.js';
import type { JsonValue, SourceRow } from '../types.js';
import { rowObjectFactory } from '../row-object.js';
import { decoderFor, isKnownType, keyValueToJson, type Decoder, type TypeInfo } from './decode.js';
import { POSTGRES_TABLE_SOURCE, type TableRead } from './table-args.js';
import { BEGIN_BATCH, boundarySql, declareCursorSql, fetchSql, typeInfoSql } from './sql.js';

/** Every value arrives as PostgreSQL's text; `decode.ts` converts it. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

export interface OpenBatch {
  /** The watermark stored with this batch: the boundary key. */
  readonly watermark: JsonValue;
  /** The boundary key as PostgreSQL printed it, the lower bound of the next batch. */
  readonly through: readonly string[];
  /** Retiring them releases the connection if they were not read to the end. */
  readonly rows: BatchRows;
}

/** Reads the batch after `after`, or returns undefined when no row is left. */
export async function readBatch(
  pool: pg.Pool,
  read: TableRead & { readonly columns: readonly string[] },
  after: readonly unknown[],
  types: Map<number, TypeInfo>,
  signal: AbortSignal | undefined,
): Promise<OpenBatch | undefined> {
  const connection = new BatchConnection(await checkOut(pool));
  let boundary: pg.QueryResult<unknown[]>;
  try {
    await connection.client.query(BEGIN_BATCH);
    const statement = boundarySql(read.relation, read.key, after, read.batchSize);
    boundary = await connection.client.query({ text: statement.text, values: [...statement.values], rowMode: 'array', types: RAW_TEXT });
  } catch (error) {
    await connection.close();
    throw error;
  }
  const row = boundary.rows.find((r) => r[0] === '1') ?? boundary.rows[0];
  if (row === undefined) {
    await connection.commit();
    return undefined;
  }
  const through = row.slice(1) as string[];
  const keyJson = through.map((value, i) => keyValueToJson(value, boundary.fields[i + 1]?.dataTypeID ?? 0));
  const watermark: JsonValue = keyJson.length === 1 ? (keyJson[0] as JsonValue) : keyJson;
  return {
    watermark,
    through,
    rows: new BatchRows(
      () => streamRows(connection, read, after, through, types, signal),
      `${POSTGRES_TABLE_SOURCE}: batch through ${JSON.stringify(watermark)}`,
      () => connection.close(),
    ),
  };
}

async function* streamRows(
  connection: BatchConnection,
  read: TableRead & { readonly columns: readonly string[] },
  after: readonly unknown[],
  through: readonly string[],
  types: Map<number, TypeInfo>,
  signal: AbortSignal | undefined,
): AsyncGenerator<SourceRow> {
  const { client } = connection;
  const newRow = rowObjectFactory(read.columns);
  try {
    const declare = declareCursorSql(read.relation, read.columns, read.key, after, through);
    await client.query(declare.text, [...declare.values]);
    let decoders: Decoder[] | undefined;
    for (;;) {
      signal?.throwIfAborted();
      const page = await client.query<unknown[]>({ text: fetchSql(read.fetchSize), rowMode: 'array', types: RAW_TEXT });
      decoders ??= await decodersFor(client, page.fields, types);
      for (const values of page.rows) {
        const out = newRow();
        for (let i = 0; i < values.length; i++) {
          const value = values[i] as string | null;
          out[read.columns[i] as string] = value === null ? null : (decoders[i] as Decoder)(value);
        }
        yield out;
      }
      if (page.rows.length < read.fetchSize) break;
    }
    await connection.commit();
  } finally {
    await connection.close();
  }
}

async function decodersFor(client: pg.ClientBase, fields: readonly pg.FieldDef[], types: Map<number, TypeInfo>): Promise<Decoder[]> {
  // Types the static tables do not know (enums, domains' arrays, extension types): ask the catalog once per call.
  let unknown = fields.map((field) => field.dataTypeID).filter((oid) => !isKnownType(oid) && !types.has(oid));
  for (let round = 0; round < 2 && unknown.length > 0; round++) {
    const statement = typeInfoSql([...new Set(unknown)]);
    const result = await client.query<{ start: string; base: string; is_array: boolean; element: string; delimiter: string | null }>(
      statement.text,
      [...statement.values],
    );
    for (const info of result.rows) {
      types.set(Number(info.start), {
        base: Number(info.base),
        isArray: info.is_array,
        element: Number(info.element),
        delimiter: info.delimiter ?? ',',
      });
    }
    // Second round: element types of those arrays (an array of a domain needs the domain's base).
    unknown = result.rows.filter((info) => info.is_array).map((info) => Number(info.element)).filter((oid) => !isKnownType(oid) && !types.has(oid));
  }
  return fields.map((field) => decoderFor(field.dataTypeID, types));
}

/** A pooled connection holding the batch's transaction, given back exactly once. */
class BatchConnection {
  private released = false;

  constructor(readonly client: pg.PoolClient) {}

  async commit(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      await this.client.query('COMMIT');
    } catch (error) {
      this.client.release(error as Error);
      throw error;
    }
    this.client.release();
  }

  /** Rolls back and returns the connection; destroys it when the rollback fails (a dead or busy connection). */
  async close(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      await this.client.query('ROLLBACK');
    } catch (error) {
      this.client.release(error as Error);
      return;
    }
    this.client.release();
  }
}
