/** Failure modes of the ingest activities themselves (the engine and the sources have their own). */
import { TemporalPgError } from '../src/errors/temporal-pg-error.js';

/**
 * A batch ended at the watermark its source was opened after. The workflow opens the source again
 * after every batch, so such a source would yield the same batch forever (and append its rows again
 * each time to a table without a key). Nothing of the batch was written. Not retryable: fix the
 * source (move the watermark with every batch; yield nothing when nothing is left).
 */
export class SourceNotAdvancingError extends TemporalPgError {
  readonly type = 'SourceNotAdvancing';
  readonly nonRetryable = true;
}
