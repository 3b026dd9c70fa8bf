/**
 * Who cancelled an activity. The workflow (through the server) asks for a cancellation to be
 * reported as one; the worker itself cancels its activities when it shuts down, and then the
 * attempt must fail retryably, so the server hands it to another worker at once instead of waiting
 * for its heartbeat timeout.
 */
import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';

/** Whether the server asked for the cancellation (the workflow cancelled the activity). */
export function cancelledByWorkflow(context: Context): boolean {
  const reason: unknown = context.cancellationSignal.reason;
  return context.cancellationDetails?.cancelRequested === true || (reason instanceof Error && reason.message === 'CANCELLED');
}

/**
 * What to throw for `error` once the activity stopped: `error` itself unless its cancellation
 * signal fired for another reason than the workflow's request (worker shutdown …), then a
 * retryable `ActivityInterrupted` failure with `error` as its cause.
 */
export function interruption(context: Context, error: unknown): unknown {
  if (!context.cancellationSignal.aborted || cancelledByWorkflow(context)) return error;
  const reason: unknown = context.cancellationSignal.reason;
  return ApplicationFailure.create({
    type: 'ActivityInterrupted',
    message: `the activity was interrupted on this worker (${reason instanceof Error ? reason.message : String(reason)}); another attempt will run`,
    nonRetryable: false,
    cause: error instanceof Error ? error : undefined,
  });
}
