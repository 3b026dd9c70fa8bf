/** Aligned text tables for terminals: columns padded to their widest cell, lines cut to the width. */
import type { CliOutput } from './io.js';

/** One column: its header and how to read a cell from a row. */
export interface Column<R> {
  readonly header: string;
  readonly cell: (row: R) => string;
  /** Right-align (numbers, durations). */
  readonly right?: boolean;
}

/**
 * Renders rows under a header, two spaces between columns. On a terminal every line is cut to
 * its width (the last column, usually the query, gives way); elsewhere nothing is cut.
 */
export function renderTable<R>(rows: readonly R[], columns: ReadonlyArray<Column<R>>, out: CliOutput): string {
  const cells = rows.map((row) => columns.map((column) => oneLine(column.cell(row))));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => (line[i] as string).length)));
  const render = (line: readonly string[]) =>
    line
      .map((cell, i) => {
        if (i === line.length - 1) return cell;
        const width = widths[i] as number;
        return columns[i]?.right ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const lines = [render(columns.map((c) => c.header)), ...cells.map(render)];
  return lines.map((line) => fitToWidth(line, out)).join('\n') + '\n';
}

/** Cuts a line to the terminal width (only on a terminal). */
export function fitToWidth(line: string, out: CliOutput): string {
  const width = out.isTTY ? (out.columns ?? 120) : Infinity;
  return line.length <= width ? line : `${line.slice(0, Math.max(0, width - 1))}…`;
}

/** Collapses whitespace (queries span lines). */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
