/**
 * Passes a file's chunks on after checking they are UTF-8, so a stray Latin-1 byte is an error
 * naming the line instead of a U+FFFD silently stored. A character split across two chunks waits
 * for the second.
 */
import { isUtf8 } from 'node:buffer';
import { InvalidUtf8Error } from '../errors.js';
import { completePrefixLength, firstInvalidUtf8 } from '../files/utf8.js';

export async function* validatedUtf8(chunks: AsyncIterable<Buffer>, where: { source: string; file: string }): AsyncGenerator<Buffer> {
  let carry: Buffer | undefined;
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
    const bytes = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
    const complete = completePrefixLength(bytes);
    const head = bytes.subarray(0, complete);
    check(head);
    carry = complete < bytes.length ? bytes.subarray(complete) : undefined;
    linesBefore += countNewlines(head);
    offsetBefore += head.length;
    if (head.length > 0) yield head;
  }
  if (carry !== undefined) check(carry);
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) count++;
  return count;
}
