/**
 * Integer columns (`smallint`, `integer`, `bigint`, `oid`). Accepted: integral numbers, bigints,
 * and decimal strings (`"-42"`, `"+7"`, leading zeros allowed; no spaces, no exponent, no
 * fraction). A fractional number such as 5.7 is an error, never truncated; a number beyond
 * `Number.MAX_SAFE_INTEGER` is an error too, because it may already have lost digits.
 */
import type { ByteWriter } from '../byte-writer.js';
import { got, invalid, outOfRange, renderValue, type Codec } from '../codec.js';

const DECIMAL_INTEGER = /^[+-]?\d+$/;
/** Digit strings this short convert to an exact Number. */
const SAFE_DIGITS = 15;

interface IntegerType {
  name: string;
  sql: string;
  min: bigint;
  max: bigint;
}

const INT2: IntegerType = { name: 'int2', sql: 'smallint', min: -32768n, max: 32767n };
const INT4: IntegerType = { name: 'int4', sql: 'integer', min: -2147483648n, max: 2147483647n };
const INT8: IntegerType = { name: 'int8', sql: 'bigint', min: -9223372036854775808n, max: 9223372036854775807n };
const OID: IntegerType = { name: 'oid', sql: 'oid', min: 0n, max: 4294967295n };

function rangeProblem(type: IntegerType, value: unknown) {
  return outOfRange(`${renderValue(value)} is outside the range of ${type.sql} (${type.min} to ${type.max})`);
}

/** The value as a Number, for types whose whole range is exact in a double. */
function toSmallInteger(type: IntegerType, value: unknown): number {
  const min = Number(type.min);
  const max = Number(type.max);
  let result: number;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw notAnInteger(type, value);
    result = value;
  } else if (typeof value === 'bigint') {
    if (value < type.min || value > type.max) throw rangeProblem(type, value);
    return Number(value);
  } else if (typeof value === 'string') {
    if (!DECIMAL_INTEGER.test(value)) throw notAnInteger(type, value);
    if (value.length > SAFE_DIGITS + 1) {
      const big = BigInt(value);
      if (big < type.min || big > type.max) throw rangeProblem(type, value);
      return Number(big);
    }
    result = Number(value);
  } else {
    throw notAnInteger(type, value);
  }
  if (result < min || result > max) throw rangeProblem(type, value);
  return result;
}

function notAnInteger(type: IntegerType, value: unknown) {
  if (typeof value === 'number') {
    return Number.isFinite(value)
      ? invalid(`${renderValue(value)} is not an integer (${type.sql} columns never round or truncate)`)
      : invalid(`${renderValue(value)} is not an integer`);
  }
  if (typeof value === 'string') return invalid(`${renderValue(value)} is not a decimal integer`);
  return invalid(`expected an integer (number, bigint or decimal string), got ${got(value)}`);
}

function smallIntegerCodec(type: IntegerType, write: (out: ByteWriter, value: number) => void): Codec {
  return {
    name: type.name,
    binary: true,
    writeBinary(out, value) {
      write(out, toSmallInteger(type, value));
    },
    toText(value) {
      return String(toSmallInteger(type, value));
    },
  };
}

export const int2Codec = smallIntegerCodec(INT2, (out, value) => {
  out.int32(2);
  out.int16(value);
});

export const int4Codec = smallIntegerCodec(INT4, (out, value) => {
  out.int32(4);
  out.int32(value);
});

export const oidCodec = smallIntegerCodec(OID, (out, value) => {
  out.int32(4);
  out.uint32(value);
});

/** `bigint`: a safe integer Number, a bigint, or a decimal string. */
function toInt8(value: unknown): number | bigint {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw notAnInteger(INT8, value);
    if (!Number.isSafeInteger(value)) {
      throw invalid(
        `${renderValue(value)} is beyond Number.MAX_SAFE_INTEGER and may already have lost digits; pass a bigint or a decimal string`,
      );
    }
    return value;
  }
  if (typeof value === 'bigint') {
    if (value < INT8.min || value > INT8.max) throw rangeProblem(INT8, value);
    return value;
  }
  if (typeof value === 'string') {
    if (!DECIMAL_INTEGER.test(value)) throw notAnInteger(INT8, value);
    if (value.length <= SAFE_DIGITS) return Number(value);
    const big = BigInt(value);
    if (big < INT8.min || big > INT8.max) throw rangeProblem(INT8, value);
    return big;
  }
  throw notAnInteger(INT8, value);
}

export const int8Codec: Codec = {
  name: 'int8',
  binary: true,
  writeBinary(out, value) {
    const integer = toInt8(value);
    out.int32(8);
    if (typeof integer === 'number') out.int64(integer);
    else out.bigint64(integer);
  },
  toText(value) {
    return String(toInt8(value));
  },
};
