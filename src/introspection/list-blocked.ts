/** `listBlocked()`: waiting locks and who blocks them. */
import { queryRows, type Queryable } from '../db/queryable.js';
import { validateFilters } from './filters.js';
import { lockInfoFromRow, sessionFromJson, type LockRow, type SessionRow } from './rows.js';
import { listBlockedSql } from './sql.js';
import type { BlockedLock, LockFilters } from './types.js';

/**
 * Every waiting lock with the sessions blocking it, as `pg_blocking_pids` reports them (holders of
 * conflicting locks, and conflicting waiters ahead in the queue). Unlike django-pglock this sees
 * waits on advisory locks and on transaction ids (row locks), not only on relations.
 *
 * `filters.relation` keeps the waits of sessions that hold or await a lock on that relation (a
 * session waiting for a row lock waits on a transaction id, while holding a lock on the table).
 */
export async function listBlocked(db: Queryable, filters: LockFilters = {}): Promise<BlockedLock[]> {
  const rows = await queryRows<LockRow & SessionRow & { blocked_by: Array<Record<string, unknown>> }>(db, listBlockedSql(validateFilters(filters)));
  return rows.map((row) => ({ ...lockInfoFromRow(row), blockedBy: row.blocked_by.map(sessionFromJson) }));
}
