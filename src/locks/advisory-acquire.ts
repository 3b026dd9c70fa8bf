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
import { hasSqlState, SQLSTATE, transactionState, uniqueSavepointName } from './session.js';
import {
  advisoryHeldBySelfSql,
  advisoryUnlockSql,
  releaseSavepointSql,
  rollbackToSavepointSql,
  savepointSql,
  tryAdvisoryLockSql,
  waitAdvisoryLockSql,
  type AdvisoryLockScope,
} from './sql.js';
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
  // Inside a transaction block a failed wait would abort the caller's transaction: wait under a
  // savepoint, so a timeout leaves it usable (and the rollback also undoes our SET LOCAL).
  const savepoint = (await transactionState(client)) === 'in-transaction' ? uniqueSavepointName('advisory_wait') : undefined;
  if (savepoint) await queryRows(client, savepointSql(savepoint));
  try {
    await withLockTimeout(client, waitMs, () => queryRows(client, waitAdvisoryLockSql(call)));
  } catch (error) {
    if (savepoint) await undoSavepoint(client, savepoint);
    const heldAfterAll = call.scope === 'session' && (await heldBySelf(client, call).catch(() => false));
    if (hasSqlState(error, SQLSTATE.lockNotAvailable)) return heldAfterAll;
    // Cancelled, deadlock, connection lost …: never leave the caller holding a lock it was not given.
    if (heldAfterAll) await queryRows(client, advisoryUnlockSql(call)).catch(() => undefined);
    throw error;
  }
  if (savepoint) await queryRows(client, releaseSavepointSql(savepoint));
  return true;
}

async function undoSavepoint(client: SessionClient, savepoint: string): Promise<void> {
  await queryRows(client, rollbackToSavepointSql(savepoint)).catch(() => undefined);
  await queryRows(client, releaseSavepointSql(savepoint)).catch(() => undefined);
}

/** Whether this session holds the key in the call's mode, according to `pg_locks`. */
export async function heldBySelf(client: SessionClient, call: Omit<AdvisoryLockCall, 'scope'>): Promise<boolean> {
  const { held } = await queryOne<{ held: boolean }>(client, advisoryHeldBySelfSql(call.key, call.shared));
  return held;
}

