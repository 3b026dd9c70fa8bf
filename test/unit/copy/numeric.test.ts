import { describe, expect, it } from 'vitest';
import {
  numericCodec,
  numericText,
  numericTypmod,
  overflowsTypmod,
  parseDecimal,
  type FiniteDecimal,
} from '../../../src/ingest/copy/codecs/numeric.js';
import { binaryHex, int16Hex, problem } from './encode.js';

const unconstrained = numericCodec(-1);
/** typmod of numeric(p,s). */
const typmod = (precision: number, scale: number) => ((precision << 16) | (scale & 0x7ff)) + 4;

/** Expected binary field: length, ndigits, weight, sign, dscale, base-10000 digits. */
function field(weight: number, sign: number, dscale: number, digits: number[]): string {
  return [
    (8 + 2 * digits.length).toString(16).padStart(8, '0'),
    int16Hex(digits.length),
    int16Hex(weight),
    int16Hex(sign),
    int16Hex(dscale),
    ...digits.map(int16Hex),
  ].join('');
}

describe('parseDecimal', () => {
  it.each([
    ['0', { negative: false, digits: '', point: 0, scale: 0 }],
    ['-0.000', { negative: false, digits: '', point: 0, scale: 3 }],
    ['1234.50', { negative: false, digits: '12345', point: 4, scale: 2 }],
    ['-.5', { negative: true, digits: '5', point: 0, scale: 1 }],
    ['+5.', { negative: false, digits: '5', point: 1, scale: 0 }],
    ['007.0700', { negative: false, digits: '707', point: 1, scale: 4 }],
    ['1.5e3', { negative: false, digits: '15', point: 4, scale: 0 }],
    ['1E-3', { negative: false, digits: '1', point: -2, scale: 3 }],
    ['12.5e-1', { negative: false, digits: '125', point: 1, scale: 2 }],
  ])('reads %s', (text, expected) => {
    expect(parseDecimal(text)).toEqual({ kind: 'finite', ...expected });
  });

  it('reads NaN and infinities the way PostgreSQL spells them', () => {
    expect(parseDecimal('NaN')).toEqual({ kind: 'nan' });
    expect(parseDecimal('nan')).toEqual({ kind: 'nan' });
    expect(parseDecimal('-Infinity')).toEqual({ kind: 'infinity', negative: true });
    expect(parseDecimal('+inf')).toEqual({ kind: 'infinity', negative: false });
  });

  it.each(['', '.', '+', '1,5', '1.2.3', '12 ', ' 12', '1e', '-NaN', '0x10', '1_000', 'Infinityx'])('rejects %j', (text) => {
    expect(() => parseDecimal(text)).toThrow(/is not a decimal number/);
  });

  it('rejects values beyond what numeric stores', () => {
    expect(() => parseDecimal(`1e131072`)).toThrow(/more than 131072 digits before/);
    expect(() => parseDecimal(`1e-16384`)).toThrow(/more than 16383 digits after/);
    expect(() => parseDecimal(`1e99999999`)).toThrow(/outside the range of numeric/);
    expect(parseDecimal('1e131071')).toMatchObject({ point: 131072 });
  });
});

describe('numeric text form', () => {
  it.each([
    ['1234.50', '1234.50'],
    ['-0.000', '0.000'],
    ['1.5e3', '1500'],
    ['1e-3', '0.001'],
    ['-.5', '-0.5'],
    ['120e-1', '12.0'],
    ['NaN', 'NaN'],
    ['-inf', '-Infinity'],
  ])('writes %s as %s', (input, expected) => {
    expect(numericText(parseDecimal(input))).toBe(expected);
  });

  it('writes numbers as their shortest decimal and bigints exactly', () => {
    expect(unconstrained.toText(0.1)).toBe('0.1');
    expect(unconstrained.toText(1e21)).toBe('1000000000000000000000');
    expect(unconstrained.toText(-2.5e-7)).toBe('-0.00000025');
    expect(unconstrained.toText(12345678901234567890123n)).toBe('12345678901234567890123');
    expect(unconstrained.toText(NaN)).toBe('NaN');
    expect(unconstrained.toText(-Infinity)).toBe('-Infinity');
  });
});

describe('numeric binary form', () => {
  it.each([
    ['0', field(0, 0, 0, [])],
    ['0.00', field(0, 0, 2, [])],
    ['1234.5', field(0, 0, 1, [1234, 5000])],
    ['12345', field(1, 0, 0, [1, 2345])],
    ['-0.00012', field(-1, 0x4000, 5, [1, 2000])],
    ['100000000', field(2, 0, 0, [1])],
    ['NaN', field(0, 0xc000, 0, [])],
    ['Infinity', field(0, 0xd000, 0, [])],
    ['-Infinity', field(0, 0xf000, 0, [])],
  ])('encodes %s', (input, expected) => {
    expect(binaryHex(unconstrained, input)).toBe(expected);
  });

  it('encodes 131072 integer digits (32768 base-10000 digits, an unsigned count)', () => {
    const hex = binaryHex(unconstrained, '9'.repeat(131072));
    expect(hex.slice(8, 12)).toBe('8000');
    expect(hex.slice(12, 16)).toBe(int16Hex(32767));
  });
});

describe('numeric(p,s)', () => {
  it('decodes typmods, including negative scales', () => {
    expect(numericTypmod(-1)).toBeUndefined();
    expect(numericTypmod(typmod(12, 2))).toEqual({ precision: 12, scale: 2 });
    expect(numericTypmod(typmod(5, -3))).toEqual({ precision: 5, scale: -3 });
  });

  const decimal = (text: string) => parseDecimal(text) as FiniteDecimal;
  it.each([
    ['999.99', 5, 2, false],
    ['999.994', 5, 2, false],
    ['999.995', 5, 2, true],
    ['1000', 5, 2, true],
    ['-999.99', 5, 2, false],
    ['0.009', 2, 2, false],
    ['0.995', 2, 2, true],
    ['0.0051', 1, 3, false],
    ['0.0094', 1, 3, false],
    ['0.0095', 1, 3, true],
    ['99999499', 5, -3, false],
    ['12345000', 5, -3, false],
    ['99999500', 5, -3, true],
    ['0.0001', 3, 2, false],
  ])('%s in numeric(%i,%i) overflows: %s', (text, precision, scale, overflows) => {
    expect(overflowsTypmod(decimal(text), precision, scale)).toBe(overflows);
  });

  it('reports overflow and infinity as out of range, and keeps NaN', () => {
    const codec = numericCodec(typmod(6, 2));
    expect(problem(codec, 12345.67)).toMatchObject({ kind: 'range', message: expect.stringMatching(/numeric\(6,2\).*10\^4/) });
    expect(problem(codec, Infinity)).toMatchObject({ kind: 'range', message: expect.stringMatching(/cannot hold infinity/) });
    expect(problem(codec, '9999.99')).toBeUndefined();
    expect(codec.toText(NaN)).toBe('NaN');
  });

  it('rejects what is not a number', () => {
    expect(problem(unconstrained, true)).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/got a boolean true/) });
    expect(problem(unconstrained, '12,50')).toMatchObject({ kind: 'invalid', message: '"12,50" is not a decimal number' });
  });
});
