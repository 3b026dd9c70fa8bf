/** Failure modes of the client helpers, raised before anything reaches Temporal. */
import { TemporalPgError } from '../errors/temporal-pg-error.js';
import { INVALID_FORCE_EXECUTE_INPUT } from '../shared/force-execute.js';
import { INVALID_INGEST_INPUT } from '../shared/ingest-input.js';

/**
 * A force-execute workflow input is malformed (no statements, a negative duration, an unknown
 * action …); `details.problems` lists every problem. The workflow itself refuses the same input
 * with an `ApplicationFailure` of the same type.
 */
export class InvalidForceExecuteInputError extends TemporalPgError {
  readonly type = INVALID_FORCE_EXECUTE_INPUT;
  readonly nonRetryable = true;
}

/**
 * An ingest workflow input is malformed (no tables, no source name, an unknown mode string, a
 * negative timeout, an unknown field …); `details.problems` lists every problem. The workflow
 * itself refuses the same input with an `ApplicationFailure` of the same type.
 */
export class InvalidIngestInputError extends TemporalPgError {
  readonly type = INVALID_INGEST_INPUT;
  readonly nonRetryable = true;
}
