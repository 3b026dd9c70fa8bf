/**
 * Runs a statement through the extended query protocol even when it has no parameters. node-postgres
 * otherwise sends parameterless text as a simple query, which accepts several `;`-separated
 * statements; the extended protocol refuses them ("cannot insert multiple commands into a prepared
 * statement"), so a caller-provided fragment can never smuggle in a second statement.
 */
import type pg from 'pg';
import type { Queryable } from './queryable.js';

/** `queryMode` is honoured by node-postgres 8.12+ but missing from `@types/pg`. */
type ExtendedQueryConfig = pg.QueryConfig & { queryMode: 'extended' };

/** `db.query(text)`, always as one extended-protocol statement. */
export async function queryExtended<R extends pg.QueryResultRow = pg.QueryResultRow>(
  db: Queryable,
  text: string,
): Promise<pg.QueryResult<R>> {
  const config: ExtendedQueryConfig = { text, queryMode: 'extended' };
  return db.query<R>(config);
}
