/**
 * `temporal-pg ingest <spec>`: start `ingestWorkflow` with the input of a YAML or JSON spec file;
 * optionally wait for its report, or follow its progress through the `ingestProgress` query.
 */
import type { Client } from '@temporalio/client';
import { checkIngestInput, ingestWorkflowIdOf, startIngest, targetTables, type IngestHandle } from '../../client/ingest.js';
import { isTemporalPgError } from '../../errors/temporal-pg-error.js';
import type { IngestReport } from '../../ingest/engine/types.js';
import { ingestProgress, type IngestInput } from '../../shared/ingest.js';
import { EXIT_CODES_HELP, ExitCode } from '../exit-codes.js';
import { json, parseFlags } from '../flags.js';
import { CliUsageError, InterruptedError, type CliIo } from '../io.js';
import { formatDuration } from '../parse-duration.js';
import { ProgressDisplay, formatCount } from '../progress.js';
import { readSpecFile, SpecFileError, type SpecFile } from '../spec-file.js';
import { TEMPORAL_FLAGS, TEMPORAL_HELP, describeTemporalFailure, temporalTarget, withTemporalClient } from '../temporal.js';
import type { CliCommand } from './index.js';

const HELP = `Usage: temporal-pg ingest <spec.yaml | spec.json> [flags]

Starts ingestWorkflow on a temporal-pg worker (temporal-pg worker) with the input in the spec file,
and prints its workflow id. The spec is the workflow's input (IngestInput), plain YAML or JSON:

  database: default                  # a database registered at the worker (default "default")
  tables:                            # one table definition, or a list (the first keeps the watermark)
    schema: raw
    name: orders
    columns:
      - { name: id, type: bigint, primaryKey: true }
      - { name: customer, type: text, nullable: false }
      - { name: amount, type: "numeric(12,2)" }
  source:                            # a source registered at the worker, and its args
    name: temporal-pg/csv-files
    args: { directory: orders }
  upsert: if-primary-key             # options, each with its default: see the README
  visibility: after-each-batch
  forceExecute: { delayMs: 300000 }

Flags:
  --wait                      wait for the workflow's report (exit 1 if it fails)
  --follow                    show its progress (the ingestProgress query) until it ends, then the
                              report: a progress bar on a terminal, a line a second otherwise
  --workflow-id <id>          default: temporal-pg-ingest:<database>:<tables>, so a second ingest of the
                              same tables cannot start while one runs
  --check                     only check the spec file (nothing is started; no Temporal needed)
  --json                      print { workflowId, runId } (or, with --wait/--follow, the report) as JSON

Ctrl-C while waiting or following stops watching; the ingest goes on (it is a workflow): cancel it
with "temporal workflow cancel --workflow-id <id>" or your client.

${TEMPORAL_HELP}

${EXIT_CODES_HELP}

Examples:
  temporal-pg ingest orders.yaml --follow
  temporal-pg ingest events.json --workflow-id nightly-events --wait --json
`;

const OPTIONS = {
  wait: { type: 'boolean' },
  follow: { type: 'boolean' },
  'workflow-id': { type: 'string' },
  check: { type: 'boolean' },
  json: { type: 'boolean' },
  ...TEMPORAL_FLAGS,
  help: { type: 'boolean', short: 'h' },
} as const;

/** What `--json` prints after `--wait` / `--follow`. */
export interface IngestCliResult {
  readonly workflowId: string;
  readonly runId: string;
  readonly report: IngestReport;
}

export const ingestCommand: CliCommand = {
  async run(argv, io) {
    const { values: flags, positionals } = parseFlags(argv, OPTIONS, true);
    if (flags.help) {
      io.stdout.write(HELP);
      return ExitCode.ok;
    }
    if (positionals.length !== 1) throw new CliUsageError(positionals.length === 0 ? 'give the spec file: temporal-pg ingest orders.yaml' : `one spec file at a time, got ${positionals.length}`);
    const spec = await readSpecFile(positionals[0]!);
    const input = checkedInput(spec);
    const workflowId = flags['workflow-id'] ?? ingestWorkflowIdOf(input);
    if (flags.check) {
      io.stdout.write(flags.json ? json({ valid: true, workflowId }) : `${spec.path} is a valid ingest input (workflow id ${workflowId})\n`);
      return ExitCode.ok;
    }
    const target = temporalTarget(flags, io);
    return withTemporalClient(target, async (client) => {
      const handle = await start(client, input, target.taskQueue, workflowId);
      if (!flags.wait && !flags.follow) {
        io.stdout.write(flags.json ? json({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId }) : `started ingest ${handle.workflowId} (run ${handle.firstExecutionRunId}) on task queue ${target.taskQueue}\n`);
        return ExitCode.ok;
      }
      io.stderr.write(`started ingest ${handle.workflowId} on task queue ${target.taskQueue}\n`);
      const report = await waitFor(handle, io, flags.follow === true, flags.json === true);
      io.stdout.write(flags.json ? json({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId, report } satisfies IngestCliResult) : renderReport(handle.workflowId, report));
      return ExitCode.ok;
    });
  },
};

/** The spec's value as an ingest input, or a usage error naming the file and line. */
function checkedInput(spec: SpecFile): IngestInput {
  try {
    checkIngestInput(spec.value as IngestInput);
  } catch (error) {
    if (!isTemporalPgError(error)) throw error;
    const problems = (error.details as { problems?: unknown }).problems;
    if (Array.isArray(problems)) {
      throw new SpecFileError(problems.map((problem) => `${spec.where(fieldPath(String(problem)))}: ${String(problem)}`).join('\n'));
    }
    throw new SpecFileError(`${spec.where(definitionPath(spec.value as IngestInput, error.details))}: ${error.message}`);
  }
  return spec.value as IngestInput;
}

/** Where a definition error points: the table it names, and its column (the last one of that name). */
function definitionPath(input: IngestInput, details: Readonly<Record<string, unknown>>): Array<string | number> {
  const list = targetTables(input);
  const index = list.findIndex((t) => `${t.schema}.${t.name}` === details.table || t.name === details.table);
  if (index < 0) return ['tables'];
  const base: Array<string | number> = Array.isArray(input.tables) ? ['tables', index] : ['tables'];
  const columns = list[index]!.columns;
  const column = Array.isArray(columns) ? columns.map((c) => c?.name).lastIndexOf(details.column as string) : -1;
  return column < 0 ? base : [...base, 'columns', column];
}

/** The field a problem sentence starts with (`source.name must …`, `unknown field "x"`), as a path. */
function fieldPath(problem: string): Array<string | number> {
  const field = /^unknown field "([^"]+)"/.exec(problem)?.[1] ?? /^([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*|\[\d+\])*)\s/.exec(problem)?.[1];
  if (!field) return [];
  return [...field.matchAll(/([A-Za-z_]\w*)|\[(\d+)\]/g)].map((m) => (m[2] === undefined ? m[1]! : Number(m[2])));
}

async function start(client: Client, input: IngestInput, taskQueue: string, workflowId: string): Promise<IngestHandle> {
  try {
    return await startIngest(client, input, { taskQueue, workflowId });
  } catch (error) {
    // Loaded by now (withTemporalClient loads the SDK only when a command reaches Temporal).
    const { WorkflowExecutionAlreadyStartedError } = await import('@temporalio/client');
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      throw new Error(`an ingest with workflow id ${workflowId} is already running (one ingest per table at a time; choose another --workflow-id to run both)`, { cause: error });
    }
    throw error;
  }
}

async function waitFor(handle: IngestHandle, io: CliIo, follow: boolean, jsonOutput: boolean): Promise<IngestReport> {
  const signal = io.interrupts?.();
  // Progress goes where the report goes, unless that is JSON (then to stderr).
  const progress = follow ? new ProgressDisplay(jsonOutput ? io.stderr : io.stdout, { label: 'ingest' }) : undefined;
  let done = false;
  const polling = (async () => {
    while (progress && !done) {
      const snapshot = await handle.query(ingestProgress).catch(() => undefined);
      if (snapshot && !done) progress.update({ rows: snapshot.rows, batches: snapshot.batches, highWatermark: snapshot.highWatermark, phase: snapshot.phase });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  const interrupted = new Promise<never>((_, reject) => {
    signal?.addEventListener('abort', () => reject(new InterruptedError(`stopped watching; the ingest goes on: workflow id ${handle.workflowId}`)), { once: true });
  });
  interrupted.catch(() => undefined);
  try {
    const report = await Promise.race([handle.result(), interrupted]);
    done = true;
    await polling;
    progress?.finish({ rows: report.rows, batches: report.batches, highWatermark: report.highWatermark });
    return report;
  } catch (error) {
    done = true;
    await polling;
    progress?.clear();
    if (error instanceof InterruptedError) throw error;
    throw new Error(`ingest ${handle.workflowId} failed: ${describeTemporalFailure(error)}`, { cause: error });
  }
}

function renderReport(workflowId: string, report: IngestReport): string {
  const rate = report.durationMs > 0 ? `, ${formatCount(Math.round((report.rows * 1000) / report.durationMs))} rows/s` : '';
  const lines = [
    `ingest ${workflowId} done: ${formatCount(report.rows)} rows in ${report.batches} ${report.batches === 1 ? 'batch' : 'batches'}, ${formatDuration(report.durationMs)}${rate}; watermark ${JSON.stringify(report.highWatermark)}`,
    ...report.tables.map((t) => `  ${t.table}  ${t.migration}${t.swapped ? ' + swap' : ''}  ${formatCount(t.rows)} rows`),
    ...report.blockers.map((b) => `  ${b.action === 'terminate' ? 'terminated' : 'cancelled'} pid ${b.pid} (${b.user ?? '?'}, ${b.applicationName || 'no application name'}, ${b.state ?? 'unknown state'}) holding ${b.locksHeld.map((l) => `${l.mode} on ${l.target}`).join(', ') || 'nothing'}`),
  ];
  return `${lines.join('\n')}\n`;
}
