/**
 * The COPY layer of the ingest engine: rows checked against the column types, encoded in
 * PostgreSQL's binary COPY format (text format when a column's type has no binary encoder), and
 * streamed with backpressure.
 *
 *   const target = { schema: 'public', name: 'events' };
 *   const plan = await prepareCopy(pool, target, await readCopyColumns(pool, target));
 *   const { rows, bytes } = await copyRows(client, plan, rowsIterable, { batch: 3, signal, onProgress });
 *
 * Values accepted per column type (`null`/`undefined` are SQL NULL everywhere):
 *
 * | type | JavaScript values |
 * | --- | --- |
 * | boolean | `true`, `false` |
 * | smallint, integer, oid | integral numbers, bigints, decimal strings (`'-42'`); 5.7 is an error |
 * | bigint | safe integers, bigints, decimal strings |
 * | real, double precision | numbers (NaN, ±Infinity, -0 kept), exact bigints, decimal strings, `'NaN'`, `'Infinity'` |
 * | numeric(p,s) | numbers, bigints, decimal strings (`'1.50'` keeps its scale), NaN, ±Infinity (not in numeric(p,s)) |
 * | text, varchar(n), char(n), name, citext | strings (no NUL, no lone surrogate; length checked) |
 * | bytea | `Buffer`, `Uint8Array`, `'\x0a1b'` hex strings |
 * | uuid | strings in any form PostgreSQL reads |
 * | date | `YYYY-MM-DD` (` BC`, signed ISO years), a `Date` at midnight UTC, ±Infinity, `'infinity'` |
 * | timestamptz | `Date`, ISO strings **with** offset or `Z`, ±Infinity, `'infinity'` |
 * | timestamp | `Date` (its UTC wall clock), ISO strings **without** offset, ±Infinity, `'infinity'` |
 * | time, timetz | `'HH:MM[:SS[.ffffff]]'` (timetz: plus `Z`/offset) |
 * | interval | `{ years, months, weeks, days, hours, minutes, seconds, milliseconds, microseconds }`, ISO 8601 durations, infinity on PG 17+ |
 * | json, jsonb | any JSON value (a string is a JSON string); {@link jsonNull} for JSON `null` |
 * | inet, cidr | `'address[/prefix]'`, IPv4 or IPv6 |
 * | enums | one of the labels |
 * | domains | what the base type accepts (the server checks the domain's constraints) |
 * | arrays | nested JS arrays, rectangular, up to 6 dimensions, `null` items (json[]: one dimension) |
 * | vector, halfvec (pgvector) | arrays of finite numbers or the text form (text COPY) |
 * | anything else | the type's text input form as a string (text COPY) |
 *
 * A row is an array in column order or a plain object keyed by column name (a missing key is
 * NULL, an unknown key an error). Errors name table, column, row (1-based within the call) and
 * the caller's batch number.
 *
 * @module
 */
export { copyRows, type CopyProgress, type CopyResult, type CopyRowsOptions } from './copy-rows.js';
export {
  ColumnTypeNotFoundError,
  InvalidRowError,
  InvalidValueError,
  TableNotFoundError,
  UnknownColumnError,
  UnsupportedCharacterError,
  ValueOutOfRangeError,
  WrongValueCountError,
} from './errors.js';
export { JsonNull, jsonNull } from './json-null.js';
export {
  planCopy,
  prepareCopy,
  readCopyColumns,
  retargetCopyPlan,
  type CopyColumn,
  type CopyPlan,
  type LiveCopyColumn,
  type PlannedColumn,
  type PrepareCopyOptions,
  type TypeFacts,
} from './plan.js';
export { escapeCopyText, RowEncoder, type CopyRow } from './row-encoder.js';
export type { Codec } from './codec.js';
export type { CopyFormat } from './copy-sql.js';
