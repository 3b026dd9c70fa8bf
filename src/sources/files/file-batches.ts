/**
 * The batching shared by the file sources: list the directory once per call (lazily, on the first
 * `next()`), group the files after the watermark `filesPerBatch` at a time, and yield one batch per
 * group whose watermark is the group's last file name. A batch's rows open its files one after
 * the other, only when iterated; moving on to the next batch (or stopping) closes whatever the
 * consumer left half read.
 */
import type { ArgsReader } from '../args.js';
import { BatchRows } from '../batch-rows.js';
import { InvalidSourceWatermarkError } from '../errors.js';
import type { BatchSource, JsonValue, SourceBatch, SourceContext, SourceRow } from '../types.js';
import { listFiles, resolveDirectory, type ListedFile } from './list-files.js';
import { compilePatterns, type NameMatcher } from './pattern.js';

/** Options of a file source fixed by the worker, not by workflow inputs. */
export interface FileSourceOptions {
  /**
   * Confines `args.directory` to this directory (symbolic links included), since args come from
   * workflow inputs. Default: no confinement; relative directories resolve against the worker's
   * current directory.
   */
  readonly rootDirectory?: string;
}

/** The args every file source shares: where the files are, which ones, how many per batch. */
export interface FileSelection {
  readonly directory: string;
  readonly patterns: readonly string[];
  readonly filesPerBatch: number;
}

export function readFileSelection(reader: ArgsReader, defaultPatterns: readonly string[]): FileSelection {
  return {
    directory: reader.string('directory'),
    patterns: reader.stringList('pattern', { single: true }) ?? defaultPatterns,
    filesPerBatch: reader.integer('filesPerBatch', 1, 1),
  };
}

/** What makes one file source: its name, its args and how it reads one file. */
export interface FileFormat<Parsed extends FileSelection> {
  readonly source: string;
  /** Validates the args (throws `InvalidSourceArgsError`). */
  readonly readArgs: (args: unknown) => Parsed;
  readonly readRows: (file: ListedFile, args: Parsed, signal: AbortSignal | undefined) => AsyncIterable<SourceRow>;
}

/** A file source bound to a worker's options; args and watermark are checked when it is called. */
export function fileSource<Parsed extends FileSelection>(format: FileFormat<Parsed>, options: FileSourceOptions): BatchSource {
  return (highWatermark: JsonValue | null, args: unknown, context: SourceContext = {}): AsyncIterable<SourceBatch> => {
    const parsed = format.readArgs(args);
    const after = fileWatermark(format.source, highWatermark);
    const signal = context.signal;
    return fileBatches(after, {
      source: format.source,
      directory: parsed.directory,
      rootDirectory: options.rootDirectory,
      matches: compilePatterns(parsed.patterns),
      filesPerBatch: parsed.filesPerBatch,
      signal,
      readRows: (file) => format.readRows(file, parsed, signal),
    });
  };
}

/** What a file source needs to turn one file into rows. */
export interface FileBatchesOptions {
  /** The source's registered name, for messages. */
  readonly source: string;
  readonly directory: string;
  readonly rootDirectory: string | undefined;
  readonly matches: NameMatcher;
  readonly filesPerBatch: number;
  readonly signal: AbortSignal | undefined;
  readonly readRows: (file: ListedFile) => AsyncIterable<SourceRow>;
}

/** The file name a file source's watermark holds (`null` on a first run). */
export function fileWatermark(source: string, highWatermark: JsonValue | null): string | null {
  if (highWatermark === null || typeof highWatermark === 'string') return highWatermark;
  throw new InvalidSourceWatermarkError(
    `${source}: the high watermark must be a file name (a string) or null, got ${JSON.stringify(highWatermark)}`,
    { details: { source, highWatermark } },
  );
}

export async function* fileBatches(afterName: string | null, options: FileBatchesOptions): AsyncGenerator<SourceBatch> {
  options.signal?.throwIfAborted();
  const directory = await resolveDirectory(options.source, options.directory, options.rootDirectory);
  const files = await listFiles(options.source, directory, options.matches, afterName);
  for (let i = 0; i < files.length; i += options.filesPerBatch) {
    const group = files.slice(i, i + options.filesPerBatch);
    const last = group[group.length - 1] as ListedFile;
    const rows = new BatchRows(() => rowsOf(group, options.readRows), `${options.source}: batch ending with ${last.name}`);
    try {
      yield { highWatermark: last.name, rows, metadata: { files: group.map((file) => file.name) } };
    } finally {
      await rows.retire();
    }
  }
}

async function* rowsOf(group: readonly ListedFile[], readRows: (file: ListedFile) => AsyncIterable<SourceRow>): AsyncGenerator<SourceRow> {
  for (const file of group) yield* readRows(file);
}
