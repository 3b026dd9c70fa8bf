/**
 * Turns rows into COPY data, binary or text, one row at a time, and turns a codec's refusal into
 * the typed error that names table, column, row and batch.
 *
 * A row is an array of values in the plan's column order, or a plain object keyed by column name.
 * In an object, a key that is not a column is an error and a missing key (or `undefined`) is SQL
 * NULL — not the column's DEFAULT: COPY writes every planned column of every row.
 */
import { displayName } from '../../sql/identifier.js';
import type { ByteWriter } from './byte-writer.js';
import { ValueProblem, renderValue, type Codec } from './codec.js';
import {
  InvalidRowError,
  InvalidValueError,
  UnknownColumnError,
  UnsupportedCharacterError,
  ValueOutOfRangeError,
  WrongValueCountError,
} from './errors.js';
import type { CopyPlan } from './plan.js';

/** A row: values in column order, or an object keyed by column name. */
export type CopyRow = readonly unknown[] | Readonly<Record<string, unknown>>;

/** "PGCOPY\n\377\r\n\0", then int32 flags and int32 header-extension length, both 0. */
const BINARY_HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
const LISTED_COLUMNS = 12;
const COPY_TEXT_SPECIAL = /[\\\t\n\r]/;
const COPY_TEXT_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Escapes a value for COPY's text format: backslash, tab, newline and carriage return. */
export function escapeCopyText(text: string): string {
  return COPY_TEXT_SPECIAL.test(text) ? text.replace(/[\\\t\n\r]/g, (special) => COPY_TEXT_ESCAPES[special] ?? special) : text;
}

export class RowEncoder {
  private readonly codecs: readonly Codec[];
  private readonly names: readonly string[];
  private readonly index: ReadonlyMap<string, number>;
  private readonly binary: boolean;
  /** Rows encoded so far; also the 1-based number of the row being encoded. */
  rows = 0;

  /** @param batch the caller's batch number, quoted in errors. */
  constructor(
    private readonly plan: CopyPlan,
    private readonly batch?: number,
  ) {
    this.codecs = plan.columns.map((column) => column.codec);
    this.names = plan.columns.map((column) => column.name);
    this.index = new Map(this.names.map((name, i) => [name, i]));
    this.binary = plan.format === 'binary';
  }

  writeHeader(out: ByteWriter): void {
    if (this.binary) out.bytes(BINARY_HEADER);
  }

  writeTrailer(out: ByteWriter): void {
    if (this.binary) out.int16(-1);
  }

  /** Appends one row. */
  write(out: ByteWriter, row: unknown): void {
    this.rows++;
    const values = this.valuesOf(row);
    const codecs = this.codecs;
    const count = codecs.length;
    let column = 0;
    try {
      if (this.binary) {
        out.int16(count);
        for (; column < count; column++) {
          const value = values[column];
          if (value == null) out.int32(-1);
          else codecs[column]!.writeBinary(out, value);
        }
      } else {
        let line = '';
        for (; column < count; column++) {
          const value = values[column];
          if (column > 0) line += '\t';
          line += value == null ? '\\N' : escapeCopyText(codecs[column]!.toText(value));
        }
        out.utf8(`${line}\n`);
      }
    } catch (error) {
      throw this.valueError(error, column, values[column]);
    }
  }

  private valuesOf(row: unknown): readonly unknown[] {
    if (Array.isArray(row)) {
      if (row.length !== this.codecs.length) {
        throw new WrongValueCountError(
          `${this.rowName()} has ${row.length} value${row.length === 1 ? '' : 's'}, table ${displayName(this.plan.target)} has ${this.codecs.length} columns (${this.columnList()})`,
          { details: { ...this.where(), values: row.length, columns: this.codecs.length } },
        );
      }
      return row;
    }
    if (typeof row === 'object' && row !== null) {
      const prototype: unknown = Object.getPrototypeOf(row);
      if (prototype === Object.prototype || prototype === null) return this.valuesOfObject(row as Record<string, unknown>);
    }
    throw new InvalidRowError(
      `${this.rowName()} is ${renderValue(row)}, not an array of values or a plain object keyed by column name`,
      { details: { ...this.where(), value: renderValue(row) } },
    );
  }

  private valuesOfObject(row: Readonly<Record<string, unknown>>): unknown[] {
    const values = new Array<unknown>(this.codecs.length);
    for (const key of Object.keys(row)) {
      const column = this.index.get(key);
      if (column === undefined) {
        throw new UnknownColumnError(
          `${this.rowName()} has a key ${JSON.stringify(key)} that is not a column of table ${displayName(this.plan.target)} (${this.columnList()})`,
          { details: { ...this.where(), key } },
        );
      }
      values[column] = row[key];
    }
    return values;
  }

  private valueError(error: unknown, column: number, value: unknown): unknown {
    if (!(error instanceof ValueProblem)) return error;
    const planned = this.plan.columns[column];
    const name = planned?.name ?? String(column);
    const type = planned?.type ?? 'unknown';
    const where = `column ${JSON.stringify(name)} (${type}) of table ${displayName(this.plan.target)}, ${this.rowName()}`;
    const options = {
      details: { ...this.where(), column: name, expected: type, value: renderValue(value), reason: error.message },
    };
    switch (error.kind) {
      case 'range':
        return new ValueOutOfRangeError(`value out of range in ${where}: ${error.message}`, options);
      case 'character':
        return new UnsupportedCharacterError(`unsupported character in ${where}: ${error.message}`, options);
      default:
        return new InvalidValueError(`invalid value in ${where}: ${error.message}`, options);
    }
  }

  private rowName(): string {
    return this.batch === undefined ? `row ${this.rows}` : `row ${this.rows} of batch ${this.batch}`;
  }

  private where(): Record<string, unknown> {
    const { schema, name } = this.plan.target;
    return { schema, table: name, row: this.rows, ...(this.batch === undefined ? {} : { batch: this.batch }) };
  }

  private columnList(): string {
    const names = this.names.slice(0, LISTED_COLUMNS).join(', ');
    return this.names.length > LISTED_COLUMNS ? `${names}, …` : names;
  }
}
