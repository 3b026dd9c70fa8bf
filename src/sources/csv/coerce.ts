/**
 * Per-column conversions of CSV text, for the column types whose COPY encoder does not take a
 * string: `boolean` (the COPY layer accepts only `true`/`false`) and `json`/`jsonb` (a string is
 * stored as a JSON string) — and, through `json`, arrays written as JSON arrays (`[1,2]`). Other
 * types (numbers, dates, timestamps, uuid, bytea in `\x` hex …) take the CSV text as it is.
 */
import { jsonNull } from '../../ingest/copy/json-null.js';
import { parseJson } from '../json-text.js';

/** A conversion applied to a column's non-NULL fields. */
export type CsvCoercion = 'boolean' | 'json';

export const CSV_COERCIONS: readonly CsvCoercion[] = ['boolean', 'json'];

/** Thrown by a conversion; the caller adds file, line and column. */
export class CoercionProblem extends Error {}

// PostgreSQL's boolean input: any unique prefix of true/false/yes/no, on/off, 1/0, any case, trimmed.
const TRUE = /^(?:t|tr|tru|true|y|ye|yes|on|1)$/i;
const FALSE = /^(?:f|fa|fal|fals|false|n|no|of|off|0)$/i;

export function coerce(kind: CsvCoercion, text: string): unknown {
  if (kind === 'boolean') {
    const trimmed = text.trim();
    if (TRUE.test(trimmed)) return true;
    if (FALSE.test(trimmed)) return false;
    throw new CoercionProblem(`${JSON.stringify(text)} is not a boolean (true/false, t/f, yes/no, on/off, 1/0)`);
  }
  let value: unknown;
  try {
    value = parseJson(text, 'string');
  } catch (error) {
    throw new CoercionProblem(`is not valid JSON: ${(error as Error).message}`);
  }
  // JSON null in the text is JSON null in the column; SQL NULL is the NULL field.
  return value === null ? jsonNull : value;
}
