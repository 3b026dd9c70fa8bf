/**
 * How the package's workflows fail: with the `ApplicationFailure` of the activity (or step) that
 * failed — same type and message, so `WorkflowFailedError.cause.type` says what went wrong — and
 * what the workflow knows about its progress appended to its details.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/**
 * The application failure inside `error` (an activity's, or the error itself), re-raised with the
 * same type and message and `detail` appended to its details; other failures (timeouts,
 * cancellations) are returned unchanged.
 */
export function withDetail(error: unknown, detail: Readonly<Record<string, unknown>>): unknown {
  const failure = error instanceof ActivityFailure ? error.cause : error;
  if (!(failure instanceof ApplicationFailure)) return error;
  return ApplicationFailure.create({
    type: failure.type ?? 'Error',
    message: failure.message,
    nonRetryable: true,
    details: [...(failure.details ?? []), detail],
    cause: error instanceof Error ? error : undefined,
  });
}
