/**
 * Base class of every error this package raises on purpose. Each failure mode has its own subclass
 * with a stable {@link TemporalPgError.type} (the `ApplicationFailure` type at the activity boundary,
 * usable in `RetryPolicy.nonRetryableErrorTypes`) and says whether retrying can help.
 */
export interface TemporalPgErrorOptions {
  /** The underlying error (a driver error, a failed statement). */
  cause?: unknown;
  /** Facts about the failure (table, column, batch, row, pid …); must be JSON-serialisable. */
  details?: Record<string, unknown>;
}

export abstract class TemporalPgError extends Error {
  /** Stable, machine-readable failure type, e.g. `LockNotAcquired`. Never changes between releases. */
  abstract readonly type: string;
  /** True when retrying the same operation cannot succeed (bad input, missing permission …). */
  abstract readonly nonRetryable: boolean;
  /** JSON-serialisable facts about the failure. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, options: TemporalPgErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details ?? {};
  }
}

/** True for errors raised by this package (works across duplicated copies of the package). */
export function isTemporalPgError(error: unknown): error is TemporalPgError {
  return (
    error instanceof TemporalPgError ||
    (error instanceof Error &&
      typeof (error as Partial<TemporalPgError>).type === 'string' &&
      typeof (error as Partial<TemporalPgError>).nonRetryable === 'boolean' &&
      typeof (error as Partial<TemporalPgError>).details === 'object')
  );
}
