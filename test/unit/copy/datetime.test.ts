import { describe, expect, it } from 'vitest';
import { civilFromDays, daysFromCivil, parseDateTime, parseTime } from '../../../src/ingest/copy/codecs/calendar.js';
import { dateCodec, timeCodec, timestampCodec, timestamptzCodec, timetzCodec } from '../../../src/ingest/copy/codecs/datetime.js';
import { binaryHex, int32Hex, problem } from './encode.js';

const int64Hex = (value: bigint) => BigInt.asUintN(64, value).toString(16).padStart(16, '0');

describe('calendar arithmetic', () => {
  it('counts days from 2000-01-01 like PostgreSQL', () => {
    expect(daysFromCivil(2000, 1, 1)).toBe(0);
    expect(daysFromCivil(1999, 12, 31)).toBe(-1);
    expect(daysFromCivil(1970, 1, 1)).toBe(-10957);
    expect(daysFromCivil(2000, 3, 1)).toBe(60);
    // 4714-11-24 BC (astronomical -4713) is the first day PostgreSQL knows.
    expect(daysFromCivil(-4713, 11, 24)).toBe(-2451545);
  });

  it('agrees with JavaScript dates and inverts itself over ±3000 years', () => {
    for (let days = -1_100_000; days <= 1_100_000; days += 997) {
      const { year, month, day } = civilFromDays(days);
      expect(daysFromCivil(year, month, day)).toBe(days);
      const date = new Date(Date.UTC(2000, 0, 1) + days * 86_400_000);
      if (year >= 0) expect([date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()]).toEqual([year, month, day]);
    }
  });
});

describe('ISO 8601 parsing', () => {
  it.each([
    ['2024-02-29', { days: 8825, micros: 0, hasTime: false, offsetSeconds: undefined }],
    ['2024-02-29T12:34:56.123456', { days: 8825, micros: 45_296_123_456, hasTime: true, offsetSeconds: undefined }],
    ['2024-02-29 12:34', { days: 8825, micros: 45_240_000_000, hasTime: true, offsetSeconds: undefined }],
    ['2024-02-29T12:34:56Z', { days: 8825, micros: 45_296_000_000, hasTime: true, offsetSeconds: 0 }],
    ['2024-02-29T12:34:56+05:30', { days: 8825, micros: 45_296_000_000, hasTime: true, offsetSeconds: 19_800 }],
    ['2024-02-29 12:34:56-0330', { days: 8825, micros: 45_296_000_000, hasTime: true, offsetSeconds: -12_600 }],
    ['2024-02-29 12:34:56+15:59:59', { days: 8825, micros: 45_296_000_000, hasTime: true, offsetSeconds: 57_599 }],
    ['2024-02-29 24:00:00', { days: 8825, micros: 86_400_000_000, hasTime: true, offsetSeconds: undefined }],
    ['0001-01-01 BC', { days: daysFromCivil(0, 1, 1), micros: 0, hasTime: false, offsetSeconds: undefined }],
    ['+000000-01-01', { days: daysFromCivil(0, 1, 1), micros: 0, hasTime: false, offsetSeconds: undefined }],
    ['-000044-03-15', { days: daysFromCivil(-44, 3, 15), micros: 0, hasTime: false, offsetSeconds: undefined }],
    ['294276-12-31', { days: daysFromCivil(294276, 12, 31), micros: 0, hasTime: false, offsetSeconds: undefined }],
  ])('reads %s', (text, expected) => {
    expect(parseDateTime(text)).toEqual(expected);
  });

  it('rounds fractions beyond microseconds half to even, as PostgreSQL does', () => {
    expect(parseDateTime('2024-01-01 00:00:00.1234565')?.micros).toBe(123_456);
    expect(parseDateTime('2024-01-01 00:00:00.1234575')?.micros).toBe(123_458);
    expect(parseDateTime('2024-01-01 00:00:00.123456789')?.micros).toBe(123_457);
  });

  it.each([
    '2023-02-29',
    '2024-13-01',
    '2024-00-10',
    '2024-04-31',
    '0000-01-01',
    '24-01-01',
    '2024-01-01T25:00',
    '2024-01-01T24:00:01',
    '2024-01-01T12:60',
    '2024-01-01T12:00+16',
    '2024-01-01T12:00+05:60',
    '2024-01-01T12:00:00.1234567890',
    '2024-01-01 BC BC',
    '-000044-03-15 BC',
    'yesterday',
    '2024/01/01',
  ])('rejects %j', (text) => {
    expect(parseDateTime(text)).toBeUndefined();
  });

  it('reads times of day with and without offsets', () => {
    expect(parseTime('00:00')).toEqual({ micros: 0, offsetSeconds: undefined });
    expect(parseTime('23:59:59.999999')).toEqual({ micros: 86_399_999_999, offsetSeconds: undefined });
    expect(parseTime('12:00:00-08')).toEqual({ micros: 43_200_000_000, offsetSeconds: -28_800 });
    expect(parseTime('12:00:00z')).toEqual({ micros: 43_200_000_000, offsetSeconds: 0 });
    expect(parseTime('24:00:01')).toBeUndefined();
    expect(parseTime('7:00')).toBeUndefined();
  });
});

describe('date', () => {
  it('writes days since 2000-01-01 and the infinities', () => {
    expect(binaryHex(dateCodec, '2000-01-02')).toBe(`${int32Hex(4)}${int32Hex(1)}`);
    expect(binaryHex(dateCodec, new Date('1999-12-31T00:00:00Z'))).toBe(`${int32Hex(4)}${int32Hex(-1)}`);
    expect(binaryHex(dateCodec, Infinity)).toBe(`${int32Hex(4)}7fffffff`);
    expect(binaryHex(dateCodec, '-infinity')).toBe(`${int32Hex(4)}80000000`);
  });

  it('writes the ISO text form', () => {
    expect(dateCodec.toText('2024-02-29')).toBe('2024-02-29');
    expect(dateCodec.toText('-000044-03-15')).toBe('0045-03-15 BC');
    expect(dateCodec.toText('5874897-12-31')).toBe('5874897-12-31');
    expect(dateCodec.toText(-Infinity)).toBe('-infinity');
  });

  it('refuses a Date that is not at midnight UTC, and time parts in strings', () => {
    expect(problem(dateCodec, new Date('2024-01-14T23:00:00Z'))).toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/not at midnight UTC.*YYYY-MM-DD/),
    });
    expect(problem(dateCodec, '2024-01-14 10:00')).toMatchObject({ kind: 'invalid' });
    expect(problem(dateCodec, new Date(NaN))).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/Invalid Date/) });
    expect(problem(dateCodec, 20240114)).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/got a number 20240114/) });
  });

  it('knows PostgreSQL’s date range', () => {
    expect(problem(dateCodec, '4714-11-24 BC')).toBeUndefined();
    expect(problem(dateCodec, '4714-11-23 BC')).toMatchObject({ kind: 'range' });
    expect(problem(dateCodec, '5874898-01-01')).toMatchObject({ kind: 'range' });
  });
});

describe('timestamps', () => {
  it('writes microseconds since 2000-01-01 as int64, exactly, near and far', () => {
    expect(binaryHex(timestamptzCodec, new Date('2000-01-01T00:00:00.001Z'))).toBe(`${int32Hex(8)}${int64Hex(1000n)}`);
    expect(binaryHex(timestamptzCodec, new Date(0))).toBe(`${int32Hex(8)}${int64Hex(-946_684_800_000_000n)}`);
    expect(binaryHex(timestamptzCodec, '1999-12-31T23:59:59.999999Z')).toBe(`${int32Hex(8)}${int64Hex(-1n)}`);
    expect(binaryHex(timestampCodec, '294276-12-31T23:59:59.999999')).toBe(`${int32Hex(8)}${int64Hex(9_223_371_331_199_999_999n)}`);
    expect(binaryHex(timestampCodec, '4714-11-24 00:00:00 BC')).toBe(`${int32Hex(8)}${int64Hex(-211_813_488_000_000_000n)}`);
    expect(binaryHex(timestamptzCodec, 'infinity')).toBe(`${int32Hex(8)}7fffffffffffffff`);
    expect(binaryHex(timestamptzCodec, -Infinity)).toBe(`${int32Hex(8)}8000000000000000`);
  });

  it('applies the offset of a timestamptz string', () => {
    expect(timestamptzCodec.toText('2024-01-01T01:30:00+02:00')).toBe('2023-12-31 23:30:00+00');
    expect(timestamptzCodec.toText('0001-01-01T00:00:00Z')).toBe('0001-01-01 00:00:00+00');
    expect(timestamptzCodec.toText('0001-01-01T00:00:00+01')).toBe('0001-12-31 23:00:00+00 BC');
  });

  it('writes a Date into timestamp without time zone as its UTC wall clock', () => {
    expect(timestampCodec.toText(new Date('2024-02-29T12:34:56.789Z'))).toBe('2024-02-29 12:34:56.789000');
    expect(timestampCodec.toText('2024-02-29')).toBe('2024-02-29 00:00:00');
  });

  it('insists on an offset for timestamptz strings and refuses one for timestamp', () => {
    expect(problem(timestamptzCodec, '2024-01-01 10:00')).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/no UTC offset/) });
    expect(problem(timestampCodec, '2024-01-01 10:00Z')).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/silently drop/) });
  });

  it('knows the timestamp range, after applying the offset', () => {
    expect(problem(timestamptzCodec, '294276-12-31T23:59:59.999999Z')).toBeUndefined();
    expect(problem(timestamptzCodec, '294276-12-31T23:59:59.999999-01')).toMatchObject({ kind: 'range' });
    expect(problem(timestampCodec, '294277-01-01T00:00:00')).toMatchObject({ kind: 'range' });
    expect(problem(timestampCodec, '4714-11-23 23:59:59 BC')).toMatchObject({ kind: 'range' });
  });

  it.each([42, true, {}, 'now', '2024-01-01T10:00:00 +01:00:00:00'])('rejects %j', (value) => {
    expect(problem(timestamptzCodec, value)).toMatchObject({ kind: 'invalid' });
  });
});

describe('time and timetz', () => {
  it('writes microseconds since midnight, and the zone in seconds west of UTC', () => {
    expect(binaryHex(timeCodec, '00:00:01.5')).toBe(`${int32Hex(8)}${int64Hex(1_500_000n)}`);
    expect(binaryHex(timetzCodec, '00:00:01+01:00')).toBe(`${int32Hex(12)}${int64Hex(1_000_000n)}${int32Hex(-3600)}`);
    expect(timetzCodec.toText('12:34:56.789-08:30')).toBe('12:34:56.789000-08:30:00');
    expect(timeCodec.toText('24:00')).toBe('24:00:00');
  });

  it('rejects Dates, offsets on time, and missing offsets on timetz', () => {
    expect(problem(timeCodec, new Date())).toMatchObject({ kind: 'invalid' });
    expect(problem(timeCodec, '10:00+01')).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/silently drop/) });
    expect(problem(timetzCodec, '10:00')).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/no UTC offset/) });
  });
});
