/**
 * Newline-delimited JSON files from a directory (`.ndjson`, `.jsonl`, optionally gzipped). One line
 * is one row: a JSON object (keyed by column name) or array (values in column order); blank lines
 * are skipped. Files are read in byte-wise name order, only those named after the watermark; the
 * watermark is the last file name of each batch.
 */
import { ArgsReader } from '../args.js';
import { MalformedJsonLineError } from '../errors.js';
import { fileSource, readFileSelection, type FileFormat, type FileSelection, type FileSourceOptions } from '../files/file-batches.js';
import { readLines } from '../files/lines.js';
import type { ListedFile } from '../files/list-files.js';
import { readChunks } from '../files/read-chunks.js';
import { parseJson, type LargeIntegers } from '../json-text.js';
import type { BatchSource, SourceRow } from '../types.js';

/** The registered name of this source in {@link builtInSources}. */
export const NDJSON_FILES_SOURCE = 'temporal-pg/ndjson-files';

/** Default file name patterns of {@link NdjsonFilesArgs.pattern}. */
export const NDJSON_PATTERNS: readonly string[] = ['*.ndjson', '*.jsonl', '*.ndjson.gz', '*.jsonl.gz'];

/** Arguments of the newline-delimited JSON source (JSON, as a workflow passes them). */
export interface NdjsonFilesArgs {
  /**
   * The directory holding the files. Relative to the worker's `rootDirectory` when it has one (and
   * may not leave it); otherwise relative to the worker's current directory.
   */
  readonly directory: string;
  /**
   * Which files to read: a pattern with `*` and `?` matching the whole name, or a suffix such as
   * `.ndjson`; or a list of these. Hidden files (leading dot) are skipped. Files whose name ends in
   * `.gz` are gunzipped. Default: `*.ndjson`, `*.jsonl` and their `.gz` forms.
   */
  readonly pattern?: string | readonly string[];
  /** Files per batch (and per transaction). Default 1. */
  readonly filesPerBatch?: number;
  /**
   * Turns object lines into arrays with these keys in this order (a missing key is `null`), for a
   * target whose columns they are, or to drop keys the target lacks. Array lines pass unchanged.
   * Default: rows are the parsed lines as they are.
   */
  readonly columns?: readonly string[];
  /**
   * Integers beyond ±(2^53 − 1): `'string'` keeps them exact as decimal strings (right for bigint
   * and numeric columns; inside a json column they become JSON strings), `'number'` rounds them as
   * `JSON.parse` does. Default `'string'`.
   */
  readonly largeIntegers?: LargeIntegers;
  /** Longest line accepted, in bytes; longer is a `RecordTooLong` error. Default 64 MiB. */
  readonly maxLineBytes?: number;
}

const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

export interface ParsedArgs extends FileSelection {
  readonly columns: readonly string[] | undefined;
  readonly largeIntegers: LargeIntegers;
  readonly maxLineBytes: number;
}

function readArgs(args: unknown): ParsedArgs {
  const reader = new ArgsReader(NDJSON_FILES_SOURCE, args);
  const parsed: ParsedArgs = {
    ...readFileSelection(reader, NDJSON_PATTERNS),
    columns: reader.stringList('columns', {}),
    largeIntegers: reader.oneOf('largeIntegers', ['string', 'number'], 'string'),
    maxLineBytes: reader.integer('maxLineBytes', DEFAULT_MAX_LINE_BYTES, 1, 2 ** 31 - 1),
  };
  reader.done();
  return parsed;
}

/** How the JSON-lines source reads its args and its files. */
export const NDJSON_FORMAT: FileFormat<ParsedArgs> = { source: NDJSON_FILES_SOURCE, readArgs, readRows: ndjsonRows };

/** The newline-delimited JSON source bound to a worker's options. Args are checked when it is called. */
export function createNdjsonFilesSource(options: FileSourceOptions = {}): BatchSource<NdjsonFilesArgs> {
  return fileSource(NDJSON_FORMAT, options);
}

/**
 * Newline-delimited JSON files from a directory, with no root directory: `(highWatermark, args) →
 * batches`. Call it from `ingest`'s `batches`: `(hwm) => ndjsonFiles(hwm, { directory: 'data' })`.
 */
export const ndjsonFiles: BatchSource<NdjsonFilesArgs> = createNdjsonFilesSource();

async function* ndjsonRows(file: ListedFile, args: ParsedArgs, signal: AbortSignal | undefined): AsyncGenerator<SourceRow> {
  const where = { source: NDJSON_FILES_SOURCE, file: file.name };
  const columns = args.columns;
  for await (const lines of readLines(readChunks(NDJSON_FILES_SOURCE, file, signal), where, args.maxLineBytes)) {
    for (const line of lines) {
      if (line.text.trim() === '') continue;
      let value: unknown;
      try {
        value = parseJson(line.text, args.largeIntegers);
      } catch (error) {
        throw malformed(where, line.number, `is not valid JSON: ${(error as Error).message}`, error);
      }
      if (typeof value !== 'object' || value === null) {
        throw malformed(where, line.number, `is JSON ${value === null ? 'null' : `of type ${typeof value}`}, not an object or an array`);
      }
      if (columns !== undefined && !Array.isArray(value)) {
        const object = value as Record<string, unknown>;
        yield columns.map((column) => (Object.hasOwn(object, column) ? object[column] : null));
      } else {
        yield value as SourceRow;
      }
    }
  }
}

function malformed(where: { source: string; file: string }, line: number, reason: string, cause?: unknown): MalformedJsonLineError {
  return new MalformedJsonLineError(`${where.source}: ${where.file} line ${line} ${reason}`, {
    cause,
    details: { ...where, line, reason },
  });
}
