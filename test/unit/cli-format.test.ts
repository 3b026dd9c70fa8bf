import { describe, expect, it } from 'vitest';
import { CliUsageError } from '../../src/cli/io.js';
import { formatDuration, parseDuration } from '../../src/cli/parse-duration.js';
import { renderTable } from '../../src/cli/table.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    [' 0s ', 0],
  ])('%j → %d ms', (text, ms) => expect(parseDuration(text, '--x')).toBe(ms));

  it.each(['5', '5 s', '-1s', 's', '1d', ''])('refuses %j', (text) => {
    expect(() => parseDuration(text, '--min-wait')).toThrow(CliUsageError);
    expect(() => parseDuration(text, '--min-wait')).toThrow(/--min-wait needs a duration/);
  });
});

describe('formatDuration', () => {
  it.each([
    [null, ''],
    [850, '850ms'],
    [12_400, '12s'],
    [151_000, '2m31s'],
    [3_720_000, '1h02m'],
    [90_000_000, '1d01h'],
  ] as const)('%s → %j', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('renderTable', () => {
  const rows = [
    { pid: 7, name: 'a', query: 'SELECT\n   1' },
    { pid: 12345, name: 'longer', query: 'SELECT 2' },
  ];
  const columns = [
    { header: 'PID', cell: (r: (typeof rows)[number]) => String(r.pid), right: true },
    { header: 'NAME', cell: (r: (typeof rows)[number]) => r.name },
    { header: 'QUERY', cell: (r: (typeof rows)[number]) => r.query },
  ];

  it('aligns columns and puts queries on one line', () => {
    expect(renderTable(rows, columns, { write: () => true })).toBe(['  PID  NAME    QUERY', '    7  a       SELECT 1', '12345  longer  SELECT 2', ''].join('\n'));
  });

  it('cuts lines to the terminal width only on a terminal', () => {
    const out = renderTable(rows, columns, { write: () => true, isTTY: true, columns: 18 });
    expect(out.split('\n').every((line) => line.length <= 18)).toBe(true);
    expect(out).toContain('12345  longer  SE…');
  });
});
