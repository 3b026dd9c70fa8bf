/**
 * The CSV reading options shared by the row reader and the error locator, and the `csv-parse`
 * options they map to.
 */
import type { Options } from 'csv-parse';
import type { CsvCoercion } from './coerce.js';

export interface CsvDialect {
  readonly delimiter: string;
  readonly quote: string;
  readonly escape: string;
  readonly nullString: string;
  readonly header: boolean;
  readonly columns: readonly (string | null)[] | undefined;
  readonly coerce: ReadonlyMap<string, CsvCoercion>;
  readonly maxRecordChars: number;
}

/**
 * Raw text on (see `raw-record.ts`); blank lines and field counts are handled by the reader, so that
 * every physical line is accounted for and a wrong count names its line; the BOM is dropped before.
 */
export function parserOptions(dialect: CsvDialect): Options {
  return {
    bom: false,
    delimiter: dialect.delimiter,
    quote: dialect.quote,
    escape: dialect.escape,
    raw: true,
    relax_column_count: true,
    skip_empty_lines: false,
    max_record_size: dialect.maxRecordChars,
  };
}
