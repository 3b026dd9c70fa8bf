/**
 * Every type with an encoder, loaded through binary COPY and through forced text COPY, must read back
 * exactly as PostgreSQL reads the corresponding literal.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidValueError, jsonNull } from '../../../src/ingest/copy/index.js';
import { useTestDatabase } from '../../helpers/database.js';
import { roundTrip, type RoundTripCase } from './round-trip.js';

const db = useTestDatabase();
let client: pg.Client;

beforeAll(async () => {
  client = await db.client();
  // A session time zone far from UTC: loading must not depend on it.
  await client.query(`SET TimeZone = 'America/St_Johns'`);
  await client.query(`SET DateStyle = 'SQL, DMY'`);
  await client.query(`SET IntervalStyle = 'sql_standard'`);
  await client.query(`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`);
  await client.query(`CREATE DOMAIN positive_int AS int4 CHECK (VALUE > 0)`);
  await client.query(`CREATE DOMAIN code AS varchar(4)`);
});

afterAll(async () => {
  await client.end();
});

const hugeText = `${'long '.repeat(20_000)}end`;
const jsonValue = { a: [1, 'é', null, true, 1.5e-7], 'tab\tkey': 'new\nline', back: '\\', escaped: '\\u0000 as text', emoji: '😀' };

const CASES: Record<string, RoundTripCase> = {
  boolean: { type: 'boolean', values: [true, false, null], literals: ['true', 'false', null] },
  smallint: { type: 'smallint', values: [-32768, 32767, '12', 0n], literals: ['-32768', '32767', '12', '0'] },
  integer: { type: 'integer', values: [-2147483648, 2147483647, '-7', 42n, -0], literals: ['-2147483648', '2147483647', '-7', '42', '0'] },
  bigint: {
    type: 'bigint',
    values: [-9223372036854775808n, 9223372036854775807n, Number.MAX_SAFE_INTEGER, '-9007199254740993', -1, 2 ** 32],
    literals: ['-9223372036854775808', '9223372036854775807', '9007199254740991', '-9007199254740993', '-1', '4294967296'],
  },
  oid: { type: 'oid', values: [0, 4294967295], literals: ['0', '4294967295'] },
  real: {
    type: 'real',
    values: [1.1, -0, NaN, Infinity, -Infinity, 3.4028234663852886e38, 1.401298464324817e-45, '2.5', 16777217],
    literals: ['1.1', '-0', 'NaN', 'Infinity', '-Infinity', '3.4028235e38', '1e-45', '2.5', '16777216'],
  },
  'double precision': {
    type: 'double precision',
    values: [0.1, -0, NaN, Infinity, -Infinity, Number.MAX_VALUE, 5e-324, '1e-300', 1 / 3],
    literals: ['0.1', '-0', 'NaN', 'Infinity', '-Infinity', '1.7976931348623157e308', '5e-324', '1e-300', '0.3333333333333333'],
  },
  numeric: {
    type: 'numeric',
    values: [
      '123456789012345678901234567890.123456789012345678901234567890',
      '-0.000000000000000000001',
      'NaN',
      'Infinity',
      '-Infinity',
      0.1,
      12345678901234567890n,
      '1.500',
      '1e-20',
      '-5e+20',
      '0',
      '-0.00',
      `${'9'.repeat(1000)}.${'1'.repeat(1000)}`,
      0.30000000000000004,
    ],
    literals: [
      '123456789012345678901234567890.123456789012345678901234567890',
      '-0.000000000000000000001',
      'NaN',
      'Infinity',
      '-Infinity',
      '0.1',
      '12345678901234567890',
      '1.500',
      '0.00000000000000000001',
      '-500000000000000000000',
      '0',
      '0.00',
      `${'9'.repeat(1000)}.${'1'.repeat(1000)}`,
      '0.30000000000000004',
    ],
  },
  'numeric(12,2)': {
    type: 'numeric(12,2)',
    values: ['1234567890.12', '-0.005', 1.005, 'NaN', '9999999999.994'],
    literals: ['1234567890.12', '-0.005', '1.005', 'NaN', '9999999999.994'],
  },
  text: {
    type: 'text',
    values: ['', 'tab\there', 'line\nfeed', 'cr\rhere', 'back\\slash', '\\N', '\\.', 'NULL', 'é😀', `quote's "double"`, hugeText, null],
    literals: ['', 'tab\there', 'line\nfeed', 'cr\rhere', 'back\\slash', '\\N', '\\.', 'NULL', 'é😀', `quote's "double"`, hugeText, null],
  },
  'varchar(5)': { type: 'varchar(5)', values: ['héllo', '😀😀😀😀😀', ''], literals: ['héllo', '😀😀😀😀😀', ''] },
  'char(3)': { type: 'char(3)', values: ['ab', 'abc  '], literals: ['ab', 'abc'] },
  name: { type: 'name', values: ['some_name', 'x'.repeat(63)], literals: ['some_name', 'x'.repeat(63)] },
  bytea: {
    type: 'bytea',
    values: [Buffer.from([0, 0x80, 0xff, 0x5c, 0x0a, 0x09]), new Uint8Array(0), '\\xDEADbeef'],
    literals: ['\\x0080ff5c0a09', '\\x', '\\xdeadbeef'],
  },
  uuid: {
    type: 'uuid',
    values: ['A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{00000000-0000-0000-0000-000000000000}', 'ffffffffffffffffffffffffffffffff'],
    literals: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
  },
  date: {
    type: 'date',
    values: ['2024-02-29', '0001-01-01', '0001-12-31 BC', '4714-11-24 BC', '5874897-12-31', 'infinity', -Infinity, new Date('1999-12-31T00:00:00Z'), '1900-03-01'],
    literals: ['2024-02-29', '0001-01-01', '0001-12-31 BC', '4714-11-24 BC', '5874897-12-31', 'infinity', '-infinity', '1999-12-31', '1900-03-01'],
  },
  time: {
    type: 'time',
    values: ['00:00:00', '23:59:59.999999', '24:00:00', '12:34:56.5', '12:34'],
    literals: ['00:00:00', '23:59:59.999999', '24:00:00', '12:34:56.5', '12:34:00'],
  },
  timetz: {
    type: 'timetz',
    values: ['12:34:56.789+05:30', '00:00:00Z', '23:59:59.999999-15:59:59'],
    literals: ['12:34:56.789+05:30', '00:00:00+00', '23:59:59.999999-15:59:59'],
  },
  timestamp: {
    type: 'timestamp',
    values: [
      new Date('2024-02-29T12:34:56.789Z'),
      '1999-12-31T23:59:59.999999',
      '1900-01-01 00:00:00',
      '0044-03-15 12:00:00 BC',
      '294276-12-31 23:59:59.999999',
      '4714-11-24 00:00:00 BC',
      'infinity',
      -Infinity,
      '2024-01-01T10:00:00.1234565',
      '2024-06-30',
      new Date(-62135596800000 - 86_400_000),
    ],
    literals: [
      '2024-02-29 12:34:56.789',
      '1999-12-31 23:59:59.999999',
      '1900-01-01 00:00:00',
      '0044-03-15 12:00:00 BC',
      '294276-12-31 23:59:59.999999',
      '4714-11-24 00:00:00 BC',
      'infinity',
      '-infinity',
      '2024-01-01 10:00:00.1234565',
      '2024-06-30 00:00:00',
      '0001-12-31 00:00:00 BC',
    ],
  },
  timestamptz: {
    type: 'timestamptz',
    values: [
      new Date(0),
      new Date('2024-02-29T12:34:56.789Z'),
      '1999-12-31T23:59:59.999999-08:00',
      '2000-01-01T00:00:00+14:00',
      '0044-03-15T12:00:00Z BC',
      'infinity',
      '294276-12-31T23:59:59.999999Z',
      new Date('1850-06-01T00:00:00.001Z'),
    ],
    literals: [
      '1970-01-01 00:00:00+00',
      '2024-02-29 12:34:56.789+00',
      '1999-12-31 23:59:59.999999-08',
      '2000-01-01 00:00:00+14',
      '0044-03-15 12:00:00+00 BC',
      'infinity',
      '294276-12-31 23:59:59.999999+00',
      '1850-06-01 00:00:00.001+00',
    ],
  },
  interval: {
    type: 'interval',
    values: [
      { years: 1, months: 2, days: 3, hours: 4, minutes: 5, seconds: 6.789 },
      { days: -1, microseconds: 1 },
      'P1Y2M3W4DT5H6M7.5S',
      '-PT1S',
      { hours: 2_000_000 },
      { months: -2147483648, days: 2147483647 },
      { months: -1, days: 2, hours: 4 },
      { hours: -2_501_999, microseconds: -1 },
    ],
    literals: [
      '1 year 2 mons 3 days 04:05:06.789',
      '-1 days +00:00:00.000001',
      'P1Y2M3W4DT5H6M7.5S',
      'PT-1S',
      '2000000:00:00',
      '-178956970 years -8 mons +2147483647 days',
      '-1 mons +2 days +04:00:00',
      '-2501999:00:00.000001',
    ],
  },
  json: {
    type: 'json',
    values: [jsonValue, jsonNull, 'a string', 42, [], null, { nested: jsonNull }],
    literals: [JSON.stringify(jsonValue), 'null', '"a string"', '42', '[]', null, '{"nested":null}'],
  },
  jsonb: {
    type: 'jsonb',
    values: [jsonValue, jsonNull, 'a string', 42, [], null, false],
    literals: [JSON.stringify(jsonValue), 'null', '"a string"', '42', '[]', null, 'false'],
  },
  inet: {
    type: 'inet',
    values: ['192.168.0.1', '192.168.0.1/24', '::1', '2001:db8::ff00:42:8329/64', '::ffff:1.2.3.4', '0.0.0.0/0'],
    literals: ['192.168.0.1', '192.168.0.1/24', '::1', '2001:db8::ff00:42:8329/64', '::ffff:1.2.3.4', '0.0.0.0/0'],
  },
  cidr: {
    type: 'cidr',
    values: ['10.0.0.0/8', '192.168.100.128/25', '2001:db8::/32', '1.2.3.4'],
    literals: ['10.0.0.0/8', '192.168.100.128/25', '2001:db8::/32', '1.2.3.4/32'],
  },
  enum: { type: 'mood', values: ['sad', 'happy'], literals: ['sad', 'happy'] },
  domain: { type: 'positive_int', values: [1, 2147483647], literals: ['1', '2147483647'] },
  'varchar domain': { type: 'code', values: ['abcd', 'é'], literals: ['abcd', 'é'] },
  'integer[]': {
    type: 'integer[]',
    values: [[1, 2, 3], [], [[1, null], [3, 4]], [null], [[[1, 2]], [[3, 4]]], [[], []], [[[[[[7]]]]]]],
    literals: ['{1,2,3}', '{}', '{{1,NULL},{3,4}}', '{NULL}', '{{{1,2}},{{3,4}}}', '{}', '{{{{{{7}}}}}}'],
  },
  'text[]': {
    type: 'text[]',
    values: [['a,b', '"q"', '{}', 'NULL', 'null', '', ' x ', 'back\\slash', 'tab\tnl\n', null, 'é', '\\N']],
    literals: ['{"a,b","\\"q\\"","{}","NULL","null",""," x ","back\\\\slash","tab\tnl\n",NULL,é,"\\\\N"}'],
  },
  'numeric[]': { type: 'numeric[]', values: [['1.5', 'NaN', null, 10n]], literals: ['{1.5,NaN,NULL,10}'] },
  'bytea[]': { type: 'bytea[]', values: [[Buffer.from([0, 0x80]), null]], literals: ['{"\\\\x0080",NULL}'] },
  'jsonb[]': {
    type: 'jsonb[]',
    values: [[{ a: 1 }, [1, 2], jsonNull, null, 'null']],
    literals: ['{"{\\"a\\": 1}","[1, 2]","null",NULL,"\\"null\\""}'],
  },
  'timestamptz[]': {
    type: 'timestamptz[]',
    values: [[new Date(0), 'infinity', null]],
    literals: ['{"1970-01-01 00:00:00+00",infinity,NULL}'],
  },
  'uuid[][]': {
    type: 'uuid[][]',
    values: [
      [
        ['00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002'],
        ['00000000-0000-0000-0000-000000000003', null],
      ],
    ],
    literals: [
      '{{00000000-0000-0000-0000-000000000001,00000000-0000-0000-0000-000000000002},{00000000-0000-0000-0000-000000000003,NULL}}',
    ],
  },
  'varchar(3)[]': { type: 'varchar(3)[]', values: [['abc', 'de']], literals: ['{abc,de}'] },
  'mood[]': { type: 'mood[]', values: [['sad', null, 'ok']], literals: ['{sad,NULL,ok}'] },
  'date[]': { type: 'date[]', values: [['2024-01-01', '-infinity']], literals: ['{2024-01-01,-infinity}'] },
  'interval[]': { type: 'interval[]', values: [[{ days: 1 }, 'PT0.000001S']], literals: ['{"1 day","00:00:00.000001"}'] },
  'positive_int[]': { type: 'positive_int[]', values: [[1, null]], literals: ['{1,NULL}'] },
  'boolean[]': { type: 'boolean[]', values: [[true, false, null]], literals: ['{t,f,NULL}'] },
};

describe.each(['binary', 'text'] as const)('%s COPY round trips', (format) => {
  it.each(Object.keys(CASES))('%s', async (name) => {
    const testCase = CASES[name]!;
    const result = await roundTrip(client, `rt_${format}`, testCase, format === 'text' ? 'text' : 'auto');
    expect(result.plan.format).toBe(format);
    expect(result.rows.map((row) => row.got)).toEqual(result.rows.map((row) => row.want));
    expect(result.rows.map((row) => row.got === null)).toEqual(testCase.literals.map((literal) => literal === null));
  });

  it('stores JSON null and SQL NULL distinctly', async () => {
    await roundTrip(client, `jn_${format}`, { type: 'jsonb', values: [jsonNull, null], literals: ['null', null] }, format === 'text' ? 'text' : 'auto');
    const { rows } = await client.query(`SELECT id, v IS NULL AS sql_null, jsonb_typeof(v) AS kind FROM jn_${format} ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, sql_null: false, kind: 'null' },
      { id: 2, sql_null: true, kind: null },
    ]);
  });

  it('loads infinite intervals from PostgreSQL 17, and refuses them before', async () => {
    const infinite = roundTrip(
      client,
      `inf_${format}`,
      { type: 'interval', values: ['infinity', -Infinity], literals: ['infinity', '-infinity'] },
      format === 'text' ? 'text' : 'auto',
    );
    if (db.major >= 17) {
      expect((await infinite).rows.map((row) => row.got)).toEqual(['infinity', '-infinity']);
    } else {
      await expect(infinite).rejects.toThrow(InvalidValueError);
      await expect(infinite).rejects.toThrow(/PostgreSQL 17/);
    }
  });
});
