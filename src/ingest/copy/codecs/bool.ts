import type { ByteWriter } from '../byte-writer.js';
import { got, invalid, type Codec } from '../codec.js';

/** `boolean`: JavaScript `true` or `false` only — no 0/1, no `'t'`/`'yes'` strings. */
export const boolCodec: Codec = {
  name: 'bool',
  binary: true,
  writeBinary(out: ByteWriter, value: unknown) {
    out.int32(1);
    out.int8(toBoolean(value) ? 1 : 0);
  },
  toText(value: unknown) {
    return toBoolean(value) ? 't' : 'f';
  },
};

function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  throw invalid(`expected true or false, got ${got(value)}`);
}
