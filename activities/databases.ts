/**
 * The databases a worker's activities may use, registered by name: workflow inputs name a
 * database, never carry a connection string (it would be stored in the workflow history).
 */
import type pg from 'pg';
import { TemporalPgError } from '../src/errors/temporal-pg-error.js';

/** One pool (registered as `'default'`), or pools by name. */
export type ActivityDatabases = pg.Pool | Readonly<Record<string, pg.Pool>>;

/** The database name a workflow input uses when it names none. */
export const DEFAULT_DATABASE = 'default';

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
  const registry = isSinglePool(databases) ? { [DEFAULT_DATABASE]: databases } : databases;
  const pool = Object.hasOwn(registry, name) ? registry[name] : undefined;
  if (pool === undefined) {
    const known = Object.keys(registry);
    throw new UnknownDatabaseError(`no database named ${JSON.stringify(name)} is registered at this worker (registered: ${known.map((k) => JSON.stringify(k)).join(', ') || 'none'})`, {
      details: { database: name, known },
    });
  }
  return pool;
}

function isSinglePool(databases: ActivityDatabases): databases is pg.Pool {
  return typeof (databases as Partial<pg.Pool>).connect === 'function' && typeof (databases as Partial<pg.Pool>).totalCount === 'number';
}
