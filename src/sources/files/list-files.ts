/**
 * Which files of a directory a file source reads, in which order: regular files (or symbolic links
 * to them) whose name matches, sorted by the bytes of their UTF-8 name — the order `LC_ALL=C ls`
 * shows, the same on every worker whatever its locale — and only those whose name sorts after the
 * watermark. Sub-directories are not entered.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidSourceArgsError, SourceAccessDeniedError, SourceDirectoryNotFoundError, SourceFileReadError } from '../errors.js';
import type { NameMatcher } from './pattern.js';

/** A file to read. */
export interface ListedFile {
  /** The file's name inside the directory (what the watermark stores). */
  readonly name: string;
  /** Its absolute path. */
  readonly path: string;
}

/** Byte-wise order of two names as UTF-8 (JavaScript's `<` compares UTF-16 code units, which differs). */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The absolute directory to read. With a `rootDirectory`, `directory` is relative to it and may not
 * leave it, even through a symbolic link: args come from workflow inputs and must not reach every
 * file the worker can read. Without one, a relative `directory` is relative to the worker's current
 * directory.
 */
export async function resolveDirectory(source: string, directory: string, rootDirectory: string | undefined): Promise<string> {
  if (rootDirectory === undefined) return path.resolve(directory);
  const root = await realDirectory(source, path.resolve(rootDirectory));
  const wanted = await realDirectory(source, path.resolve(root, directory));
  const relative = path.relative(root, wanted);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new InvalidSourceArgsError(`${source}: args.directory ${JSON.stringify(directory)} is outside the worker's root directory`, {
      details: { source, field: 'directory', directory },
    });
  }
  return wanted;
}

async function realDirectory(source: string, directory: string): Promise<string> {
  try {
    return await realpath(directory);
  } catch (error) {
    throw fileSystemError(source, error, directory, 'directory');
  }
}

/** The matching files after `afterName` (all when null), in byte-wise name order. */
export async function listFiles(source: string, directory: string, matches: NameMatcher, afterName: string | null): Promise<ListedFile[]> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    throw fileSystemError(source, error, directory, 'directory');
  }
  const after = afterName === null ? undefined : Buffer.from(afterName, 'utf8');
  const chosen: { name: string; key: Buffer }[] = [];
  for (const entry of entries) {
    if (!matches(entry.name)) continue;
    const key = Buffer.from(entry.name, 'utf8');
    if (after !== undefined && Buffer.compare(key, after) <= 0) continue;
    if (entry.isFile() || (entry.isSymbolicLink() && (await isFileBehindLink(path.join(directory, entry.name))))) {
      chosen.push({ name: entry.name, key });
    }
  }
  chosen.sort((a, b) => Buffer.compare(a.key, b.key));
  return chosen.map(({ name }) => ({ name, path: path.join(directory, name) }));
}

async function isFileBehindLink(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    // A dangling link is not a file to read.
    return false;
  }
}

/** Our error for a failed file-system call on `target` (a directory or a file). */
export function fileSystemError(source: string, error: unknown, target: string, what: 'directory' | 'file'): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const details = { source, [what]: target, code: code ?? null };
  if (what === 'directory' && (code === 'ENOENT' || code === 'ENOTDIR')) {
    return new SourceDirectoryNotFoundError(`${source}: directory ${target} does not exist or is not a directory`, { cause: error, details });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new SourceAccessDeniedError(`${source}: permission denied reading ${what} ${target}`, { cause: error, details });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new SourceFileReadError(`${source}: reading ${what} ${target} failed: ${reason}`, { cause: error, details });
}
