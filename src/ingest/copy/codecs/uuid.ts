/**
 * `uuid`: a string of 32 hex digits in any form PostgreSQL reads — canonical
 * `a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11`, upper case, without hyphens, with a hyphen after any
 * group of four digits, or in braces.
 */
import { got, invalid, renderValue, type Codec } from '../codec.js';

const CANONICAL = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const LENIENT = /^[0-9a-fA-F]{4}(?:-?[0-9a-fA-F]{4}){7}$/;

/** The 32 hex digits of the UUID. */
function toHex(value: unknown): string {
  if (typeof value !== 'string') throw invalid(`expected a UUID string, got ${got(value)}`);
  if (CANONICAL.test(value)) return value.replaceAll('-', '');
  const inner = value.startsWith('{') && value.endsWith('}') ? value.slice(1, -1) : value;
  if (LENIENT.test(inner)) return inner.replaceAll('-', '');
  throw invalid(`${renderValue(value)} is not a UUID`);
}

export const uuidCodec: Codec = {
  name: 'uuid',
  binary: true,
  writeBinary(out, value) {
    const hex = toHex(value);
    out.int32(16);
    out.ensure(16);
    out.buf.write(hex, out.pos, 'hex');
    out.pos += 16;
  },
  toText(value) {
    const hex = toHex(value).toLowerCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  },
};
