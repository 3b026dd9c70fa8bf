/**
 * `bytea`: a `Uint8Array` (so also a `Buffer`), or a string in PostgreSQL's hex form `\x0a1b…`
 * (what `bytea` prints by default). Other strings are an error: a text string has no single byte
 * form, and guessing an encoding would silently change data.
 */
import { got, invalid, renderValue, type Codec } from '../codec.js';

const HEX = /^\\x(?:[0-9a-fA-F]{2})*$/;

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') {
    if (HEX.test(value)) return Buffer.from(value.slice(2), 'hex');
    throw invalid(`${renderValue(value)} is not a hex bytea string (\\x followed by pairs of hex digits); pass a Buffer for raw bytes`);
  }
  throw invalid(`expected a Buffer or Uint8Array, got ${got(value)}`);
}

export const byteaCodec: Codec = {
  name: 'bytea',
  binary: true,
  writeBinary(out, value) {
    const bytes = toBytes(value);
    out.int32(bytes.length);
    out.bytes(bytes);
  },
  toText(value) {
    const bytes = toBytes(value);
    return `\\x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
  },
};
