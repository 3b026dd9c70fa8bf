/**
 * Character types: `text`, `varchar(n)`, `char(n)`, `name`, and types that share text's binary
 * form (`citext`). Strings only — a number for a text column is an error, not a silent `String()`.
 * Lengths are counted in characters (code points), as PostgreSQL counts them.
 */
import { checkCharacters, got, invalid, outOfRange, type Codec } from '../codec.js';

const NAME_MAX_BYTES = 63;

function toText(value: unknown): string {
  if (typeof value !== 'string') throw invalid(`expected a string, got ${got(value)}`);
  checkCharacters(value);
  return value;
}

/** Code points in `text`, computed only when its UTF-16 length exceeds `limit`. */
function exceeds(text: string, limit: number): boolean {
  if (text.length <= limit) return false;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A high surrogate starts a pair (checkCharacters has rejected lone ones).
    if (code >= 0xd800 && code <= 0xdbff) i++;
    if (++count > limit) return true;
  }
  return false;
}

function characterCodec(name: string, check: (text: string) => void): Codec {
  const validated = (value: unknown) => {
    const text = toText(value);
    check(text);
    return text;
  };
  return {
    name,
    binary: true,
    writeBinary(out, value) {
      out.lengthPrefixedUtf8(validated(value));
    },
    toText: validated,
  };
}

export const textCodec = characterCodec('text', () => undefined);

export function varcharCodec(typmod: number): Codec {
  if (typmod < 4) return characterCodec('varchar', () => undefined);
  const limit = typmod - 4;
  return characterCodec('varchar', (text) => {
    if (exceeds(text, limit)) throw outOfRange(`a string of more than ${limit} characters is too long for varchar(${limit})`);
  });
}

/** `char(n)`: PostgreSQL drops trailing spaces beyond n and pads shorter values; other excess is an error. */
export function bpcharCodec(typmod: number): Codec {
  if (typmod < 4) return characterCodec('bpchar', () => undefined);
  const limit = typmod - 4;
  return characterCodec('bpchar', (text) => {
    if (exceeds(text, limit) && exceeds(text.replace(/ +$/, ''), limit)) {
      throw outOfRange(`a string of more than ${limit} characters (not counting trailing spaces) is too long for char(${limit})`);
    }
  });
}

export const nameCodec = characterCodec('name', (text) => {
  if (Buffer.byteLength(text, 'utf8') > NAME_MAX_BYTES) {
    throw outOfRange(`a name is at most ${NAME_MAX_BYTES} bytes in UTF-8; this one is ${Buffer.byteLength(text, 'utf8')}`);
  }
});
