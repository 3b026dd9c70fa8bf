/**
 * Every statement force-execute runs itself (the caller's statements aside), as pure functions
 * returning `{ text, values }`. Savepoints and `lock_timeout` come from the lock toolkit.
 */
import type { SqlQuery } from '../db/queryable.js';

/**
 * How often (ms) a backend running our statement checks that its client is still connected
 * (`client_connection_check_interval`, PostgreSQL 14+): a worker that died mid-statement leaves a
 * backend queued in the lock queue otherwise, holding up everyone behind it until TCP keepalives
 * notice, which takes hours by default.
 */
export const CONNECTION_CHECK_INTERVAL_MS = 1000;

/**
 * Reads the backend's pid and, on PostgreSQL 14+, sets `client_connection_check_interval` for the
 * rest of the transaction. Row `{ pid: number, checks_connection: boolean }`. Must run inside a
 * transaction block (a local setting outside one would end with the statement).
 */
export function prepareStatementSessionSql(checkIntervalMs = CONNECTION_CHECK_INTERVAL_MS): SqlQuery {
  return {
    text: `SELECT pg_catalog.pg_backend_pid() AS pid,
       CASE WHEN pg_catalog.current_setting('server_version_num')::int >= 140000
            THEN pg_catalog.set_config('client_connection_check_interval', $1, true) IS NOT NULL
            ELSE false END AS checks_connection`,
    values: [`${checkIntervalMs}ms`],
  };
}

/**
 * Sets `application_name` until the end of the transaction (pg_stat_activity shows it at once, and
 * the pooled connection gets its own name back at commit or rollback); row `{ pid: number }`.
 */
export function tagStatementSessionSql(token: string): SqlQuery {
  return { text: `SELECT pg_catalog.pg_backend_pid() AS pid, pg_catalog.set_config('application_name', $1, true) AS token`, values: [token] };
}

/**
 * Backends of the current database whose `application_name` starts with `prefix` (a force-execute
 * token prefix); rows `{ pid: number, application_name: string }`. The querying backend is left
 * out.
 */
export function backendsWithTokenSql(prefix: string): SqlQuery {
  return {
    text: `SELECT pid, application_name FROM pg_catalog.pg_stat_activity
 WHERE datname = pg_catalog.current_database() AND pid <> pg_catalog.pg_backend_pid()
   AND pg_catalog.left(application_name, pg_catalog.length($1)) = $1
 ORDER BY pid`,
    values: [prefix],
  };
}

/** The sessions blocking `pid` now; row `{ pids: number[] }`. */
export function blockingPidsSql(pid: number): SqlQuery {
  return { text: 'SELECT pg_catalog.pg_blocking_pids($1::int4) AS pids', values: [pid] };
}
