/**
 * Rows per second of the built-in sources, read and discarded (run by hand, not a test):
 *
 *   npx tsx bench/sources.ts [rows=200000]
 *
 * - JSON lines and CSV files (plain and gzipped) of the same rows, next to bare `JSON.parse` per
 *   line and bare `csv-parse` on the same bytes (the ceilings of each format);
 * - the PostgreSQL source on an embedded PostgreSQL 18, 10,000-row batches with and without a
 *   tiebreaker, next to one plain `SELECT` of the whole table through node-postgres.
 * Best of three runs per cell (the machine may be shared).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv-parse';
import pg from 'pg';
import { createPostgresTableSource, csvFiles, ndjsonFiles, type BatchSource, type SourceBatch } from '../src/index.js';
import { startEmbeddedPostgres } from '../test/support/embedded-postgres.js';

const ROWS = Number(process.argv[2] ?? 200_000);

async function drain<A>(source: BatchSource<A>, args: A): Promise<number> {
  let rows = 0;
  for await (const batch of source(null, args) as AsyncIterable<SourceBatch>) {
    for await (const _row of batch.rows as AsyncIterable<unknown>) rows++;
  }
  return rows;
}

async function cell(label: string, run: () => Promise<number>): Promise<void> {
  let best = Infinity;
  let rows = 0;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    rows = await run();
    best = Math.min(best, performance.now() - start);
  }
  console.log(`${label.padEnd(44)} ${String(rows).padStart(8)} rows ${String(Math.round(rows / (best / 1000))).padStart(9)} rows/s`);
}

const directory = await mkdtemp(path.join(tmpdir(), 'temporal-pg-bench-'));
const server = await startEmbeddedPostgres({ major: 18 });
const pool = new pg.Pool({ connectionString: server.url, max: 2 });
try {
  let csv = 'id,name,amount,at,flag,note\n';
  const lines: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    const row = { id: i, name: `name ${i}`, amount: `${i}.50`, at: '2024-01-01T00:00:00Z', flag: i % 2 === 0, note: i % 5 === 0 ? null : 'a, "quoted" note' };
    lines.push(JSON.stringify(row));
    csv += `${i},name ${i},${i}.50,2024-01-01T00:00:00Z,${row.flag ? 't' : 'f'},${row.note === null ? '' : '"a, ""quoted"" note"'}\n`;
  }
  const ndjson = `${lines.join('\n')}\n`;
  for (const [sub, name, content] of [
    ['nd', 'a.ndjson', ndjson],
    ['ndgz', 'a.ndjson.gz', gzipSync(ndjson)],
    ['csv', 'a.csv', csv],
    ['csvgz', 'a.csv.gz', gzipSync(csv)],
  ] as const) {
    await import('node:fs/promises').then((fs) => fs.mkdir(path.join(directory, sub)));
    await writeFile(path.join(directory, sub, name), content);
  }
  console.log(`files: JSON lines ${(ndjson.length / 1e6).toFixed(1)} MB, CSV ${(csv.length / 1e6).toFixed(1)} MB`);

  await cell('JSON.parse per line (ceiling)', async () => {
    const text = await readFile(path.join(directory, 'nd', 'a.ndjson'), 'utf8');
    let n = 0;
    for (const line of text.split('\n')) if (line !== '') n += JSON.parse(line) === null ? 0 : 1;
    return n;
  });
  await cell('ndjsonFiles', () => drain(ndjsonFiles, { directory: path.join(directory, 'nd') }));
  await cell('ndjsonFiles, gzipped', () => drain(ndjsonFiles, { directory: path.join(directory, 'ndgz') }));
  await cell('csv-parse alone (ceiling)', async () => {
    let n = 0;
    const parser = parse({ from_line: 2 });
    parser.end(await readFile(path.join(directory, 'csv', 'a.csv')));
    for await (const _ of parser) n++;
    return n;
  });
  await cell('csvFiles', () => drain(csvFiles, { directory: path.join(directory, 'csv') }));
  await cell('csvFiles, gzipped, coerce boolean', () => drain(csvFiles, { directory: path.join(directory, 'csvgz'), coerce: { flag: 'boolean' } }));

  await pool.query(`CREATE TABLE events (id bigint PRIMARY KEY, grp integer NOT NULL, at timestamptz NOT NULL, amount numeric, payload jsonb, tags text[])`);
  await pool.query(
    `INSERT INTO events SELECT i, i / 7, timestamptz '2024-01-01' + i * interval '1 second', i * 1.5, jsonb_build_object('i', i, 'k', 'v'), ARRAY['a', 'b']
     FROM generate_series(1, $1) AS i`,
    [ROWS],
  );
  await pool.query('CREATE INDEX ON events (grp, id); ANALYZE events');
  const source = createPostgresTableSource({ databases: pool });
  await cell('SELECT * through node-postgres (ceiling)', async () => (await pool.query('SELECT * FROM events')).rowCount ?? 0);
  await cell('postgresTable, key (grp, id), 10k batches', () => drain(source, { table: 'events', watermarkColumn: 'grp', tiebreakerColumns: 'id' }));
  await cell('postgresTable, key grp (runs finished)', () => drain(source, { table: 'events', watermarkColumn: 'grp' }));
  await cell('postgresTable, key id, fetchSize 5000', () => drain(source, { table: 'events', watermarkColumn: 'id', fetchSize: 5000 }));
} finally {
  await pool.end();
  await server.stop();
  await rm(directory, { recursive: true, force: true });
}
