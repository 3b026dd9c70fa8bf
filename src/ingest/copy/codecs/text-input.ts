/**
 * Types without a binary encoder here (ranges, geometric types, `tsvector`, `xml`, `money`, bit
 * strings, composite types, extension types such as pgvector's `vector`): the value is the type's
 * text input form, checked by PostgreSQL itself, and the COPY runs in text format. Accepted: a
 * string (e.g. `'[1,10)'` for `int4range`, `'(1,2)'` for `point`, `'[1,2,3]'` for `vector(3)`),
 * or a finite number or bigint (written in decimal).
 */
import { checkCharacters, got, invalid, renderValue, type Codec } from '../codec.js';

export function textInputCodec(typeName: string): Codec {
  const toText = (value: unknown): string => {
    if (typeof value === 'string') {
      checkCharacters(value);
      return value;
    }
    if (typeof value === 'bigint') return String(value);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw invalid(`${renderValue(value)} has no ${typeName} text form`);
      return String(value);
    }
    throw invalid(`expected the ${typeName} text form as a string, got ${got(value)}`);
  };
  return {
    name: 'text-input',
    binary: false,
    writeBinary() {
      throw new Error(`${typeName} has no binary encoder; the COPY plan should have chosen text format`);
    },
    toText,
  };
}
