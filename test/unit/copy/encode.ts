/** Helpers for the encoder unit tests: run one codec and look at its bytes or its problem. */
import { ByteWriter } from '../../../src/ingest/copy/byte-writer.js';
import { ValueProblem, type Codec, type ProblemKind } from '../../../src/ingest/copy/codec.js';

/** The binary field a codec writes for `value`, as hex (length word included). */
export function binaryHex(codec: Codec, value: unknown): string {
  const out = new ByteWriter(8);
  codec.writeBinary(out, value);
  return out.take().toString('hex');
}

/** The problem a codec raises for `value` in both formats (they must agree), or undefined. */
export function problem(codec: Codec, value: unknown): { kind: ProblemKind; message: string } | undefined {
  const caught = (encode: () => unknown) => {
    try {
      encode();
      return undefined;
    } catch (error) {
      if (!(error instanceof ValueProblem)) throw error;
      return { kind: error.kind, message: error.message };
    }
  };
  const text = caught(() => codec.toText(value));
  const binary = codec.binary ? caught(() => binaryHex(codec, value)) : text;
  if (JSON.stringify(text) !== JSON.stringify(binary)) {
    throw new Error(`text and binary disagree on ${String(value)}: ${JSON.stringify(text)} vs ${JSON.stringify(binary)}`);
  }
  return text;
}

/** Hex of 32-bit big-endian integers, for building expected fields. */
export const int32Hex = (value: number) => (value >>> 0).toString(16).padStart(8, '0');
export const int16Hex = (value: number) => (value & 0xffff).toString(16).padStart(4, '0');
