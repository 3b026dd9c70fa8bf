/**
 * How a row asks for JSON `null` in a `json`/`jsonb` column. Plain `null` and `undefined` are SQL
 * NULL (no value at all), the convention of every other column; the JSON literal `null` is a
 * value, and this sentinel writes it:
 *
 *   await copyRows(client, plan, [[1, jsonNull], [2, null]]);   // row 1: 'null'::jsonb, row 2: NULL
 *
 * Nested inside a JSON value it also serialises as `null` (it has `toJSON`), though a plain `null`
 * does the same there. The sentinel is an object identity: it does not survive serialisation
 * (through a Temporal payload it arrives as `null`, i.e. SQL NULL).
 */
export class JsonNull {
  /** `JSON.stringify` writes the sentinel as `null`. */
  toJSON(): null {
    return null;
  }

  toString(): string {
    return 'jsonNull';
  }
}

/** The value to pass for JSON `null` (as opposed to SQL NULL) in a `json` or `jsonb` column. */
export const jsonNull: JsonNull = Object.freeze(new JsonNull());
