/**
 * The registry a worker spreads into its `sources`, and the file sources end to end: CSV and JSON
 * lines through the COPY layer into typed columns (the strings the CSV source keeps are what the
 * COPY layer converts; `coerce` covers boolean, json and array columns).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUILT_IN_SOURCE_NAMES,
  InvalidSourceArgsError,
  UnknownSourceDatabaseError,
  builtInSources,
  copyRows,
  prepareCopy,
  readCopyColumns,
  type BatchSource,
  type CsvFilesArgs,
  type JsonValue,
  type SourceRow,
} from '../../../src/index.js';
import { drainAll, drainByBatch } from '../../helpers/drain-source.js';
import { useTestDatabase } from '../../helpers/database.js';

const db = useTestDatabase();
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'temporal-pg-built-in-'));
  await db.pool.query(`
    CREATE TABLE target (
      id bigint PRIMARY KEY, ok boolean, amount numeric(12,2), at timestamptz, day date, ref uuid,
      doc jsonb, tags text[], note text
    );
    CREATE TABLE people (id integer PRIMARY KEY, name text);
    INSERT INTO people VALUES (1, 'Ada'), (2, 'Grace'), (3, 'Edsger');
  `);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await db.pool.query('DROP TABLE IF EXISTS target, people');
});

async function load(rows: SourceRow[]): Promise<void> {
  const client = await db.client();
  try {
    const target = { schema: 'public', name: 'target' };
    await copyRows(client, await prepareCopy(client, target, await readCopyColumns(client, target)), rows);
  } finally {
    await client.end();
  }
}

describe('builtInSources', () => {
  it('registers the three sources under their names, bound to the worker options', async () => {
    const sources = builtInSources({ databases: { crm: db.pool }, rootDirectory: root });
    expect(Object.keys(sources).sort()).toEqual([...BUILT_IN_SOURCE_NAMES].sort());
    expect(BUILT_IN_SOURCE_NAMES).toEqual(['temporal-pg/ndjson-files', 'temporal-pg/csv-files', 'temporal-pg/postgres-table']);

    const people = await drainByBatch(sources['temporal-pg/postgres-table'], { database: 'crm', table: 'people', watermarkColumn: 'id', batchSize: 2 });
    expect(people.map((batch) => batch.watermark)).toEqual([2, 3]);
    expect(() => sources['temporal-pg/postgres-table'](null, { database: 'other', table: 'people', watermarkColumn: 'id' })).toThrow(
      UnknownSourceDatabaseError,
    );
    // Without databases the PostgreSQL source knows none.
    expect(() => builtInSources()['temporal-pg/postgres-table'](null, { table: 'people', watermarkColumn: 'id' })).toThrow(
      UnknownSourceDatabaseError,
    );

    await writeFile(path.join(root, 'a.ndjson'), '{"x":1}\n');
    expect((await drainAll(sources['temporal-pg/ndjson-files'], { directory: '.' }))[0]?.rows).toEqual([{ x: 1 }]);
    await expect(drainAll(sources['temporal-pg/csv-files'], { directory: '/' })).rejects.toThrow(InvalidSourceArgsError);
  });
});

describe('registry types', () => {
  it('the built-ins fit a registry typed for JSON args, unknown args or the typed views', () => {
    // Compile-time checks (npm run typecheck covers tests): any of these registry shapes takes them.
    const sources = builtInSources({ databases: db.pool });
    const asJson: Record<string, BatchSource<JsonValue>> = { ...sources };
    const asUnknown: Record<string, BatchSource> = { ...sources };
    const typed: BatchSource<CsvFilesArgs> = sources['temporal-pg/csv-files'];
    expect(Object.keys(asJson)).toEqual(Object.keys(asUnknown));
    expect(typeof typed).toBe('function');
  });
});

describe('files through COPY into typed columns', () => {
  it('CSV: strings for numeric, timestamptz, date, uuid; coerce for boolean, jsonb and arrays; NULL vs empty text', async () => {
    const directory = await mkdtemp(path.join(root, 'csv-'));
    await writeFile(
      path.join(directory, '001.csv'),
      [
        'id,ok,amount,at,day,ref,doc,tags,note',
        '1,t,12.50,2024-05-01T12:00:00.123456+02:00,2024-02-29,a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,"{""a"": [1, 2]}","[""x"",""y""]",""',
        '9223372036854775807,false,,,,,null,[],',
        '',
      ].join('\r\n'),
    );
    const args = { directory, coerce: { ok: 'boolean', doc: 'json', tags: 'json' } } as const;
    const rows = (await drainAll(builtInSources({})['temporal-pg/csv-files'], args)).flatMap((batch) => batch.rows);
    await load(rows);
    const { rows: stored } = await db.pool.query(`
      SELECT id::text, ok, amount::text, at = '2024-05-01 10:00:00.123456+00' AS at_ok, day::text, ref::text, doc::text,
             doc IS NULL AS doc_sql_null, tags, note, note IS NULL AS note_null
      FROM target ORDER BY id`);
    expect(stored).toEqual([
      {
        id: '1', ok: true, amount: '12.50', at_ok: true, day: '2024-02-29', ref: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
        doc: '{"a": [1, 2]}', doc_sql_null: false, tags: ['x', 'y'], note: '', note_null: false,
      },
      {
        id: '9223372036854775807', ok: false, amount: null, at_ok: null, day: null, ref: null,
        doc: 'null', doc_sql_null: false, tags: [], note: null, note_null: true,
      },
    ]);
    await db.pool.query('TRUNCATE target');
  });

  it('JSON lines: objects keyed by column, large integers exact, columns turning objects into arrays', async () => {
    const directory = await mkdtemp(path.join(root, 'ndjson-'));
    await writeFile(
      path.join(directory, 'a.ndjson'),
      '{"id":9007199254740993,"ok":true,"amount":"0.10","doc":{"n":null},"tags":["a"],"ignored":1}\n' +
        '{"id":2,"at":"2024-01-01T00:00:00Z","note":"tab\\there"}\n',
    );
    const columns = ['id', 'ok', 'amount', 'at', 'day', 'ref', 'doc', 'tags', 'note'];
    const rows = (await drainAll(builtInSources()['temporal-pg/ndjson-files'], { directory, columns })).flatMap((batch) => batch.rows);
    await load(rows);
    const { rows: stored } = await db.pool.query(`SELECT id::text, ok, amount::text, at = '2024-01-01T00:00:00Z' AS at_ok, doc::text, tags, note FROM target ORDER BY id`);
    expect(stored).toEqual([
      { id: '2', ok: null, amount: null, at_ok: true, doc: null, tags: null, note: 'tab\there' },
      { id: '9007199254740993', ok: true, amount: '0.10', at_ok: null, doc: '{"n": null}', tags: ['a'], note: null },
    ]);
    await db.pool.query('TRUNCATE target');
  });
});
