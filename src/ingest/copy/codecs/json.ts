/**
 * `json` and `jsonb`. The value is a JSON value, serialised with `JSON.stringify` (so a string is
 * a JSON string: `"abc"` is stored as `"abc"`, not parsed as JSON text; `Date`s become ISO
 * strings; `toJSON` is honoured). `null`/`undefined` are SQL NULL; pass {@link jsonNull} for JSON
 * `null`. Values `JSON.stringify` cannot write (a bigint, a cycle, a function) are errors, and so
 * are strings with a NUL character or a lone surrogate anywhere inside (PostgreSQL rejects both).
 * Nested values follow `JSON.stringify`'s rules (`undefined` properties are left out, NaN is null).
 */
import { ValueProblem, got, invalid, type Codec } from '../codec.js';
import { JsonNull } from '../json-null.js';

/**
 * A real `\u0000` or `\uD800`–`\uDFFF` escape (an odd run of backslashes before the `u`).
 * JSON.stringify writes valid surrogate pairs as they are, so every surrogate escape is a lone one.
 */
const SUSPICIOUS_ESCAPE = /(?<!\\)(?:\\\\)*\\u(0000|d[89a-f][0-9a-f]{2})/i;

export function toJsonText(value: unknown): string {
  if (value instanceof JsonNull) return 'null';
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw invalid(`${value} has no JSON form (JSON numbers are finite)`);
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw invalid(`cannot be written as JSON: ${(error as Error).message}`);
  }
  if (text === undefined) throw invalid(`cannot be written as JSON: ${got(value)}`);
  // JSON.stringify escapes NUL and lone surrogates as \u…, so they only need a look when one is there.
  if (text.includes('\\u')) {
    const escape = SUSPICIOUS_ESCAPE.exec(text);
    if (escape) {
      throw new ValueProblem(
        'character',
        escape[1] === '0000'
          ? 'the JSON value contains a NUL character (U+0000), which PostgreSQL cannot store'
          : 'the JSON value contains a lone UTF-16 surrogate, which is not valid Unicode',
      );
    }
  }
  return text;
}

export const jsonCodec: Codec = {
  name: 'json',
  binary: true,
  writeBinary(out, value) {
    out.lengthPrefixedUtf8(toJsonText(value));
  },
  toText: toJsonText,
};

export const jsonbCodec: Codec = {
  name: 'jsonb',
  binary: true,
  writeBinary(out, value) {
    const text = toJsonText(value);
    const at = out.reserveInt32();
    // jsonb's binary format: a version byte (1), then the JSON text.
    out.int8(1);
    out.patchInt32(at, 1 + out.utf8(text));
  },
  toText: toJsonText,
};
