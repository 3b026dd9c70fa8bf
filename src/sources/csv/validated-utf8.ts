/**
 * Passes a file's chunks on after checking they are UTF-8, so a stray Latin-1 byte is an error
 * naming the line instead of a U+FFFD silently stored. A character split across two chunks waits
 * for the second. A byte order mark at the start is dropped.
 */
import { isUtf8 } from 'node:buffer';
import { InvalidUtf8Error } from '../errors.js';
import { completePrefixLength, firstInvalidUtf8 } from '../files/utf8.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export async function* validatedUtf8(
  chunks: AsyncIterable<Buffer>,
  where: { source: string; file: string },
): AsyncGenerator<Buffer> {
  let carry: Buffer | undefined;
  let first = true;
  let linesBefore = 0;
  let offsetBefore = 0;
  const check = (bytes: Buffer): void => {
    if (isUtf8(bytes)) return;
    const bad = firstInvalidUtf8(bytes);
    const line = linesBefore + countNewlines(bytes.subarray(0, bad)) + 1;
    throw new InvalidUtf8Error(`${where.source}: ${where.file} line ${line} is not valid UTF-8 (byte ${offsetBefore + bad + 1} of the file)`, {
      details: { ...where, line, byteInFile: offsetBefore + bad + 1 },
    });
  };
  for await (const chunk of chunks) {
    let bytes = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
    if (first) {
      // Wait for three bytes before deciding whether the file starts with a BOM.
      if (bytes.length < BOM.length) {
        carry = bytes;
        continue;
      }
      first = false;
      if (bytes.subarray(0, BOM.length).equals(BOM)) {
        bytes = bytes.subarray(BOM.length);
        offsetBefore = BOM.length;
      }
    }
    const complete = completePrefixLength(bytes);
    const head = bytes.subarray(0, complete);
    check(head);
    carry = complete < bytes.length ? bytes.subarray(complete) : undefined;
    linesBefore += countNewlines(head);
    offsetBefore += head.length;
    if (head.length > 0) yield head;
  }
  if (carry !== undefined) {
    check(carry);
    yield carry;
  }
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) count++;
  return count;
}
