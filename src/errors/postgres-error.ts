/**
 * Classification of errors coming from PostgreSQL (by SQLSTATE) and from the connection itself,
 * so that activities retry what can succeed later and fail fast on what cannot.
 */

/** The fields node-postgres copies from a server ErrorResponse that we rely on. */
export interface PostgresErrorFields {
  code: string;
  message: string;
  detail?: string;
  hint?: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
  dataType?: string;
  where?: string;
}

/**
 * True for an error sent by the server (node-postgres `DatabaseError` or anything with a SQLSTATE).
 * Node's own system errors also carry a `code`, and some look like a SQLSTATE (`EPIPE`, `EPERM`):
 * those have an `errno` or a `syscall` and are not the server's.
 */
export function isPostgresError(error: unknown): error is Error & PostgresErrorFields {
  if (!(error instanceof Error)) return false;
  const { code, errno, syscall } = error as { code?: unknown; errno?: unknown; syscall?: unknown };
  if (errno !== undefined || syscall !== undefined) return false;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/** SQLSTATEs worth retrying: the same statement can succeed once a lock, a connection or a peer moves. */
const RETRYABLE_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available (lock_timeout, NOWAIT)
  '55006', // object_in_use
  '57014', // query_canceled (statement_timeout, cancel request)
  '57P01', // admin_shutdown (pg_terminate_backend)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '57P05', // idle_session_timeout
  '25P03', // idle_in_transaction_session_timeout
  '53000', // insufficient_resources
  '53200', // out_of_memory
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
  '58000', // system_error
  '58030', // io_error
  'XX000', // internal_error (often transient, e.g. "tuple concurrently updated")
]);

/** Whether retrying a statement that failed with `sqlstate` can help. */
export function isRetryableSqlState(sqlstate: string): boolean {
  if (RETRYABLE_SQLSTATES.has(sqlstate)) return true;
  // Class 08: connection exceptions.
  return sqlstate.startsWith('08');
}

/** Node-level connection failures (no SQLSTATE): refused, reset, closed mid-query. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) {
    return true;
  }
  return /Connection terminated|Client has encountered a connection error|connection is closed|Client was closed/i.test(error.message);
}

/** Stable failure type names for server errors that deserve their own name. */
const NAMED_SQLSTATES: Record<string, string> = {
  '55P03': 'LockTimeout',
  '57014': 'StatementCanceled',
  '57P01': 'ConnectionTerminated',
  '40001': 'SerializationFailure',
  '40P01': 'Deadlock',
  '42501': 'PermissionDenied',
};

/**
 * The `ApplicationFailure` type for a server error: a named type where one exists, otherwise
 * `PostgresError`. The SQLSTATE is always kept in the failure details.
 */
export function postgresErrorType(sqlstate: string): string {
  return NAMED_SQLSTATES[sqlstate] ?? 'PostgresError';
}
