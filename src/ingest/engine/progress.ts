/**
 * Progress reporting that never floods: log lines on a 1, 2 … 10, 20 … 100 … cadence (as
 * pg-bulk-ingest does for rows), and `onProgress` at most once per interval while rows stream.
 */
import type { JsonValue } from '../../locks/advisory-key.js';
import type { IngestLogger, IngestProgress, IngestRunOptions } from './types.js';

/** A logger that drops everything (the default). */
export const silentLogger: IngestLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Whether `count` is a milestone worth an info line: 1–9, then every 10 up to 99, every 100 up to
 * 999 … (the leading digit followed by zeros only).
 */
export function isMilestone(count: number): boolean {
  if (count < 1) return false;
  const step = 10 ** Math.floor(Math.log10(count));
  return count % step === 0;
}

/** The largest milestone reached when going from `before` to `after` rows, or `null` when none was crossed. */
export function milestoneCrossed(before: number, after: number, minimum = 100): number | null {
  if (after < minimum || after <= before) return null;
  const step = 10 ** Math.floor(Math.log10(after));
  const reached = Math.floor(after / step) * step;
  return reached > before && reached >= minimum ? reached : null;
}

/** Ties a batch's COPY progress to the logger and to `onProgress`. */
export class ProgressReporter {
  private readonly logger: IngestLogger;
  private lastLoggedRows: number;

  constructor(
    private readonly options: IngestRunOptions,
    private readonly batch: number,
    private readonly before: { readonly rows: number; readonly bytes: number; readonly highWatermark: JsonValue },
  ) {
    this.logger = options.logger ?? silentLogger;
    this.lastLoggedRows = before.rows;
  }

  /** While rows stream: totals of the batch so far (all its tables). Throws what `onProgress` throws. */
  loading(batchRows: number, batchBytes: number): void {
    const rows = this.before.rows + batchRows;
    const reached = milestoneCrossed(this.lastLoggedRows, rows);
    if (reached !== null) {
      this.lastLoggedRows = rows;
      this.logger.info(`ingested ${rows} rows so far`, { batch: this.batch, rows });
    }
    this.options.onProgress?.(this.progress('loading', rows, this.before.bytes + batchBytes, this.before.highWatermark));
  }

  /** Once the batch is committed. */
  committed(rows: number, bytes: number, highWatermark: JsonValue, durationMs: number): void {
    const meta = { batch: this.batch, rows, highWatermark, durationMs: Math.round(durationMs) };
    if (isMilestone(this.batch)) this.logger.info(`batch ${this.batch} committed`, meta);
    else this.logger.debug(`batch ${this.batch} committed`, meta);
    this.options.onProgress?.(this.progress('committed', rows, bytes, highWatermark));
  }

  private progress(phase: IngestProgress['phase'], rows: number, bytes: number, highWatermark: JsonValue): IngestProgress {
    return { batch: this.batch, rows, bytes, highWatermark, phase };
  }
}
