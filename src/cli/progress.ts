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
  /** What the work is doing, shown when it is not plain loading (e.g. `swapping`). */
  readonly phase?: string;
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
const MIN_BAR_WIDTH = 10;

export class ProgressDisplay {
  readonly #out: CliOutput;
  readonly #options: ProgressOptions;
  readonly #now: () => number;
  readonly #started: number;
  #last: ProgressSnapshot = { rows: 0 };
  #lastDrawnSnapshot: ProgressSnapshot | undefined;
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
    // Nothing done yet: no line saying so (a bar on a terminal is still drawn).
    if (!this.#out.isTTY && snapshot.rows === 0 && !snapshot.batches) return;
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
    // A plain line already showing the final state is not repeated.
    if (this.#out.isTTY || !sameSnapshot(this.#last, this.#lastDrawnSnapshot)) this.#draw(this.#now());
    if (this.#out.isTTY) this.#out.write('\n');
    this.#finished = true;
  }

  /** Removes the bar from the terminal (before printing something else in its place). */
  clear(): void {
    if (this.#out.isTTY && this.#drawnOnTerminal) this.#out.write('\r\x1b[2K');
  }

  #draw(now: number): void {
    this.#lastDrawnSnapshot = this.#last;
    const indent = this.#options.indent ?? '';
    if (this.#out.isTTY) {
      const width = (this.#out.columns ?? 100) - 1 - indent.length;
      const line = progressLine(this.#last, now - this.#started, this.#options.label, this.#options.total, width);
      this.#out.write(`\r\x1b[2K${indent}${line.length > width ? line.slice(0, width) : line}`);
      this.#drawnOnTerminal = true;
    } else {
      this.#out.write(`${indent}${progressLine(this.#last, now - this.#started, this.#options.label, this.#options.total)}\n`);
    }
  }
}

/**
 * One progress line. With `barWidth` (a terminal's free columns) and a known total, a bar of block
 * characters as wide as the rest of the line leaves room for (at most 28, at least 10).
 */
export function progressLine(snapshot: ProgressSnapshot, elapsedMs: number, label: string, total: number | undefined, barWidth?: number): string {
  const parts: string[] = [];
  let fraction: number | undefined;
  if (total !== undefined && total > 0) {
    fraction = Math.min(1, snapshot.rows / total);
    parts.push(`${String(Math.floor(fraction * 100)).padStart(3)}%`, `${formatCount(snapshot.rows)} / ${formatCount(total)} rows`);
  } else {
    parts.push(`${formatCount(snapshot.rows)} rows`);
  }
  if (snapshot.batches !== undefined) parts.push(`${formatCount(snapshot.batches)} ${snapshot.batches === 1 ? 'batch' : 'batches'}`);
  if (elapsedMs > 0) parts.push(`${formatCount(Math.round((snapshot.rows * 1000) / elapsedMs))} rows/s`);
  if (snapshot.highWatermark !== undefined && snapshot.highWatermark !== null) parts.push(`watermark ${JSON.stringify(snapshot.highWatermark)}`);
  if (snapshot.phase !== undefined && snapshot.phase !== 'loading') parts.push(`(${snapshot.phase})`);
  const text = parts.join('  ');
  if (fraction === undefined || barWidth === undefined) return `${label}  ${text}`;
  const width = Math.max(MIN_BAR_WIDTH, Math.min(BAR_WIDTH, barWidth - label.length - text.length - 4));
  const filled = Math.round(fraction * width);
  return `${label}  ${'█'.repeat(filled)}${'░'.repeat(width - filled)}  ${text}`;
}

function sameSnapshot(a: ProgressSnapshot, b: ProgressSnapshot | undefined): boolean {
  return b !== undefined && a.rows === b.rows && a.batches === b.batches && JSON.stringify(a.highWatermark) === JSON.stringify(b.highWatermark);
}

/** `135233` → `135,233`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
