/**
 * Retry decisions shared by activities and workflow runs, as the real server makes them.
 */
import { durationMs, enums, msDuration, type temporal, type Failure, type RetryPolicy } from './proto.js';

type RetryState = temporal.api.enums.v1.RetryState;
const Retry = enums.RetryState;

/** The server's defaults: 1 s initial interval, coefficient 2, maximum 100 × initial, unlimited attempts. */
export function withRetryDefaults(policy: RetryPolicy | null | undefined): RetryPolicy {
  const initialMs = durationMs(policy?.initialInterval) || 1000;
  return {
    initialInterval: msDuration(initialMs),
    backoffCoefficient: policy?.backoffCoefficient || 2,
    maximumInterval: msDuration(durationMs(policy?.maximumInterval) || 100 * initialMs),
    maximumAttempts: policy?.maximumAttempts ?? 0,
    nonRetryableErrorTypes: policy?.nonRetryableErrorTypes ?? [],
  };
}

/**
 * Whether attempt `attempt` (1-based) that ended with `failure` is retried, and after how long.
 * Retries stop on a non-retryable failure or error type, at maximum attempts, or when the next
 * attempt would start at or after `deadlineMs` (0 = no deadline). An application failure's
 * `nextRetryDelay` replaces the computed backoff.
 */
export function nextRetry(
  policy: RetryPolicy,
  attempt: number,
  failure: Failure,
  nowMs: number,
  deadlineMs: number,
): { state: RetryState; delayMs: number } {
  const stop = (state: RetryState) => ({ state, delayMs: 0 });
  const info = failure.applicationFailureInfo;
  if (info?.nonRetryable || (info?.type && policy.nonRetryableErrorTypes?.includes(info.type))) {
    return stop(Retry.RETRY_STATE_NON_RETRYABLE_FAILURE);
  }
  const maximumAttempts = policy.maximumAttempts ?? 0;
  if (maximumAttempts > 0 && attempt >= maximumAttempts) return stop(Retry.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
  const backoff = durationMs(policy.initialInterval) * (policy.backoffCoefficient ?? 2) ** (attempt - 1);
  const maximumMs = durationMs(policy.maximumInterval);
  const capped = maximumMs > 0 ? Math.min(backoff, maximumMs) : backoff;
  const delayMs = info?.nextRetryDelay ? durationMs(info.nextRetryDelay) : capped;
  if (deadlineMs > 0 && nowMs + delayMs >= deadlineMs) return stop(Retry.RETRY_STATE_TIMEOUT);
  return { state: Retry.RETRY_STATE_IN_PROGRESS, delayMs };
}
