/**
 * Types without a binary encoder put the whole COPY in text format; every other column must still
 * round-trip in that format. Extension types reusing a built-in binary format (citext) stay binary.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyRows, jsonNull, prepareCopy, readCopyColumns } from '../../../src/ingest/copy/index.js';
import { useTestDatabase } from '../../helpers/database.js';
import { roundTrip } from './round-trip.js';

const db = useTestDatabase();
let client: pg.Client;

beforeAll(async () => {
  client = await db.client();
  await client.query(`CREATE EXTENSION citext`);
  await client.query(`CREATE TYPE pair AS (n int4, label text)`);
  await client.query(`CREATE TYPE mood AS ENUM ('sad', 'happy')`);
  await client.query(`CREATE DOMAIN ci_email AS citext CHECK (VALUE LIKE '%@%')`);
});

afterAll(async () => {
  await client.end();
});

const FALLBACK_CASES = [
  { type: 'int4range', values: ['[1,5)', 'empty', '(,10]'], literals: ['[1,5)', 'empty', '(,10]'] },
  { type: 'point', values: ['(1.5,-2)'], literals: ['(1.5,-2)'] },
  { type: 'tsvector', values: [`'fat':2 'cat':3 a`], literals: [`'fat':2 'cat':3 a`] },
  { type: 'box[]', values: [['(1,1),(0,0)', '(2,2),(1,1)', null]], literals: ['{(1,1),(0,0);(2,2),(1,1);NULL}'] },
  { type: 'pair', values: ['(1,"x, y")', '(,)'], literals: ['(1,"x, y")', '(,)'] },
  { type: 'pair[]', values: [['(1,a)', '(2,"b\\\\c")']], literals: ['{"(1,a)","(2,\\"b\\\\\\\\c\\")"}'] },
  { type: 'int4multirange', values: ['{[1,3),[5,7)}'], literals: ['{[1,3),[5,7)}'] },
  { type: 'bit varying', values: ['1011'], literals: ['1011'] },
  { type: 'numrange', values: ['[1.5,2.5]'], literals: ['[1.5,2.5]'] },
] as const;

describe('text-format fallback', () => {
  it.each(FALLBACK_CASES.map((testCase) => [testCase.type, testCase] as const))('round-trips %s', async (_type, testCase) => {
    const result = await roundTrip(client, 'fallback', testCase, 'auto');
    expect(result.plan.format).toBe('text');
    expect(result.plan.textOnlyColumns).toEqual(['v']);
    expect(result.rows.map((row) => row.got)).toEqual(result.rows.map((row) => row.want));
    expect(result.rows.every((row) => row.got !== null)).toBe(true);
  });

  it('keeps citext, enums and domains over them binary', async () => {
    for (const [type, value] of [['citext', 'MiXeD Case'], ['ci_email', 'A@B.c'], ['mood', 'happy']] as const) {
      const result = await roundTrip(client, 'binary_ext', { type, values: [value], literals: [value] }, 'auto');
      expect(result.plan.format).toBe('binary');
      expect(result.rows[0]?.got).toBe(value);
    }
  });

  it('loads every other kind of column correctly when one column forces text', async () => {
    await client.query(`CREATE TABLE mixed (
      id bigint, name text, amount numeric(12,2), at timestamptz, doc jsonb, tags text[], raw bytea, span int4range, ok boolean)`);
    const target = { schema: 'public', name: 'mixed' };
    const plan = await prepareCopy(client, target, await readCopyColumns(client, target));
    expect(plan.format).toBe('text');
    expect(plan.textOnlyColumns).toEqual(['span']);
    const name = 'tab\t nl\n cr\r back\\ \\N end';
    const result = await copyRows(client, plan, [
      [1n, name, '12.35', new Date('2024-05-01T10:00:00.5Z'), { k: 'v\t"q"' }, ['a b', 'c\\d', null], Buffer.from([0, 0x5c, 0x80]), '[1,2)', true],
      { id: '2', doc: jsonNull, tags: [], ok: false },
    ]);
    expect(result.rows).toBe(2);
    const { rows } = await client.query(
      `SELECT id::text, name, amount::text, extract(epoch FROM at)::text AS at, doc::text, tags, raw, span::text, ok FROM mixed ORDER BY id`,
    );
    expect(rows).toEqual([
      {
        id: '1',
        name,
        amount: '12.35',
        at: '1714557600.500000',
        doc: '{"k": "v\\t\\"q\\""}',
        tags: ['a b', 'c\\d', null],
        raw: Buffer.from([0, 0x5c, 0x80]),
        span: '[1,2)',
        ok: true,
      },
      { id: '2', name: null, amount: null, at: null, doc: 'null', tags: [], raw: null, span: null, ok: false },
    ]);
  });
});
