/** Failure modes of the client helpers, raised before anything reaches Temporal. */
import { TemporalPgError } from '../errors/temporal-pg-error.js';
import { INVALID_FORCE_EXECUTE_INPUT } from '../shared/force-execute.js';

/**
 * A force-execute workflow input is malformed (no statements, a negative duration, an unknown
 * action …); `details.problems` lists every problem. The workflow itself refuses the same input
 * with an `ApplicationFailure` of the same type.
 */
export class InvalidForceExecuteInputError extends TemporalPgError {
  readonly type = INVALID_FORCE_EXECUTE_INPUT;
  readonly nonRetryable = true;
}
