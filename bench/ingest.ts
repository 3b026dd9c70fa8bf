/**
 * Throughput of the ingest engine next to raw binary COPY (and raw MERGE) of the same rows, on one
 * embedded PostgreSQL 18 with production-like durability (fsync, synchronous_commit and
 * full_page_writes on):
 *
 *   npm run bench -- ingest [rows=300000] [runs=3]
 *
 * Cells, each on the same deterministic rows (bigint id, text with accents, tabs and backslashes,
 * timestamptz, numeric(12,2), jsonb, boolean):
 * 1. append into a table without a primary key: `ingest` (one batch, and 10,000-row batches) vs
 *    raw binary COPY into the same empty table;
 * 2. first load of a table with a primary key: `ingest` creating the table vs raw `CREATE TABLE` +
 *    binary COPY;
 * 3. upsert of changed rows into a full table: `ingest` (staging table + MERGE, unchanged rows
 *    skipped, last row wins) vs raw binary COPY into a TEMP staging table + a plain `MERGE`.
 * Raw COPY streams data encoded beforehand from memory: the ceiling for this client. Cells run
 * interleaved, `runs` times after one discarded warm-up run; medians are printed with the ratio to
 * the raw cell of the same scenario, and the CPU seconds of the server backend (the machine may be
 * shared: CPU time moves less than wall time when other processes compete).
 */
import pg from 'pg';
import { prepareCopy, readCopyColumns } from '../src/ingest/copy/index.js';
import { ingest, type IngestBatch, type TableDefinition } from '../src/index.js';
import { startEmbeddedPostgres } from '../test/support/embedded-postgres.js';
import { ANCHOR_COLUMNS, anchorRows, encodeAll, median, processCpu, rawCopy } from './support/anchor-rows.js';

const ROWS = Number(process.argv[2] ?? 300_000);
const RUNS = Number(process.argv[3] ?? 3);
const COLUMNS = ANCHOR_COLUMNS;

const definition = (withKey: boolean): TableDefinition => ({
  schema: 'public',
  name: 'bench',
  columns: [
    { name: 'id', type: 'bigint', primaryKey: withKey },
    { name: 'name', type: 'text' },
    { name: 'created_at', type: 'timestamptz' },
    { name: 'amount', type: 'numeric(12,2)' },
    { name: 'payload', type: 'jsonb' },
    { name: 'active', type: 'boolean' },
  ],
});

const rows = anchorRows;

function* inBatches(count: number, size: number): Generator<IngestBatch> {
  for (let start = 0; start < count; start += size) {
    const end = Math.min(count, start + size);
    yield { highWatermark: end, rows: rows(end, 0, start) };
  }
}

interface Sample {
  wall: number;
  serverCpu: number;
}

interface Cell {
  readonly scenario: string;
  readonly name: string;
  readonly raw: boolean;
  /** Untimed preparation (fresh tables, a full table to upsert into). */
  readonly setup: () => Promise<void>;
  readonly run: () => Promise<void>;
  /** Checks the result (untimed). */
  readonly check: () => Promise<void>;
}

const server = await startEmbeddedPostgres({
  major: 18,
  settings: { fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on', shared_buffers: '512MB', max_wal_size: '4GB' },
});
const client = new pg.Client({ connectionString: server.url });
try {
  await client.connect();
  const backendPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const reset = async (sql: string) => {
    await client.query('DROP TABLE IF EXISTS bench');
    await client.query(sql);
    await client.query('VACUUM ANALYZE');
    await client.query('CHECKPOINT');
  };
  await client.query(`CREATE TABLE bench (${COLUMNS})`);
  const plan = await prepareCopy(client, { schema: 'public', name: 'bench' }, await readCopyColumns(client, { schema: 'public', name: 'bench' }));
  const original = encodeAll(plan, rows(ROWS, 0));
  const changed = encodeAll(plan, rows(ROWS, 1));
  const bytes = original.reduce((sum, chunk) => sum + chunk.length, 0);
  const count = async (expected: number) => {
    const n = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM bench')).rows[0]?.n);
    if (n !== expected) throw new Error(`expected ${expected} rows, found ${n}`);
  };
  const changedAll = async () => {
    const n = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM bench WHERE payload->>'version' = '1'`)).rows[0]?.n);
    if (n !== ROWS) throw new Error(`expected ${ROWS} changed rows, found ${n}`);
  };
  const fullTable = async () => {
    await reset(`CREATE TABLE bench (${COLUMNS}, PRIMARY KEY (id))`);
    await rawCopy(client, plan.statement, original);
    await client.query('VACUUM ANALYZE bench');
    await client.query('CHECKPOINT');
  };
  const merge = `MERGE INTO bench t USING stage s ON t.id = s.id
    WHEN MATCHED THEN UPDATE SET name = s.name, created_at = s.created_at, amount = s.amount, payload = s.payload, active = s.active
    WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.name, s.created_at, s.amount, s.payload, s.active)`;

  const cells: Cell[] = [
    {
      scenario: '1. append, no primary key',
      name: 'raw binary COPY',
      raw: true,
      setup: () => reset(`CREATE TABLE bench (${COLUMNS})`),
      run: () => rawCopy(client, plan.statement, original),
      check: () => count(ROWS),
    },
    {
      scenario: '1. append, no primary key',
      name: 'ingest, one batch',
      raw: false,
      setup: () => reset(`CREATE TABLE bench (${COLUMNS})`),
      run: async () => void (await ingest(client, definition(false), () => [{ highWatermark: ROWS, rows: rows(ROWS) }])),
      check: () => count(ROWS),
    },
    {
      scenario: '1. append, no primary key',
      name: 'ingest, 10,000-row batches',
      raw: false,
      setup: () => reset(`CREATE TABLE bench (${COLUMNS})`),
      run: async () => void (await ingest(client, definition(false), () => inBatches(ROWS, 10_000))),
      check: () => count(ROWS),
    },
    {
      scenario: '2. first load, primary key',
      name: 'raw CREATE TABLE + binary COPY',
      raw: true,
      setup: () => client.query('DROP TABLE IF EXISTS bench').then(() => client.query('CHECKPOINT')).then(() => undefined),
      run: async () => {
        await client.query('BEGIN');
        await client.query(`CREATE TABLE bench (${COLUMNS}, PRIMARY KEY (id))`);
        await rawCopy(client, plan.statement, original);
        await client.query('COMMIT');
      },
      check: () => count(ROWS),
    },
    {
      scenario: '2. first load, primary key',
      name: 'ingest (creates the table)',
      raw: false,
      setup: () => client.query('DROP TABLE IF EXISTS bench').then(() => client.query('CHECKPOINT')).then(() => undefined),
      run: async () => void (await ingest(client, definition(true), () => [{ highWatermark: ROWS, rows: rows(ROWS) }])),
      check: () => count(ROWS),
    },
    {
      scenario: '3. upsert, every row changed',
      name: 'raw COPY to TEMP stage + MERGE',
      raw: true,
      setup: fullTable,
      run: async () => {
        await client.query('BEGIN');
        await client.query('CREATE TEMP TABLE stage (LIKE bench) ON COMMIT DROP');
        await rawCopy(client, plan.statement.replace('"public"."bench"', 'stage'), changed);
        await client.query(merge);
        await client.query('COMMIT');
      },
      check: changedAll,
    },
    {
      scenario: '3. upsert, every row changed',
      name: 'ingest (stage + MERGE)',
      raw: false,
      setup: fullTable,
      run: async () => void (await ingest(client, definition(true), () => [{ highWatermark: ROWS, rows: rows(ROWS, 1) }])),
      check: changedAll,
    },
  ];

  const samples = new Map<Cell, Sample[]>(cells.map((cell) => [cell, []]));
  for (let run = 0; run <= RUNS; run++) {
    for (const cell of cells) {
      await cell.setup();
      const cpu = processCpu(backendPid);
      const started = performance.now();
      await cell.run();
      const sample = { wall: (performance.now() - started) / 1000, serverCpu: processCpu(backendPid) - cpu };
      await cell.check();
      if (run > 0) samples.get(cell)!.push(sample);
    }
  }

  const rate = (seconds: number) => Math.round(ROWS / seconds).toLocaleString('en');
  console.log(`${ROWS.toLocaleString('en')} rows (${(bytes / ROWS).toFixed(0)} B/row in binary COPY), medians of ${RUNS} runs after a warm-up, PostgreSQL 18 embedded, fsync on`);
  console.log(`${'scenario'.padEnd(30)} ${'cell'.padEnd(32)} ${'rows/s'.padStart(9)}  ${'× raw'.padStart(6)}  ${'rows per server CPU s'.padStart(21)}`);
  for (const cell of cells) {
    const values = samples.get(cell)!;
    const raw = cells.find((other) => other.scenario === cell.scenario && other.raw)!;
    const ratio = median(samples.get(raw)!.map((s) => s.wall)) / median(values.map((s) => s.wall));
    console.log(
      `${cell.scenario.padEnd(30)} ${cell.name.padEnd(32)} ${rate(median(values.map((s) => s.wall))).padStart(9)}  ${ratio.toFixed(2).padStart(6)}  ${rate(median(values.map((s) => s.serverCpu))).padStart(21)}`,
    );
  }
  console.log(`wall seconds per run: ${cells.map((cell) => `${cell.name}: ${samples.get(cell)!.map((s) => s.wall.toFixed(2)).join('/')}`).join('; ')}`);
} finally {
  await client.end();
  await server.stop();
}
