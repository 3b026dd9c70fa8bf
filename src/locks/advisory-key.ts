/**
 * Advisory lock keys: how an integer, an int32 pair, a string or any JSON value becomes the key
 * PostgreSQL locks, byte-compatible with the Python and npm libraries that share a database with us.
 *
 * PostgreSQL has two key spaces that never collide: one `bigint` (shown in `pg_locks` as
 * `classid` = high 32 bits, `objid` = low 32 bits, both unsigned, `objsubid = 1`) and a pair of
 * `int4` (`classid` = first, `objid` = second, unsigned, `objsubid = 2`). `pg_advisory_lock(1)` and
 * `pg_advisory_lock(0, 1)` are different locks.
 */
import { createHash } from 'node:crypto';
import { InvalidAdvisoryKeyError } from './errors.js';

/**
 * How strings and JSON values are hashed into a key. Pick the one the other services on the
 * database use, so that they contend for the same lock:
 *
 * - `'django-pglock'` (default): SHA-256 of the UTF-8 text, first 8 bytes as a little-endian signed
 *   int64 — `pglock.advisory("…")` in django-pglock.
 * - `'django-pglocks'`: CRC-32 (as zlib) of the UTF-8 text as a signed int32, locked as a bigint —
 *   `advisory_lock("…")` in django-pglocks. Only 2^32 keys: collisions are likely beyond ~77k names.
 * - `'postgres-lock'`: SHA-1 of the UTF-8 text as a decimal number, first 18 digits — `Lock(conn,
 *   "…")` in py-postgres-lock. That library hashes integers too (`Lock(conn, 1)` hashes `"1"`):
 *   pass the string to match it.
 * - `'advisory-lock'`: SHA-256 of the UTF-8 text as two little-endian int32 (bytes 0–3, 4–7), locked
 *   with the two-int4 form — the npm package `advisory-lock` (≥ 1.1.1).
 */
export type AdvisoryKeyCodec = 'django-pglock' | 'django-pglocks' | 'postgres-lock' | 'advisory-lock';

/** The codecs, in documentation order. */
export const ADVISORY_KEY_CODECS: readonly AdvisoryKeyCodec[] = ['django-pglock', 'django-pglocks', 'postgres-lock', 'advisory-lock'];

/** A JSON value (hashed through a canonical encoding with sorted object keys). */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * What callers may use as a lock key:
 * - a `bigint`, or a `number` that is a safe integer: used as is (validated to the int64 range);
 * - a two-element array of numbers: the two-int4 form (each validated to the int32 range);
 * - a string: hashed by the codec (`''` is a valid key);
 * - any other JSON value (object, longer array, boolean, null): its canonical JSON text (object keys
 *   sorted, no whitespace) hashed by the codec;
 * - a key already derived by {@link advisoryKey}.
 */
export type AdvisoryKeyInput = bigint | number | string | readonly [number, number] | JsonValue | AdvisoryKey;

interface KeyCoordinates {
  /** `pg_locks.classid` of the lock (unsigned 32-bit). */
  readonly classid: number;
  /** `pg_locks.objid` of the lock (unsigned 32-bit). */
  readonly objid: number;
}

/** A key in PostgreSQL's single-bigint space (`pg_advisory_lock(bigint)`, `objsubid = 1`). */
export interface Int64AdvisoryKey extends KeyCoordinates {
  readonly kind: 'int64';
  readonly value: bigint;
  readonly objsubid: 1;
}

/** A key in PostgreSQL's two-int4 space (`pg_advisory_lock(int, int)`, `objsubid = 2`). */
export interface Int32PairAdvisoryKey extends KeyCoordinates {
  readonly kind: 'int32-pair';
  readonly value: readonly [number, number];
  readonly objsubid: 2;
}

/** A derived advisory key, with the `pg_locks` coordinates it shows up under. */
export type AdvisoryKey = Int64AdvisoryKey | Int32PairAdvisoryKey;

/** JSON-safe rendering of a key (int64 as a decimal string), for reports and error details. */
export type AdvisoryKeyJson = { readonly kind: 'int64'; readonly value: string } | { readonly kind: 'int32-pair'; readonly value: readonly [number, number] };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const UINT32 = 0xffffffffn;
// Marks objects returned by advisoryKey(), across duplicated copies of the package too.
const DERIVED = Symbol.for('temporal-pg.advisoryKey');

/**
 * Derives the PostgreSQL advisory key for `key` (see {@link AdvisoryKeyInput} for the rules).
 *
 * @param codec how strings and JSON values are hashed; default `'django-pglock'`. Integers and
 *   int32 pairs are never hashed.
 * @throws InvalidAdvisoryKeyError when the key is out of range or not JSON.
 */
export function advisoryKey(key: AdvisoryKeyInput, codec: AdvisoryKeyCodec = 'django-pglock'): AdvisoryKey {
  if (isDerivedKey(key)) return key;
  if (!ADVISORY_KEY_CODECS.includes(codec)) {
    throw new InvalidAdvisoryKeyError(`unknown advisory key codec ${JSON.stringify(codec)}; use one of ${ADVISORY_KEY_CODECS.join(', ')}`, {
      details: { codec: String(codec) },
    });
  }
  if (typeof key === 'bigint') return int64Key(key);
  if (typeof key === 'number') return int64Key(integerFromNumber(key));
  if (isNumberPair(key)) return pairKey(int32(key[0], 0), int32(key[1], 1));
  const text = typeof key === 'string' ? key : canonicalJson(key);
  if (!text.isWellFormed()) {
    throw new InvalidAdvisoryKeyError(`advisory key ${JSON.stringify(text)} contains a lone surrogate, which has no UTF-8 encoding`);
  }
  return hashKey(text, codec);
}

/** The key that `pg_locks` columns describe, decoded back (the inverse of the coordinates). */
export function advisoryKeyFromLockRow(classid: number, objid: number, objsubid: number): AdvisoryKeyJson {
  if (objsubid === 2) return { kind: 'int32-pair', value: [classid | 0, objid | 0] };
  const value = BigInt.asIntN(64, (BigInt(classid) << 32n) | BigInt(objid));
  return { kind: 'int64', value: value.toString() };
}

/** JSON-safe form of a key, for reports and error details. */
export function advisoryKeyToJson(key: AdvisoryKey): AdvisoryKeyJson {
  return key.kind === 'int64' ? { kind: 'int64', value: key.value.toString() } : { kind: 'int32-pair', value: key.value };
}

/** Short human form: `-3749073756651130` or `(766935994,-300896253)`. */
export function formatAdvisoryKey(key: AdvisoryKey | AdvisoryKeyJson): string {
  return key.kind === 'int64' ? key.value.toString() : `(${key.value[0]},${key.value[1]})`;
}

function hashKey(text: string, codec: AdvisoryKeyCodec): AdvisoryKey {
  const bytes = Buffer.from(text, 'utf8');
  switch (codec) {
    case 'django-pglock':
      return int64Key(createHash('sha256').update(bytes).digest().readBigInt64LE(0));
    case 'django-pglocks':
      return int64Key(BigInt(crc32(bytes) | 0));
    case 'postgres-lock': {
      const decimal = BigInt(`0x${createHash('sha1').update(bytes).digest('hex')}`).toString();
      return int64Key(BigInt(decimal.slice(0, 18)));
    }
    case 'advisory-lock': {
      const digest = createHash('sha256').update(bytes).digest();
      return pairKey(digest.readInt32LE(0), digest.readInt32LE(4));
    }
  }
}

function int64Key(value: bigint): Int64AdvisoryKey {
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new InvalidAdvisoryKeyError(`advisory key ${value} is outside the int64 range [-2^63, 2^63 - 1]`, {
      details: { key: value.toString() },
    });
  }
  const unsigned = BigInt.asUintN(64, value);
  return brand({ kind: 'int64', value, classid: Number(unsigned >> 32n), objid: Number(unsigned & UINT32), objsubid: 1 });
}

function pairKey(first: number, second: number): Int32PairAdvisoryKey {
  return brand({ kind: 'int32-pair', value: [first, second] as const, classid: first >>> 0, objid: second >>> 0, objsubid: 2 });
}

function brand<K extends AdvisoryKey>(key: K): K {
  Object.defineProperty(key, DERIVED, { value: true });
  return Object.freeze(key);
}

function isDerivedKey(key: unknown): key is AdvisoryKey {
  return typeof key === 'object' && key !== null && (key as Record<symbol, unknown>)[DERIVED] === true;
}

function integerFromNumber(key: number): bigint {
  if (!Number.isSafeInteger(key)) {
    const why = Number.isInteger(key) ? 'is beyond 2^53 and may have lost precision; pass a bigint' : 'is not an integer';
    throw new InvalidAdvisoryKeyError(`advisory key ${key} ${why}`, { details: { key: String(key) } });
  }
  return BigInt(key);
}

function isNumberPair(key: unknown): key is readonly [number, number] {
  return Array.isArray(key) && key.length === 2 && typeof key[0] === 'number' && typeof key[1] === 'number';
}

function int32(value: number, index: number): number {
  if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
    throw new InvalidAdvisoryKeyError(`element ${index} of the advisory key pair, ${value}, is not an int32`, {
      details: { index, value: String(value) },
    });
  }
  return value;
}

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace. Refuses anything JSON.stringify
 * would silently drop or change (undefined, functions, bigint, NaN, class instances, cycles), since
 * a key that changes between processes is a lock that protects nothing.
 */
export function canonicalJson(value: unknown): string {
  const seen = new Set<object>();
  const encode = (v: unknown, path: string): string => {
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw notJson(path, `the number ${v}`);
      return JSON.stringify(v);
    }
    if (typeof v !== 'object') throw notJson(path, `a ${typeof v}`);
    if (seen.has(v)) throw notJson(path, 'a cycle');
    seen.add(v);
    let out: string;
    if (Array.isArray(v)) {
      out = `[${v.map((item, i) => encode(item, `${path}[${i}]`)).join(',')}]`;
    } else {
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) throw notJson(path, `an instance of ${(v as object).constructor.name}`);
      const entries = Object.keys(v)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${encode((v as Record<string, unknown>)[k], `${path}.${k}`)}`);
      out = `{${entries.join(',')}}`;
    }
    seen.delete(v);
    return out;
  };
  return encode(value, '$');
}

function notJson(path: string, what: string): InvalidAdvisoryKeyError {
  return new InvalidAdvisoryKeyError(`advisory key is not JSON: ${path} is ${what}`, { details: { path } });
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as zlib.crc32), unsigned. */
function crc32(bytes: Uint8Array): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (crcTable[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
