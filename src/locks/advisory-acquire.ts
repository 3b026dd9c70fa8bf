/**
 * Taking an advisory lock on one connection: one try first (cheap, and it tells us whether we
 * already held the key), then, if allowed, a wait bounded by the server's `lock_timeout`.
 *
 * The race this file exists for: when `lock_timeout` fires at the moment the lock is granted, the
 * server records the lock as ours and still raises 55P03. A transaction-scoped lock goes away with
 * the failed (sub)transaction, but a session lock survives, so a library that trusts the error
 * leaks it. After a failed wait we ask `pg_locks` whether this session holds the key in the
 * requested mode; since the first try failed we did not hold it before, so a row means the wait
 * ended with the lock.
 */
import { queryOne, queryRows, type SessionClient } from '../db/queryable.js';
import type { AdvisoryKey } from './advisory-key.js';
import { hasSqlState, SQLSTATE, withoutAbortingTransaction } from './session.js';
import { advisoryHeldBySelfSql, advisoryUnlockSql, tryAdvisoryLockSql, waitAdvisoryLockSql, type AdvisoryLockScope } from './sql.js';
import { withLockTimeout } from './timeouts.js';

/** What to lock and how. */
export interface AdvisoryLockCall {
  readonly key: AdvisoryKey;
  readonly scope: AdvisoryLockScope;
  readonly shared: boolean;
}

/**
 * Acquires the lock on `client`. `waitMs`: `undefined` = one try only, `0` = wait without limit,
 * otherwise the longest wait in milliseconds. Returns whether the lock is now held, and the
 * backend pid of the session.
 */
export async function acquireAdvisoryLock(
  client: SessionClient,
  call: AdvisoryLockCall,
  waitMs: number | undefined,
): Promise<{ acquired: boolean; pid: number }> {
  const { acquired, pid } = await queryOne<{ acquired: boolean; pid: number }>(client, tryAdvisoryLockSql(call));
  if (acquired || waitMs === undefined) return { acquired, pid };
  return { acquired: await waitForAdvisoryLock(client, call, waitMs), pid };
}

async function waitForAdvisoryLock(client: SessionClient, call: AdvisoryLockCall, waitMs: number): Promise<boolean> {
  try {
    // Inside a transaction block the wait runs under a savepoint, so a timeout leaves the
    // caller's transaction usable (and the rollback to it also undoes our SET LOCAL).
    await withoutAbortingTransaction(client, () => withLockTimeout(client, waitMs, () => queryRows(client, waitAdvisoryLockSql(call))), 'advisoryLock');
  } catch (error) {
    const heldAfterAll = call.scope === 'session' && (await heldBySelf(client, call).catch(() => false));
    if (hasSqlState(error, SQLSTATE.lockNotAvailable)) return heldAfterAll;
    // Cancelled, deadlock, connection lost …: never leave the caller holding a lock it was not given.
    if (heldAfterAll) await queryRows(client, advisoryUnlockSql(call)).catch(() => undefined);
    throw error;
  }
  return true;
}

/** Whether this session holds the key in the call's mode, according to `pg_locks`. */
export async function heldBySelf(client: SessionClient, call: Omit<AdvisoryLockCall, 'scope'>): Promise<boolean> {
  const { held } = await queryOne<{ held: boolean }>(client, advisoryHeldBySelfSql(call.key, call.shared));
  return held;
}

