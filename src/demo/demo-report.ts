/** What the demo did, as JSON (`--json`) and as the closing text report. */
import { formatDuration } from '../cli/parse-duration.js';
import { formatCount } from '../cli/progress.js';
import type { BlockerReport } from '../locks/blockers.js';

/** One ingest of the demo (one workflow). */
export interface DemoStepReport {
  /** `v1`, `v2`, `v3`: the definition loaded. */
  readonly definition: string;
  /** What changed in the definition, in words. */
  readonly change: string;
  readonly workflowId: string;
  readonly batches: number;
  readonly rows: number;
  readonly durationMs: number;
  readonly rowsPerSecond: number;
  /** `create`, `in-place`, `rebuild` or `none`. */
  readonly migration: string;
  /** DDL the migration ran (not the swap's statements). */
  readonly statements: readonly string[];
  readonly swapped: boolean;
  readonly highWatermark: unknown;
  /** Sessions the swap acted on. */
  readonly blockers: readonly BlockerReport[];
  /** OID of `geonames.cities` after the step: unchanged by an in-place migration, new after a swap. */
  readonly tableOid: number;
}

export interface DemoReport {
  readonly postgres: { readonly version: string; readonly address: string };
  readonly temporal: { readonly kind: 'external' | 'dev-server' | 'in-memory'; readonly address: string; readonly namespace: string };
  readonly taskQueue: string;
  readonly table: string;
  /** `count(*)` of the table at the end. */
  readonly rowsInTable: number;
  readonly steps: readonly DemoStepReport[];
  readonly totals: { readonly rows: number; readonly durationMs: number; readonly rowsPerSecond: number };
  /** The watermark stored with the table at the end. */
  readonly highWatermark: unknown;
  /** Every session terminated or cancelled during the demo. */
  readonly victims: readonly BlockerReport[];
  /** Wall time of the whole demo, start-up included, in milliseconds. */
  readonly durationMs: number;
}

/** The closing report, as aligned lines. */
export function renderDemoReport(report: DemoReport): string {
  const migrations = report.steps.map((s) => `${s.definition} ${s.migration}${s.swapped ? ' + swap' : ''}${s.migration === 'in-place' ? ' (same table OID)' : ''}`).join(', ');
  const victims = report.victims.length
    ? report.victims.map((v) => `${v.action === 'terminate' ? 'terminated' : 'cancelled'} pid ${v.pid} (${v.applicationName || 'no application name'}, ${v.state ?? 'unknown state'}, ${formatDuration(v.ageMs)} old, holding ${heldOn(v, report.table)})`).join('; ')
    : 'none';
  const rows: Array<[string, string]> = [
    ['table', `${report.table}: ${formatCount(report.rowsInTable)} rows`],
    ['loaded', `${formatCount(report.totals.rows)} rows in ${report.steps.length} ingests, ${formatSeconds(report.totals.durationMs)} (${formatCount(report.totals.rowsPerSecond)} rows/s)`],
    ...report.steps.map((s): [string, string] => [`  ${s.definition}`, `${formatCount(s.rows)} rows in ${s.batches} batches, ${formatSeconds(s.durationMs)} (${formatCount(s.rowsPerSecond)} rows/s), workflow ${s.workflowId}`]),
    ['migrations', migrations],
    ['watermark', JSON.stringify(report.highWatermark)],
    ['victims', victims],
    ['temporal', `${report.temporal.kind} at ${report.temporal.address}`],
    ['total time', formatSeconds(report.durationMs)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return `${rows.map(([label, text]) => `  ${label.padEnd(width)}  ${text}`).join('\n')}\n`;
}

/** The locks a victim held on `table` (all of them when none was on the table itself). */
export function heldOn(victim: BlockerReport, table: string): string {
  const onTable = victim.locksHeld.filter((l) => l.target === table);
  return (onTable.length > 0 ? onTable : victim.locksHeld).map((l) => `${l.mode} on ${l.target}`).join(', ') || 'nothing';
}

/** `2.4 s`. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
