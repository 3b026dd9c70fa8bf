/**
 * The statements the ingest activities run themselves (the engine builds its own), as pure
 * functions returning `{ text, values }`.
 */
import type { SqlQuery } from '../src/db/queryable.js';
import { CONNECTION_CHECK_INTERVAL_MS } from '../src/force-execute/sql.js';

/**
 * Names the session `token` (its `application_name`, for the rest of the session: a batch runs
 * several transactions) and, on PostgreSQL 14+, sets `client_connection_check_interval`, so a
 * backend whose worker died while it waited for a lock ends on its own. Row `{ pid: number }`.
 */
export function tagBatchSessionSql(token: string, checkIntervalMs = CONNECTION_CHECK_INTERVAL_MS): SqlQuery {
  return {
    text: `SELECT pg_catalog.pg_backend_pid() AS pid, pg_catalog.set_config('application_name', $1, false) AS token,
       (SELECT pg_catalog.set_config(name, $2, false) FROM pg_catalog.pg_settings WHERE name = 'client_connection_check_interval') AS check_interval`,
    values: [token, `${checkIntervalMs}ms`],
  };
}

/** Puts back what {@link tagBatchSessionSql} changed (the values the session started with), before the connection returns to its pool. */
export const untagBatchSessionSql: SqlQuery = {
  text: `SELECT pg_catalog.set_config(name, reset_val, false) FROM pg_catalog.pg_settings WHERE name IN ('application_name', 'client_connection_check_interval')`,
  values: [],
};
