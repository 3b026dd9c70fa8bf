/**
 * The contract every column encoder follows. A codec validates a non-null JavaScript value and
 * writes it either in PostgreSQL's binary format (length word + bytes, as `*_recv` reads it) or as
 * the type's text input form (before COPY's own escaping). Codecs throw {@link ValueProblem};
 * the row encoder adds table, column, row and batch and turns it into the typed error.
 */
import type { ByteWriter } from './byte-writer.js';
import { JsonNull } from './json-null.js';

export interface Codec {
  /** Short name of the encoder, e.g. `int4`, `numeric`, `text`, `array<int4>`, `text-input`. */
  readonly name: string;
  /** False for types without a binary encoder: a COPY with such a column runs in text format. */
  readonly binary: boolean;
  /** Writes a non-null value as a binary COPY field: int32 byte length, then the bytes. */
  writeBinary(out: ByteWriter, value: unknown): void;
  /** The type's text input form of a non-null value (COPY escaping is applied later). */
  toText(value: unknown): string;
}

/** Which typed error a problem becomes. */
export type ProblemKind = 'invalid' | 'range' | 'character';

/** A value a codec refused, with the reason (the message names the value, not the column). */
export class ValueProblem extends Error {
  constructor(
    readonly kind: ProblemKind,
    message: string,
  ) {
    super(message);
  }
}

export function invalid(message: string): ValueProblem {
  return new ValueProblem('invalid', message);
}

export function outOfRange(message: string): ValueProblem {
  return new ValueProblem('range', message);
}

/**
 * Rejects what PostgreSQL cannot store in any text: NUL (U+0000) and lone surrogates (no UTF-8
 * form). Both are found by native scans, so the check costs little next to the encoding.
 */
export function checkCharacters(text: string): void {
  const nul = text.indexOf('\0');
  if (nul !== -1) {
    throw new ValueProblem('character', `the string contains a NUL character (U+0000) at index ${nul}, which PostgreSQL cannot store`);
  }
  if (!text.isWellFormed()) {
    throw new ValueProblem('character', 'the string contains a lone UTF-16 surrogate, which is not valid Unicode and has no UTF-8 form');
  }
}

const MAX_RENDERED = 60;

/** A short, truncated rendering of a value for error messages and details. */
export function renderValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return truncate(JSON.stringify(value));
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${truncate(String(value))}n`;
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'symbol':
      return value.toString();
    case 'function':
      return `function ${value.name || '(anonymous)'}`;
  }
  if (value === null) return 'null';
  if (value instanceof JsonNull) return 'jsonNull';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : `Date ${value.toISOString()}`;
  if (value instanceof Uint8Array) return `${value.constructor.name} of ${value.length} bytes`;
  const object = value as object;
  try {
    const json = JSON.stringify(object, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    const name = Array.isArray(object) ? '' : objectName(object);
    return truncate(name ? `${name} ${json}` : json);
  } catch {
    return objectName(object) || 'object';
  }
}

function objectName(value: object): string {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) return '';
  return (value.constructor as { name?: string } | undefined)?.name ?? '';
}

function truncate(text: string): string {
  return text.length <= MAX_RENDERED ? text : `${text.slice(0, MAX_RENDERED - 1)}…`;
}

/** `a number` / `a string "x"` — how messages say what they got. */
export function got(value: unknown): string {
  const kind =
    value === null ? 'null' : value instanceof Date ? 'a Date' : Array.isArray(value) ? 'an array' : ARTICLE[typeof value];
  return `${kind} ${renderValue(value)}`;
}

const ARTICLE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  bigint: 'a bigint',
  boolean: 'a boolean',
  object: 'an object',
  symbol: 'a symbol',
  function: 'a function',
  undefined: 'undefined',
};
