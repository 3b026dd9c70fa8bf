/** Failure modes of the worker process entry (`runWorkerFromEnvironment`). */
import { TemporalPgError } from '../src/errors/temporal-pg-error.js';

/**
 * The environment does not describe a worker that can start: a malformed `PGPORT`, an empty
 * `TEMPORAL_TASK_QUEUE`, a `TEMPORAL_PG_SOURCES` module that cannot be loaded or exports no
 * sources … `details.variable` names the environment variable. The executable exits with code 2.
 */
export class WorkerConfigurationError extends TemporalPgError {
  readonly type = 'WorkerConfiguration';
  readonly nonRetryable = true;
}
