/**
 * The pure helpers of the file sources: name patterns, JSON with exact large integers, CSV raw
 * records (quoting and line spans), UTF-8 boundaries, PostgreSQL array output.
 */
import { describe, expect, it } from 'vitest';
import { isBlankLine, lineSpan, quotedFields } from '../../../src/sources/csv/raw-record.js';
import { compilePatterns } from '../../../src/sources/files/pattern.js';
import { completePrefixLength, firstInvalidUtf8 } from '../../../src/sources/files/utf8.js';
import { parseJson } from '../../../src/sources/json-text.js';
import { parseArrayLiteral } from '../../../src/sources/postgres/array-literal.js';

describe('name patterns', () => {
  it('wildcards match the whole name, a plain pattern is a suffix, hidden names need a dotted pattern', () => {
    const match = compilePatterns(['orders-*.csv', '?.txt', '.gz']);
    expect(['orders-1.csv', 'orders-.csv', 'a.txt', 'x.csv.gz', 'é.txt'].filter(match)).toEqual(['orders-1.csv', 'orders-.csv', 'a.txt', 'x.csv.gz', 'é.txt']);
    expect(['orders-1.csv.bak', 'ab.txt', '.x.gz', '.orders-1.csv', 'my-orders-1.csv'].filter(match)).toEqual([]);
    expect(compilePatterns(['.*.csv'])('.hidden.csv')).toBe(true);
    // Regular-expression characters in a pattern are literal.
    const literal = compilePatterns(['data(1)+[x].*']);
    expect(literal('data(1)+[x].csv')).toBe(true);
    expect(literal('data1+x.csv')).toBe(false);
  });
});

describe('JSON with large integers', () => {
  it('unsafe integers outside strings become exact strings; everything else parses as JSON.parse does', () => {
    expect(parseJson('[9007199254740991,9007199254740992,-9007199254740993,1e400,1.5,"9007199254740993"]', 'string')).toEqual([
      9007199254740991,
      '9007199254740992',
      '-9007199254740993',
      Infinity,
      1.5,
      '9007199254740993',
    ]);
    expect(parseJson('{"a\\"12345678901234567890":12345678901234567890.5}', 'string')).toEqual({ 'a"12345678901234567890': 12345678901234567000 });
    expect(parseJson('12345678901234567890', 'number')).toBe(12345678901234567000);
  });

  it('syntax errors are reported against the original text', () => {
    expect(() => parseJson('{"id":12345678901234567890,}', 'string')).toThrow(/position 27|column 28|Expected double-quoted/);
  });
});

describe('CSV raw records', () => {
  const dialect = { delimiter: ',', quote: '"', escape: '"' };
  it('tells quoted fields apart, escapes included', () => {
    expect(quotedFields('"",,"a""b",x\n', dialect)).toEqual([true, false, true, false]);
    expect(quotedFields('"a,b",,\r', dialect)).toEqual([true, false, false]);
    expect(quotedFields("'it\\'s',\\N", { delimiter: ',', quote: "'", escape: '\\' })).toEqual([true, false]);
    expect(quotedFields('"x\r\ny",""', dialect)).toEqual([true, true]);
  });

  it('counts the physical lines of a record without its terminator', () => {
    expect([lineSpan('a,b\n'), lineSpan('a,b\r'), lineSpan('a,b'), lineSpan('1,"x\r\ny\nz"\r'), lineSpan('\n')]).toEqual([1, 1, 1, 3, 1]);
    expect([isBlankLine([''], '\n'), isBlankLine([''], '\r'), isBlankLine([''], '""\n'), isBlankLine(['a'], 'a\n')]).toEqual([true, true, false, false]);
  });
});

describe('UTF-8', () => {
  it('finds the first invalid byte and the last complete character', () => {
    expect(firstInvalidUtf8(Buffer.from('aé😀'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc3, 0x28]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // an encoded surrogate
    expect(firstInvalidUtf8(Buffer.from([0xc0, 0xaf]))).toBe(0); // overlong
    const smile = Buffer.from('a😀');
    expect([1, 2, 3, 4, 5].map((n) => completePrefixLength(smile.subarray(0, n)))).toEqual([1, 1, 1, 1, 5]);
  });
});

describe('PostgreSQL array output', () => {
  const text = (s: string) => s;
  it('parses nesting, quoting, NULL, bounds and other delimiters', () => {
    expect(parseArrayLiteral('{}', ',', text)).toEqual([]);
    expect(parseArrayLiteral('{1,NULL,null,"NULL"}', ',', text)).toEqual(['1', null, null, 'NULL']);
    expect(parseArrayLiteral('{{"a b","c\\"d"},{"e\\\\f",""}}', ',', text)).toEqual([
      ['a b', 'c"d'],
      ['e\\f', ''],
    ]);
    expect(parseArrayLiteral('[0:1]={7,8}', ',', Number)).toEqual([7, 8]);
    expect(parseArrayLiteral('{(1,1),(0,0);(2,2),(1,1)}', ';', text)).toEqual(['(1,1),(0,0)', '(2,2),(1,1)']);
    expect(() => parseArrayLiteral('{1,2', ',', text)).toThrow(/unexpected array output/);
  });
});
