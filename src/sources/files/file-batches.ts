/**
 * The batching shared by the file sources: list the directory once per call (lazily, on the first
 * `next()`), group the files after the watermark `filesPerBatch` at a time, and yield one batch per
 * group whose watermark is the group's last file name. A batch's rows open its files one after
 * the other, only when iterated; moving on to the next batch (or stopping) closes whatever the
 * consumer left half read.
 */
import { BatchRows } from '../batch-rows.js';
import { InvalidSourceWatermarkError } from '../errors.js';
import type { JsonValue, SourceRow, SourceBatch } from '../types.js';
import { listFiles, resolveDirectory, type ListedFile } from './list-files.js';
import type { NameMatcher } from './pattern.js';

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
