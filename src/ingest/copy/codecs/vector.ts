/**
 * pgvector's `vector(n)` and `halfvec(n)`: an array (or typed array) of finite numbers, or the
 * text form `'[1,2,3]'`. Written in text format (the extension's binary format is not encoded
 * here), so a table with such a column loads through text COPY; the server checks the dimension.
 */
import { checkCharacters, got, invalid, renderValue, type Codec } from '../codec.js';

export function vectorCodec(typeName: string): Codec {
  const toText = (value: unknown): string => {
    if (typeof value === 'string') {
      checkCharacters(value);
      return value;
    }
    const items = Array.isArray(value) ? value : value instanceof Float32Array || value instanceof Float64Array ? [...value] : undefined;
    if (!items) throw invalid(`expected an array of numbers or the ${typeName} text form, got ${got(value)}`);
    for (const item of items) {
      if (typeof item !== 'number' || !Number.isFinite(item)) {
        throw invalid(`${renderValue(value)} has ${renderValue(item)}; every ${typeName} element must be a finite number`);
      }
    }
    return `[${items.join(',')}]`;
  };
  return {
    name: 'vector',
    binary: false,
    writeBinary() {
      throw new Error(`${typeName} has no binary encoder; the COPY plan should have chosen text format`);
    },
    toText,
  };
}
