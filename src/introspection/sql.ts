/**
 * Every introspection statement (pg_locks, pg_stat_activity, pg_blocking_pids), as pure functions
 * returning `{ text, values }`. Filter values are parameters; a relation name is quoted and handed
 * to `to_regclass` as a value. Only columns present on PostgreSQL 14 through 18 are used
 * (`pg_locks.waitstart` arrived in 14).
 */
import type { SqlQuery } from '../db/queryable.js';
import { quoteTableName } from '../sql/table-name.js';
import type { ActivityFilters, LockFilters } from './types.js';

/** Milliseconds between `statement_timestamp()` and a timestamp, as a float8 (a JS number). */
function ageMs(timestamp: string): string {
  return `(extract(epoch FROM (pg_catalog.statement_timestamp() - ${timestamp})) * 1000)::float8`;
}

const CURRENT_DATABASE_OID = `(SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())`;

/** Columns describing a `pg_locks` row `l` (joined to `pg_class c`, `pg_namespace n`). */
const LOCK_COLUMNS = `l.locktype AS lock_type, l.mode, l.granted, l.fastpath AS fast_path, l.pid,
       CASE WHEN NOT l.granted THEN ${ageMs('l.waitstart')} END AS wait_ms,
       n.nspname AS relation_schema, c.relname AS relation_name, c.relkind::text AS relation_kind,
       l.relation::int8::float8 AS relation_oid, l.page, l.tuple, l.virtualxid AS virtual_xid,
       l.transactionid::text AS transaction_id,
       l.classid::int8::float8 AS classid, l.objid::int8::float8 AS objid, l.objsubid,
       CASE WHEN l.locktype = 'object' THEN l.classid::regclass::text END AS object_catalog,
       CASE WHEN l.locktype = 'object' AND l.database IN (0, ${CURRENT_DATABASE_OID})
            THEN pg_catalog.pg_describe_object(l.classid, l.objid, l.objsubid) END AS object_description`;

/** Relation names only resolve for the current database's (and shared) catalogs. */
const LOCK_JOINS = `LEFT JOIN pg_catalog.pg_class c ON c.oid = l.relation AND l.database IN (0, ${CURRENT_DATABASE_OID})
  LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace`;

/** Columns of a session summary from `pg_stat_activity` alias `a`, prefixed `s_`. */
const SESSION_COLUMNS = `a.pid AS s_pid, a.usename::text AS s_user, a.application_name AS s_application_name,
       a.datname::text AS s_database, a.state AS s_state, a.backend_type AS s_backend_type,
       ${ageMs('a.query_start')} AS s_query_age_ms, ${ageMs('a.xact_start')} AS s_transaction_age_ms,
       a.query AS s_query`;

/** The same summary as a JSON object, for sessions aggregated into one column. */
function sessionJson(alias: string, pid: string): string {
  return `json_build_object('pid', ${pid}, 'user', ${alias}.usename, 'applicationName', ${alias}.application_name,
           'database', ${alias}.datname, 'state', ${alias}.state, 'backendType', ${alias}.backend_type,
           'queryAgeMs', ${ageMs(`${alias}.query_start`)}, 'transactionAgeMs', ${ageMs(`${alias}.xact_start`)},
           'query', ${alias}.query)`;
}

/** Collects parameters and hands out their `$n` placeholders. */
class Parameters {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * Conditions on a session `a` (and `pid` expression) shared by every listing.
 * @param pidExpression the backend pid column the filter applies to.
 */
function sessionConditions(filters: ActivityFilters, params: Parameters, pidExpression: string): string[] {
  const where: string[] = [];
  if (!filters.includeSelf) where.push(`${pidExpression} IS DISTINCT FROM pg_catalog.pg_backend_pid()`);
  if (filters.pids) where.push(`${pidExpression} = ANY(${params.add(filters.pids)}::int4[])`);
  if (filters.users) where.push(`a.usename = ANY(${params.add(filters.users)}::text[])`);
  if (filters.applicationNames) where.push(`a.application_name = ANY(${params.add(filters.applicationNames)}::text[])`);
  if (filters.minQueryAgeMs !== undefined) where.push(`${ageMs('a.query_start')} >= ${params.add(filters.minQueryAgeMs)}::float8`);
  if (filters.minWaitMs !== undefined) {
    where.push(`EXISTS (SELECT 1 FROM pg_catalog.pg_locks w WHERE w.pid = ${pidExpression} AND NOT w.granted
                   AND ${ageMs('w.waitstart')} >= ${params.add(filters.minWaitMs)}::float8)`);
  }
  return where;
}

function relationCondition(filters: ActivityFilters, params: Parameters, column: string): string | undefined {
  if (filters.relation === undefined) return undefined;
  return `${column} = pg_catalog.to_regclass(${params.add(quoteTableName(filters.relation))})`;
}

function sessionHoldsRelation(filters: ActivityFilters, params: Parameters, pidExpression: string): string | undefined {
  const condition = relationCondition(filters, params, 'r.relation');
  if (!condition) return undefined;
  return `EXISTS (SELECT 1 FROM pg_catalog.pg_locks r WHERE r.pid = ${pidExpression} AND r.database = ${CURRENT_DATABASE_OID} AND ${condition})`;
}

function databaseCondition(filters: ActivityFilters): string | undefined {
  return filters.allDatabases ? undefined : `a.datname = pg_catalog.current_database()`;
}

function whereClause(conditions: ReadonlyArray<string | undefined>): string {
  const present = conditions.filter((c): c is string => c !== undefined);
  return present.length === 0 ? '' : `WHERE ${present.join('\n   AND ')}`;
}

/** Rows of `pg_locks` with their sessions; waiting locks first, longest wait first. */
export function listLocksSql(filters: LockFilters): SqlQuery {
  const params = new Parameters();
  const onRelation = relationCondition(filters, params, 'l.relation');
  const where = whereClause([
    filters.allDatabases ? undefined : `(a.datname = pg_catalog.current_database() OR (l.pid IS NULL AND l.database = ${CURRENT_DATABASE_OID}))`,
    ...sessionConditions(filters, params, 'l.pid'),
    onRelation && `l.database = ${CURRENT_DATABASE_OID} AND ${onRelation}`,
    filters.granted === undefined ? undefined : `l.granted = ${params.add(filters.granted)}::bool`,
    filters.lockTypes ? `l.locktype = ANY(${params.add(filters.lockTypes)}::text[])` : undefined,
  ]);
  return {
    text: `SELECT ${LOCK_COLUMNS},
       ${SESSION_COLUMNS}
  FROM pg_catalog.pg_locks l
  ${LOCK_JOINS}
  LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
${where}
 ORDER BY l.granted, l.waitstart NULLS LAST, a.query_start NULLS LAST, l.pid, l.locktype, c.relname`,
    values: params.values,
  };
}

/** Waiting locks, each with the sessions `pg_blocking_pids` names (as a JSON array `blocked_by`). */
export function listBlockedSql(filters: LockFilters): SqlQuery {
  const params = new Parameters();
  const where = whereClause([
    'NOT l.granted',
    'l.pid IS NOT NULL',
    databaseCondition(filters),
    ...sessionConditions(filters, params, 'l.pid'),
    sessionHoldsRelation(filters, params, 'l.pid'),
    filters.lockTypes ? `l.locktype = ANY(${params.add(filters.lockTypes)}::text[])` : undefined,
  ]);
  return {
    text: `SELECT ${LOCK_COLUMNS},
       ${SESSION_COLUMNS},
       (SELECT coalesce(json_agg(${sessionJson('b', 'bp.pid')} ORDER BY bp.pid), '[]'::json)
          FROM (SELECT DISTINCT unnest(pg_catalog.pg_blocking_pids(l.pid)) AS pid) bp
          LEFT JOIN pg_catalog.pg_stat_activity b ON b.pid = bp.pid) AS blocked_by
  FROM pg_catalog.pg_locks l
  ${LOCK_JOINS}
  JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
${where}
 ORDER BY l.waitstart NULLS LAST, l.pid`,
    values: params.values,
  };
}

/** Rows of `pg_stat_activity`, oldest query first. */
export function listActivitySql(filters: ActivityFilters): SqlQuery {
  const params = new Parameters();
  const where = whereClause([databaseCondition(filters), ...sessionConditions(filters, params, 'a.pid'), sessionHoldsRelation(filters, params, 'a.pid')]);
  return {
    text: `SELECT ${SESSION_COLUMNS},
       a.client_addr::text AS client_address, a.wait_event_type, a.wait_event,
       a.backend_start, a.xact_start, a.query_start, a.state_change,
       CASE WHEN a.wait_event_type = 'Lock'
            THEN ARRAY(SELECT DISTINCT unnest(pg_catalog.pg_blocking_pids(a.pid)) ORDER BY 1)
            ELSE '{}'::int4[] END AS blocked_by
  FROM pg_catalog.pg_stat_activity a
${where}
 ORDER BY a.query_start NULLS LAST, a.pid`,
    values: params.values,
  };
}

/** Options of {@link findBlockersSql}. */
export interface BlockerQuery {
  /** The backend whose blockers we want. */
  readonly pid: number;
  /** 1 = direct blockers only; n = also blockers of blockers, n levels deep. */
  readonly depth: number;
  readonly minBlockerAgeMs: number;
  readonly users?: readonly string[];
  readonly applicationNames?: readonly string[];
  readonly excludeApplicationNames?: readonly string[];
  /** At most this many held locks listed per blocker. */
  readonly maxLocksListed: number;
}

/**
 * The sessions blocking `pid` (and, with `depth` > 1, those blocking them), nearest level first,
 * each once, with its session facts, its age (`transaction_age_ms`, else `query_age_ms`) and
 * the locks it holds (`locks_held`, JSON). Never the protected backend nor the querying one.
 */
export function findBlockersSql(query: BlockerQuery): SqlQuery {
  const params = new Parameters();
  const pid = params.add(query.pid);
  const depth = params.add(query.depth);
  const conditions = [
    `blk.pid <> ${pid}::int4`,
    'blk.pid <> pg_catalog.pg_backend_pid()',
    `coalesce(${ageMs('a.xact_start')}, ${ageMs('a.query_start')}, 0) >= ${params.add(query.minBlockerAgeMs)}::float8`,
    query.users ? `a.usename = ANY(${params.add(query.users)}::text[])` : undefined,
    query.applicationNames ? `a.application_name = ANY(${params.add(query.applicationNames)}::text[])` : undefined,
    query.excludeApplicationNames ? `NOT (a.application_name = ANY(${params.add(query.excludeApplicationNames)}::text[]))` : undefined,
  ];
  const maxLocks = params.add(query.maxLocksListed);
  return {
    text: `WITH RECURSIVE chain (pid, blocked_pid, depth, path) AS (
    SELECT b.pid, ${pid}::int4, 1, ARRAY[${pid}::int4, b.pid]
      FROM (SELECT DISTINCT unnest(pg_catalog.pg_blocking_pids(${pid}::int4)) AS pid) b
  UNION ALL
    SELECT b.pid, chain.pid, chain.depth + 1, chain.path || b.pid
      FROM chain CROSS JOIN LATERAL (SELECT DISTINCT unnest(pg_catalog.pg_blocking_pids(chain.pid)) AS pid) b
     WHERE chain.depth < ${depth}::int4 AND NOT b.pid = ANY(chain.path)
), nearest AS (
  SELECT DISTINCT ON (pid) pid, blocked_pid, depth FROM chain ORDER BY pid, depth, blocked_pid
)
SELECT blk.pid AS blocker_pid, blk.blocked_pid, blk.depth,
       ${SESSION_COLUMNS},
       (SELECT coalesce(json_agg(held), '[]'::json) FROM (
          SELECT ${LOCK_COLUMNS}
            FROM pg_catalog.pg_locks l
            ${LOCK_JOINS}
           WHERE l.pid = blk.pid AND l.granted AND l.locktype <> 'virtualxid'
           ORDER BY l.locktype, c.relname
           LIMIT ${maxLocks}::int4) held) AS locks_held
  FROM nearest blk
  JOIN pg_catalog.pg_stat_activity a ON a.pid = blk.pid
${whereClause(conditions)}
 ORDER BY blk.depth, blk.pid`,
    values: params.values,
  };
}
