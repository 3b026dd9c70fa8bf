/**
 * The PostgreSQL source's statements and watermark handling, without a database: identifiers are
 * quoted, values are parameters, the batch range is `(watermark, boundary]` on the whole key.
 */
import { describe, expect, it } from 'vitest';
import { InvalidIdentifierError } from '../../../src/errors/index.js';
import { InvalidSourceWatermarkError } from '../../../src/sources/errors.js';
import { decoderFor, keyValueToJson } from '../../../src/sources/postgres/decode.js';
import { watermarkValues } from '../../../src/sources/postgres/postgres-table.js';
import { boundarySql, declareCursorSql, nullCheckSql, watermarkProbeSql } from '../../../src/sources/postgres/sql.js';

const relation = { schema: 'Sales "EU"', name: 'orders; --' };

describe('statements', () => {
  it('boundary: the batchSize-th key and the last key after the watermark, NULL keys excluded', () => {
    const query = boundarySql(relation, ['updated at', 'id'], ['2024-01-01 00:00:00+00', '17'], 500);
    expect(query.text).toBe(
      `SELECT 1 AS which, * FROM (SELECT "updated at", "id" FROM "Sales ""EU"""."orders; --" WHERE "updated at" IS NOT NULL AND "id" IS NOT NULL AND ("updated at", "id") > ($1, $2) ORDER BY "updated at" ASC, "id" ASC OFFSET $3 LIMIT 1) AS nth
UNION ALL
SELECT 2 AS which, * FROM (SELECT "updated at", "id" FROM "Sales ""EU"""."orders; --" WHERE "updated at" IS NOT NULL AND "id" IS NOT NULL AND ("updated at", "id") > ($1, $2) ORDER BY "updated at" DESC, "id" DESC LIMIT 1) AS last`,
    );
    expect(query.values).toEqual(['2024-01-01 00:00:00+00', '17', 499]);
    // A scalar watermark with a compound key bounds the first column only; no watermark, no bound.
    expect(boundarySql(relation, ['v', 'id'], [5], 10).text).toContain('WHERE "v" IS NOT NULL AND "id" IS NOT NULL AND "v" > $1 ORDER BY');
    expect(boundarySql(relation, ['v'], [], 10).values).toEqual([9]);
  });

  it('cursor: selected columns, keys in (after, through], in key order', () => {
    const query = declareCursorSql(relation, ['id', 'Total €'], ['v'], [3], ['9']);
    expect(query.text).toBe(`DECLARE temporal_pg_source NO SCROLL CURSOR FOR SELECT "id", "Total €"
FROM "Sales ""EU"""."orders; --" WHERE "v" IS NOT NULL AND "v" > $1 AND "v" <= $2 ORDER BY "v" ASC`);
    expect(query.values).toEqual([3, '9']);
    expect(declareCursorSql(relation, ['a'], ['v', 'id'], [], ['9', '1']).text).toContain('WHERE "v" IS NOT NULL AND "id" IS NOT NULL AND ("v", "id") <= ($1, $2)');
  });

  it('NULL check and watermark probe', () => {
    expect(nullCheckSql(relation, ['a', 'b']).text).toBe(
      'SELECT EXISTS (SELECT 1 FROM "Sales ""EU"""."orders; --" WHERE "a" IS NULL), EXISTS (SELECT 1 FROM "Sales ""EU"""."orders; --" WHERE "b" IS NULL)',
    );
    expect(watermarkProbeSql(relation, ['v'], ['x'])).toEqual({
      text: 'SELECT 1 FROM "Sales ""EU"""."orders; --" WHERE "v" IS NOT NULL AND "v" > $1 LIMIT 0',
      values: ['x'],
    });
  });

  it('rejects identifiers PostgreSQL would truncate or cannot hold', () => {
    expect(() => boundarySql(relation, ['x'.repeat(64)], [], 1)).toThrow(InvalidIdentifierError);
    expect(() => declareCursorSql(relation, ['a\0b'], ['v'], [], ['1'])).toThrow(InvalidIdentifierError);
  });
});

describe('watermarks', () => {
  it('accepts null, a scalar, or one value per key column', () => {
    expect(watermarkValues(null, ['v'])).toEqual([]);
    expect(watermarkValues('2024-01-01', ['v'])).toEqual(['2024-01-01']);
    expect(watermarkValues(7, ['v', 'id'])).toEqual([7]);
    expect(watermarkValues([7, 'a'], ['v', 'id'])).toEqual([7, 'a']);
    for (const bad of [[7], [7, 'a', 1], { v: 1 }, [null, 1], [[1], 2]]) {
      expect(() => watermarkValues(bad, ['v', 'id']), JSON.stringify(bad)).toThrow(InvalidSourceWatermarkError);
    }
    expect(() => watermarkValues([7, 1], ['v'])).toThrow(InvalidSourceWatermarkError);
  });

  it('key values become JSON: numbers for integer and float types when finite, text otherwise', () => {
    expect(keyValueToJson('42', 23)).toBe(42);
    expect(keyValueToJson('9223372036854775807', 20)).toBe('9223372036854775807');
    expect(keyValueToJson('NaN', 701)).toBe('NaN');
    expect(keyValueToJson('-Infinity', 700)).toBe('-Infinity');
    expect(keyValueToJson('0.1', 701)).toBe(0.1);
    expect(keyValueToJson('t', 16)).toBe(true);
    expect(keyValueToJson('2024-01-01 00:00:00.000001+00', 1184)).toBe('2024-01-01 00:00:00.000001+00');
  });
});

describe('decoders', () => {
  const none = new Map();
  it('by type OID, arrays through their element type, unknown types as text', () => {
    expect(decoderFor(16, none)('f')).toBe(false);
    expect(decoderFor(1007, none)('{1,NULL,-3}')).toEqual([1, null, -3]);
    expect(decoderFor(1001, none)('{"\\\\x0a0b"}')).toEqual([Buffer.from([10, 11])]);
    expect(decoderFor(1016, none)('{9223372036854775807}')).toEqual(['9223372036854775807']);
    expect(decoderFor(99999, none)('(1,2)')).toBe('(1,2)');
    // A domain's array, resolved by the catalog to an array of the domain, whose base is integer.
    const info = new Map([
      [90001, { base: 90001, isArray: true, element: 90000, delimiter: ',' }],
      [90000, { base: 23, isArray: false, element: 0, delimiter: ',' }],
    ]);
    expect(decoderFor(90001, info)('{4,5}')).toEqual([4, 5]);
  });
});
