/**
 * One CSV file as rows: objects keyed by column name, values strings except NULLs and coerced
 * columns. Blank lines are skipped; every other record must have as many fields as there are
 * columns. Errors name the file and the physical line the record starts on.
 */
import { CsvError, parse } from 'csv-parse';
import { Readable, pipeline } from 'node:stream';
import { InvalidCsvHeaderError, InvalidCsvValueError, InvalidSourceArgsError, MalformedCsvError, RecordTooLongError } from '../errors.js';
import type { ListedFile } from '../files/list-files.js';
import { readChunks } from '../files/read-chunks.js';
import { rowObjectFactory } from '../row-object.js';
import type { SourceRow } from '../types.js';
import { CoercionProblem, coerce, type CsvCoercion } from './coerce.js';
import { parserOptions, type CsvDialect } from './csv-dialect.js';
import { locateParseError } from './locate-parse-error.js';
import { isBlankLine, lineSpan, quotedFields } from './raw-record.js';
import { validatedUtf8 } from './validated-utf8.js';

interface Where {
  readonly source: string;
  readonly file: string;
}

interface RawRecord {
  readonly record: string[];
  readonly raw: string;
}

/** How the fields of a record become a row. */
interface Layout {
  readonly names: readonly (string | null)[];
  readonly coercions: readonly (CsvCoercion | undefined)[];
  readonly newRow: () => Record<string, unknown>;
}

export async function* csvRows(source: string, file: ListedFile, dialect: CsvDialect, signal: AbortSignal | undefined): AsyncGenerator<SourceRow> {
  const where: Where = { source, file: file.name };
  const parser = parse(parserOptions(dialect));
  // pipeline() destroys the file stream when parsing fails or the consumer stops, and hands a read
  // error (ours, already typed) to the parser we iterate.
  const records = pipeline(Readable.from(validatedUtf8(readChunks(source, file, signal), where)), parser, () => undefined);
  let layout = dialect.columns === undefined ? undefined : layoutOf(source, dialect.columns, dialect, `args.columns`);
  let expectHeader = dialect.header;
  let nextLine = 1;
  try {
    for await (const { record, raw } of records as AsyncIterable<RawRecord>) {
      const line = nextLine;
      nextLine += lineSpan(raw);
      if (isBlankLine(record, raw)) continue;
      if (expectHeader) {
        expectHeader = false;
        if (layout === undefined) layout = layoutOf(source, headerNames(record, where, line), dialect, `the header of ${file.name}`);
        else if (record.length !== layout.names.length) {
          throw new InvalidCsvHeaderError(
            `${source}: ${file.name} has ${record.length} fields in its header (line ${line}), args.columns names ${layout.names.length}`,
            { details: { ...where, line, fields: record.length, columns: layout.names.length } },
          );
        }
        continue;
      }
      if (layout === undefined) throw new Error('unreachable: CSV columns unknown after the header');
      yield toRow(record, raw, layout, dialect, where, line);
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = (await locateParseError(source, file, dialect, error.code)) ?? (error as CsvError & { lines?: number }).lines ?? null;
    const details = { ...where, line, code: error.code };
    const message = `${source}: ${file.name} line ${line}: ${error.message.replace(/ (at|on) line \d+/, '')}`;
    if (error.code === 'CSV_MAX_RECORD_SIZE') throw new RecordTooLongError(message, { cause: error, details });
    throw new MalformedCsvError(message, { cause: error, details });
  } finally {
    parser.destroy();
  }
}

function layoutOf(source: string, names: readonly (string | null)[], dialect: CsvDialect, of: string): Layout {
  for (const column of dialect.coerce.keys()) {
    if (!names.includes(column)) {
      throw new InvalidSourceArgsError(`${source}: args.coerce names column ${JSON.stringify(column)}, which is not in ${of}`, {
        details: { source, field: `coerce.${column}` },
      });
    }
  }
  return {
    names,
    coercions: names.map((name) => (name === null ? undefined : dialect.coerce.get(name))),
    newRow: rowObjectFactory(names),
  };
}

function toRow(record: readonly string[], raw: string, layout: Layout, dialect: CsvDialect, where: Where, line: number): SourceRow {
  const { names, coercions } = layout;
  if (record.length !== names.length) {
    throw new MalformedCsvError(
      `${where.source}: ${where.file} line ${line} has ${record.length} fields, expected ${names.length} (${names.join(', ')})`,
      { details: { ...where, line, code: 'FIELD_COUNT', fields: record.length, expected: names.length } },
    );
  }
  const row = layout.newRow();
  let quoted: boolean[] | undefined;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (name === null || name === undefined) continue;
    const text = record[i] as string;
    if (text === dialect.nullString) {
      quoted ??= quotedFields(raw, dialect);
      if (quoted[i] !== true) {
        row[name] = null;
        continue;
      }
    }
    const kind = coercions[i];
    if (kind === undefined) {
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

function headerNames(record: readonly string[], where: Where, line: number): string[] {
  checkColumnNames(record, (reason) => {
    throw new InvalidCsvHeaderError(`${where.source}: the header of ${where.file} (line ${line}) ${reason}`, {
      details: { ...where, line, reason },
    });
  });
  return [...record];
}

/** Column names must be non-empty and distinct (`null` drops a field and may repeat). */
export function checkColumnNames(names: readonly (string | null)[], fail: (reason: string) => never): void {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (name === null) return;
    if (name === '') fail(`has an empty column name (field ${i + 1})`);
    if (seen.has(name)) fail(`names column ${JSON.stringify(name)} twice`);
    seen.add(name);
  });
}
