/** Command-line durations: `500ms`, `5s`, `1.5s`, `2m`, `1h` → milliseconds. */
import { CliUsageError } from './io.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration with a unit (`ms`, `s`, `m`, `h`) into milliseconds.
 *
 * @param flag the flag it came from, for the error message.
 * @throws CliUsageError for anything else (a bare number is refused: 5 what?).
 */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!match) {
    const hint = /^\d+(\.\d+)?$/.test(text.trim()) ? ' (add a unit)' : '';
    throw new CliUsageError(`${flag} needs a duration like 500ms, 5s, 2m or 1h; got ${JSON.stringify(text)}${hint}`);
  }
  return Math.round(Number(match[1]) * (UNITS[match[2] as string] as number));
}

/** Short human form of milliseconds: `850ms`, `12s`, `2m31s`, `1h02m`. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d${String(hours % 24).padStart(2, '0')}h`;
}
