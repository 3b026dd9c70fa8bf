/**
 * The line of the record a `csv-parse` error is about. The reader cannot know it: the parser runs
 * ahead of the consumer and a failed stream drops the records parsed in between. So the file is
 * parsed again up to the error, counting lines in `on_record` (called in step with parsing). Only
 * on the error path.
 */
import { parse, CsvError } from 'csv-parse';
import { Readable, pipeline } from 'node:stream';
import type { ListedFile } from '../files/list-files.js';
import { readChunks } from '../files/read-chunks.js';
import { parserOptions, type CsvDialect } from './csv-dialect.js';
import { lineSpan } from './raw-record.js';
import { validatedUtf8 } from './validated-utf8.js';

/** 1-based start line of the record where parsing fails with `code`, or undefined if it no longer does. */
export async function locateParseError(source: string, file: ListedFile, dialect: CsvDialect, code: string): Promise<number | undefined> {
  let nextLine = 1;
  const parser = parse({
    ...parserOptions(dialect),
    on_record: (record) => {
      nextLine += lineSpan((record as unknown as { raw: string }).raw);
      return record;
    },
  });
  const where = { source, file: file.name };
  const records = pipeline(Readable.from(validatedUtf8(readChunks(source, file), where)), parser, () => undefined);
  try {
    for await (const _ of records) {
      // Drain: on_record counts.
    }
  } catch (error) {
    if (error instanceof CsvError && error.code === code) return nextLine;
  } finally {
    parser.destroy();
  }
  return undefined;
}
