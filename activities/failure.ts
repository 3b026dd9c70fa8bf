/**
 * The activity boundary: every error leaving one of our activities becomes an `ApplicationFailure`
 * with a stable `type` and the right `nonRetryable` flag, so workflows and retry policies can act on
 * it without parsing messages.
 */
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import {
  isConnectionError,
  isPostgresError,
  isRetryableSqlState,
  isTemporalPgError,
  postgresErrorType,
} from '../src/errors/index.js';

/**
 * Converts any error thrown by activity code into an `ApplicationFailure`. Idempotent. Temporal's own
 * failures (a `CancelledFailure` after cancellation, for instance) pass through unchanged so the SDK
 * still reports them as what they are.
 */
export function toApplicationFailure(error: unknown): TemporalFailure {
  if (error instanceof TemporalFailure) return error;
  if (isTemporalPgError(error)) {
    return ApplicationFailure.create({
      type: error.type,
      message: error.message,
      nonRetryable: error.nonRetryable,
      details: [error.details],
      cause: error.cause instanceof Error ? error.cause : undefined,
    });
  }
  if (isPostgresError(error)) {
    const { code, detail, hint, schema, table, column, constraint } = error;
    return ApplicationFailure.create({
      type: postgresErrorType(code),
      message: error.message,
      nonRetryable: !isRetryableSqlState(code),
      details: [{ sqlstate: code, detail, hint, schema, table, column, constraint }],
    });
  }
  if (isConnectionError(error)) {
    return ApplicationFailure.create({ type: 'ConnectionLost', message: (error as Error).message, nonRetryable: false });
  }
  const message = error instanceof Error ? error.message : String(error);
  return ApplicationFailure.create({ type: error instanceof Error ? error.name : 'Error', message, nonRetryable: false });
}

/** Wraps an activity function so that everything it throws is converted by {@link toApplicationFailure}. */
export function withFailureConversion<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  const wrapped = async (...args: A): Promise<R> => {
    try {
      return await fn(...args);
    } catch (error) {
      throw toApplicationFailure(error);
    }
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name });
  return wrapped;
}
