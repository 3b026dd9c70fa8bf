/**
 * Every bad value fails with its typed error — naming table, column, row and batch — before it
 * reaches PostgreSQL, even after thousands of good rows were already sent; the COPY writes nothing
 * and the connection stays usable.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidRowError,
  InvalidValueError,
  UnknownColumnError,
  UnsupportedCharacterError,
  ValueOutOfRangeError,
  WrongValueCountError,
  copyRows,
  prepareCopy,
  readCopyColumns,
} from '../../../src/ingest/copy/index.js';
import { useTestDatabase } from '../../helpers/database.js';

const db = useTestDatabase();
let client: pg.Client;

beforeAll(async () => {
  client = await db.client();
  await client.query(`CREATE TYPE mood AS ENUM ('sad', 'happy')`);
});

afterAll(async () => {
  await client.end();
});

type ErrorClass = new (...args: never[]) => Error;

interface BadCase {
  readonly type: string;
  readonly good: unknown;
  readonly bad: unknown;
  readonly error: ErrorClass;
  readonly reason: RegExp;
}

const CASES: Record<string, BadCase> = {
  'a fraction into integer': { type: 'integer', good: 1, bad: 5.7, error: InvalidValueError, reason: /5\.7 is not an integer/ },
  'an out-of-range integer': { type: 'integer', good: 1, bad: 2147483648, error: ValueOutOfRangeError, reason: /outside the range of integer/ },
  'a non-numeric string into smallint': { type: 'smallint', good: 1, bad: '12a', error: InvalidValueError, reason: /not a decimal integer/ },
  'an unsafe number into bigint': { type: 'bigint', good: 1n, bad: 2 ** 53 + 2, error: InvalidValueError, reason: /MAX_SAFE_INTEGER/ },
  'a malformed numeric': { type: 'numeric', good: '1.5', bad: '1.5.1', error: InvalidValueError, reason: /not a decimal number/ },
  'a numeric too wide for numeric(5,2)': { type: 'numeric(5,2)', good: 999.99, bad: 999.995, error: ValueOutOfRangeError, reason: /numeric\(5,2\)/ },
  'a string into boolean': { type: 'boolean', good: true, bad: 'true', error: InvalidValueError, reason: /expected true or false/ },
  'an impossible date': { type: 'date', good: '2024-02-29', bad: '2023-02-29', error: InvalidValueError, reason: /not a date/ },
  'a Date off midnight into date': { type: 'date', good: new Date('2024-01-01T00:00:00Z'), bad: new Date('2024-01-01T12:00:00Z'), error: InvalidValueError, reason: /midnight UTC/ },
  'a timestamptz string without offset': { type: 'timestamptz', good: new Date(0), bad: '2024-01-01 10:00', error: InvalidValueError, reason: /no UTC offset/ },
  'an out-of-range timestamp': { type: 'timestamp', good: new Date(0), bad: '294277-01-01T00:00:00', error: ValueOutOfRangeError, reason: /outside the range/ },
  'a malformed uuid': { type: 'uuid', good: '00000000-0000-0000-0000-000000000000', bad: 'not-a-uuid', error: InvalidValueError, reason: /not a UUID/ },
  'a text string into bytea': { type: 'bytea', good: Buffer.from('ok'), bad: 'hello', error: InvalidValueError, reason: /hex bytea string/ },
  'a NUL in text': { type: 'text', good: 'fine', bad: 'a\0b', error: UnsupportedCharacterError, reason: /NUL character/ },
  'a lone surrogate in text': { type: 'text', good: 'fine', bad: 'a\udc00', error: UnsupportedCharacterError, reason: /lone UTF-16 surrogate/ },
  'a NUL inside a jsonb value': { type: 'jsonb', good: { a: 1 }, bad: { a: ['\0'] }, error: UnsupportedCharacterError, reason: /NUL character/ },
  'a bigint inside json': { type: 'json', good: { a: 1 }, bad: { a: 1n }, error: InvalidValueError, reason: /BigInt/ },
  'a too-long varchar': { type: 'varchar(3)', good: 'abc', bad: 'abcd', error: ValueOutOfRangeError, reason: /varchar\(3\)/ },
  'a ragged array': { type: 'integer[]', good: [[1, 2]], bad: [[1, 2], [3]], error: InvalidValueError, reason: /not rectangular/ },
  'a bad array element': { type: 'integer[]', good: [1], bad: [1, 'x'], error: InvalidValueError, reason: /array element \[1\]/ },
  'an unknown enum label': { type: 'mood', good: 'sad', bad: 'angry', error: InvalidValueError, reason: /not a label of mood/ },
  'a number into text': { type: 'text', good: 'fine', bad: 42, error: InvalidValueError, reason: /expected a string/ },
};

const GOOD_ROWS = 3000;

async function freshTable(name: string, type: string): Promise<{ schema: string; name: string }> {
  await client.query(`DROP TABLE IF EXISTS ${name}`);
  await client.query(`CREATE TABLE ${name} (id int4, v ${type})`);
  await client.query(`INSERT INTO ${name} (id) VALUES (0)`);
  return { schema: 'public', name };
}

/** GOOD_ROWS good rows (several chunks, already on the server), then `last`. */
function* rowsEndingWith(good: unknown, last: unknown): Generator<unknown> {
  for (let id = 1; id <= GOOD_ROWS; id++) yield [id, good];
  yield last;
}

async function expectUntouched(table: string): Promise<void> {
  const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int4 AS n FROM ${table}`);
  expect(rows[0]?.n).toBe(1);
  expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
}

describe.each(['auto', 'text'] as const)('bad values (%s format)', (format) => {
  it.each(Object.keys(CASES))('%s', async (name) => {
    const { type, good, bad, error, reason } = CASES[name]!;
    const target = await freshTable('bad', type);
    const plan = await prepareCopy(client, target, await readCopyColumns(client, target), { format });
    const copy = copyRows(client, plan, rowsEndingWith(good, [GOOD_ROWS + 1, bad]) as Iterable<unknown[]>, { batch: 3, chunkBytes: 1024 });
    const failure = await copy.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(failure).toBeInstanceOf(error);
    expect((failure as Error).message).toMatch(reason);
    expect((failure as Error).message).toContain(`column "v" (`);
    expect((failure as Error).message).toContain(`of table public.bad, row ${GOOD_ROWS + 1} of batch 3`);
    expect(failure).toMatchObject({
      nonRetryable: true,
      details: { schema: 'public', table: 'bad', column: 'v', row: GOOD_ROWS + 1, batch: 3, expected: plan.columns[1]?.type },
    });
    expect(typeof (failure as InvalidValueError).details.value).toBe('string');
    await expectUntouched('bad');
  });

  it('a row with too few values', async () => {
    const target = await freshTable('shape', 'text');
    const plan = await prepareCopy(client, target, await readCopyColumns(client, target), { format });
    const copy = copyRows(client, plan, rowsEndingWith('x', ['lonely']) as Iterable<unknown[]>, { batch: 3, chunkBytes: 1024 });
    await expect(copy).rejects.toThrow(WrongValueCountError);
    await expect(copy).rejects.toThrow(`row ${GOOD_ROWS + 1} of batch 3 has 1 value, table public.shape has 2 columns (id, v)`);
    await expectUntouched('shape');
  });

  it('an object row with an unknown key, and a row of the wrong kind', async () => {
    const target = await freshTable('shape', 'text');
    const plan = await prepareCopy(client, target, await readCopyColumns(client, target), { format });
    const unknown = copyRows(client, plan, rowsEndingWith('x', { id: 1, value: 'typo' }) as Iterable<unknown[]>, { chunkBytes: 1024 });
    await expect(unknown).rejects.toThrow(UnknownColumnError);
    await expect(unknown).rejects.toThrow(/row 3001 has a key "value" that is not a column of table public.shape/);
    await expectUntouched('shape');
    const wrongKind = copyRows(client, plan, rowsEndingWith('x', 'id,v') as Iterable<unknown[]>, { chunkBytes: 1024 });
    await expect(wrongKind).rejects.toThrow(InvalidRowError);
    await expectUntouched('shape');
  });
});
