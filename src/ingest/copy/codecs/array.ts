/**
 * Arrays of any element type, in up to 6 dimensions (PostgreSQL's MAXDIM). The value is a JS array;
 * nested arrays are further dimensions and must be rectangular (`[[1, 2], [3]]` is an error);
 * `null`/`undefined` items are NULL elements; `[]` (or `[[], []]`) is the empty array. For
 * `json[]`/`jsonb[]` an array item is a JSON value, so those columns are one-dimensional.
 */
import type { ByteWriter } from '../byte-writer.js';
import { ValueProblem, got, invalid, outOfRange, type Codec } from '../codec.js';

/** PostgreSQL's MAXDIM. */
export const MAX_DIMENSIONS = 6;

export interface ArrayElement {
  readonly codec: Codec;
  readonly oid: number;
  /** `pg_type.typdelim` of the element (`,` except for `box`, which uses `;`). */
  readonly delimiter: string;
  /** True when an item may itself be a JS array (JSON values): the array then has one dimension. */
  readonly itemsMayBeArrays: boolean;
}

function dimensionsOf(value: unknown, itemsMayBeArrays: boolean): number[] {
  if (!Array.isArray(value)) throw invalid(`expected an array, got ${got(value)}`);
  const dimensions: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    dimensions.push(level.length);
    if (itemsMayBeArrays || level.length === 0) break;
    level = level[0];
  }
  if (dimensions.length > MAX_DIMENSIONS) {
    throw outOfRange(`an array of ${dimensions.length} dimensions exceeds PostgreSQL's maximum of ${MAX_DIMENSIONS}`);
  }
  return dimensions;
}

function notRectangular(path: readonly number[]): ValueProblem {
  return invalid(`the array is not rectangular: element ${pathText(path)} does not match the shape of element [0]…`);
}

const pathText = (path: readonly number[]) => path.map((index) => `[${index}]`).join('');

function withPath(error: unknown, path: readonly number[]): unknown {
  if (!(error instanceof ValueProblem)) return error;
  return new ValueProblem(error.kind, `array element ${pathText(path)}: ${error.message}`);
}

/**
 * Walks a rectangular array in storage order, calling `item` for every leaf (null or not) with its
 * path. Sub-arrays of the wrong length or leaves in the wrong place are errors.
 */
function walk(
  value: readonly unknown[],
  dimensions: readonly number[],
  itemsMayBeArrays: boolean,
  item: (value: unknown, path: number[]) => void,
  enter?: (depth: number) => void,
  leave?: (depth: number) => void,
): void {
  const path: number[] = [];
  const visit = (level: readonly unknown[], depth: number) => {
    if (level.length !== dimensions[depth]) throw notRectangular(path);
    enter?.(depth);
    const last = depth === dimensions.length - 1;
    for (let i = 0; i < level.length; i++) {
      path[depth] = i;
      const child = level[i];
      if (last) {
        if (!itemsMayBeArrays && Array.isArray(child)) throw notRectangular(path.slice(0, depth + 1));
        item(child, path);
      } else {
        if (!Array.isArray(child)) throw notRectangular(path.slice(0, depth + 1));
        visit(child, depth + 1);
      }
    }
    path.length = depth;
    leave?.(depth);
  };
  visit(value, 0);
}

/** True when some dimension has length 0; every sub-array must then be empty too. */
function isEmpty(value: readonly unknown[], dimensions: readonly number[], itemsMayBeArrays: boolean): boolean {
  if (!dimensions.includes(0)) return false;
  walk(value, dimensions, itemsMayBeArrays, () => undefined);
  return true;
}

const NEEDS_QUOTES = /["\\{}\s]/;

/** An element of an array literal, quoted the way `array_out` quotes. */
export function quoteElement(text: string, delimiter: string): string {
  if (text === '' || NEEDS_QUOTES.test(text) || text.includes(delimiter) || /^null$/i.test(text)) {
    return `"${text.replace(/["\\]/g, '\\$&')}"`;
  }
  return text;
}

export function arrayCodec(element: ArrayElement): Codec {
  const { codec, oid, delimiter, itemsMayBeArrays } = element;
  return {
    name: `array<${codec.name}>`,
    binary: codec.binary,
    writeBinary(out: ByteWriter, value: unknown) {
      const dimensions = dimensionsOf(value, itemsMayBeArrays);
      const array = value as readonly unknown[];
      const lengthAt = out.reserveInt32();
      const start = out.pos;
      if (isEmpty(array, dimensions, itemsMayBeArrays)) {
        out.int32(0);
        out.int32(0);
        out.uint32(oid);
        out.patchInt32(lengthAt, out.pos - start);
        return;
      }
      out.int32(dimensions.length);
      const flagsAt = out.reserveInt32();
      out.uint32(oid);
      for (const size of dimensions) {
        out.int32(size);
        out.int32(1);
      }
      let hasNull = false;
      walk(array, dimensions, itemsMayBeArrays, (item, path) => {
        if (item == null) {
          out.int32(-1);
          hasNull = true;
          return;
        }
        try {
          codec.writeBinary(out, item);
        } catch (error) {
          throw withPath(error, path);
        }
      });
      out.patchInt32(flagsAt, hasNull ? 1 : 0);
      out.patchInt32(lengthAt, out.pos - start);
    },
    toText(value: unknown) {
      const dimensions = dimensionsOf(value, itemsMayBeArrays);
      const array = value as readonly unknown[];
      if (isEmpty(array, dimensions, itemsMayBeArrays)) return '{}';
      let text = '';
      const separatorNeeded: boolean[] = [];
      const separate = (depth: number) => {
        if (separatorNeeded[depth]) text += delimiter;
        separatorNeeded[depth] = true;
      };
      walk(
        array,
        dimensions,
        itemsMayBeArrays,
        (item, path) => {
          separate(dimensions.length);
          if (item == null) {
            text += 'NULL';
            return;
          }
          try {
            text += quoteElement(codec.toText(item), delimiter);
          } catch (error) {
            throw withPath(error, path);
          }
        },
        (depth) => {
          separate(depth);
          text += '{';
          separatorNeeded[depth + 1] = false;
        },
        () => {
          text += '}';
        },
      );
      return text;
    },
  };
}
