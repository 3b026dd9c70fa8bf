/**
 * `advisoryLock()`: take a PostgreSQL advisory lock and get a handle, or `null` when it is not
 * available; `isAdvisoryLocked()`: ask `pg_locks` whether anyone holds a key.
 */
import { isPool, queryOne, queryRows, type Queryable, type SessionClient } from '../db/queryable.js';
import { checkOut } from '../db/check-out.js';
import { acquireAdvisoryLock } from './advisory-acquire.js';
import { advisoryKey, ADVISORY_KEY_CODECS, type AdvisoryKeyCodec, type AdvisoryKeyInput } from './advisory-key.js';
import { AdvisoryLockHandle } from './advisory-lock-handle.js';
import { InvalidLockArgumentError, NotInTransactionError, TransactionAbortedError } from './errors.js';
import { requireClient, transactionState, uniqueSavepointName } from './session.js';
import { advisoryLockedSql, savepointSql, type AdvisoryLockScope } from './sql.js';
import { timeoutMilliseconds } from './timeouts.js';

/** Options of {@link advisoryLock} (and {@link withAdvisoryLock}). */
export interface AdvisoryLockOptions {
  /**
   * `'session'` (default): held until released or until the connection ends, whatever happens to
   * transactions. Given a pool, the lock takes a connection of its own for its whole lifetime.
   * `'transaction'`: held until the client's current transaction commits or rolls back; needs a
   * client inside `BEGIN` (the recommended scope behind PgBouncer in transaction pooling mode).
   */
  readonly scope?: AdvisoryLockScope;
  /** Take a shared lock (many shared holders, no exclusive one). Default `false` (exclusive). */
  readonly shared?: boolean;
  /**
   * `true` (default): wait until the lock is granted, however long (the session's `lock_timeout`
   * is suspended for the wait). `false` (or `0`): one try, no waiting. A number: wait at most that
   * many milliseconds, enforced by the server's `lock_timeout`.
   */
  readonly wait?: boolean | number;
  /** How strings and JSON keys are hashed; default `'django-pglock'`. See {@link AdvisoryKeyCodec}. */
  readonly codec?: AdvisoryKeyCodec;
}

/** Options after validation. */
export interface ResolvedAdvisoryLockOptions {
  readonly scope: AdvisoryLockScope;
  readonly shared: boolean;
  /** `undefined` = one try; `0` = no limit; otherwise milliseconds. */
  readonly waitMs: number | undefined;
  readonly codec: AdvisoryKeyCodec;
}

/** Validates {@link AdvisoryLockOptions} and fills in the defaults. */
export function resolveAdvisoryLockOptions(options: AdvisoryLockOptions = {}): ResolvedAdvisoryLockOptions {
  const { scope = 'session', shared = false, wait = true, codec = 'django-pglock' } = options;
  if (scope !== 'session' && scope !== 'transaction') throw invalid('scope', scope, `'session' or 'transaction'`);
  if (typeof shared !== 'boolean') throw invalid('shared', shared, 'a boolean');
  if (!ADVISORY_KEY_CODECS.includes(codec)) throw invalid('codec', codec, ADVISORY_KEY_CODECS.join(', '));
  let waitMs: number | undefined;
  if (wait === true) waitMs = 0;
  else if (wait === false) waitMs = undefined;
  else if (typeof wait === 'number') waitMs = timeoutMilliseconds(wait, 'wait') || undefined;
  else throw invalid('wait', wait, 'true, false or a number of milliseconds');
  return { scope, shared, waitMs, codec };
}

function invalid(argument: string, value: unknown, expected: string): InvalidLockArgumentError {
  return new InvalidLockArgumentError(`advisory lock option ${argument} must be ${expected}, got ${JSON.stringify(value) ?? String(value)}`, {
    details: { argument, value: String(value) },
  });
}

/**
 * Takes an advisory lock. Returns a handle, or `null` when the lock was not acquired (`wait:
 * false`, or a bounded wait that ran out).
 *
 * - `db` a `pg.Pool`, session scope: one connection is checked out for the lock's lifetime and
 *   returned on `release()`.
 * - `db` a client, session scope: the lock is held by that connection.
 * - transaction scope: `db` must be a client inside a transaction block.
 *
 * ```ts
 * await using lock = await advisoryLock(pool, 'nightly-import', { wait: 5_000 });
 * if (!lock) return; // someone else is importing
 * ```
 *
 * @throws InvalidAdvisoryKeyError, InvalidLockArgumentError for bad input.
 * @throws NotInTransactionError for a transaction lock on a client outside a transaction.
 * @throws TransactionAbortedError when the client's transaction is aborted.
 */
export async function advisoryLock(db: Queryable, key: AdvisoryKeyInput, options: AdvisoryLockOptions = {}): Promise<AdvisoryLockHandle | null> {
  const resolved = resolveAdvisoryLockOptions(options);
  const call = { key: advisoryKey(key, resolved.codec), scope: resolved.scope, shared: resolved.shared };

  if (resolved.scope === 'transaction') {
    const client = requireClient(db, 'advisoryLock', 'a transaction lock belongs to the transaction of one client (withAdvisoryLock opens one for you)');
    await assertUsableTransaction(client, true);
    const { acquired, pid } = await acquireAdvisoryLock(client, call, resolved.waitMs);
    return acquired ? new AdvisoryLockHandle({ client, pid, ...call }) : null;
  }

  const pooled = isPool(db) ? await checkOut(db) : undefined;
  const client = pooled ?? requireClient(db, 'advisoryLock', 'the lock is held by the given connection');
  if (!pooled) await assertUsableTransaction(client, false);
  try {
    const { acquired, pid } = await acquireAdvisoryLock(client, call, resolved.waitMs);
    if (!acquired) {
      pooled?.release();
      return null;
    }
    // Inside the caller's transaction, remember this point: if the transaction fails later, the
    // release rolls back to here so that the unlock can run (session locks survive rollbacks).
    const savepoint = !pooled && (await transactionState(client)) === 'in-transaction' ? uniqueSavepointName('advisory_lock') : undefined;
    if (savepoint) await queryRows(client, savepointSql(savepoint));
    return new AdvisoryLockHandle({ client, pid, ...call, pooled, savepoint });
  } catch (error) {
    // Whatever state the connection is in now, do not hand it to someone else.
    pooled?.release(error instanceof Error ? error : true);
    throw error;
  }
}

async function assertUsableTransaction(client: SessionClient, needTransaction: boolean): Promise<void> {
  const state = await transactionState(client);
  if (state === 'aborted') {
    throw new TransactionAbortedError('advisoryLock: the client is in an aborted transaction; roll it back first');
  }
  if (needTransaction && state === 'idle') {
    throw new NotInTransactionError(
      'advisoryLock: a transaction lock needs a client inside BEGIN … COMMIT (outside one it would end with its own statement); use withAdvisoryLock to get a transaction',
    );
  }
}

/**
 * Whether any session of the current database holds `key` (in any mode), from `pg_locks`. The
 * answer can change right after it is given; use it for monitoring and skipping work, not for
 * mutual exclusion.
 *
 * @param options.codec how strings and JSON keys are hashed; default `'django-pglock'`.
 */
export async function isAdvisoryLocked(db: Queryable, key: AdvisoryKeyInput, options: { readonly codec?: AdvisoryKeyCodec } = {}): Promise<boolean> {
  const { locked } = await queryOne<{ locked: boolean }>(db, advisoryLockedSql(advisoryKey(key, options.codec)));
  return locked;
}

