/**
 * `JSON.parse` without its silent rounding of large integers: `12345678901234567890` would become
 * 12345678901234567000. With `largeIntegers: 'string'` an integer literal beyond ±(2^53 − 1) is
 * kept exact as its decimal string (which the COPY layer takes for bigint and numeric columns);
 * numbers with a fraction or an exponent are left to `JSON.parse`.
 */

/** How integers beyond ±(2^53 − 1) are read: exact as decimal strings, or rounded to the nearest double. */
export type LargeIntegers = 'string' | 'number';

/** An integer must have at least 16 digits to be unsafe, so lines without such a run skip the scan. */
const LONG_DIGIT_RUN = /\d{16}/;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Parses JSON text; throws `SyntaxError` with `JSON.parse`'s message for the text as given. */
export function parseJson(text: string, largeIntegers: LargeIntegers): unknown {
  if (largeIntegers === 'number' || !LONG_DIGIT_RUN.test(text)) return JSON.parse(text);
  const quoted = quoteLargeIntegers(text);
  if (quoted === text) return JSON.parse(text);
  try {
    return JSON.parse(quoted);
  } catch {
    // Report the error against the original text, whose positions the user can find.
    return JSON.parse(text);
  }
}

/** Wraps every unsafe integer literal outside strings in quotes. */
function quoteLargeIntegers(text: string): string {
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    const char = text.charCodeAt(i);
    if (char === 0x22 /* " */) {
      i = endOfString(text, i);
      continue;
    }
    if (char === 0x2d /* - */ || (char >= 0x30 && char <= 0x39)) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(text);
      if (match === null) {
        i++;
        continue;
      }
      const token = match[0];
      if (/^-?\d{16,}$/.test(token) && !Number.isSafeInteger(Number(token))) {
        out += `${text.slice(copied, i)}"${token}"`;
        copied = i + token.length;
      }
      i += token.length;
      continue;
    }
    i++;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Index just past the string literal that starts at `start` (or the end of the text if unterminated). */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const char = text.charCodeAt(i);
    if (char === 0x5c /* \ */) i += 2;
    else if (char === 0x22) return i + 1;
    else i++;
  }
  return i;
}
