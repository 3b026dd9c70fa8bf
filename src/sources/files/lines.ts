/**
 * Splits a file's chunks into lines: `\n` or `\r\n` ends a line, a last line without one counts,
 * a UTF-8 byte order mark at the start is dropped. Lines are checked to be UTF-8 and to stay under a
 * length limit, so memory stays bounded by the longest line, never the file. Lines come out in
 * arrays, one per chunk, to keep the per-line cost synchronous.
 */
import { isUtf8 } from 'node:buffer';
import { InvalidUtf8Error, RecordTooLongError } from '../errors.js';
import { firstInvalidUtf8 } from './utf8.js';

/** One line without its terminator. */
export interface Line {
  readonly text: string;
  /** 1-based physical line number in the file. */
  readonly number: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export async function* readLines(
  chunks: AsyncIterable<Buffer>,
  where: { source: string; file: string },
  maxLineBytes: number,
): AsyncGenerator<Line[]> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let number = 0;
  let first = true;

  const finish = (bytes: Buffer): Line => {
    number++;
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CARRIAGE_RETURN) end--;
    let start = 0;
    if (first) {
      first = false;
      if (bytes.subarray(0, 3).equals(BOM)) start = 3;
    }
    const content = bytes.subarray(start, end);
    if (content.length > maxLineBytes) throw tooLong(where, number, maxLineBytes);
    if (!isUtf8(content)) {
      const offset = firstInvalidUtf8(content);
      throw new InvalidUtf8Error(`${where.source}: ${where.file} line ${number} is not valid UTF-8 (byte ${offset + 1} of the line)`, {
        details: { ...where, line: number, byteInLine: offset + 1 },
      });
    }
    return { text: content.toString('utf8'), number };
  };

  for await (const chunk of chunks) {
    const lines: Line[] = [];
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, end);
      if (pending.length > 0) {
        lines.push(finish(Buffer.concat([...pending, piece])));
        pending = [];
        pendingBytes = 0;
      } else {
        lines.push(finish(piece));
      }
      start = end + 1;
    }
    if (start < chunk.length) {
      // The tail of a line that continues in the next chunk; +1 allows for a `\r` before the `\n`.
      pendingBytes += chunk.length - start;
      if (pendingBytes > maxLineBytes + 1 + (first ? BOM.length : 0)) throw tooLong(where, number + 1, maxLineBytes);
      pending.push(chunk.subarray(start));
    }
    if (lines.length > 0) yield lines;
  }
  if (pending.length > 0) yield [finish(Buffer.concat(pending))];
}

function tooLong(where: { source: string; file: string }, line: number, maxLineBytes: number): RecordTooLongError {
  return new RecordTooLongError(`${where.source}: ${where.file} line ${line} is longer than maxLineBytes (${maxLineBytes} bytes)`, {
    details: { ...where, line, maxLineBytes },
  });
}
