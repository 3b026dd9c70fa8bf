/**
 * Shared by the round-trip tests: load JS values into a one-column table with copyRows, then compare
 * what PostgreSQL stored with what it makes of a literal, both as the type's text output.
 */
import type pg from 'pg';
import { copyRows, prepareCopy, readCopyColumns, type CopyPlan } from '../../../src/ingest/copy/index.js';
import { quoteIdent } from '../../../src/sql/identifier.js';

export interface RoundTripCase {
  /** Column type, as SQL. */
  readonly type: string;
  /** Values handed to copyRows (null = SQL NULL). */
  readonly values: readonly unknown[];
  /** For each value, a literal of the type that must read back identically (null = SQL NULL). */
  readonly literals: ReadonlyArray<string | null>;
}

export interface RoundTripResult {
  readonly plan: CopyPlan;
  readonly rows: ReadonlyArray<{ id: number; got: string | null; want: string | null }>;
}

export async function roundTrip(
  client: pg.ClientBase,
  table: string,
  testCase: RoundTripCase,
  format: 'auto' | 'text',
): Promise<RoundTripResult> {
  const target = { schema: 'public', name: table };
  await client.query(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
  await client.query(`CREATE TABLE ${quoteIdent(table)} (id int4 NOT NULL, v ${testCase.type})`);
  const plan = await prepareCopy(client, target, await readCopyColumns(client, target), { format });
  const result = await copyRows(
    client,
    plan,
    testCase.values.map((value, index) => [index + 1, value]),
  );
  if (result.rows !== testCase.values.length) throw new Error(`COPY loaded ${result.rows} rows`);
  const { rows } = await client.query<{ id: number; got: string | null; want: string | null }>(
    `SELECT t.id, t.v::text AS got, (l.literal::${testCase.type})::text AS want
       FROM ${quoteIdent(table)} t
       JOIN unnest($1::text[]) WITH ORDINALITY AS l(literal, id) ON l.id = t.id
      ORDER BY t.id`,
    [testCase.literals],
  );
  return { plan, rows };
}
