/** Command-line flags: `node:util`'s parser, with its errors turned into usage errors (exit code 2). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** What {@link parseFlags} returns: `values` typed by the options, `positionals`. */
export type ParsedFlags<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: boolean }>>;

/**
 * Parses `argv` strictly: unknown flags, missing values and (unless `positionals` is set) stray
 * arguments are usage errors.
 */
export function parseFlags<const O extends Options>(argv: readonly string[], options: O, positionals = false): ParsedFlags<O> {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: positionals });
  } catch (error) {
    // node:util reports unknown flags, missing values and stray arguments as TypeErrors.
    throw new CliUsageError((error as Error).message);
  }
}

/** Pretty JSON with a final newline, for `--json` output. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A whole positive number of a flag (`--batches-per-run 100`). */
export function parsePositiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value <= 0) {
    throw new CliUsageError(`${flag} needs a positive whole number, got ${JSON.stringify(text)}`);
  }
  return value;
}
