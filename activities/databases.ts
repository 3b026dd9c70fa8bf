/**
 * The databases a worker's activities may use, registered by name: workflow inputs name a
 * database, never carry a connection string (it would be stored in the workflow history).
 */
import type pg from 'pg';
import { DEFAULT_DATABASE, findDatabase, type Databases } from '../src/db/databases.js';
import { TemporalPgError } from '../src/errors/temporal-pg-error.js';

/** One pool (registered as `'default'`), or pools by name: the same type as the sources' `SourceDatabases`. */
export type ActivityDatabases = Databases;

export { DEFAULT_DATABASE };

/**
 * A workflow named a database the worker did not register (`createActivities({ databases })`).
 * Retrying on the same worker cannot help; `details.database` is the name, `details.known` the
 * registered ones.
 */
export class UnknownDatabaseError extends TemporalPgError {
  readonly type = 'UnknownDatabase';
  readonly nonRetryable = true;
}

/** The pool registered as `name`. @throws UnknownDatabaseError */
export function resolveDatabase(databases: ActivityDatabases, name: string = DEFAULT_DATABASE): pg.Pool {
  const { pool, known } = findDatabase(databases, name);
  if (pool === undefined) {
    throw new UnknownDatabaseError(`no database named ${JSON.stringify(name)} is registered at this worker (registered: ${known.map((k) => JSON.stringify(k)).join(', ') || 'none'})`, {
      details: { database: name, known: [...known] },
    });
  }
  return pool;
}
