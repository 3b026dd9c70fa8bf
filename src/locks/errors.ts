/**
 * The failure modes of the lock toolkit, one class each. `type` is the stable name an activity
 * failure carries (usable in `RetryPolicy.nonRetryableErrorTypes`); `details` is plain JSON.
 */
import { TemporalPgError } from '../errors/temporal-pg-error.js';

/**
 * An advisory lock key that cannot be turned into a PostgreSQL key: an integer outside the int64
 * range, a number that is not an integer, a pair that is not two int32, a string with a lone
 * surrogate, or a value that is not JSON (undefined, a function, a cycle, a class instance …).
 */
export class InvalidAdvisoryKeyError extends TemporalPgError {
  readonly type = 'InvalidAdvisoryKey';
  readonly nonRetryable = true;
}

/**
 * An argument of a lock, timeout, introspection, signalling or force-execute call is out of range or
 * of the wrong kind (a negative duration, an unknown lock mode, scope or action, a pool where a
 * client is needed, an invalid pid, an empty statement list …). `details.argument` names it.
 */
export class InvalidLockArgumentError extends TemporalPgError {
  readonly type = 'InvalidLockArgument';
  readonly nonRetryable = true;
}

/**
 * A lock could not be taken: another session held it and we were told not to wait (`wait: false`,
 * `nowait`) or the bounded wait (`wait: ms`, `timeoutMs`) ran out. Thrown by `withAdvisoryLock` with
 * `onFail: 'throw'` and by `lockTable`. Retrying later can succeed.
 */
export class LockNotAcquiredError extends TemporalPgError {
  readonly type = 'LockNotAcquired';
  readonly nonRetryable = false;
}

/**
 * A session-level advisory lock we thought we held is gone: its connection died or was terminated,
 * or PostgreSQL says the session does not hold it (`assertHeld()`, or an unlock that returned false).
 * Whatever ran under the lock may have overlapped with another holder.
 */
export class AdvisoryLockLostError extends TemporalPgError {
  readonly type = 'AdvisoryLockLost';
  readonly nonRetryable = false;
}

/** The handle was already released; `assertHeld()` on it is a programming error. */
export class AdvisoryLockReleasedError extends TemporalPgError {
  readonly type = 'AdvisoryLockReleased';
  readonly nonRetryable = true;
}

/**
 * The operation needs a transaction block on the client and there is none: `lockTable`, or a
 * transaction-scoped `advisoryLock` on a client outside `BEGIN … COMMIT` (the lock would end with
 * the statement).
 */
export class NotInTransactionError extends TemporalPgError {
  readonly type = 'NotInTransaction';
  readonly nonRetryable = true;
}

/**
 * The client's transaction is aborted (a statement failed) and the operation needs to run SQL on it:
 * roll back first. Thrown, for example, when a session lock cannot be released because its
 * transaction failed after the savepoint it was taken under had been rolled away by the caller.
 */
export class TransactionAbortedError extends TemporalPgError {
  readonly type = 'TransactionAborted';
  readonly nonRetryable = false;
}

/**
 * PostgreSQL refused to cancel or terminate a backend (SQLSTATE 42501): our role is neither
 * superuser, a member of `pg_signal_backend`, nor a member of the backend's role (and superusers'
 * backends are off limits to non-superusers). Thrown by `actOnBlockers` and `prioritize` instead of
 * leaving the protected work waiting; `details.pid` names the backend.
 */
export class SignalPermissionDeniedError extends TemporalPgError {
  readonly type = 'SignalPermissionDenied';
  readonly nonRetryable = true;
}

/**
 * The watcher of `prioritize` could not look for or act on blockers (its connection failed, a query
 * failed); prioritizing stopped and the protected work was cancelled rather than left waiting.
 */
export class PrioritizeWatcherError extends TemporalPgError {
  readonly type = 'PrioritizeWatcherFailed';
  readonly nonRetryable = false;
}
