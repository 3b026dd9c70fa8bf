/**
 * Splits the rows of a multi-table batch into COPY streams on one connection, as pg-bulk-ingest
 * does: the table of the first row is loaded first; rows of other tables wait in per-table
 * buffers; once a buffer holds `cap` rows, the current COPY ends and that table's COPY starts with
 * its buffer, then goes on reading the source. At the end every non-empty buffer gets its COPY.
 * Memory stays below about (tables − 1) × `cap` rows, and the number of COPY statements small.
 */
import type { CopyRow } from '../copy/row-encoder.js';
import { UnknownTableError } from './errors.js';
import { isAsyncIterable } from './source-guard.js';

/** Loads one stream of rows into table `table`; `rowOf` maps a row's 1-based position in the stream to its number in the batch. */
export type StreamLoader = (table: number, rows: AsyncIterable<CopyRow>, rowOf: (position: number) => number | null) => Promise<void>;

interface Queue {
  values: (CopyRow | undefined)[];
  rows: number[];
  head: number;
}

/**
 * Reads `source` (pairs `[table, values]`), resolving each table with `resolve` (which throws for an
 * unknown one), and hands the streams to `load`, one at a time. Returns the number of rows read.
 */
export async function routeRows(
  source: Iterable<unknown> | AsyncIterable<unknown>,
  tableCount: number,
  resolve: (reference: unknown, row: number) => number,
  cap: number,
  batch: number,
  load: StreamLoader,
): Promise<number> {
  const iterator: Iterator<unknown> | AsyncIterator<unknown> = isAsyncIterable(source) ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  const queues: Queue[] = Array.from({ length: tableCount }, () => ({ values: [], rows: [], head: 0 }));
  let read = 0;
  let exhausted = false;
  let switchTo: number | null = null;

  const pull = async (): Promise<{ table: number; values: CopyRow; row: number } | null> => {
    const step = await iterator.next();
    if (step.done) {
      exhausted = true;
      return null;
    }
    read++;
    const pair = step.value;
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new UnknownTableError(`row ${read} of batch ${batch} is not a [table, values] pair, as rows of an ingest into several tables must be`, {
        details: { batch, row: read },
      });
    }
    return { table: resolve(pair[0], read), values: pair[1] as CopyRow, row: read };
  };

  async function* stream(table: number, positions: number[]): AsyncGenerator<CopyRow> {
    const queue = queues[table] as Queue;
    while (queue.head < queue.values.length) {
      const values = queue.values[queue.head] as CopyRow;
      positions.push(queue.rows[queue.head] as number);
      queue.values[queue.head] = undefined; // let the row go once it is sent
      queue.head++;
      yield values;
    }
    queue.values = [];
    queue.rows = [];
    queue.head = 0;
    while (!exhausted) {
      const item = await pull();
      if (item === null) return;
      if (item.table === table) {
        positions.push(item.row);
        yield item.values;
        continue;
      }
      const other = queues[item.table] as Queue;
      other.values.push(item.values);
      other.rows.push(item.row);
      if (other.values.length - other.head >= cap) {
        switchTo = item.table;
        return;
      }
    }
  }

  const first = await pull();
  if (first === null) return 0;
  (queues[first.table] as Queue).values.push(first.values);
  (queues[first.table] as Queue).rows.push(first.row);
  let current = first.table;
  for (;;) {
    switchTo = null;
    const positions: number[] = [];
    await load(current, stream(current, positions), (position) => positions[position - 1] ?? null);
    if (switchTo === null) break;
    current = switchTo;
  }
  for (const [table, queue] of queues.entries()) {
    if (queue.head >= queue.values.length) continue;
    const positions: number[] = [];
    await load(table, stream(table, positions), (position) => positions[position - 1] ?? null);
  }
  return read;
}
