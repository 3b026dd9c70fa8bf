/**
 * Rough throughput of the COPY layer on an embedded PostgreSQL 18 (run by hand, not a test):
 *
 *   npx tsx bench/copy-encoding.ts [rows=500000] [runs=3]
 *
 * Cells, on the same deterministic rows, into a fresh table with a bigint primary key:
 * - encoder only: rows per CPU second of the binary and text row encoders, no database (and of
 *   generating the rows alone, which every other cell includes);
 * - copyRows binary: rows encoded on the fly, binary COPY;
 * - copyRows text: the same through the forced text format;
 * - raw binary: the same binary COPY data encoded beforehand and streamed from memory (the ceiling
 *   for this client: no encoding at all while the COPY runs).
 * Medians of `runs` runs after one warm-up run, cells interleaved. The machine may be shared, so
 * besides wall-clock rows/s the CPU seconds of this process and of the server backend are printed:
 * they barely move when other processes compete for the cores.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
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

interface Sample {
  wall: number;
  clientCpu: number;
  serverCpu: number;
}

/** User + system CPU seconds of a process, from /proc (clock ticks of 10 ms on Linux). */
function processCpu(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function timed(backendPid: number, action: () => Promise<void>): Promise<Sample> {
  const client = process.cpuUsage();
  const server = processCpu(backendPid);
  const started = performance.now();
  await action();
  const used = process.cpuUsage(client);
  return {
    wall: (performance.now() - started) / 1000,
    clientCpu: (used.user + used.system) / 1e6,
    serverCpu: processCpu(backendPid) - server,
  };
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

/** Rows per CPU second of this process for `work` over the generated rows (generation included). */
function cpuRate(work: (row: unknown[]) => void): number {
  const started = process.cpuUsage();
  for (const row of rows(ROWS)) work(row);
  const used = process.cpuUsage(started);
  return ROWS / ((used.user + used.system) / 1e6);
}

function encoderOnly(plan: CopyPlan): number {
  const encoder = new RowEncoder(plan);
  const out = new ByteWriter(80 * 1024);
  return cpuRate((row) => {
    encoder.write(out, row);
    if (out.pos >= 64 * 1024) out.take();
  });
}

const server = await startEmbeddedPostgres({ major: 18, settings: { shared_buffers: '512MB', max_wal_size: '4GB' } });
const client = new pg.Client({ connectionString: server.url });
try {
  await client.connect();
  const { rows: pids } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const backendPid = pids[0]!.pid;
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
  const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(cells).map((name) => [name, []]));
  for (let run = 0; run <= RUNS; run++) {
    for (const [name, cell] of Object.entries(cells)) {
      await freshTable(client);
      const sample = await timed(backendPid, cell);
      if (run > 0) samples[name]!.push(sample);
    }
  }
  const { rows: sizes } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM bench`);
  if (Number(sizes[0]?.n) !== ROWS) throw new Error(`expected ${ROWS} rows, found ${sizes[0]?.n}`);

  console.log(`${ROWS} rows, ${(binaryBytes / ROWS).toFixed(0)} B/row binary, medians of ${RUNS} runs, PostgreSQL 18 embedded`);
  const rate = (value: number) => Math.round(value).toLocaleString('en');
  console.log(`generating the rows only:        ${rate(cpuRate(() => undefined))} rows per CPU second`);
  console.log(`generating + binary encoder:     ${rate(encoderOnly(binaryPlan))} rows per CPU second`);
  console.log(`generating + text encoder:       ${rate(encoderOnly(textPlan))} rows per CPU second`);
  const raw = ROWS / median(samples['raw binary (pre-encoded)']!.map((sample) => sample.wall));
  const perSecond = (seconds: number) => Math.round(ROWS / seconds).toLocaleString('en').padStart(9);
  console.log(`${''.padEnd(26)} ${'rows/s'.padStart(9)}  ${'× raw'.padStart(6)}  ${'rows per server CPU s'.padStart(21)}  ${'rows per client CPU s'.padStart(21)}`);
  for (const [name, values] of Object.entries(samples)) {
    const rate = ROWS / median(values.map((sample) => sample.wall));
    console.log(
      `${name.padEnd(26)} ${perSecond(median(values.map((sample) => sample.wall)))}  ${(rate / raw).toFixed(2).padStart(6)}  ` +
        `${perSecond(median(values.map((sample) => sample.serverCpu))).padStart(21)}  ${perSecond(median(values.map((sample) => sample.clientCpu))).padStart(21)}`,
    );
  }
  console.log(`wall seconds per run: ${Object.entries(samples).map(([name, values]) => `${name}: ${values.map((v) => v.wall.toFixed(2)).join('/')}`).join('; ')}`);
} finally {
  await client.end();
  await server.stop();
}
