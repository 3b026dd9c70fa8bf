/**
 * Spec files for `temporal-pg ingest`: YAML (`.yaml`, `.yml`) or JSON (`.json`), read into plain
 * JSON. Every error names the file, and the line of the field at fault where there is one.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { CliUsageError } from './io.js';

/** A spec file that cannot be read, parsed or used; exit code 2. */
export class SpecFileError extends CliUsageError {
  override readonly name = 'SpecFileError';
}

/** A parsed spec file: its JSON value, and where each field stands. */
export interface SpecFile {
  readonly path: string;
  readonly value: unknown;
  /** `file:line` of the value at `path` (or of the closest enclosing value found), for messages. */
  where(path?: ReadonlyArray<string | number>): string;
}

export async function readSpecFile(path: string): Promise<SpecFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new SpecFileError(`cannot read the spec file ${path}: ${reason}`);
  }
  return parseSpecText(path, text);
}

/** Parses `text` as the contents of `path` (the extension picks JSON or YAML). */
export function parseSpecText(path: string, text: string): SpecFile {
  if (/\.json$/i.test(path)) {
    try {
      JSON.parse(text);
    } catch (error) {
      throw new SpecFileError(`${path}: not valid JSON: ${(error as Error).message}`);
    }
  } else if (!/\.ya?ml$/i.test(path)) {
    throw new SpecFileError(`${path}: a spec file must end in .yaml, .yml or .json`);
  }
  const lines = new LineCounter();
  // YAML 1.2 core schema: `off`, `no`, `yes` stay strings (delete: off means 'off', not false).
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, version: '1.2' });
  const [first] = document.errors;
  if (first) {
    const at = first.linePos?.[0];
    throw new SpecFileError(`${path}${at ? `:${at.line}:${at.col}` : ''}: ${first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const value: unknown = document.toJS({ maxAliasCount: 100 });
  return { path, value, where: (at = []) => `${path}${lineOf(document, lines, at)}` };
}

function lineOf(document: Document, lines: LineCounter, path: ReadonlyArray<string | number>): string {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? document.contents : document.getIn(path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return `:${lines.linePos(range[0]).line}`;
  }
  return '';
}
