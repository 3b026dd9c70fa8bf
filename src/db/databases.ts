/**
 * The databases a worker makes available by name, for its activities and for the sources that read
 * another PostgreSQL database: workflow inputs and source args name a database, never carry a
 * connection string (it would be stored in the workflow history, password included).
 */
import type pg from 'pg';
import { isPool } from './queryable.js';

/** One pool (registered as `'default'`), or pools by name. */
export type Databases = pg.Pool | Readonly<Record<string, pg.Pool>>;

/** The name a workflow input or a source's args use when they name no database. */
export const DEFAULT_DATABASE = 'default';

/** The pools of `databases` by name (a single pool is `'default'`). */
export function databasesByName(databases: Databases): Readonly<Record<string, pg.Pool>> {
  return isPool(databases as pg.Pool) ? { [DEFAULT_DATABASE]: databases as pg.Pool } : (databases as Readonly<Record<string, pg.Pool>>);
}

/** The pool registered as `name`, or `undefined` with the names that are registered. */
export function findDatabase(databases: Databases, name: string): { readonly pool: pg.Pool | undefined; readonly known: readonly string[] } {
  const registry = databasesByName(databases);
  return { pool: Object.hasOwn(registry, name) ? registry[name] : undefined, known: Object.keys(registry) };
}
