/**
 * Built-in batch sources, so common ingests need no code: newline-delimited JSON and CSV files from a
 * directory (watermark = last file name) and an incremental read of a table on another PostgreSQL
 * database (watermark = last value of a chosen column). Each is a `BatchSource`: `(highWatermark,
 * args, context?) → batches`, usable as the library `ingest`'s `batches` and, under its registered
 * name, as a worker's named source.
 *
 * @module
 */
export type { BatchSource, BatchWatermark, SourceBatch, SourceContext, SourceRow } from './types.js';
export { BUILT_IN_SOURCE_NAMES, builtInSources, type BuiltInSources, type BuiltInSourcesOptions } from './built-in.js';
export {
  NDJSON_FILES_SOURCE,
  NDJSON_PATTERNS,
  createNdjsonFilesSource,
  ndjsonFiles,
  type NdjsonFilesArgs,
} from './ndjson/ndjson-files.js';
export type { FileSourceOptions } from './files/file-batches.js';
export { CSV_FILES_SOURCE, CSV_PATTERNS, createCsvFilesSource, csvFiles, type CsvFilesArgs } from './csv/csv-files.js';
export type { CsvCoercion } from './csv/coerce.js';
export type { LargeIntegers } from './json-text.js';
export {
  POSTGRES_TABLE_SOURCE,
  createPostgresTableSource,
  type PostgresTableArgs,
  type PostgresTableSourceOptions,
  type SourceDatabases,
} from './postgres/postgres-table.js';
export {
  InvalidCsvHeaderError,
  InvalidCsvValueError,
  InvalidSourceArgsError,
  InvalidSourceWatermarkError,
  InvalidUtf8Error,
  MalformedCsvError,
  MalformedGzipError,
  MalformedJsonLineError,
  NullOrderingValueError,
  RecordTooLongError,
  SourceAccessDeniedError,
  SourceDirectoryNotFoundError,
  SourceFileReadError,
  SourceTableNotFoundError,
  UnknownSourceColumnError,
  UnknownSourceDatabaseError,
} from './errors.js';
