/**
 * A growable buffer the encoders append to. {@link ByteWriter.take} hands the filled part over and
 * starts a fresh buffer: the COPY stream keeps a reference to each chunk until the socket has
 * written it, so a chunk is never reused.
 */
const TWO_POW_32 = 4_294_967_296;

export class ByteWriter {
  buf: Buffer;
  pos = 0;

  /** @param capacity initial size of each chunk buffer, in bytes; it grows for a bigger row. */
  constructor(private readonly capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Makes room for `bytes` more bytes. */
  ensure(bytes: number): void {
    if (this.pos + bytes > this.buf.length) this.grow(bytes);
  }

  private grow(bytes: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Hands over everything written so far and starts an empty chunk. */
  take(): Buffer {
    const chunk = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.capacity);
    this.pos = 0;
    return chunk;
  }

  int8(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value & 0xff;
  }

  int16(value: number): void {
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(value, this.pos);
  }

  uint16(value: number): void {
    this.ensure(2);
    this.pos = this.buf.writeUInt16BE(value, this.pos);
  }

  int32(value: number): void {
    this.ensure(4);
    this.pos = this.buf.writeInt32BE(value, this.pos);
  }

  uint32(value: number): void {
    this.ensure(4);
    this.pos = this.buf.writeUInt32BE(value, this.pos);
  }

  /** A signed 64-bit integer given as a safe JavaScript integer. */
  int64(value: number): void {
    this.ensure(8);
    const high = Math.floor(value / TWO_POW_32);
    this.buf.writeInt32BE(high, this.pos);
    this.buf.writeUInt32BE(value - high * TWO_POW_32, this.pos + 4);
    this.pos += 8;
  }

  bigint64(value: bigint): void {
    this.ensure(8);
    this.pos = this.buf.writeBigInt64BE(value, this.pos);
  }

  float32(value: number): void {
    this.ensure(4);
    this.pos = this.buf.writeFloatBE(value, this.pos);
  }

  float64(value: number): void {
    this.ensure(8);
    this.pos = this.buf.writeDoubleBE(value, this.pos);
  }

  bytes(value: Uint8Array): void {
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** Writes `text` as UTF-8 and returns the number of bytes written. */
  utf8(text: string): number {
    // A UTF-16 code unit never needs more than 3 UTF-8 bytes (a surrogate pair: 4 bytes for 2 units).
    this.ensure(text.length * 3);
    const written = writeUtf8(this.buf, text, this.pos);
    this.pos += written;
    return written;
  }

  /** Writes a field: its byte length as int32, then `text` as UTF-8. */
  lengthPrefixedUtf8(text: string): void {
    this.ensure(4 + text.length * 3);
    const start = this.pos;
    const written = writeUtf8(this.buf, text, start + 4);
    this.buf.writeInt32BE(written, start);
    this.pos = start + 4 + written;
  }

  /** Reserves an int32 to be filled later with {@link ByteWriter.patchInt32}; returns its offset. */
  reserveInt32(): number {
    this.ensure(4);
    const at = this.pos;
    this.pos += 4;
    return at;
  }

  patchInt32(at: number, value: number): void {
    this.buf.writeInt32BE(value, at);
  }
}

/**
 * Short ASCII strings are copied byte by byte: for the few-character values that fill most
 * tables this is several times cheaper than a call into `Buffer#write`.
 */
function writeUtf8(buf: Buffer, text: string, at: number): number {
  const length = text.length;
  if (length < 48) {
    let i = 0;
    for (; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code > 0x7f) break;
      buf[at + i] = code;
    }
    if (i === length) return length;
  }
  return buf.write(text, at, 'utf8');
}
