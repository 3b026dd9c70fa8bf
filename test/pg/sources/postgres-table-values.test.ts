/**
 * Values from the PostgreSQL source load into a table of the same shape through the COPY layer and
 * read back identically, type by type (the point of the decoders: no Date rounding, no float or
 * bigint precision lost, JSON null distinct from SQL NULL, arrays as arrays); plus views, column
 * lists and odd identifiers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyRows, jsonNull, prepareCopy, readCopyColumns } from '../../../src/ingest/copy/index.js';
import { createPostgresTableSource } from '../../../src/sources/postgres/postgres-table.js';
import type { SourceRow } from '../../../src/sources/types.js';
import { drainAll, drainByBatch } from '../../helpers/drain-source.js';
import { useTestDatabase } from '../../helpers/database.js';

const db = useTestDatabase();
let source: ReturnType<typeof createPostgresTableSource>;

const COLUMNS = `
  id integer PRIMARY KEY,
  b boolean, i2 smallint, i8 bigint, f4 real, f8 double precision, n numeric, n52 numeric(5,2),
  t text, vc varchar(10), c char(3), u uuid, ip inet, d date, ts timestamp, tstz timestamptz,
  tm time, tmtz timetz, iv interval, j json, jb jsonb, by bytea,
  ia integer[], ta text[], fa double precision[], tsa timestamptz[], m2 integer[][], ja jsonb[], ba bytea[],
  e mood, ea mood[], dom positive, doma positive[], r int4range`;

const VALUES = `
  (1, true, -32768, -9223372036854775808, 3.4028235e38, 0.1, 0.1000000000000000000001, 123.45,
   'tab\there, newline
 and "quotes" \\ backslash', 'varchar', 'ab', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '192.168.0.1/24',
   '2024-02-29', '2024-02-29 23:59:59.999999', '2024-02-29 23:59:59.999999+05:30',
   '24:00:00', '12:00:00+02', '1 year 2 mons -3 days 04:05:06.789', '{"a":[1,2,{"b":null}],"big":12345678901234567890,"safe":9007199254740991}',
   '{"k": "v"}', '\\x00ff10',
   '{1,NULL,3}', '{"a,b","c\\"d","NULL",NULL,"","x y"}', '{NaN,Infinity,-Infinity,-0,1.5}',
   '{"2024-01-01 00:00:00.000001+00"}', '{{1,2},{3,4}}', '{"{\\"x\\": 1}",null}', '{"\\\\x0102",NULL}',
   'happy', '{sad,happy}', 7, '{1,2}', '[1,10)'),
  (2, false, 32767, 9223372036854775807, -0.0, 'NaN', 'NaN', -999.99,
   '', '', '', NULL, '::1', '0044-03-15 BC', 'infinity', '-infinity',
   '00:00:00', '23:59:59.999999-12', 'P0D', 'null', 'null', '\\x',
   '{}', '{}', '{}', '{}', '{}', '{}', '{}',
   'sad', '{}', 1, '{}', 'empty'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`;

beforeAll(async () => {
  source = createPostgresTableSource({ databases: db.pool });
  await db.pool.query(`
    CREATE TYPE mood AS ENUM ('sad', 'happy');
    CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
    CREATE TABLE src_values (${COLUMNS});
    CREATE TABLE dst_values (LIKE src_values INCLUDING ALL);
    INSERT INTO src_values VALUES ${VALUES};
  `);
});

afterAll(async () => {
  await db.pool.query('DROP TABLE IF EXISTS src_values, dst_values CASCADE; DROP TYPE mood; DROP DOMAIN positive');
});

async function load(table: string, rows: SourceRow[]): Promise<void> {
  const client = await db.client();
  try {
    const target = { schema: 'public', name: table };
    const plan = await prepareCopy(client, target, await readCopyColumns(client, target));
    await copyRows(client, plan, rows);
  } finally {
    await client.end();
  }
}

describe('values survive source → COPY unchanged', () => {
  it('every type reads back identically in the target, in a session with another time zone and styles', async () => {
    // The source pins its own output settings; the pool's sessions having others must not matter.
    await db.pool.query(`ALTER DATABASE ${db.name} SET TimeZone = 'America/Los_Angeles'`);
    await db.pool.query(`ALTER DATABASE ${db.name} SET DateStyle = 'SQL, DMY'`);
    await db.pool.query(`ALTER DATABASE ${db.name} SET IntervalStyle = 'sql_standard'`);
    await db.pool.query(`ALTER DATABASE ${db.name} SET bytea_output = 'escape'`);
    const fresh = db.newPool({ max: 2 });
    try {
      const batches = await drainAll(createPostgresTableSource({ databases: fresh }), { table: 'src_values', watermarkColumn: 'id' });
      const rows = batches.flatMap((batch) => batch.rows);
      expect(rows).toHaveLength(3);
      await load('dst_values', rows);
    } finally {
      await fresh.end();
      await db.pool.query(`ALTER DATABASE ${db.name} RESET ALL`);
    }
    // The one documented change: an integer beyond 2^53 inside JSON arrives as a JSON string.
    const { rows: diff } = await db.pool.query<{ id: number; src: string; dst: string }>(`
      SELECT id, s_::text AS src, d_::text AS dst FROM src_values s_ FULL JOIN dst_values d_ USING (id)
      WHERE s_::text IS DISTINCT FROM replace(d_::text, '""12345678901234567890""', '12345678901234567890')`);
    expect(diff).toEqual([]);
    const { rows: json } = await db.pool.query<{ big: string }>(`SELECT j->>'big' AS big, j->'big' AS raw FROM dst_values WHERE id = 1`);
    expect(json[0]?.big).toBe('12345678901234567890');
  });

  it('decodes to the JavaScript values the COPY layer expects', async () => {
    const [batch] = await drainAll(source, { table: 'src_values', watermarkColumn: 'id', columns: ['id', 'b', 'i8', 'f8', 'n', 'j', 'jb', 'by', 'ia', 'ta', 'm2', 'ea', 'doma', 'tstz', 'iv'] });
    const [first, second, third] = (batch?.rows ?? []) as Record<string, unknown>[];
    expect(first).toMatchObject({
      id: 1,
      b: true,
      i8: '-9223372036854775808',
      f8: 0.1,
      n: '0.1000000000000000000001',
      // Integers beyond 2^53 inside JSON keep their digits as strings (a double would round them).
      j: { a: [1, 2, { b: null }], big: '12345678901234567890', safe: 9007199254740991 },
      jb: { k: 'v' },
      by: Buffer.from([0x00, 0xff, 0x10]),
      ia: [1, null, 3],
      ta: ['a,b', 'c"d', 'NULL', null, '', 'x y'],
      m2: [
        [1, 2],
        [3, 4],
      ],
      ea: ['sad', 'happy'],
      doma: [1, 2],
      tstz: '2024-02-29 18:29:59.999999+00',
      iv: 'P1Y2M-3DT4H5M6.789S',
    });
    expect(second?.j).toBe(jsonNull);
    expect(second?.jb).toBe(jsonNull);
    expect(second?.f8).toBeNaN();
    expect(third?.j).toBeNull();
    expect(Object.keys(first ?? {})).toEqual(['id', 'b', 'i8', 'f8', 'n', 'j', 'jb', 'by', 'ia', 'ta', 'm2', 'ea', 'doma', 'tstz', 'iv']);
  });
});

describe('relations and identifiers', () => {
  it('reads a view (a query given as a table name), in the view column order', async () => {
    await db.pool.query(`CREATE VIEW recent AS SELECT id * 10 AS id10, t AS label FROM src_values WHERE id < 3`);
    const batches = await drainByBatch(source, { table: 'recent', watermarkColumn: 'id10', batchSize: 1 });
    expect(batches.map((batch) => batch.rows)).toEqual([[{ id10: 10, label: expect.stringContaining('tab') }], [{ id10: 20, label: '' }]]);
    expect(batches.map((batch) => batch.watermark)).toEqual([10, 20]);
  });

  it('odd schema, table and column names go through quoting', async () => {
    await db.pool.query(`
      CREATE SCHEMA "Odd ""schema""";
      CREATE TABLE "Odd ""schema""".";drop table x;--" ("Key Col" int PRIMARY KEY, "select" text, "__proto__" text);
      INSERT INTO "Odd ""schema""".";drop table x;--" VALUES (1, 'a', 'p1'), (2, 'b', 'p2')`);
    const batches = await drainByBatch(source, {
      schema: 'Odd "schema"',
      table: ';drop table x;--',
      watermarkColumn: 'Key Col',
      batchSize: 1,
    });
    expect(batches.map((batch) => batch.watermark)).toEqual([1, 2]);
    const row = batches[0]?.rows[0] as Record<string, unknown>;
    expect(Object.keys(row)).toEqual(['Key Col', 'select', '__proto__']);
    expect(row['__proto__']).toBe('p1');
  });
});
