/**
 * UTF-8 checks for file bytes. The fast path is Node's native `isUtf8`; the slow scan below runs
 * only to say *where* a check failed, and to split a chunk at a character boundary.
 */

/** Byte offset of the first byte that does not start or continue a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length <= 0) return i;
    i += length;
  }
  return -1;
}

/**
 * Length of the longest prefix of `bytes` that does not end inside a multi-byte sequence: the rest
 * (at most 3 bytes) waits for the next chunk.
 */
export function completePrefixLength(bytes: Uint8Array): number {
  const end = bytes.length;
  for (let back = 1; back <= Math.min(3, end); back++) {
    const byte = bytes[end - back] as number;
    if ((byte & 0xc0) !== 0x80) {
      // A lead byte: keep it back if its sequence needs more bytes than are here.
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      return needed > back ? end - back : end;
    }
  }
  return end;
}

/** Length of the valid sequence starting at `i`, 0 when invalid, -1 when cut short by the end. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] as number;
  if (b0 < 0x80) return 1;
  let length: number;
  let min: number;
  if (b0 >= 0xc2 && b0 <= 0xdf) [length, min] = [2, 0x80];
  else if (b0 >= 0xe0 && b0 <= 0xef) [length, min] = [3, 0x800];
  else if (b0 >= 0xf0 && b0 <= 0xf4) [length, min] = [4, 0x10000];
  else return 0;
  if (i + length > bytes.length) return -1;
  let code = b0 & (0xff >> (length + 1));
  for (let k = 1; k < length; k++) {
    const b = bytes[i + k] as number;
    if ((b & 0xc0) !== 0x80) return 0;
    code = (code << 6) | (b & 0x3f);
  }
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
  return length;
}
