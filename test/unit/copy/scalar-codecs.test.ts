import { describe, expect, it } from 'vitest';
import { boolCodec } from '../../../src/ingest/copy/codecs/bool.js';
import { byteaCodec } from '../../../src/ingest/copy/codecs/bytea.js';
import { enumCodec } from '../../../src/ingest/copy/codecs/enum.js';
import { float4Codec, float8Codec } from '../../../src/ingest/copy/codecs/floats.js';
import { cidrCodec, inetCodec } from '../../../src/ingest/copy/codecs/inet.js';
import { int2Codec, int4Codec, int8Codec, oidCodec } from '../../../src/ingest/copy/codecs/integers.js';
import { intervalCodec } from '../../../src/ingest/copy/codecs/interval.js';
import { textInputCodec } from '../../../src/ingest/copy/codecs/text-input.js';
import { bpcharCodec, nameCodec, textCodec, varcharCodec } from '../../../src/ingest/copy/codecs/text.js';
import { uuidCodec } from '../../../src/ingest/copy/codecs/uuid.js';
import { binaryHex, int32Hex, problem } from './encode.js';

describe('boolean', () => {
  it('accepts only true and false', () => {
    expect(binaryHex(boolCodec, true)).toBe(`${int32Hex(1)}01`);
    expect(boolCodec.toText(false)).toBe('f');
    for (const value of [1, 0, 't', 'true', 'yes', null]) expect(problem(boolCodec, value)?.kind).toBe('invalid');
  });
});

describe('integers', () => {
  it('write big-endian fields of the column’s width', () => {
    expect(binaryHex(int2Codec, -2)).toBe(`${int32Hex(2)}fffe`);
    expect(binaryHex(int4Codec, '42')).toBe(`${int32Hex(4)}0000002a`);
    expect(binaryHex(int8Codec, -1)).toBe(`${int32Hex(8)}ffffffffffffffff`);
    expect(binaryHex(int8Codec, 2 ** 40 + 5)).toBe(`${int32Hex(8)}0000010000000005`);
    expect(binaryHex(int8Codec, -9223372036854775808n)).toBe(`${int32Hex(8)}8000000000000000`);
    expect(binaryHex(oidCodec, 4294967295)).toBe(`${int32Hex(4)}ffffffff`);
  });

  it('never rounds: 5.7 is an error, not 5', () => {
    expect(problem(int4Codec, 5.7)).toEqual({ kind: 'invalid', message: '5.7 is not an integer (integer columns never round or truncate)' });
    expect(problem(int8Codec, 0.5)).toMatchObject({ kind: 'invalid' });
    expect(problem(int2Codec, '1.0')).toMatchObject({ kind: 'invalid', message: '"1.0" is not a decimal integer' });
  });

  it.each([
    [int2Codec, 32768],
    [int2Codec, -32769n],
    [int4Codec, 2147483648],
    [int4Codec, '-2147483649'],
    [int4Codec, '00000000000000000002147483648'],
    [int8Codec, 9223372036854775808n],
    [int8Codec, '-9223372036854775809'],
    [oidCodec, -1],
  ])('%# rejects %s as out of range', (codec, value) => {
    expect(problem(codec, value)?.kind).toBe('range');
  });

  it('accepts the exact limits in every form', () => {
    expect(int2Codec.toText('-32768')).toBe('-32768');
    expect(int4Codec.toText(2147483647n)).toBe('2147483647');
    expect(int8Codec.toText('9223372036854775807')).toBe('9223372036854775807');
    expect(int8Codec.toText(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
    expect(int4Codec.toText('+007')).toBe('7');
  });

  it('refuses unsafe numbers for bigint, and non-numbers everywhere', () => {
    expect(problem(int8Codec, 2 ** 53)).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/MAX_SAFE_INTEGER/) });
    for (const value of ['abc', '', ' 1', '1e3', NaN, Infinity, true, new Date(0), [1]]) {
      expect(problem(int4Codec, value)?.kind).toBe('invalid');
    }
  });
});

describe('floats', () => {
  it('keep NaN, infinities and -0', () => {
    expect(binaryHex(float8Codec, -0)).toBe(`${int32Hex(8)}8000000000000000`);
    expect(float8Codec.toText(-0)).toBe('-0');
    expect(float8Codec.toText(NaN)).toBe('NaN');
    expect(float8Codec.toText('-inf')).toBe('-Infinity');
    expect(float4Codec.toText(Infinity)).toBe('Infinity');
    expect(float8Codec.toText('1.5e-3')).toBe('0.0015');
  });

  it('write real as single precision, with the same value in text', () => {
    expect(binaryHex(float4Codec, 1.1)).toBe(`${int32Hex(4)}3f8ccccd`);
    expect(float4Codec.toText(1.1)).toBe('1.100000023841858');
  });

  it('refuse overflow and underflow instead of storing ±Infinity or 0', () => {
    expect(problem(float4Codec, 1e39)).toMatchObject({ kind: 'range' });
    expect(problem(float4Codec, 1e-50)).toMatchObject({ kind: 'range' });
    expect(problem(float8Codec, '1e400')).toMatchObject({ kind: 'range' });
    expect(problem(float8Codec, '1e-400')).toMatchObject({ kind: 'range' });
    expect(problem(float8Codec, 2n ** 60n + 1n)).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/no exact/) });
    expect(problem(float8Codec, 'one')).toMatchObject({ kind: 'invalid' });
  });
});

describe('character types', () => {
  it('take strings only', () => {
    expect(binaryHex(textCodec, 'é')).toBe(`${int32Hex(2)}c3a9`);
    expect(problem(textCodec, 12)).toMatchObject({ kind: 'invalid', message: 'expected a string, got a number 12' });
  });

  it('reject NUL and lone surrogates, and keep surrogate pairs', () => {
    expect(problem(textCodec, 'a\0b')).toMatchObject({ kind: 'character', message: expect.stringMatching(/NUL character.*index 1/) });
    expect(problem(textCodec, 'a\ud800b')).toMatchObject({ kind: 'character', message: expect.stringMatching(/lone UTF-16 surrogate/) });
    expect(binaryHex(textCodec, '😀')).toBe(`${int32Hex(4)}f09f9880`);
  });

  it('count varchar(n) and char(n) lengths in characters, as PostgreSQL does', () => {
    const varchar3 = varcharCodec(3 + 4);
    expect(problem(varchar3, '😀😀😀')).toBeUndefined();
    expect(problem(varchar3, 'abcd')).toMatchObject({ kind: 'range', message: expect.stringMatching(/varchar\(3\)/) });
    const char2 = bpcharCodec(2 + 4);
    expect(problem(char2, 'ab   ')).toBeUndefined();
    expect(problem(char2, 'abc')).toMatchObject({ kind: 'range', message: expect.stringMatching(/char\(2\)/) });
    expect(problem(varcharCodec(-1), 'x'.repeat(100_000))).toBeUndefined();
  });

  it('limit names to 63 bytes', () => {
    expect(problem(nameCodec, 'x'.repeat(63))).toBeUndefined();
    expect(problem(nameCodec, 'é'.repeat(32))).toMatchObject({ kind: 'range', message: expect.stringMatching(/63 bytes.*64/) });
  });
});

describe('bytea', () => {
  it('takes Buffers, Uint8Arrays and \\x hex strings', () => {
    expect(binaryHex(byteaCodec, Buffer.from([0, 0x80, 0xff]))).toBe(`${int32Hex(3)}0080ff`);
    expect(binaryHex(byteaCodec, new Uint8Array([1, 2]).subarray(1))).toBe(`${int32Hex(1)}02`);
    expect(binaryHex(byteaCodec, '\\x00FF')).toBe(`${int32Hex(2)}00ff`);
    expect(byteaCodec.toText(new Uint8Array([0, 0x5c]))).toBe('\\x005c');
  });

  it('refuses other strings and values', () => {
    expect(problem(byteaCodec, 'hello')).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/hex bytea string/) });
    expect(problem(byteaCodec, '\\x0')).toMatchObject({ kind: 'invalid' });
    expect(problem(byteaCodec, [1, 2])).toMatchObject({ kind: 'invalid' });
  });
});

describe('uuid', () => {
  it('reads every form PostgreSQL reads and writes 16 bytes', () => {
    const hex = `${int32Hex(16)}a0eebc999c0b4ef8bb6d6bb9bd380a11`;
    for (const form of [
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
      '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}',
      'a0eebc999c0b4ef8bb6d6bb9bd380a11',
      'a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11',
    ]) {
      expect(binaryHex(uuidCodec, form)).toBe(hex);
      expect(uuidCodec.toText(form)).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    }
  });

  it.each(['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 42])(
    'rejects %j',
    (value) => {
      expect(problem(uuidCodec, value)?.kind).toBe('invalid');
    },
  );
});

describe('interval', () => {
  const interval = intervalCodec(18);

  it('keeps months, days and microseconds apart', () => {
    expect(binaryHex(interval, { months: 3, days: -1, microseconds: 2 })).toBe(
      `${int32Hex(16)}0000000000000002${int32Hex(-1)}${int32Hex(3)}`,
    );
    expect(interval.toText({ years: 1, months: -2, weeks: 1, days: 3, hours: -4, seconds: 1.5 })).toBe(
      '+10 mon +10 day -3:59:58.500000',
    );
    expect(interval.toText({ milliseconds: 0.003 })).toBe('+0 mon +0 day +0:00:00.000003');
  });

  it('reads ISO 8601 durations', () => {
    expect(interval.toText('P1Y2M3W4DT5H6M7.5S')).toBe('+14 mon +25 day +5:06:07.500000');
    expect(interval.toText('-P1D')).toBe('+0 mon -1 day +0:00:00.000000');
    expect(interval.toText('PT-90M')).toBe('+0 mon +0 day -1:30:00.000000');
    expect(interval.toText({ hours: 2_000_000, months: -2147483648 })).toBe('-2147483648 mon +0 day +2000000:00:00.000000');
  });

  it('writes infinity only on PostgreSQL 17+', () => {
    expect(binaryHex(interval, Infinity)).toBe(`${int32Hex(16)}7fffffffffffffff7fffffff7fffffff`);
    expect(interval.toText('-infinity')).toBe('-infinity');
    expect(problem(intervalCodec(14), 'infinity')).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/PostgreSQL 17/) });
  });

  it.each([
    [{ day: 1 }, /unknown interval field "day"/],
    [{ months: 1.5 }, /must be an integer/],
    [{ hours: '1' }, /finite number/],
    ['1 day', /not an ISO 8601 duration/],
    ['P', /not an ISO 8601 duration/],
    ['P1.5D', /not an ISO 8601 duration/],
    [86400, /expected an interval object/],
  ])('rejects %j', (value, message) => {
    expect(problem(interval, value)).toMatchObject({ kind: 'invalid', message: expect.stringMatching(message) });
  });

  it('rejects spans it cannot hold', () => {
    expect(problem(interval, { months: 2 ** 31 })).toMatchObject({ kind: 'range' });
    expect(problem(interval, { hours: 2 ** 40 })).toMatchObject({ kind: 'range' });
  });
});

describe('inet and cidr', () => {
  it('write family, prefix, the cidr flag and the address bytes', () => {
    expect(binaryHex(inetCodec, '192.168.0.1/24')).toBe(`${int32Hex(8)}02180004c0a80001`);
    expect(binaryHex(cidrCodec, '10.0.0.0/8')).toBe(`${int32Hex(8)}02080104` + '0a000000');
    expect(binaryHex(inetCodec, '::ffff:1.2.3.4')).toBe(`${int32Hex(20)}03800010` + '00000000000000000000ffff01020304');
    expect(binaryHex(inetCodec, '2001:db8::1/64')).toBe(`${int32Hex(20)}03400010` + '20010db8000000000000000000000001');
  });

  it('refuses host bits in a cidr, bad prefixes and non-addresses', () => {
    expect(problem(cidrCodec, '10.1.0.0/8')).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/bits set right/) });
    expect(problem(inetCodec, '10.0.0.1/33')).toMatchObject({ kind: 'invalid' });
    expect(problem(inetCodec, '256.0.0.1')).toMatchObject({ kind: 'invalid' });
    expect(problem(inetCodec, 'fe80::1%eth0')).toMatchObject({ kind: 'invalid' });
    expect(problem(cidrCodec, '10.1')).toMatchObject({ kind: 'invalid' });
  });
});

describe('enum', () => {
  it('accepts the labels and lists them when refusing', () => {
    const mood = enumCodec('mood', ['sad', 'ok', 'happy']);
    expect(binaryHex(mood, 'ok')).toBe(`${int32Hex(2)}6f6b`);
    expect(problem(mood, 'OK')).toEqual({ kind: 'invalid', message: '"OK" is not a label of mood ("sad", "ok", "happy")' });
  });
});

describe('text input fallback', () => {
  it('passes strings and numbers as the type’s text form and has no binary form', () => {
    const range = textInputCodec('int4range');
    expect(range.binary).toBe(false);
    expect(range.toText('[1,5)')).toBe('[1,5)');
    expect(range.toText(12n)).toBe('12');
    expect(problem(range, [1, 5])).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/int4range text form/) });
    expect(problem(range, 'a\0')).toMatchObject({ kind: 'character' });
  });
});
