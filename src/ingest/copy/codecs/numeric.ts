/**
 * `numeric`, exact and of any size PostgreSQL stores: up to 131072 digits before the decimal point
 * and 16383 after. Accepted: a number (written as its shortest round-trip decimal, so `0.1` is
 * stored as 0.1), a bigint, or a decimal string (`"-12.50"`, `".5"`, `"1.5e-7"`; the string's
 * digits after the point set the stored scale, as in PostgreSQL), plus `NaN` and ±`Infinity`
 * (numbers or the strings `"NaN"`, `"Infinity"`, `"-Infinity"`, `"inf"`, case-insensitive).
 * For `numeric(p,s)` a value whose integer digits do not fit `p - s` after rounding to `s` is an
 * error here; the rounding itself is left to PostgreSQL, which rounds half away from zero.
 */
import type { ByteWriter } from '../byte-writer.js';
import { got, invalid, outOfRange, renderValue, type Codec } from '../codec.js';

/** A finite decimal: value = 0.`digits` × 10^`point`; `digits` has no leading or trailing zeros. */
export interface FiniteDecimal {
  readonly kind: 'finite';
  readonly negative: boolean;
  readonly digits: string;
  readonly point: number;
  /** Digits shown after the decimal point (PostgreSQL's display scale). */
  readonly scale: number;
}

export type Decimal = FiniteDecimal | { readonly kind: 'nan' } | { readonly kind: 'infinity'; readonly negative: boolean };

const NUMBER_SYNTAX = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const SPECIAL = /^([+-]?)(inf|infinity)$/i;
/** PostgreSQL's limits: NUMERIC_WEIGHT_MAX + 1 groups of 4 digits, and NUMERIC_DSCALE_MAX. */
const MAX_INTEGER_DIGITS = 131_072;
const MAX_SCALE = 16_383;

const SIGN_POSITIVE = 0x0000;
const SIGN_NEGATIVE = 0x4000;
const SIGN_NAN = 0xc000;
const SIGN_PLUS_INFINITY = 0xd000;
const SIGN_MINUS_INFINITY = 0xf000;

export function parseDecimal(text: string): Decimal {
  const match = NUMBER_SYNTAX.exec(text);
  const integerDigits = match?.[2] ?? '';
  const fractionDigits = match?.[3] ?? '';
  if (!match || integerDigits.length + fractionDigits.length === 0) {
    if (/^nan$/i.test(text)) return { kind: 'nan' };
    const special = SPECIAL.exec(text);
    if (special) return { kind: 'infinity', negative: special[1] === '-' };
    throw invalid(`${renderValue(text)} is not a decimal number`);
  }
  let exponent = 0;
  if (match[4] !== undefined) {
    // Beyond seven digits the exponent cannot give a storable value whatever the digits are.
    if (match[4].replace(/^[+-]?0*/, '').length > 7) throw outOfRange(`${renderValue(text)} is outside the range of numeric`);
    exponent = Number(match[4]);
  }
  let digits = integerDigits + fractionDigits;
  let point = integerDigits.length + exponent;
  const scale = Math.max(0, fractionDigits.length - exponent);
  let lead = 0;
  while (lead < digits.length && digits.charCodeAt(lead) === 48) lead++;
  let end = digits.length;
  while (end > lead && digits.charCodeAt(end - 1) === 48) end--;
  digits = digits.slice(lead, end);
  point = digits === '' ? 0 : point - lead;
  if (digits !== '' && point > MAX_INTEGER_DIGITS) {
    throw outOfRange(`${renderValue(text)} has more than ${MAX_INTEGER_DIGITS} digits before the decimal point`);
  }
  if (scale > MAX_SCALE) throw outOfRange(`${renderValue(text)} has more than ${MAX_SCALE} digits after the decimal point`);
  return { kind: 'finite', negative: match[1] === '-' && digits !== '', digits, point, scale };
}

function toDecimal(value: unknown): Decimal {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return { kind: 'nan' };
    if (!Number.isFinite(value)) return { kind: 'infinity', negative: value < 0 };
    return parseDecimal(String(value));
  }
  if (typeof value === 'bigint') return parseDecimal(String(value));
  if (typeof value === 'string') return parseDecimal(value);
  throw invalid(`expected a number, bigint or decimal string, got ${got(value)}`);
}

/** `numeric(p,s)` from an attribute typmod; undefined for unconstrained `numeric`. */
export function numericTypmod(typmod: number): { precision: number; scale: number } | undefined {
  if (typmod < 4) return undefined;
  const packed = typmod - 4;
  // PostgreSQL 15+ stores the scale as an 11-bit signed number (negative scales); older versions never set bit 10.
  return { precision: (packed >> 16) & 0xffff, scale: ((packed & 0x7ff) ^ 1024) - 1024 };
}

/** True when `decimal`, rounded to `scale` digits, has more than `precision - scale` integer digits. */
export function overflowsTypmod(decimal: FiniteDecimal, precision: number, scale: number): boolean {
  if (decimal.digits === '') return false;
  const kept = decimal.point + scale;
  if (kept < 0) return false;
  let point = decimal.point;
  if (kept < decimal.digits.length && decimal.digits.charCodeAt(kept) >= 53) {
    // Rounding up adds a digit in front only when every kept digit is a 9 (0.96 → 1.0).
    if (/^9*$/.test(decimal.digits.slice(0, kept))) point += 1;
  } else if (kept === 0) {
    return false;
  }
  return point > precision - scale;
}

function checked(value: unknown, typmod: { precision: number; scale: number } | undefined): Decimal {
  const decimal = toDecimal(value);
  if (typmod === undefined) return decimal;
  if (decimal.kind === 'infinity') throw outOfRange(`${renderValue(value)} does not fit numeric(${typmod.precision},${typmod.scale}), which cannot hold infinity`);
  if (decimal.kind === 'finite' && overflowsTypmod(decimal, typmod.precision, typmod.scale)) {
    const room = typmod.precision - typmod.scale;
    throw outOfRange(
      `${renderValue(value)} does not fit numeric(${typmod.precision},${typmod.scale}): it must round to an absolute value below 10^${room}`,
    );
  }
  return decimal;
}

export function writeNumeric(out: ByteWriter, decimal: Decimal): void {
  if (decimal.kind !== 'finite') {
    out.int32(8);
    out.int16(0);
    out.int16(0);
    const sign = decimal.kind === 'nan' ? SIGN_NAN : decimal.negative ? SIGN_MINUS_INFINITY : SIGN_PLUS_INFINITY;
    out.uint16(sign);
    out.int16(0);
    return;
  }
  const { digits, point } = decimal;
  if (digits === '') {
    out.int32(8);
    out.int16(0);
    out.int16(0);
    out.int16(SIGN_POSITIVE);
    out.int16(decimal.scale);
    return;
  }
  // Base-10000 groups aligned on the decimal point; the first group holds 10^(4·weight … 4·weight+3).
  const weight = Math.floor((point - 1) / 4);
  const padded = '0'.repeat(4 * weight + 4 - point) + digits;
  const groups = Math.ceil(padded.length / 4);
  const full = padded.padEnd(groups * 4, '0');
  out.int32(8 + 2 * groups);
  // ndigits and sign are unsigned 16-bit words (131072 digits need 32768 groups).
  out.uint16(groups);
  out.int16(weight);
  out.uint16(decimal.negative ? SIGN_NEGATIVE : SIGN_POSITIVE);
  out.int16(decimal.scale);
  for (let i = 0; i < full.length; i += 4) {
    out.int16(
      (full.charCodeAt(i) - 48) * 1000 +
        (full.charCodeAt(i + 1) - 48) * 100 +
        (full.charCodeAt(i + 2) - 48) * 10 +
        (full.charCodeAt(i + 3) - 48),
    );
  }
}

export function numericText(decimal: Decimal): string {
  if (decimal.kind === 'nan') return 'NaN';
  if (decimal.kind === 'infinity') return decimal.negative ? '-Infinity' : 'Infinity';
  const { digits, point, scale } = decimal;
  const integerPart = point > 0 ? digits.slice(0, point).padEnd(point, '0') : '0';
  const fraction = (point >= 0 ? digits.slice(point) : '0'.repeat(-point) + digits).padEnd(scale, '0');
  return `${decimal.negative ? '-' : ''}${integerPart}${fraction === '' ? '' : `.${fraction}`}`;
}

export function numericCodec(typmod: number): Codec {
  const constraint = numericTypmod(typmod);
  return {
    name: 'numeric',
    binary: true,
    writeBinary(out, value) {
      writeNumeric(out, checked(value, constraint));
    },
    toText(value) {
      return numericText(checked(value, constraint));
    },
  };
}
