/**
 * Rough throughput of the COPY layer on an embedded PostgreSQL 18 (run by hand, not a test):
 *
 *   npx tsx bench/copy-encoding.ts [rows=500000] [runs=3]
 *
 * Cells, on the same deterministic rows, into a fresh table with a bigint primary key:
 * - encoder only: rows/s of the binary and text row encoders, no database;
 * - copyRows binary: rows encoded on the fly, binary COPY;
 * - copyRows text: the same through the forced text format;
 * - raw binary: the same binary COPY data encoded beforehand and streamed from memory (the ceiling
 *   for this client: no encoding at all while the COPY runs).
 * Medians of `runs` runs after one warm-up run; a shared machine makes single runs noisy.
 */
import { once } from 'node:events';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ByteWriter } from '../src/ingest/copy/byte-writer.js';
import { copyRows, prepareCopy, readCopyColumns, type CopyPlan } from '../src/ingest/copy/index.js';
import { RowEncoder } from '../src/ingest/copy/row-encoder.js';
import { startEmbeddedPostgres } from '../test/support/embedded-postgres.js';

const ROWS = Number(process.argv[2] ?? 500_000);
const RUNS = Number(process.argv[3] ?? 3);
const TABLE = { schema: 'public', name: 'bench' };
const NAMES = ['Zoë', "O'Brien", 'Łukasz', 'Ana María', 'Jean-Luc', 'Søren', 'plain name'];

/** The rows of the anchor measurements: accents, 1 % tabs, 1 % backslashes, 2 % JSON with newlines and quotes. */
function* rows(count: number): Generator<unknown[]> {
  const base = Date.UTC(2024, 0, 1);
  for (let i = 0; i < count; i++) {
    let name = `${NAMES[i % NAMES.length]} ${i}`;
    if (i % 100 === 7) name += '\twith tab';
    if (i % 100 === 13) name += ' back\\slash';
    const payload =
      i % 50 === 3 ? { note: 'line\nbreak "quoted"', n: i } : { kind: i % 3 === 0 ? 'a' : 'b', n: i, tags: ['x', 'y'] };
    yield [i, name, new Date(base + i * 1000), `${Math.floor(i / 7)}.${String(i % 100).padStart(2, '0')}`, payload, i % 2 === 0];
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function timed(action: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await action();
  return (performance.now() - started) / 1000;
}

async function freshTable(client: pg.Client): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS bench`);
  await client.query(
    `CREATE TABLE bench (id bigint PRIMARY KEY, name text, created_at timestamptz, amount numeric(12,2), payload jsonb, active boolean)`,
  );
  await client.query('CHECKPOINT');
}

function encodeAll(plan: CopyPlan): Buffer[] {
  const encoder = new RowEncoder(plan);
  const out = new ByteWriter(80 * 1024);
  const chunks: Buffer[] = [];
  encoder.writeHeader(out);
  for (const row of rows(ROWS)) {
    encoder.write(out, row);
    if (out.pos >= 64 * 1024) chunks.push(out.take());
  }
  encoder.writeTrailer(out);
  chunks.push(out.take());
  return chunks;
}

async function rawCopy(client: pg.Client, statement: string, chunks: readonly Buffer[]): Promise<void> {
  const stream = client.query(copyFrom(statement));
  const finished = once(stream, 'finish');
  for (const chunk of chunks) if (!stream.write(chunk)) await once(stream, 'drain');
  stream.end();
  await finished;
}

function encoderOnly(plan: CopyPlan): number {
  const encoder = new RowEncoder(plan);
  const out = new ByteWriter(80 * 1024);
  const started = performance.now();
  for (const row of rows(ROWS)) {
    encoder.write(out, row);
    if (out.pos >= 64 * 1024) out.take();
  }
  return ROWS / ((performance.now() - started) / 1000);
}

const server = await startEmbeddedPostgres({ major: 18, settings: { shared_buffers: '512MB', max_wal_size: '4GB' } });
const client = new pg.Client({ connectionString: server.url });
try {
  await client.connect();
  await freshTable(client);
  const columns = await readCopyColumns(client, TABLE);
  const binaryPlan = await prepareCopy(client, TABLE, columns);
  const textPlan = await prepareCopy(client, TABLE, columns, { format: 'text' });
  const chunks = encodeAll(binaryPlan);
  const binaryBytes = chunks.reduce((sum, chunk) => sum + chunk.length, 0);

  const cells: Record<string, () => Promise<void>> = {
    'copyRows binary': async () => void (await copyRows(client, binaryPlan, rows(ROWS))),
    'copyRows text': async () => void (await copyRows(client, textPlan, rows(ROWS))),
    'raw binary (pre-encoded)': () => rawCopy(client, binaryPlan.statement, chunks),
  };
  const seconds: Record<string, number[]> = Object.fromEntries(Object.keys(cells).map((name) => [name, []]));
  for (let run = 0; run <= RUNS; run++) {
    for (const [name, cell] of Object.entries(cells)) {
      await freshTable(client);
      const elapsed = await timed(cell);
      if (run > 0) seconds[name]!.push(elapsed);
    }
  }
  const { rows: sizes } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM bench`);
  if (Number(sizes[0]?.n) !== ROWS) throw new Error(`expected ${ROWS} rows, found ${sizes[0]?.n}`);

  console.log(`${ROWS} rows, ${(binaryBytes / ROWS).toFixed(0)} B/row binary, medians of ${RUNS} runs, PostgreSQL 18 embedded`);
  console.log(`encoder only, binary: ${Math.round(encoderOnly(binaryPlan)).toLocaleString('en')} rows/s`);
  console.log(`encoder only, text:   ${Math.round(encoderOnly(textPlan)).toLocaleString('en')} rows/s`);
  const raw = ROWS / median(seconds['raw binary (pre-encoded)']!);
  for (const [name, values] of Object.entries(seconds)) {
    const rate = ROWS / median(values);
    console.log(
      `${name.padEnd(26)} ${Math.round(rate).toLocaleString('en').padStart(9)} rows/s  (${(rate / raw).toFixed(2)} × raw; runs ${values.map((s) => s.toFixed(2)).join(' / ')} s)`,
    );
  }
} finally {
  await client.end();
  await server.stop();
}
