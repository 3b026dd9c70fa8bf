/**
 * Progress of long work: a bar redrawn in place on a terminal, plain lines (at most one a second)
 * when stdout is a file or a pipe, so logs stay readable and CI output is not flooded with
 * carriage returns.
 */
import type { CliOutput } from './io.js';

/** What the work reports, cumulatively. */
export interface ProgressSnapshot {
  /** Rows done so far. */
  readonly rows: number;
  /** Batches committed so far, when known. */
  readonly batches?: number;
  /** The last committed high watermark, when there is one. */
  readonly highWatermark?: unknown;
}

export interface ProgressOptions {
  /** Word in front of the bar, e.g. `loading`. */
  readonly label: string;
  /** Rows expected in all; without it the bar is a counter. */
  readonly total?: number;
  /** Least milliseconds between two plain lines (not on a terminal). Default 1000. */
  readonly plainIntervalMs?: number;
  /** Least milliseconds between two redraws on a terminal. Default 100. */
  readonly redrawIntervalMs?: number;
  /** Put in front of every line (e.g. spaces to indent it under a heading). Default none. */
  readonly indent?: string;
  /** Clock in milliseconds (tests pass their own). Default `performance.now`. */
  readonly now?: () => number;
}

const BAR_WIDTH = 28;

export class ProgressDisplay {
  readonly #out: CliOutput;
  readonly #options: ProgressOptions;
  readonly #now: () => number;
  readonly #started: number;
  #last: ProgressSnapshot = { rows: 0 };
  #lastDrawn = -Infinity;
  #drawnOnTerminal = false;
  #finished = false;

  constructor(out: CliOutput, options: ProgressOptions) {
    this.#out = out;
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#started = this.#now();
  }

  /** Records a snapshot and draws it if enough time has passed since the last drawing. */
  update(snapshot: ProgressSnapshot): void {
    if (this.#finished) return;
    this.#last = snapshot;
    const now = this.#now();
    const interval = this.#out.isTTY ? (this.#options.redrawIntervalMs ?? 100) : (this.#options.plainIntervalMs ?? 1000);
    if (now - this.#lastDrawn < interval) return;
    this.#lastDrawn = now;
    this.#draw(now);
  }

  /** Draws the last state once more and ends the line; later updates are ignored. */
  finish(snapshot?: ProgressSnapshot): void {
    if (this.#finished) return;
    if (snapshot) this.#last = snapshot;
    this.#draw(this.#now());
    if (this.#out.isTTY) this.#out.write('\n');
    this.#finished = true;
  }

  /** Removes the bar from the terminal (before printing something else in its place). */
  clear(): void {
    if (this.#out.isTTY && this.#drawnOnTerminal) this.#out.write('\r\x1b[2K');
  }

  #draw(now: number): void {
    const line = `${this.#options.indent ?? ''}${progressLine(this.#last, now - this.#started, this.#options.label, this.#options.total, this.#out.isTTY === true)}`;
    if (this.#out.isTTY) {
      const width = this.#out.columns ?? 100;
      this.#out.write(`\r\x1b[2K${line.length > width - 1 ? line.slice(0, width - 1) : line}`);
      this.#drawnOnTerminal = true;
    } else {
      this.#out.write(`${line}\n`);
    }
  }
}

/** One progress line; with `bar`, a bar of block characters when the total is known. */
export function progressLine(snapshot: ProgressSnapshot, elapsedMs: number, label: string, total: number | undefined, bar: boolean): string {
  const parts: string[] = [label];
  if (total !== undefined && total > 0) {
    const fraction = Math.min(1, snapshot.rows / total);
    if (bar) {
      const filled = Math.round(fraction * BAR_WIDTH);
      parts.push(`${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`);
    }
    parts.push(`${String(Math.floor(fraction * 100)).padStart(3)}%`, `${formatCount(snapshot.rows)} / ${formatCount(total)} rows`);
  } else {
    parts.push(`${formatCount(snapshot.rows)} rows`);
  }
  if (snapshot.batches !== undefined) parts.push(`${formatCount(snapshot.batches)} ${snapshot.batches === 1 ? 'batch' : 'batches'}`);
  if (elapsedMs > 0) parts.push(`${formatCount(Math.round((snapshot.rows * 1000) / elapsedMs))} rows/s`);
  if (snapshot.highWatermark !== undefined && snapshot.highWatermark !== null) parts.push(`watermark ${JSON.stringify(snapshot.highWatermark)}`);
  return parts.join('  ');
}

/** `135233` → `135,233`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
