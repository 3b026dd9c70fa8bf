/**
 * What our functions accept as a database: a node-postgres `Pool`, `Client` or `PoolClient`, and the
 * one way they run SQL built elsewhere as `{ text, values }`.
 */
import type pg from 'pg';

/** A `pg.Pool`, or a connected `pg.Client` / `pg.PoolClient`. */
export type Queryable = pg.Pool | pg.ClientBase;

/** One connection: a connected `pg.Client` or a checked-out `pg.PoolClient`. */
export type SessionClient = pg.ClientBase;

/** A statement with its parameters; values never go into `text`. */
export interface SqlQuery {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** True for a `pg.Pool` (duck-typed, so a second copy of `pg` works too). */
export function isPool(db: Queryable): db is pg.Pool {
  const candidate = db as Partial<pg.Pool>;
  return typeof candidate.totalCount === 'number' && typeof candidate.idleCount === 'number';
}

/** Runs `statement` and returns its rows. */
export async function queryRows<R extends pg.QueryResultRow>(db: Queryable, statement: SqlQuery): Promise<R[]> {
  // Pool and ClientBase overload query() differently; both accept (text, values).
  const runner = db as unknown as { query(text: string, values: unknown[]): Promise<pg.QueryResult<R>> };
  const result = await runner.query(statement.text, [...statement.values]);
  return result.rows;
}

/** Runs `statement` and returns its only row (throws if there is none). */
export async function queryOne<R extends pg.QueryResultRow>(db: Queryable, statement: SqlQuery): Promise<R> {
  const rows = await queryRows<R>(db, statement);
  const row = rows[0];
  if (row === undefined) throw new Error(`expected one row from: ${statement.text}`);
  return row;
}
