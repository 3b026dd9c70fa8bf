/**
 * A held advisory lock. It watches its connection: when the connection dies (terminated by
 * `pg_terminate_backend`, a network failure, a server restart) PostgreSQL has already released the
 * lock, and the handle says so — a `'lost'` event, a rejecting `assertHeld()` and `release()` —
 * instead of letting the caller believe it is still protected. It always listens for the client's
 * `'error'` event while it holds the lock, so a terminated holder never crashes the process.
 */
import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { queryOne, queryRows, type SessionClient } from '../db/queryable.js';
import { heldBySelf } from './advisory-acquire.js';
import { advisoryKeyToJson, formatAdvisoryKey, type AdvisoryKey } from './advisory-key.js';
import { AdvisoryLockLostError, AdvisoryLockReleasedError, TransactionAbortedError } from './errors.js';
import { hasSqlState, isSessionLost, SQLSTATE, transactionState } from './session.js';
import { advisoryUnlockSql, rollbackToSavepointSql, transactionSql, type AdvisoryLockScope } from './sql.js';

/** Events of an {@link AdvisoryLockHandle}. */
export interface AdvisoryLockEvents {
  /** The lock is gone because its connection ended; emitted once. */
  lost: [error: AdvisoryLockLostError];
}

/** Where a handle stands: held, released by the caller, or lost behind its back. */
export type AdvisoryLockState = 'held' | 'released' | 'lost';

/** @internal How {@link advisoryLock} hands a freshly acquired lock to its handle. */
export interface AdvisoryLockHandleInit {
  readonly client: SessionClient;
  readonly pid: number;
  readonly key: AdvisoryKey;
  readonly scope: AdvisoryLockScope;
  readonly shared: boolean;
  /** Set when the client was checked out of a pool for this lock: it goes back on release. */
  readonly pooled?: pg.PoolClient;
  /** Savepoint taken right after a session lock was acquired inside the caller's transaction. */
  readonly savepoint?: string;
}

/**
 * A held advisory lock (from {@link advisoryLock} or {@link withAdvisoryLock}). Release it with
 * `release()`, or let `await using` do it.
 *
 * Session locks are re-entrant in PostgreSQL: two handles for the same key on the same connection
 * are two levels of one lock, and each `release()` removes one level.
 */
export class AdvisoryLockHandle extends EventEmitter<AdvisoryLockEvents> implements AsyncDisposable {
  /** The key as PostgreSQL sees it. */
  readonly key: AdvisoryKey;
  /** `'session'` (held until released or the connection ends) or `'transaction'` (until the transaction ends). */
  readonly scope: AdvisoryLockScope;
  /** Whether this is a shared lock. */
  readonly shared: boolean;
  /** The connection that holds the lock (for a transaction lock: the one running the transaction). */
  readonly client: SessionClient;
  /** Backend pid of that connection, as `pg_locks.pid` shows it. */
  readonly pid: number;

  #state: AdvisoryLockState = 'held';
  #lostError: AdvisoryLockLostError | undefined;
  #finished = false;
  #releasing: Promise<void> | undefined;
  readonly #pooled: pg.PoolClient | undefined;
  readonly #savepoint: string | undefined;
  readonly #onError = (error: unknown) => this.#markLost('connection-error', error);
  readonly #onEnd = () => this.#markLost('connection-ended', undefined);

  /** @internal Use {@link advisoryLock}. */
  constructor(init: AdvisoryLockHandleInit) {
    super();
    this.client = init.client;
    this.pid = init.pid;
    this.key = init.key;
    this.scope = init.scope;
    this.shared = init.shared;
    this.#pooled = init.pooled;
    this.#savepoint = init.savepoint;
    this.client.on('error', this.#onError);
    this.client.on('end', this.#onEnd);
  }

  /** `'held'`, `'released'` or `'lost'`, as far as this process knows; `assertHeld()` asks the server. */
  get state(): AdvisoryLockState {
    return this.#state;
  }

  /** True while the handle believes it holds the lock. */
  get held(): boolean {
    return this.#state === 'held';
  }

  /**
   * Checks with the server (`pg_locks`, on the holding connection) that the lock is still held.
   * Use it before a step that must not run unprotected.
   *
   * @throws AdvisoryLockLostError when the lock is gone (the handle then emits `'lost'`).
   * @throws AdvisoryLockReleasedError after `release()`.
   */
  async assertHeld(): Promise<void> {
    if (this.#state === 'lost') throw this.#lostError;
    if (this.#state === 'released') {
      throw new AdvisoryLockReleasedError(`advisory lock ${formatAdvisoryKey(this.key)} was already released`, { details: this.#details() });
    }
    // An aborted transaction answers no query; its connection is alive (we would have heard), so
    // a session lock, and a transaction lock until the rollback, is still held.
    if ((await transactionState(this.client)) === 'aborted') return;
    let held: boolean;
    try {
      held = await heldBySelf(this.client, this);
    } catch (error) {
      if (isSessionLost(error)) this.#markLost('connection-error', error);
      if (this.#lostError) throw this.#lostError;
      throw error;
    }
    if (!held) {
      this.#markLost('not-in-pg-locks', undefined);
      throw this.#lostError;
    }
  }

  /**
   * Releases the lock (one level of it) and, when the lock had its own connection from a pool,
   * returns that connection. Idempotent: later calls return the first call's outcome.
   *
   * - Transaction locks cannot be released early in PostgreSQL: `release()` only marks the handle
   *   released; the lock ends with the transaction.
   * - A session lock taken inside a transaction that has since failed: the transaction is rolled
   *   back to the savepoint taken when the lock was acquired (work done since is discarded, the
   *   transaction is usable again), then the lock is released.
   * - A pooled connection left inside a transaction is rolled back before it goes back to the pool.
   *
   * @throws AdvisoryLockLostError when the lock had been lost (also if PostgreSQL reports that the
   *   session did not hold it) — the work done under it was not protected.
   * @throws TransactionAbortedError when the transaction failed and cannot be rolled back to the
   *   lock's savepoint (the handle stays held: roll back, then call `release()` again).
   */
  release(): Promise<void> {
    this.#releasing ??= this.#release().catch((error: unknown) => {
      if (error instanceof TransactionAbortedError) this.#releasing = undefined;
      throw error;
    });
    return this.#releasing;
  }

  /** Same as {@link release}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }

  async #release(): Promise<void> {
    if (this.#state === 'lost') {
      this.#finish(true);
      throw this.#lostError;
    }
    if (this.scope === 'transaction') {
      this.#state = 'released';
      this.#finish(false);
      return;
    }
    let released: boolean;
    try {
      await this.#leaveTransaction();
      ({ released } = await queryOne<{ released: boolean }>(this.client, advisoryUnlockSql(this)));
    } catch (error) {
      if (error instanceof TransactionAbortedError) throw error;
      if (isSessionLost(error)) this.#markLost('connection-error', error);
      this.#finish(true);
      if (this.#lostError) throw this.#lostError;
      this.#state = 'released';
      throw error;
    }
    if (!released) {
      this.#markLost('not-held-at-release', undefined);
      this.#finish(true);
      throw this.#lostError;
    }
    this.#state = 'released';
    this.#finish(false);
  }

  /** Gets the connection out of any transaction state that would make the unlock fail. */
  async #leaveTransaction(): Promise<void> {
    const state = await transactionState(this.client);
    if (state === 'idle') return;
    if (this.#pooled) {
      // Our own connection: whatever transaction is left on it is abandoned work.
      await queryRows(this.client, transactionSql('ROLLBACK'));
      return;
    }
    if (state !== 'aborted') return;
    const advice = 'roll the transaction back, then call release() again';
    if (!this.#savepoint) {
      throw new TransactionAbortedError(`cannot release advisory lock ${formatAdvisoryKey(this.key)}: its connection's transaction is aborted; ${advice}`, {
        details: this.#details(),
      });
    }
    try {
      await queryRows(this.client, rollbackToSavepointSql(this.#savepoint));
    } catch (error) {
      if (!hasSqlState(error, SQLSTATE.invalidSavepoint)) throw error;
      throw new TransactionAbortedError(
        `cannot release advisory lock ${formatAdvisoryKey(this.key)}: the transaction is aborted and the savepoint taken with the lock is gone; ${advice}`,
        { cause: error, details: this.#details() },
      );
    }
  }

  #markLost(reason: string, cause: unknown): void {
    if (this.#state !== 'held') return;
    this.#state = 'lost';
    this.#lostError = new AdvisoryLockLostError(`advisory lock ${formatAdvisoryKey(this.key)} held by backend ${this.pid} was lost (${reason})`, {
      cause,
      details: { ...this.#details(), reason },
    });
    if (this.#pooled && reason !== 'not-held-at-release' && reason !== 'not-in-pg-locks') this.#finish(true);
    this.emit('lost', this.#lostError);
  }

  /** Stops watching the connection and, for a pooled one, returns it (destroyed if `broken`). */
  #finish(broken: boolean): void {
    if (this.#finished) return;
    this.#finished = true;
    this.client.removeListener('error', this.#onError);
    this.client.removeListener('end', this.#onEnd);
    if (!this.#pooled) return;
    // A discarded connection may still report errors while it closes; nobody else listens to it.
    if (broken) this.client.on('error', () => undefined);
    this.#pooled.release(broken ? new Error('advisory lock connection discarded') : undefined);
  }

  #details(): Record<string, unknown> {
    return { key: advisoryKeyToJson(this.key), scope: this.scope, shared: this.shared, pid: this.pid };
  }
}
