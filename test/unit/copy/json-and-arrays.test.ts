import { describe, expect, it } from 'vitest';
import { arrayCodec, quoteElement } from '../../../src/ingest/copy/codecs/array.js';
import { byteaCodec } from '../../../src/ingest/copy/codecs/bytea.js';
import { int4Codec } from '../../../src/ingest/copy/codecs/integers.js';
import { jsonCodec, jsonbCodec } from '../../../src/ingest/copy/codecs/json.js';
import { textInputCodec } from '../../../src/ingest/copy/codecs/text-input.js';
import { textCodec } from '../../../src/ingest/copy/codecs/text.js';
import { jsonNull } from '../../../src/ingest/copy/json-null.js';
import { binaryHex, int32Hex, problem } from './encode.js';

describe('json and jsonb', () => {
  it('serialise any JSON value; a JS string is a JSON string', () => {
    expect(jsonCodec.toText({ a: [1, 'é', null, true] })).toBe('{"a":[1,"é",null,true]}');
    expect(jsonCodec.toText('{"a":1}')).toBe('"{\\"a\\":1}"');
    expect(jsonCodec.toText(42)).toBe('42');
    expect(jsonCodec.toText(new Date('2024-01-01T00:00:00Z'))).toBe('"2024-01-01T00:00:00.000Z"');
  });

  it('write jsonNull as the JSON literal null', () => {
    expect(jsonbCodec.toText(jsonNull)).toBe('null');
    expect(JSON.stringify({ a: jsonNull })).toBe('{"a":null}');
  });

  it('prefix jsonb with its version byte', () => {
    expect(binaryHex(jsonbCodec, [1])).toBe(`${int32Hex(4)}01${Buffer.from('[1]').toString('hex')}`);
    expect(binaryHex(jsonCodec, [1])).toBe(`${int32Hex(3)}${Buffer.from('[1]').toString('hex')}`);
  });

  it('refuse what JSON cannot carry', () => {
    expect(problem(jsonCodec, { n: 1n })).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/BigInt/) });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(problem(jsonbCodec, cycle)).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/circular/i) });
    expect(problem(jsonbCodec, NaN)).toMatchObject({ kind: 'invalid' });
    expect(problem(jsonbCodec, () => 1)).toMatchObject({ kind: 'invalid' });
  });

  it('refuse NUL and lone surrogates anywhere inside, but not their escaped spelling', () => {
    expect(problem(jsonbCodec, { deep: ['x\0y'] })).toMatchObject({ kind: 'character', message: expect.stringMatching(/NUL/) });
    expect(problem(jsonCodec, { ['k\ud800']: 1 })).toMatchObject({ kind: 'character', message: expect.stringMatching(/surrogate/) });
    expect(problem(jsonbCodec, { text: '\\u0000 is fine as text' })).toBeUndefined();
    expect(problem(jsonbCodec, { emoji: '😀', control: '\u0001' })).toBeUndefined();
  });
});

describe('array literals', () => {
  it('quote elements the way array_out does', () => {
    expect(quoteElement('plain', ',')).toBe('plain');
    expect(quoteElement('', ',')).toBe('""');
    expect(quoteElement('NULL', ',')).toBe('"NULL"');
    expect(quoteElement('null', ',')).toBe('"null"');
    expect(quoteElement('a,b', ',')).toBe('"a,b"');
    expect(quoteElement('a;b', ';')).toBe('"a;b"');
    expect(quoteElement('say "hi"', ',')).toBe('"say \\"hi\\""');
    expect(quoteElement('back\\slash', ',')).toBe('"back\\\\slash"');
    expect(quoteElement('{x}', ',')).toBe('"{x}"');
    expect(quoteElement(' lead', ',')).toBe('" lead"');
  });

  const ints = arrayCodec({ codec: int4Codec, oid: 23, delimiter: ',', itemsMayBeArrays: false });
  const texts = arrayCodec({ codec: textCodec, oid: 25, delimiter: ',', itemsMayBeArrays: false });

  it('write nested, rectangular arrays with NULL elements', () => {
    expect(ints.toText([[1, null], [3, 4]])).toBe('{{1,NULL},{3,4}}');
    expect(ints.toText([[[1]], [[2]]])).toBe('{{{1}},{{2}}}');
    expect(texts.toText(['a,b', null, 'NULL', '', 'x"y'])).toBe('{"a,b",NULL,"NULL","","x\\"y"}');
    expect(ints.toText([])).toBe('{}');
    expect(ints.toText([[], []])).toBe('{}');
    expect(ints.toText([undefined])).toBe('{NULL}');
  });

  it('write the binary array header: dimensions, null flag, element type, sizes and lower bounds', () => {
    expect(binaryHex(ints, [[1, null]])).toBe(
      [
        int32Hex(12 + 2 * 8 + 8 + 4),
        int32Hex(2),
        int32Hex(1),
        int32Hex(23),
        int32Hex(1),
        int32Hex(1),
        int32Hex(2),
        int32Hex(1),
        int32Hex(4),
        int32Hex(1),
        int32Hex(-1),
      ].join(''),
    );
    expect(binaryHex(ints, [])).toBe([int32Hex(12), int32Hex(0), int32Hex(0), int32Hex(23)].join(''));
  });

  it('reject ragged arrays, too many dimensions and bad elements with their position', () => {
    expect(problem(ints, [[1, 2], [3]])).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/not rectangular.*\[1\]/) });
    expect(problem(ints, [1, [2]])).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/not rectangular/) });
    expect(problem(ints, [[1], 2])).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/not rectangular/) });
    expect(problem(ints, [[], [1]])).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/not rectangular/) });
    expect(problem(ints, [[[[[[[1]]]]]]])).toMatchObject({ kind: 'range', message: expect.stringMatching(/7 dimensions/) });
    expect(problem(ints, [[1, 2], [3, 4.5]])).toMatchObject({
      kind: 'invalid',
      message: 'array element [1][1]: 4.5 is not an integer (integer columns never round or truncate)',
    });
    expect(problem(texts, ['ok', 'a\0'])).toMatchObject({ kind: 'character', message: expect.stringMatching(/^array element \[1\]: /) });
    expect(problem(ints, 'not an array')).toMatchObject({ kind: 'invalid' });
  });

  it('let json[] items be JSON arrays (one dimension)', () => {
    const jsons = arrayCodec({ codec: jsonbCodec, oid: 3802, delimiter: ',', itemsMayBeArrays: true });
    expect(jsons.toText([[1, 2], { a: 'b' }, jsonNull, null])).toBe('{"[1,2]","{\\"a\\":\\"b\\"}","null",NULL}');
  });

  it('quote text-input and bytea elements inside the literal', () => {
    const ranges = arrayCodec({ codec: textInputCodec('int4range'), oid: 3904, delimiter: ',', itemsMayBeArrays: false });
    expect(ranges.toText(['[1,5)', 'empty'])).toBe('{"[1,5)",empty}');
    expect(ranges.binary).toBe(false);
    const blobs = arrayCodec({ codec: byteaCodec, oid: 17, delimiter: ',', itemsMayBeArrays: false });
    expect(blobs.toText([Buffer.from([1])])).toBe('{"\\\\x01"}');
  });
});
