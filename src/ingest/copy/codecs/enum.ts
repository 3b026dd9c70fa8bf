/** Enum types: one of the type's labels, as a string (its binary form is the label's text). */
import { got, invalid, renderValue, type Codec } from '../codec.js';

const LISTED_LABELS = 10;

export function enumCodec(typeName: string, labels: readonly string[]): Codec {
  const known = new Set(labels);
  const toLabel = (value: unknown): string => {
    if (typeof value !== 'string') throw invalid(`expected one of the labels of ${typeName}, got ${got(value)}`);
    if (!known.has(value)) {
      const listed = labels.slice(0, LISTED_LABELS).map((label) => JSON.stringify(label));
      const more = labels.length > LISTED_LABELS ? `, … (${labels.length} in all)` : '';
      throw invalid(`${renderValue(value)} is not a label of ${typeName} (${listed.join(', ')}${more})`);
    }
    return value;
  };
  return {
    name: 'enum',
    binary: true,
    writeBinary(out, value) {
      out.lengthPrefixedUtf8(toLabel(value));
    },
    toText: toLabel,
  };
}
