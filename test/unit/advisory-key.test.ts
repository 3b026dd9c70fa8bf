import { describe, expect, it } from 'vitest';
import {
  advisoryKey,
  advisoryKeyFromLockRow,
  advisoryKeyToJson,
  canonicalJson,
  formatAdvisoryKey,
  type AdvisoryKeyCodec,
} from '../../src/locks/advisory-key.js';
import { InvalidAdvisoryKeyError } from '../../src/locks/errors.js';

// Vectors from the issue and from peer-locks.md §2 (computed with the Python libraries).
const INT64_VECTORS: Array<[AdvisoryKeyCodec, string, bigint]> = [
  ['django-pglock', 'shared-identifier', -3749073756651130n],
  ['django-pglock', 'some lock', -1292339565357005894n],
  ['django-pglock', 'hello', 1054880662928880172n],
  ['django-pglock', 'my_lock_id', -3531142854575798568n],
  ['django-pglock', 'test', 7313085519096743583n],
  ['django-pglock', '', 1449310910991872227n],
  ['django-pglocks', 'shared-identifier', -1519155049n],
  ['django-pglocks', 'some lock', -205618829n],
  ['django-pglocks', 'hello', 907060870n],
  ['django-pglocks', 'my_lock_id', 160729585n],
  ['django-pglocks', 'test', -662733300n],
  ['django-pglocks', '', 0n],
  ['postgres-lock', 'shared-identifier', 142468548502040132n],
  ['postgres-lock', 'some lock', 101875854625702283n],
  ['postgres-lock', 'hello', 975987071262755080n],
  ['postgres-lock', 'my_lock_id', 528278492672209965n],
  ['postgres-lock', 'test', 966482230667555116n],
  ['postgres-lock', '', 124584541093122799n],
  ['postgres-lock', '1', 304942582444936629n],
];

const PAIR_VECTORS: Array<[string, [number, number]]> = [
  ['shared-identifier', [-1098940026, -872900]],
  ['some lock', [766935994, -300896253]],
  ['hello', [-1169296852, 245608543]],
  ['test-lock', [-107789403, -1898803861]],
];

describe('advisoryKey codecs', () => {
  it.each(INT64_VECTORS)('%s(%j) = %s', (codec, text, expected) => {
    const key = advisoryKey(text, codec);
    expect(key.kind).toBe('int64');
    expect(key.value).toBe(expected);
    expect(key.objsubid).toBe(1);
  });

  it.each(PAIR_VECTORS)('advisory-lock(%j) = %j', (text, expected) => {
    const key = advisoryKey(text, 'advisory-lock');
    expect(key.kind).toBe('int32-pair');
    expect(key.value).toEqual(expected);
    expect(key.objsubid).toBe(2);
  });

  it('defaults to the django-pglock codec', () => {
    expect(advisoryKey('shared-identifier').value).toBe(-3749073756651130n);
    expect(advisoryKey('some lock').value).toBe(-1292339565357005894n);
  });

  it.each([
    ['django-pglock', 'é', 6035724277697059146n],
    ['django-pglocks', 'é', 235179326n],
    ['postgres-lock', 'é', 109090214282592849n],
    ['django-pglock', '🦄 lock', 298976379722053834n],
    ['django-pglocks', '🦄 lock', 1074768613n],
    ['postgres-lock', '🦄 lock', 232531477627421656n],
  ] as Array<[AdvisoryKeyCodec, string, bigint]>)('%s hashes the UTF-8 bytes of %j like Python does', (codec, text, expected) => {
    expect(advisoryKey(text, codec).value).toBe(expected);
  });
});

describe('advisoryKey pg_locks coordinates', () => {
  it('reads the halves of a negative bigint as unsigned (the django-pglock advisory_id bug)', () => {
    const key = advisoryKey('shared-identifier');
    expect([key.classid, key.objid]).toEqual([4294094396, 3196027270]);
  });

  it.each([
    ['some lock', 'django-pglock', 3994071043, 766935994],
    ['hello', 'django-pglock', 245608543, 3125670444],
    ['my_lock_id', 'django-pglock', 3472809032, 1440335576],
    ['shared-identifier', 'django-pglocks', 4294967295, 2775812247],
    ['some lock', 'django-pglocks', 4294967295, 4089348467],
    ['hello', 'django-pglocks', 0, 907060870],
    ['shared-identifier', 'postgres-lock', 33171043, 3642830404],
    ['some lock', 'postgres-lock', 23719820, 3458695563],
    ['shared-identifier', 'advisory-lock', 3196027270, 4294094396],
    ['some lock', 'advisory-lock', 766935994, 3994071043],
  ] as Array<[string, AdvisoryKeyCodec, number, number]>)('%j under %s → (%d, %d)', (text, codec, classid, objid) => {
    const key = advisoryKey(text, codec);
    expect([key.classid, key.objid]).toEqual([classid, objid]);
  });

  it('handles the int64 extremes', () => {
    expect(advisoryKey(2n ** 63n - 1n)).toMatchObject({ classid: 2147483647, objid: 4294967295, objsubid: 1 });
    expect(advisoryKey(-(2n ** 63n))).toMatchObject({ classid: 2147483648, objid: 0 });
    expect(advisoryKey(-1)).toMatchObject({ classid: 4294967295, objid: 4294967295 });
  });

  it('decodes pg_locks columns back to the key', () => {
    for (const input of ['shared-identifier', 'some lock', 'hello', 0, -1, 2n ** 63n - 1n, -(2n ** 63n)] as const) {
      const key = advisoryKey(input);
      expect(advisoryKeyFromLockRow(key.classid, key.objid, key.objsubid)).toEqual(advisoryKeyToJson(key));
    }
    const pair = advisoryKey('some lock', 'advisory-lock');
    expect(advisoryKeyFromLockRow(pair.classid, pair.objid, 2)).toEqual({ kind: 'int32-pair', value: [766935994, -300896253] });
  });
});

describe('advisoryKey inputs', () => {
  it('uses integers as they are, whatever the codec', () => {
    expect(advisoryKey(42).value).toBe(42n);
    expect(advisoryKey(42n, 'postgres-lock').value).toBe(42n);
    expect(advisoryKey(0).value).toBe(0n);
    expect(advisoryKey(-7n)).toMatchObject({ kind: 'int64', value: -7n });
  });

  it('treats a two-number array as the two-int4 form', () => {
    expect(advisoryKey([1, 2])).toMatchObject({ kind: 'int32-pair', value: [1, 2], classid: 1, objid: 2, objsubid: 2 });
    expect(advisoryKey([-1, 0])).toMatchObject({ classid: 4294967295, objid: 0 });
  });

  it('keeps (0, 1) and 1 apart, as PostgreSQL does', () => {
    const single = advisoryKey(1);
    const pair = advisoryKey([0, 1]);
    expect([single.classid, single.objid]).toEqual([pair.classid, pair.objid]);
    expect(single.objsubid).not.toBe(pair.objsubid);
  });

  it('hashes JSON values through a canonical encoding', () => {
    const a = advisoryKey({ tenant: 7, job: 'import', tags: ['x', { b: 1, a: 2 }] });
    const b = advisoryKey({ tags: ['x', { a: 2, b: 1 }], job: 'import', tenant: 7 });
    expect(a.value).toBe(b.value);
    expect(a.value).toBe(advisoryKey('{"job":"import","tags":["x",{"a":2,"b":1}],"tenant":7}').value);
    expect(advisoryKey(['a', 1, true]).value).toBe(advisoryKey('["a",1,true]').value);
    expect(advisoryKey(null).value).toBe(advisoryKey('null').value);
    expect(advisoryKey([1, 2, 3], 'advisory-lock').kind).toBe('int32-pair');
  });

  it('passes a derived key through unchanged', () => {
    const derived = advisoryKey('x', 'django-pglocks');
    expect(advisoryKey(derived)).toBe(derived);
    expect(advisoryKey(derived, 'postgres-lock')).toBe(derived);
  });

  it.each([
    [2n ** 63n, 'int64 range'],
    [-(2n ** 63n) - 1n, 'int64 range'],
    [2 ** 53, 'pass a bigint'],
    [1.5, 'not an integer'],
    [Number.NaN, 'not an integer'],
    [[1, 2 ** 31], 'not an int32'],
    [[1.5, 2], 'not an int32'],
    ['\ud800', 'lone surrogate'],
    [{ a: undefined }, '$.a is a undefined'],
    [{ a: () => 1 }, '$.a is a function'],
    [[1n], '$[0] is a bigint'],
    [{ d: new Date(0) }, 'instance of Date'],
    [{ n: Infinity }, 'the number Infinity'],
  ])('rejects %s (%s)', (input, message) => {
    expect(() => advisoryKey(input as never)).toThrow(InvalidAdvisoryKeyError);
    expect(() => advisoryKey(input as never)).toThrow(message);
  });

  it('rejects cycles and unknown codecs', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => advisoryKey(cyclic as never)).toThrow('a cycle');
    expect(() => advisoryKey('x', 'crc64' as never)).toThrow(/unknown advisory key codec "crc64"/);
  });

  it('formats keys for humans', () => {
    expect(formatAdvisoryKey(advisoryKey('shared-identifier'))).toBe('-3749073756651130');
    expect(formatAdvisoryKey(advisoryKey('some lock', 'advisory-lock'))).toBe('(766935994,-300896253)');
    expect(canonicalJson({ b: [1, 'two'], a: null })).toBe('{"a":null,"b":[1,"two"]}');
  });
});
