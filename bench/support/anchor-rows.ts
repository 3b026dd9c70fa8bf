/**
 * What the benchmarks share: the rows of the anchor measurements, their binary COPY data encoded
 * beforehand (the ceiling for a client: nothing to encode while the COPY runs), a raw COPY of
 * that data, and the CPU time of a server backend (the machine may be shared).
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ByteWriter } from '../../src/ingest/copy/byte-writer.js';
import type { CopyPlan } from '../../src/ingest/copy/index.js';
import { RowEncoder } from '../../src/ingest/copy/row-encoder.js';

const NAMES = ['Zoë', "O'Brien", 'Łukasz', 'Ana María', 'Jean-Luc', 'Søren', 'plain name'];

/** Columns of the anchor rows. */
export const ANCHOR_COLUMNS = 'id bigint, name text, created_at timestamptz, amount numeric(12,2), payload jsonb, active boolean';

/**
 * Rows `from` to `count - 1`: accents, 1 % tabs, 1 % backslashes, 2 % JSON with newlines and
 * quotes. A different `version` changes every value but the id.
 */
export function* anchorRows(count: number, version = 0, from = 0): Generator<unknown[]> {
  const base = Date.UTC(2024, 0, 1) + version * 86_400_000;
  for (let i = from; i < count; i++) {
    let name = `${NAMES[(i + version) % NAMES.length]} ${i}`;
    if (i % 100 === 7) name += '\twith tab';
    if (i % 100 === 13) name += ' back\\slash';
    const payload =
      i % 50 === 3
        ? { note: 'line\nbreak "quoted"', n: i, ...(version === 0 ? {} : { version }) }
        : { kind: i % 3 === 0 ? 'a' : 'b', n: i, tags: ['x', 'y'], ...(version === 0 ? {} : { version }) };
    yield [i, name, new Date(base + i * 1000), `${Math.floor(i / 7) + version}.${String(i % 100).padStart(2, '0')}`, payload, (i + version) % 2 === 0];
  }
}

/** The binary (or text) COPY data of `rows` for `plan`, in chunks of about 64 KiB. */
export function encodeAll(plan: CopyPlan, rows: Iterable<unknown[]>): Buffer[] {
  const encoder = new RowEncoder(plan);
  const out = new ByteWriter(80 * 1024);
  const chunks: Buffer[] = [];
  encoder.writeHeader(out);
  for (const row of rows) {
    encoder.write(out, row);
    if (out.pos >= 64 * 1024) chunks.push(out.take());
  }
  encoder.writeTrailer(out);
  chunks.push(out.take());
  return chunks;
}

/** Streams COPY data encoded beforehand with `statement`. */
export async function rawCopy(client: pg.ClientBase, statement: string, chunks: readonly Buffer[]): Promise<void> {
  const stream = client.query(copyFrom(statement));
  const finished = once(stream, 'finish');
  for (const chunk of chunks) if (!stream.write(chunk)) await once(stream, 'drain');
  stream.end();
  await finished;
}

/** User + system CPU seconds of a process, from /proc (clock ticks of 10 ms on Linux). */
export function processCpu(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
