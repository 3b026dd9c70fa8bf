/**
 * CSV files from a directory, parsed by `csv-parse` as they stream. Same directory, order and
 * watermark rules as the JSON-lines source: byte-wise name order, only names after the watermark,
 * watermark = the batch's last file name. Rows are objects keyed by column name; values stay
 * strings (the COPY layer converts them per column type) except NULLs and `coerce`d columns.
 *
 * NULL rule, as PostgreSQL's `COPY … (FORMAT csv)`: an *unquoted* field equal to `nullString`
 * (default: the empty string) is NULL; a quoted field is always a string, so `""` is `''`.
 */
import { ArgsReader } from '../args.js';
import { fileSource, readFileSelection, type FileFormat, type FileSelection, type FileSourceOptions } from '../files/file-batches.js';
import type { ListedFile } from '../files/list-files.js';
import type { BatchSource } from '../types.js';
import { CSV_COERCIONS, type CsvCoercion } from './coerce.js';
import type { CsvDialect } from './csv-dialect.js';
import { checkColumnNames, csvRows } from './csv-rows.js';

/** The registered name of this source in {@link builtInSources}. */
export const CSV_FILES_SOURCE = 'temporal-pg/csv-files';

/** Default file name patterns of {@link CsvFilesArgs.pattern}. */
export const CSV_PATTERNS: readonly string[] = ['*.csv', '*.csv.gz'];

/** Arguments of the CSV source (JSON, as a workflow passes them). */
export interface CsvFilesArgs {
  /** The directory holding the files (see `NdjsonFilesArgs.directory` for how it resolves). */
  readonly directory: string;
  /** Which files: `*`/`?` patterns or suffixes (see `NdjsonFilesArgs.pattern`). Default `*.csv`, `*.csv.gz`. */
  readonly pattern?: string | readonly string[];
  /** Files per batch (and per transaction). Default 1. */
  readonly filesPerBatch?: number;
  /** The first line of each file names the columns. Default `true`. */
  readonly header?: boolean;
  /**
   * Names for the fields by position, overriding the header (which is then skipped); `null` drops
   * that field. Required when `header` is false. Default: the header's names.
   */
  readonly columns?: readonly (string | null)[];
  /** Field separator, one character. Default `,`. */
  readonly delimiter?: string;
  /** Quote character, one character. Default `"`. */
  readonly quote?: string;
  /** Escape for a quote inside a quoted field, one character. Default: the quote itself (`""`). */
  readonly escape?: string;
  /** An unquoted field equal to this is NULL (quoted fields never are). Default `''`. */
  readonly nullString?: string;
  /**
   * Conversions by column name, for columns whose type does not take text: `'boolean'` (true/false,
   * t/f, yes/no, on/off, 1/0, any case) and `'json'` (the field is JSON text: for json/jsonb
   * columns, and for array columns written as JSON arrays). NULL fields stay NULL. Default none.
   */
  readonly coerce?: Readonly<Record<string, CsvCoercion>>;
  /** Longest record accepted, in characters; longer is a `RecordTooLong` error. Default 64 Mi. */
  readonly maxRecordChars?: number;
}

const DEFAULT_MAX_RECORD_CHARS = 64 * 1024 * 1024;

export interface ParsedArgs extends CsvDialect, FileSelection {}

function readArgs(args: unknown): ParsedArgs {
  const reader = new ArgsReader(CSV_FILES_SOURCE, args);
  const quote = reader.character('quote', '"');
  const parsed: ParsedArgs = {
    ...readFileSelection(reader, CSV_PATTERNS),
    header: reader.boolean('header', true),
    columns: reader.stringList('columns', { nullItems: true }),
    delimiter: reader.character('delimiter', ','),
    quote,
    escape: reader.character('escape', quote),
    nullString: reader.text('nullString', ''),
    coerce: new Map(Object.entries(reader.record('coerce', CSV_COERCIONS) ?? {})),
    maxRecordChars: reader.integer('maxRecordChars', DEFAULT_MAX_RECORD_CHARS, 1, 2 ** 31 - 1),
  };
  reader.done();
  if (!parsed.header && parsed.columns === undefined) reader.fail('columns', 'is required when header is false');
  if (parsed.delimiter === parsed.quote) reader.fail('delimiter', 'must differ from quote');
  if (parsed.columns !== undefined) checkColumnNames(parsed.columns, (reason) => reader.fail('columns', reason));
  for (const column of parsed.coerce.keys()) {
    if (parsed.columns !== undefined && !parsed.columns.includes(column)) reader.fail(`coerce.${column}`, 'names no column of args.columns');
  }
  return parsed;
}

/** How the CSV source reads its args and its files. */
export const CSV_FORMAT: FileFormat<ParsedArgs> = {
  source: CSV_FILES_SOURCE,
  readArgs,
  readRows: (file: ListedFile, args: ParsedArgs, signal: AbortSignal | undefined) => csvRows(CSV_FILES_SOURCE, file, args, signal),
};

/** The CSV source bound to a worker's options. Args are checked when it is called. */
export function createCsvFilesSource(options: FileSourceOptions = {}): BatchSource<CsvFilesArgs> {
  return fileSource(CSV_FORMAT, options);
}

/** CSV files from a directory, with no root directory: `(highWatermark, args) → batches`. */
export const csvFiles: BatchSource<CsvFilesArgs> = createCsvFilesSource();

