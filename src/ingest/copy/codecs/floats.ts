/**
 * `real` and `double precision`. Accepted: any number (NaN, ±Infinity and -0 included), a bigint
 * the type represents exactly, or a decimal string (`"1.5"`, `"-2e-3"`, `"NaN"`, `"Infinity"`,
 * `"-inf"`, case-insensitive). For `real`, a finite value that overflows or underflows to zero in
 * single precision is an error (as PostgreSQL's own text input says), not a silent ±Infinity or 0.
 */
import { got, invalid, outOfRange, renderValue, type Codec } from '../codec.js';

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL = /^([+-]?)(?:inf|infinity|nan)$/i;

function toDouble(value: unknown, sql: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (DECIMAL.test(value)) {
      const parsed = Number(value);
      if (!Number.isFinite(parsed)) throw outOfRange(`${renderValue(value)} is outside the range of ${sql}`);
      if (parsed === 0 && /[1-9]/.test(value.replace(/[eE].*$/, ''))) {
        throw outOfRange(`${renderValue(value)} is too close to zero for ${sql}`);
      }
      return parsed;
    }
    const special = SPECIAL.exec(value);
    if (special) {
      if (/nan/i.test(value)) return NaN;
      return special[1] === '-' ? -Infinity : Infinity;
    }
    throw invalid(`${renderValue(value)} is not a number`);
  }
  if (typeof value === 'bigint') {
    const converted = Number(value);
    if (BigInt(converted) !== value) {
      throw invalid(`${renderValue(value)} has no exact ${sql} representation; pass a number to accept the rounding`);
    }
    return converted;
  }
  throw invalid(`expected a number, got ${got(value)}`);
}

function toSingle(value: unknown): number {
  const double = toDouble(value, 'real');
  const single = Math.fround(double);
  if (!Number.isFinite(single) && Number.isFinite(double)) {
    throw outOfRange(`${renderValue(value)} is outside the range of real (about ±3.4e38)`);
  }
  if (single === 0 && double !== 0) throw outOfRange(`${renderValue(value)} is too close to zero for real`);
  return single;
}

/** `String(-0)` is `"0"`; PostgreSQL keeps the sign. */
function floatText(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

export const float4Codec: Codec = {
  name: 'float4',
  binary: true,
  writeBinary(out, value) {
    const single = toSingle(value);
    out.int32(4);
    out.float32(single);
  },
  toText(value) {
    // The shortest decimal of the single-precision value reads back to the same float, so text and
    // binary COPY store identical values.
    return floatText(toSingle(value));
  },
};

export const float8Codec: Codec = {
  name: 'float8',
  binary: true,
  writeBinary(out, value) {
    const double = toDouble(value, 'double precision');
    out.int32(8);
    out.float64(double);
  },
  toText(value) {
    return floatText(toDouble(value, 'double precision'));
  },
};
