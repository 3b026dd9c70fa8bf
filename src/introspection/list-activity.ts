/** `listActivity()`: a typed view of pg_stat_activity. */
import { queryRows, type Queryable } from '../db/queryable.js';
import { validateFilters } from './filters.js';
import { sessionFromRow, type SessionRow } from './rows.js';
import { listActivitySql } from './sql.js';
import type { ActivityFilters, ActivityInfo } from './types.js';

/**
 * Sessions of the current database (`pg_stat_activity`): state, user, application name, ages,
 * wait event, and the pids blocking a lock wait. Oldest query first.
 *
 * `filters.relation` keeps the sessions holding or awaiting a lock on that relation.
 */
export async function listActivity(db: Queryable, filters: ActivityFilters = {}): Promise<ActivityInfo[]> {
  const rows = await queryRows<
    SessionRow & {
      client_address: string | null;
      wait_event_type: string | null;
      wait_event: string | null;
      backend_start: Date | null;
      xact_start: Date | null;
      query_start: Date | null;
      state_change: Date | null;
      blocked_by: number[];
    }
  >(db, listActivitySql(validateFilters(filters)));
  return rows.map((row) => ({
    ...(sessionFromRow(row) as NonNullable<ReturnType<typeof sessionFromRow>>),
    clientAddress: row.client_address,
    waitEventType: row.wait_event_type,
    waitEvent: row.wait_event,
    backendStartedAt: row.backend_start,
    transactionStartedAt: row.xact_start,
    queryStartedAt: row.query_start,
    stateChangedAt: row.state_change,
    blockedBy: row.blocked_by,
  }));
}
