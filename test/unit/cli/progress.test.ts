import { describe, expect, it } from 'vitest';
import { ProgressDisplay, formatCount, progressLine } from '../../../src/cli/progress.js';

/** An output that records writes, as a terminal or not. */
function output(isTTY: boolean, columns = 100) {
  const writes: string[] = [];
  return { writes, out: { isTTY, columns, write: (text: string) => writes.push(text) } };
}

describe('progressLine', () => {
  it('shows percent, rows, batches, rate and watermark, with a bar only when given a width', () => {
    const snapshot = { rows: 67_616, batches: 9, highWatermark: 'IT' };
    expect(progressLine(snapshot, 2000, 'loading', 135_232)).toBe('loading   50%  67,616 / 135,232 rows  9 batches  33,808 rows/s  watermark "IT"');
    const bar = progressLine(snapshot, 2000, 'loading', 135_232, 120);
    expect(bar).toBe(`loading  ${'█'.repeat(14)}${'░'.repeat(14)}   50%  67,616 / 135,232 rows  9 batches  33,808 rows/s  watermark "IT"`);
  });

  it('narrows the bar to the terminal, down to 10 cells', () => {
    const line = progressLine({ rows: 10, batches: 1 }, 1000, 'loading', 100, 60);
    expect(line.length).toBeLessThanOrEqual(60);
    expect(line).toMatch(/^loading  █+░+ {3}10%/);
    expect(progressLine({ rows: 10 }, 1000, 'loading', 100, 20)).toMatch(/^loading  [█░]{10}  /);
  });

  it('counts without a total, and says the phase when it is not loading', () => {
    expect(progressLine({ rows: 1500, batches: 1, phase: 'swapping' }, 0, 'ingest', undefined, 80)).toBe('ingest  1,500 rows  1 batch  (swapping)');
  });

  it('formats counts with thousands separators', () => {
    expect(formatCount(135233)).toBe('135,233');
  });
});

describe('ProgressDisplay', () => {
  it('redraws one line in place on a terminal, cut to its width, and ends it when finished', () => {
    let now = 0;
    const { writes, out } = output(true, 50);
    const display = new ProgressDisplay(out, { label: 'loading', total: 1000, now: () => now, indent: '  ' });
    display.update({ rows: 0 });
    now = 50;
    display.update({ rows: 100 }); // within the redraw interval: skipped
    now = 150;
    display.update({ rows: 500, batches: 2 });
    display.finish({ rows: 1000, batches: 4 });
    display.update({ rows: 1 }); // after finish: ignored
    expect(writes).toHaveLength(4);
    expect(writes.slice(0, 3).every((w) => w.startsWith('\r\x1b[2K  loading  '))).toBe(true);
    expect(writes.slice(0, 3).every((w) => w.length - '\r\x1b[2K'.length <= 49)).toBe(true);
    expect(writes[2]).toContain('100%');
    expect(writes[3]).toBe('\n');
  });

  it('prints plain lines at most once a second elsewhere, none before anything happened, and no repeat at the end', () => {
    let now = 0;
    const { writes, out } = output(false);
    const display = new ProgressDisplay(out, { label: 'loading', total: 1000, now: () => now });
    display.update({ rows: 0, batches: 0 });
    now = 100;
    display.update({ rows: 200, batches: 1 });
    now = 600;
    display.update({ rows: 400, batches: 2 });
    now = 1200;
    display.update({ rows: 1000, batches: 3 });
    display.finish({ rows: 1000, batches: 3 });
    expect(writes).toEqual(['loading   20%  200 / 1,000 rows  1 batch  2,000 rows/s\n', 'loading  100%  1,000 / 1,000 rows  3 batches  833 rows/s\n']);
    expect(writes.join('')).not.toMatch(/[\r\x1b]/);
  });

  it('clears its line on a terminal only', () => {
    const tty = output(true);
    const display = new ProgressDisplay(tty.out, { label: 'x' });
    display.update({ rows: 1 });
    display.clear();
    expect(tty.writes.at(-1)).toBe('\r\x1b[2K');
    const plain = output(false);
    new ProgressDisplay(plain.out, { label: 'x' }).clear();
    expect(plain.writes).toEqual([]);
  });
});
