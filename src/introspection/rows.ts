/**
 * Turning catalog rows into the shapes of `types.ts`: lock modes in SQL words, relation kinds in
 * words, advisory keys decoded from `classid`/`objid`/`objsubid`, one-line descriptions.
 */
import { advisoryKeyFromLockRow, formatAdvisoryKey } from '../locks/advisory-key.js';
import { displayName } from '../sql/identifier.js';
import type { LockInfo, LockTarget, LockType, SessionSummary } from './types.js';

/** Columns produced by the lock part of the introspection queries. */
export interface LockRow {
  lock_type: string;
  mode: string;
  granted: boolean;
  fast_path: boolean;
  pid: number | null;
  wait_ms: number | null;
  relation_schema: string | null;
  relation_name: string | null;
  relation_kind: string | null;
  relation_oid: number | null;
  page: number | null;
  tuple: number | null;
  virtual_xid: string | null;
  transaction_id: string | null;
  classid: number | null;
  objid: number | null;
  objsubid: number | null;
  object_catalog: string | null;
  object_description: string | null;
}

/** Columns produced by the session part of the introspection queries. */
export interface SessionRow {
  s_pid: number | null;
  s_user: string | null;
  s_application_name: string | null;
  s_database: string | null;
  s_state: string | null;
  s_backend_type: string | null;
  s_query_age_ms: number | null;
  s_transaction_age_ms: number | null;
  s_query: string | null;
}

const RELATION_KINDS: Record<string, string> = {
  r: 'table',
  i: 'index',
  S: 'sequence',
  t: 'toast table',
  v: 'view',
  m: 'materialized view',
  c: 'composite type',
  f: 'foreign table',
  p: 'partitioned table',
  I: 'partitioned index',
};

/** `AccessExclusiveLock` → `ACCESS EXCLUSIVE`, `SIReadLock` → `SIREAD` (the words of LOCK TABLE). */
export function lockModeName(pgMode: string): string {
  return pgMode
    .replace(/Lock$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
}

/** Whole milliseconds (the server computes fractions). */
function ms(value: number | null | undefined): number | null {
  return value === null || value === undefined ? null : Math.max(0, Math.round(value));
}

export function lockTargetFromRow(row: LockRow): LockTarget {
  const lockType = row.lock_type as LockType;
  const relation =
    row.relation_name !== null && row.relation_schema !== null
      ? { schema: row.relation_schema, name: row.relation_name, kind: RELATION_KINDS[row.relation_kind ?? ''] ?? row.relation_kind ?? 'relation' }
      : null;
  const advisoryKey =
    lockType === 'advisory' && row.classid !== null && row.objid !== null && row.objsubid !== null
      ? advisoryKeyFromLockRow(row.classid, row.objid, row.objsubid)
      : null;
  const object =
    lockType === 'object' && row.objid !== null
      ? { catalog: row.object_catalog, objid: row.objid, objsubid: row.objsubid ?? 0, description: row.object_description }
      : null;
  const relationText = relation ? displayName(relation) : row.relation_oid !== null ? `relation ${row.relation_oid}` : 'relation';
  let description: string;
  switch (lockType) {
    case 'relation':
      description = relationText;
      break;
    case 'extend':
      description = `${relationText} (extend)`;
      break;
    case 'page':
      description = `${relationText} page ${row.page}`;
      break;
    case 'tuple':
      description = `${relationText} tuple (${row.page},${row.tuple})`;
      break;
    case 'transactionid':
      description = `transaction ${row.transaction_id}`;
      break;
    case 'virtualxid':
      description = `virtual transaction ${row.virtual_xid}`;
      break;
    case 'advisory':
      description = advisoryKey ? `advisory ${formatAdvisoryKey(advisoryKey)}` : 'advisory';
      break;
    case 'object':
      description = object?.description ?? `${object?.catalog ?? 'object'} ${object?.objid ?? ''}`.trim();
      break;
    default:
      description = lockType;
  }
  return {
    lockType,
    mode: lockModeName(row.mode),
    relation,
    advisoryKey,
    transactionId: row.transaction_id,
    virtualXid: row.virtual_xid,
    object,
    description,
  };
}

export function sessionFromRow(row: SessionRow): SessionSummary | null {
  if (row.s_pid === null) return null;
  return {
    pid: row.s_pid,
    user: row.s_user,
    applicationName: row.s_application_name,
    database: row.s_database,
    state: row.s_state,
    backendType: row.s_backend_type,
    queryAgeMs: ms(row.s_query_age_ms),
    transactionAgeMs: ms(row.s_transaction_age_ms),
    query: row.s_query,
  };
}

/** A session summary aggregated as JSON by the server (camelCase keys already). */
export function sessionFromJson(json: Record<string, unknown>): SessionSummary {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    pid: Number(json.pid),
    user: text(json.user),
    applicationName: text(json.applicationName),
    database: text(json.database),
    state: text(json.state),
    backendType: text(json.backendType),
    queryAgeMs: ms(typeof json.queryAgeMs === 'number' ? json.queryAgeMs : null),
    transactionAgeMs: ms(typeof json.transactionAgeMs === 'number' ? json.transactionAgeMs : null),
    query: text(json.query),
  };
}

export function lockInfoFromRow(row: LockRow & SessionRow): LockInfo {
  return {
    ...lockTargetFromRow(row),
    pid: row.pid,
    granted: row.granted,
    fastPath: row.fast_path,
    waitMs: ms(row.wait_ms),
    session: sessionFromRow(row),
  };
}
