/**
 * Turns the source database's text output into the values the COPY layer takes for the same type
 * in the target, losslessly:
 * - boolean → `true`/`false`; smallint, integer, oid, real, double precision → numbers (exact);
 * - json, jsonb → parsed JSON (JSON `null` → `jsonNull`, integers beyond 2^53 kept as strings);
 * - bytea → `Buffer`; arrays (of any of these) → nested arrays;
 * - everything else stays the text PostgreSQL printed, which the COPY layer parses for its type:
 *   bigint and numeric (no precision lost), dates and timestamps (microseconds kept; a JavaScript
 *   `Date` would keep milliseconds only and shift `timestamp`/`date` by the worker's time zone),
 *   intervals in ISO 8601, uuid, inet, enums, text, ranges, extension types.
 * The session prints with pinned settings (UTC, ISO dates and intervals, hex bytea: see `BEGIN_BATCH`).
 */
import { jsonNull } from '../../ingest/copy/json-null.js';
import { parseJson } from '../json-text.js';
import { parseArrayLiteral } from './array-literal.js';

export type Decoder = (text: string) => unknown;

const text: Decoder = (value) => value;
const number: Decoder = (value) => Number(value);
const boolean: Decoder = (value) => value === 't';
const json: Decoder = (value) => {
  const parsed = parseJson(value, 'string');
  return parsed === null ? jsonNull : parsed;
};
const bytea: Decoder = (value) => Buffer.from(value.slice(2), 'hex');

/** Scalar types with a decoder other than text, by OID (fixed OIDs of built-in types). */
const SCALARS = new Map<number, Decoder>([
  [16, boolean],
  [21, number],
  [23, number],
  [26, number],
  [700, number],
  [701, number],
  [114, json],
  [3802, json],
  [17, bytea],
]);

/** Built-in array types: OID → element OID (all use `,` between elements). */
const ARRAYS = new Map<number, number>([
  [1000, 16], [1001, 17], [1002, 18], [1003, 19], [1005, 21], [1007, 23], [1009, 25], [1014, 1042], [1015, 1043],
  [1016, 20], [1021, 700], [1022, 701], [1028, 26], [1231, 1700], [199, 114], [3807, 3802], [1182, 1082],
  [1115, 1114], [1185, 1184], [1183, 1083], [1270, 1266], [1187, 1186], [2951, 2950], [1041, 869], [651, 650],
]);

/** Built-in types that are neither arrays nor domains and print as plain text. */
const TEXT_SCALARS = new Set<number>([18, 19, 20, 22, 25, 30, 650, 869, 1042, 1043, 1082, 1083, 1114, 1184, 1186, 1266, 1700, 2950]);

/** What the catalog says about a type OID not known statically. */
export interface TypeInfo {
  /** The type after following domains to their base. */
  readonly base: number;
  readonly isArray: boolean;
  /** Element type of an array. */
  readonly element: number;
  /** Element delimiter inside the array's text (`,`, or `;` for box). */
  readonly delimiter: string;
}

/** True when {@link decoderFor} can decide without the catalog. */
export function isKnownType(oid: number): boolean {
  return SCALARS.has(oid) || ARRAYS.has(oid) || TEXT_SCALARS.has(oid);
}

/** The decoder for a result column of type `oid`; `info` has what the catalog said about types not known statically. */
export function decoderFor(oid: number, info: ReadonlyMap<number, TypeInfo>): Decoder {
  const scalar = SCALARS.get(oid);
  if (scalar !== undefined) return scalar;
  const builtInElement = ARRAYS.get(oid);
  if (builtInElement !== undefined) return arrayDecoder(elementDecoder(builtInElement, info), ',');
  const known = info.get(oid);
  if (known === undefined) return text;
  if (known.isArray) return arrayDecoder(elementDecoder(known.element, info), known.delimiter);
  return SCALARS.get(known.base) ?? text;
}

function elementDecoder(oid: number, info: ReadonlyMap<number, TypeInfo>): Decoder {
  const base = info.get(oid)?.base ?? oid;
  return SCALARS.get(base) ?? text;
}

function arrayDecoder(element: Decoder, delimiter: string): Decoder {
  return (value) => parseArrayLiteral(value, delimiter, element);
}

/**
 * A key value as it goes into the stored watermark: a number for the integer and float types when
 * finite, a boolean for boolean, otherwise PostgreSQL's own text (exact, and read back by the
 * column's type when compared).
 */
export function keyValueToJson(value: string, oid: number): string | number | boolean {
  if (oid === 16) return value === 't';
  if (oid === 21 || oid === 23 || oid === 26 || oid === 700 || oid === 701) {
    const n = Number(value);
    return Number.isFinite(n) ? n : value;
  }
  return value;
}
