/**
 * `cancelBackends()` / `terminateBackends()`: signal backends by pid and say, per pid, whether the
 * signal was actually sent and why not. django-pgactivity returns the pids it was asked for;
 * PostgreSQL itself answers `false` with a WARNING for a pid that is gone, and raises an ERROR
 * (42501) for one we may not signal — so each pid is signalled on its own.
 */
import { queryOne, type Queryable } from '../db/queryable.js';
import { isPostgresError } from '../errors/postgres-error.js';
import { validatePids } from '../introspection/filters.js';
import { hasSqlState, SQLSTATE, withoutAbortingTransaction } from './session.js';
import { backendPresentSql, signalBackendSql, type BackendSignal } from './sql.js';

export type { BackendSignal } from './sql.js';

/**
 * Why a backend was not signalled:
 * - `'gone'`: no server process has this pid (any more);
 * - `'own-backend'`: it is the connection that would send the signal;
 * - `'permission-denied'`: our role may not signal it (needs superuser, membership in
 *   `pg_signal_backend`, or membership in its role; superusers' backends need superuser);
 * - `'not-a-backend'`: the pid is a server process that cannot be signalled this way (checkpointer,
 *   WAL writer …).
 */
export type SignalSkipReason = 'gone' | 'own-backend' | 'permission-denied' | 'not-a-backend';

/** What happened to one pid. */
export interface SignalResult {
  readonly pid: number;
  /**
   * The signal was delivered. For `cancel` this does not mean a statement was interrupted: an idle
   * session (also idle in transaction) has nothing to cancel and keeps its locks.
   */
  readonly signalled: boolean;
  /** Why not, when `signalled` is false. */
  readonly reason: SignalSkipReason | null;
  /** The server's message for a refusal. */
  readonly message: string | null;
}

/**
 * Cancels the current statement of each backend (`pg_cancel_backend`). Given a client inside a
 * transaction, each signal runs under a savepoint so a refusal cannot abort that transaction.
 *
 * @param pids backend pids (positive integers); duplicates are signalled once.
 * @returns one result per distinct pid, in the given order.
 */
export function cancelBackends(db: Queryable, pids: readonly number[]): Promise<SignalResult[]> {
  return signalBackends(db, pids, 'cancel');
}

/**
 * Terminates each backend (`pg_terminate_backend`): its connection ends, its transaction rolls
 * back and all its locks (session advisory locks too) are released. Same rules as
 * {@link cancelBackends}.
 */
export function terminateBackends(db: Queryable, pids: readonly number[]): Promise<SignalResult[]> {
  return signalBackends(db, pids, 'terminate');
}

async function signalBackends(db: Queryable, pids: readonly number[], signal: BackendSignal): Promise<SignalResult[]> {
  const results: SignalResult[] = [];
  for (const pid of validatePids(pids)) results.push(await signalBackend(db, pid, signal));
  return results;
}

/** Signals one backend; see {@link SignalResult}. Errors other than a refusal propagate. */
export async function signalBackend(db: Queryable, pid: number, signal: BackendSignal): Promise<SignalResult> {
  const result = (signalled: boolean, reason: SignalSkipReason | null, message: string | null = null): SignalResult => ({ pid, signalled, reason, message });
  try {
    return await withoutAbortingTransaction(
      db,
      async () => {
        const row = await queryOne<{ own: boolean; present: boolean; signalled: boolean | null }>(db, signalBackendSql(pid, signal));
        if (row.own) return result(false, 'own-backend');
        if (!row.present) return result(false, 'gone');
        if (row.signalled) return result(true, null);
        // Refused with a WARNING: it ended meanwhile, or it is not a backend.
        const { present } = await queryOne<{ present: boolean }>(db, backendPresentSql(pid));
        return result(false, present ? 'not-a-backend' : 'gone');
      },
      `${signal}Backends`,
    );
  } catch (error) {
    if (hasSqlState(error, SQLSTATE.insufficientPrivilege) && isPostgresError(error)) {
      return result(false, 'permission-denied', error.detail ? `${error.message}: ${error.detail}` : error.message);
    }
    throw error;
  }
}
