/** `listLocks()`: a typed view of pg_locks. */
import { queryRows, type Queryable } from '../db/queryable.js';
import { validateFilters } from './filters.js';
import { lockInfoFromRow, type LockRow, type SessionRow } from './rows.js';
import { listLocksSql } from './sql.js';
import type { LockFilters, LockInfo } from './types.js';

/**
 * Every lock of the current database's sessions (`pg_locks`), of every type — relation, advisory
 * (with its key decoded), transactionid, virtualxid, object … — with the session holding or
 * awaiting it. Waiting locks come first, longest wait first.
 *
 * `filters.relation` keeps the locks on that relation.
 */
export async function listLocks(db: Queryable, filters: LockFilters = {}): Promise<LockInfo[]> {
  const rows = await queryRows<LockRow & SessionRow>(db, listLocksSql(validateFilters(filters)));
  return rows.map(lockInfoFromRow);
}
