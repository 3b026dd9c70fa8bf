/**
 * CSV files from a directory, parsed by `csv-parse` as they stream. Same directory, order and
 * watermark rules as the JSON-lines source: byte-wise name order, only names after the watermark,
 * watermark = the batch's last file name. Rows are objects keyed by column name; values stay
 * strings (the COPY layer converts them per column type) except NULLs and `coerce`d columns.
 *
 * NULL rule, as PostgreSQL's `COPY … (FORMAT csv)`: an *unquoted* field equal to `nullString`
 * (default: the empty string) is NULL; a quoted field is always a string, so `""` is `''`.
 */
import { CsvError, parse, type Info } from 'csv-parse';
import { Readable, pipeline } from 'node:stream';
import { ArgsReader } from '../args.js';
import { InvalidCsvHeaderError, InvalidCsvValueError, InvalidSourceArgsError, MalformedCsvError, RecordTooLongError } from '../errors.js';
import { fileBatches, fileWatermark } from '../files/file-batches.js';
import type { ListedFile } from '../files/list-files.js';
import { compilePatterns } from '../files/pattern.js';
import { readChunks } from '../files/read-chunks.js';
import type { FileSourceOptions } from '../ndjson/ndjson-files.js';
import { rowObjectFactory } from '../row-object.js';
import type { BatchSource, JsonValue, Row, SourceBatch, SourceContext } from '../types.js';
import { CSV_COERCIONS, CoercionProblem, coerce, type CsvCoercion } from './coerce.js';
import { validatedUtf8 } from './validated-utf8.js';

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

interface ParsedArgs {
  readonly directory: string;
  readonly patterns: readonly string[];
  readonly filesPerBatch: number;
  readonly header: boolean;
  readonly columns: readonly (string | null)[] | undefined;
  readonly delimiter: string;
  readonly quote: string;
  readonly escape: string;
  readonly nullString: string;
  readonly coerce: Readonly<Record<string, CsvCoercion>>;
  readonly maxRecordChars: number;
}

function readArgs(args: unknown): ParsedArgs {
  const reader = new ArgsReader(CSV_FILES_SOURCE, args);
  const quote = reader.character('quote', '"');
  const parsed: ParsedArgs = {
    directory: reader.string('directory'),
    patterns: reader.stringList('pattern', { single: true }) ?? CSV_PATTERNS,
    filesPerBatch: reader.integer('filesPerBatch', 1, 1),
    header: reader.boolean('header', true),
    columns: reader.stringList('columns', { nullItems: true }),
    delimiter: reader.character('delimiter', ','),
    quote,
    escape: reader.character('escape', quote),
    nullString: reader.text('nullString', ''),
    coerce: reader.record('coerce', CSV_COERCIONS) ?? {},
    maxRecordChars: reader.integer('maxRecordChars', DEFAULT_MAX_RECORD_CHARS, 1, 2 ** 31 - 1),
  };
  reader.done();
  if (!parsed.header && parsed.columns === undefined) reader.fail('columns', 'is required when header is false');
  if (parsed.delimiter === parsed.quote) reader.fail('delimiter', 'must differ from quote');
  if (parsed.columns !== undefined) {
    checkNames(parsed.columns, (reason) => reader.fail('columns', reason));
    checkCoercions(parsed.coerce, parsed.columns, 'args.columns');
  }
  return parsed;
}

/** The CSV source bound to a worker's options. Args are checked when it is called. */
export function createCsvFilesSource(options: FileSourceOptions = {}): BatchSource<CsvFilesArgs> {
  return function csvFiles(highWatermark: JsonValue | null, args: CsvFilesArgs, context: SourceContext = {}): AsyncIterable<SourceBatch> {
    const parsed = readArgs(args);
    const after = fileWatermark(CSV_FILES_SOURCE, highWatermark);
    const signal = context.signal;
    return fileBatches(after, {
      source: CSV_FILES_SOURCE,
      directory: parsed.directory,
      rootDirectory: options.rootDirectory,
      matches: compilePatterns(parsed.patterns),
      filesPerBatch: parsed.filesPerBatch,
      signal,
      readRows: (file) => csvRows(file, parsed, signal),
    });
  };
}

/** CSV files from a directory, with no root directory: `(highWatermark, args) → batches`. */
export const csvFiles: BatchSource<CsvFilesArgs> = createCsvFilesSource();

interface Parsed {
  readonly record: (string | null)[];
  readonly info: Info;
}

async function* csvRows(file: ListedFile, args: ParsedArgs, signal: AbortSignal | undefined): AsyncGenerator<Row> {
  const where = { source: CSV_FILES_SOURCE, file: file.name };
  const parser = parse({
    bom: true,
    delimiter: args.delimiter,
    quote: args.quote,
    escape: args.escape,
    skip_empty_lines: true,
    max_record_size: args.maxRecordChars,
    info: true,
    cast: (value, context) => (!context.quoting && value === args.nullString ? null : value),
  });
  const bytes = Readable.from(validatedUtf8(readChunks(CSV_FILES_SOURCE, file, signal), where));
  // pipeline() destroys the file stream when parsing fails or the consumer stops, and hands a read
  // error (ours, already typed) to the parser we iterate.
  const records = pipeline(bytes, parser, () => undefined);
  let names: readonly (string | null)[] | undefined = args.columns;
  let coercions: (CsvCoercion | undefined)[] = names?.map((name) => (name === null ? undefined : args.coerce[name])) ?? [];
  let newRow: (() => Record<string, unknown>) | undefined;
  let expectHeader = args.header;
  let previousEnd = 0;
  let previousEmpty = 0;
  try {
    for await (const { record, info } of records as AsyncIterable<Parsed>) {
      // The record starts after the previous one and the blank lines skipped since.
      const line = previousEnd + 1 + (info.empty_lines - previousEmpty);
      previousEnd = info.lines;
      previousEmpty = info.empty_lines;
      if (expectHeader) {
        expectHeader = false;
        if (names === undefined) {
          names = headerNames(record, where, line);
          checkCoercions(args.coerce, names, `the header of ${file.name}`);
          coercions = names.map((name) => (name === null ? undefined : args.coerce[name]));
        } else if (record.length !== names.length) {
          throw new InvalidCsvHeaderError(
            `${where.source}: ${file.name} has ${record.length} fields per record, args.columns names ${names.length}`,
            { details: { ...where, line, fields: record.length, columns: names.length } },
          );
        }
        continue;
      }
      if (names === undefined) throw new Error('unreachable: CSV columns unknown after the header');
      if (record.length !== names.length) {
        throw new MalformedCsvError(
          `${where.source}: ${file.name} line ${line} has ${record.length} fields, expected ${names.length} (${names.join(', ')})`,
          { details: { ...where, line, code: 'FIELD_COUNT', fields: record.length, expected: names.length } },
        );
      }
      newRow ??= rowObjectFactory(names);
      yield toRow(record, names, newRow, coercions, where, line);
    }
  } catch (error) {
    throw error instanceof CsvError ? csvError(error, where) : error;
  } finally {
    parser.destroy();
  }
}

function toRow(
  record: readonly (string | null)[],
  names: readonly (string | null)[],
  newRow: () => Record<string, unknown>,
  coercions: readonly (CsvCoercion | undefined)[],
  where: { source: string; file: string },
  line: number,
): Row {
  const row = newRow();
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (name === null || name === undefined) continue;
    const text = record[i] ?? null;
    const kind = coercions[i];
    if (text === null || kind === undefined) {
      row[name] = text;
      continue;
    }
    try {
      row[name] = coerce(kind, text);
    } catch (error) {
      if (!(error instanceof CoercionProblem)) throw error;
      throw new InvalidCsvValueError(`${where.source}: ${where.file} line ${line} column ${name}: ${error.message} (coerce: ${kind})`, {
        details: { ...where, line, column: name, coerce: kind, reason: error.message },
      });
    }
  }
  return row;
}

function headerNames(record: readonly (string | null)[], where: { source: string; file: string }, line: number): string[] {
  const names = record.map((name) => name ?? '');
  checkNames(names, (reason) => {
    throw new InvalidCsvHeaderError(`${where.source}: the header of ${where.file} (line ${line}) ${reason}`, {
      details: { ...where, line, reason },
    });
  });
  return names;
}

function checkNames(names: readonly (string | null)[], fail: (reason: string) => never): void {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (name === null) return;
    if (name === '') fail(`has an empty column name (field ${i + 1})`);
    if (seen.has(name)) fail(`names column ${JSON.stringify(name)} twice`);
    seen.add(name);
  });
}

function checkCoercions(coercions: Readonly<Record<string, CsvCoercion>>, names: readonly (string | null)[], of: string): void {
  for (const column of Object.keys(coercions)) {
    if (!names.includes(column)) {
      throw new InvalidSourceArgsError(`${CSV_FILES_SOURCE}: args.coerce names column ${JSON.stringify(column)}, which is not in ${of}`, {
        details: { source: CSV_FILES_SOURCE, field: `coerce.${column}` },
      });
    }
  }
}

function csvError(error: CsvError, where: { source: string; file: string }): Error {
  const line = (error as CsvError & { lines?: number }).lines ?? null;
  const details = { ...where, line, code: error.code };
  if (error.code === 'CSV_MAX_RECORD_SIZE') {
    return new RecordTooLongError(`${where.source}: ${where.file} line ${line}: ${error.message}`, { cause: error, details });
  }
  return new MalformedCsvError(`${where.source}: ${where.file} line ${line}: ${error.message}`, { cause: error, details });
}
