/**
 * Every statement of the lock toolkit (advisory locks, table locks, timeouts, savepoints), as pure
 * functions returning `{ text, values }`. Keys and settings are parameters; identifiers go through
 * the quoting helper; function names are assembled only from fixed words.
 */
import type { SqlQuery } from '../db/queryable.js';
import { quoteIdent } from '../sql/identifier.js';
import type { AdvisoryKey } from './advisory-key.js';

/** Session or transaction lifetime of an advisory lock. */
export type AdvisoryLockScope = 'session' | 'transaction';

/** The eight table lock modes of `LOCK TABLE`, weakest first. */
export const TABLE_LOCK_MODES = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
] as const;

/** A `LOCK TABLE` mode, spelled as in SQL. */
export type TableLockMode = (typeof TABLE_LOCK_MODES)[number];

/** The settings our timeout helpers manage. */
export type TimeoutSetting = 'lock_timeout' | 'statement_timeout';

interface AdvisoryCall {
  readonly key: AdvisoryKey;
  readonly scope: AdvisoryLockScope;
  readonly shared: boolean;
}

function keyArguments(key: AdvisoryKey): { args: string; values: string[] } {
  return key.kind === 'int64'
    ? { args: '$1::bigint', values: [key.value.toString()] }
    : { args: '$1::integer, $2::integer', values: [String(key.value[0]), String(key.value[1])] };
}

function lockFunction(verb: 'lock' | 'try_lock' | 'unlock', { scope, shared }: Omit<AdvisoryCall, 'key'>): string {
  const attempt = verb === 'try_lock' ? '_try' : '';
  const action = verb === 'unlock' ? 'unlock' : 'lock';
  const xact = scope === 'transaction' && verb !== 'unlock' ? '_xact' : '';
  return `pg_catalog.pg${attempt}_advisory${xact}_${action}${shared ? '_shared' : ''}`;
}

/** One non-blocking attempt; row `{ acquired: boolean, pid: number }` (pid of the session). */
export function tryAdvisoryLockSql(call: AdvisoryCall): SqlQuery {
  const { args, values } = keyArguments(call.key);
  return { text: `SELECT ${lockFunction('try_lock', call)}(${args}) AS acquired, pg_catalog.pg_backend_pid() AS pid`, values };
}

/** Waits for the lock (bounded only by the session's `lock_timeout` / `statement_timeout`). */
export function waitAdvisoryLockSql(call: AdvisoryCall): SqlQuery {
  const { args, values } = keyArguments(call.key);
  return { text: `SELECT ${lockFunction('lock', call)}(${args})`, values };
}

/** Releases one level of a session lock; row `{ released: boolean }` (false: not held). */
export function advisoryUnlockSql(call: Omit<AdvisoryCall, 'scope'>): SqlQuery {
  const { args, values } = keyArguments(call.key);
  return { text: `SELECT ${lockFunction('unlock', { scope: 'session', shared: call.shared })}(${args}) AS released`, values };
}

const ADVISORY_ROW = `locktype = 'advisory'
     AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
     AND classid = $1::oid AND objid = $2::oid AND objsubid = $3::smallint AND granted`;

function coordinates(key: AdvisoryKey): string[] {
  return [String(key.classid), String(key.objid), String(key.objsubid)];
}

/** Whether the running session holds `key` in the given mode; row `{ held: boolean }`. */
export function advisoryHeldBySelfSql(key: AdvisoryKey, shared: boolean): SqlQuery {
  return {
    text: `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks
   WHERE ${ADVISORY_ROW}
     AND pid = pg_catalog.pg_backend_pid() AND mode = $4) AS held`,
    values: [...coordinates(key), shared ? 'ShareLock' : 'ExclusiveLock'],
  };
}

/** Whether any session of the current database holds `key`; row `{ locked: boolean }`. */
export function advisoryLockedSql(key: AdvisoryKey): SqlQuery {
  return {
    text: `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks
   WHERE ${ADVISORY_ROW}) AS locked`,
    values: coordinates(key),
  };
}

/**
 * Reads a setting and sets it in one round trip; row `{ previous: string }`. The subquery is fenced
 * (`OFFSET 0`) so the read happens before the write.
 *
 * @param local true inside a transaction block (`SET LOCAL` semantics: gone at commit or rollback).
 */
export function swapSettingSql(name: TimeoutSetting, value: string, local: boolean): SqlQuery {
  return {
    text: `SELECT s.previous, pg_catalog.set_config($1, $2, $3) AS current
  FROM (SELECT pg_catalog.current_setting($1) AS previous OFFSET 0) s`,
    values: [name, value, local],
  };
}

/** Sets a setting back; see {@link swapSettingSql} for `local`. */
export function setSettingSql(name: TimeoutSetting, value: string, local: boolean): SqlQuery {
  return { text: 'SELECT pg_catalog.set_config($1, $2, $3)', values: [name, value, local] };
}

/** Reads a setting; row `{ value: string }`. */
export function showSettingSql(name: TimeoutSetting): SqlQuery {
  return { text: 'SELECT pg_catalog.current_setting($1) AS value', values: [name] };
}

/** `SAVEPOINT name`. */
export function savepointSql(name: string): SqlQuery {
  return { text: `SAVEPOINT ${quoteIdent(name, 'savepoint')}`, values: [] };
}

/** `ROLLBACK TO SAVEPOINT name`. */
export function rollbackToSavepointSql(name: string): SqlQuery {
  return { text: `ROLLBACK TO SAVEPOINT ${quoteIdent(name, 'savepoint')}`, values: [] };
}

/** `RELEASE SAVEPOINT name`. */
export function releaseSavepointSql(name: string): SqlQuery {
  return { text: `RELEASE SAVEPOINT ${quoteIdent(name, 'savepoint')}`, values: [] };
}

/** `BEGIN`, `COMMIT`, `ROLLBACK`. */
export function transactionSql(verb: 'BEGIN' | 'COMMIT' | 'ROLLBACK'): SqlQuery {
  return { text: verb, values: [] };
}

/**
 * `LOCK TABLE a, b IN <mode> MODE [NOWAIT]`.
 *
 * @param quotedTables names already quoted by the identifier helper.
 */
export function lockTableSql(quotedTables: readonly string[], mode: TableLockMode, nowait: boolean): SqlQuery {
  if (!TABLE_LOCK_MODES.includes(mode)) throw new Error(`not a table lock mode: ${String(mode)}`);
  return { text: `LOCK TABLE ${quotedTables.join(', ')} IN ${mode} MODE${nowait ? ' NOWAIT' : ''}`, values: [] };
}

/** Signals PostgreSQL can send to a backend. */
export type BackendSignal = 'cancel' | 'terminate';

/**
 * Signals one backend unless it is the one running the statement or does not exist; row
 * `{ own, present, signalled }` (`signalled` null when not attempted). A backend we may not
 * signal makes the statement fail with 42501.
 */
export function signalBackendSql(pid: number, signal: BackendSignal): SqlQuery {
  const fn = signal === 'cancel' ? 'pg_catalog.pg_cancel_backend' : 'pg_catalog.pg_terminate_backend';
  return {
    text: `SELECT p.pid = pg_catalog.pg_backend_pid() AS own, a.pid IS NOT NULL AS present,
       CASE WHEN a.pid IS NOT NULL AND p.pid <> pg_catalog.pg_backend_pid() THEN ${fn}(p.pid) END AS signalled
  FROM (SELECT $1::int4 AS pid) p
  LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = p.pid`,
    values: [pid],
  };
}

/** Whether a server process with this pid exists; row `{ present: boolean }`. */
export function backendPresentSql(pid: number): SqlQuery {
  return { text: 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity WHERE pid = $1::int4) AS present', values: [pid] };
}
