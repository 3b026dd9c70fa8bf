/**
 * What a catalogue entry says about a failure: the class, its stable `type`, whether it may be
 * retried, the words its message must contain (table, column, batch, row …) and facts in `details`.
 */
import { expect } from 'vitest';
import { TemporalPgError, isConnectionError, isPostgresError, isRetryableSqlState } from '../../../src/index.js';

/** Any of our error classes (abstract constructors included). */
export type ErrorClass = abstract new (...args: never[]) => TemporalPgError;

export interface ExpectedError {
  readonly error: ErrorClass;
  /** The stable `type` (the `ApplicationFailure` type at the activity boundary). */
  readonly type: string;
  /** Texts the message must contain. */
  readonly names: readonly string[];
  /** A subset of `details`. */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Default `true`. */
  readonly nonRetryable?: boolean;
}

export function expectError(failure: unknown, expected: ExpectedError): void {
  expect(failure, `expected ${expected.error.name}, got ${String(failure)}`).toBeInstanceOf(expected.error);
  const error = failure as TemporalPgError;
  expect(error).toBeInstanceOf(TemporalPgError);
  expect(error.type).toBe(expected.type);
  expect(error.nonRetryable).toBe(expected.nonRetryable ?? true);
  for (const name of expected.names) expect(error.message).toContain(name);
  if (expected.details) expect(error.details).toMatchObject(expected.details);
  // Details travel as JSON (activity failures): they must survive a round trip unchanged.
  expect(JSON.parse(JSON.stringify(error.details))).toEqual(error.details);
}

/** A failure the next attempt may get past: the connection died, or PostgreSQL says try again (by SQLSTATE). */
export function expectRetryable(error: unknown): void {
  expect(error).toBeInstanceOf(Error);
  const retryable = isConnectionError(error) || (isPostgresError(error) && isRetryableSqlState(error.code));
  expect(retryable, `not a retryable error: ${String(error)}`).toBe(true);
}
