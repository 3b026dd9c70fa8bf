/**
 * Force-execute's own failure mode. The others it can raise come from the lock toolkit:
 * `SignalPermissionDeniedError` (a blocker could not be signalled), `InvalidLockArgumentError`
 * (an option out of range), `NotInTransactionError` / `TransactionAbortedError` (the in-transaction
 * variant given a client without a usable transaction); the statement's own errors are rethrown
 * unchanged.
 */
import { TemporalPgError } from '../errors/temporal-pg-error.js';

/**
 * The watcher could not look for or act on the statement's blockers (its connection failed, a
 * query failed). The statement was cancelled and rolled back rather than left waiting with nobody
 * acting on what blocks it; retrying can succeed. `details.pid` is the statement's backend.
 */
export class ForceExecuteWatcherError extends TemporalPgError {
  readonly type = 'ForceExecuteWatcherFailed';
  readonly nonRetryable = false;
}
