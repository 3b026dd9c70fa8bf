/**
 * Reading a source's `args`: JSON from a workflow input, so every field is checked for type and
 * range, and a field the source does not know is an error (a typo must not silently fall back to a
 * default). Every error names the source and the field.
 */
import { InvalidSourceArgsError } from './errors.js';

type Fields = Readonly<Record<string, unknown>>;

/** Reads the fields of one source's args; call {@link ArgsReader.done} after the last field. */
export class ArgsReader {
  private readonly fields: Fields;
  private readonly seen = new Set<string>();

  constructor(
    private readonly source: string,
    args: unknown,
  ) {
    if (typeof args !== 'object' || args === null || Array.isArray(args)) {
      throw new InvalidSourceArgsError(`${source}: args must be a JSON object, got ${describe(args)}`, {
        details: { source, field: null },
      });
    }
    this.fields = args as Fields;
  }

  /** Throws {@link InvalidSourceArgsError} for `field`. */
  fail(field: string, reason: string): never {
    throw new InvalidSourceArgsError(`${this.source}: args.${field} ${reason}`, {
      details: { source: this.source, field, reason },
    });
  }

  private take(field: string): unknown {
    this.seen.add(field);
    return this.fields[field];
  }

  string(field: string): string;
  string(field: string, fallback: string): string;
  string(field: string, fallback: undefined): string | undefined;
  string(field: string, ...fallback: [string?]): string | undefined {
    const value = this.take(field);
    if (value === undefined || value === null) {
      if (fallback.length === 0) this.fail(field, 'is required');
      return fallback[0];
    }
    if (typeof value !== 'string') this.fail(field, `must be a string, got ${describe(value)}`);
    if (value.length === 0) this.fail(field, 'must not be empty');
    return value;
  }

  /** Any string, the empty one included. */
  text(field: string, fallback: string): string {
    const value = this.take(field);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string') this.fail(field, `must be a string, got ${describe(value)}`);
    return value;
  }

  /** A single character (CSV delimiter, quote, escape). */
  character(field: string, fallback: string): string {
    const value = this.string(field, fallback);
    if ([...value].length !== 1) this.fail(field, `must be one character, got ${JSON.stringify(value)}`);
    return value;
  }

  boolean(field: string, fallback: boolean): boolean {
    const value = this.take(field);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') this.fail(field, `must be true or false, got ${describe(value)}`);
    return value;
  }

  /** An integer from `min` to `max` inclusive. */
  integer(field: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.take(field);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(field, `must be an integer from ${min} to ${max}, got ${describe(value)}`);
    }
    return value;
  }

  oneOf<const T extends string>(field: string, allowed: readonly T[], fallback: T): T {
    const value = this.take(field);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.fail(field, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describe(value)}`);
    }
    return value as T;
  }

  /** A non-empty list of non-empty strings (a single string is a list of one when `single` allows it). */
  stringList(field: string, options: { single?: boolean; nullItems?: false }): string[] | undefined;
  stringList(field: string, options: { single?: boolean; nullItems: true }): (string | null)[] | undefined;
  stringList(field: string, options: { single?: boolean; nullItems?: boolean }): (string | null)[] | undefined {
    let value = this.take(field);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string' && options.single) value = [value];
    const what = options.nullItems ? 'strings or nulls' : 'strings';
    if (!Array.isArray(value) || value.length === 0) this.fail(field, `must be a non-empty array of ${what}, got ${describe(value)}`);
    value.forEach((item: unknown, i) => {
      if (item === null && options.nullItems) return;
      if (typeof item !== 'string' || item.length === 0) this.fail(`${field}[${i}]`, `must be a non-empty string, got ${describe(item)}`);
    });
    return value as (string | null)[];
  }

  /** An object whose values are each one of `allowed`. */
  record<const T extends string>(field: string, allowed: readonly T[]): Record<string, T> | undefined {
    const value = this.take(field);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) this.fail(field, `must be an object, got ${describe(value)}`);
    const out: Record<string, T> = Object.create(null) as Record<string, T>;
    for (const [key, item] of Object.entries(value as Fields)) {
      if (typeof item !== 'string' || !(allowed as readonly string[]).includes(item)) {
        this.fail(`${field}.${key}`, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describe(item)}`);
      }
      out[key] = item as T;
    }
    return out;
  }

  /** Rejects fields that were never read. */
  done(): void {
    for (const field of Object.keys(this.fields)) {
      if (!this.seen.has(field)) this.fail(field, `is not an argument of this source (known: ${[...this.seen].join(', ')})`);
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}
