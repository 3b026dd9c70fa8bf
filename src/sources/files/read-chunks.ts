/**
 * A file's bytes as a stream of chunks, gunzipped on the fly when its name ends in `.gz`, with
 * file-system and gzip failures turned into our errors. Nothing is read before the first chunk is
 * asked for, and stopping early (the iterator's `return()`) closes the file.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MalformedGzipError } from '../errors.js';
import { fileSystemError, type ListedFile } from './list-files.js';

/** Bytes read from disk at a time (also the gunzip output chunk size). */
const CHUNK_BYTES = 256 * 1024;

export function isGzipName(name: string): boolean {
  return name.toLowerCase().endsWith('.gz');
}

export async function* readChunks(source: string, file: ListedFile, signal?: AbortSignal): AsyncGenerator<Buffer> {
  signal?.throwIfAborted();
  const gzip = isGzipName(file.name);
  const raw = createReadStream(file.path, { highWaterMark: CHUNK_BYTES });
  let stream: Readable = raw;
  if (gzip) {
    // pipeline() destroys both streams when either fails or the consumer stops, and hands the first
    // error to the stream we iterate.
    stream = pipeline(raw, createGunzip({ chunkSize: CHUNK_BYTES }), () => undefined);
  }
  try {
    for await (const chunk of stream) {
      signal?.throwIfAborted();
      yield chunk as Buffer;
    }
  } catch (error) {
    if (signal?.aborted && error === signal.reason) throw error;
    if (isZlibError(error)) {
      throw new MalformedGzipError(`${source}: ${file.name} is not valid gzip data (${(error as Error).message})`, {
        cause: error,
        details: { source, file: file.name },
      });
    }
    throw fileSystemError(source, error, file.name, 'file');
  } finally {
    stream.destroy();
    raw.destroy();
  }
}

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}
