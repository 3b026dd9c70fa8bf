/**
 * One ingest of the demo: `ingestWorkflow` started from the client, its `ingestProgress` query
 * drawn as a progress bar while it runs, its report turned into a {@link DemoStepReport}.
 */
import type { Client } from '@temporalio/client';
import { startIngest } from '../client/ingest.js';
import { InterruptedError, type CliOutput } from '../cli/io.js';
import { ProgressDisplay } from '../cli/progress.js';
import type { TableDefinition } from '../ingest/definition/table-definition.js';
import type { IngestReport } from '../ingest/engine/types.js';
import type { ForceExecutePlainOptions } from '../shared/force-execute.js';
import { ingestProgress, type IngestInput } from '../shared/ingest.js';
import { CITIES_SOURCE, type CitiesSourceArgs } from './cities-source.js';
import type { DemoStepReport } from './demo-report.js';

export interface DemoIngestRequest {
  readonly client: Client;
  readonly taskQueue: string;
  readonly workflowId: string;
  readonly definition: TableDefinition;
  readonly args: CitiesSourceArgs;
  /** `'earliest'` to read the source from the start again. Default: the stored watermark. */
  readonly highWatermark?: IngestInput['highWatermark'];
  readonly forceExecute?: ForceExecutePlainOptions;
  /** Rows the source yields in all (the bar's 100 %). */
  readonly total: number;
  /** Where the progress bar (terminal) or progress lines (elsewhere) go. */
  readonly out: CliOutput;
  /** Aborting cancels the workflow (its batch in flight rolls back) and rejects with InterruptedError. */
  readonly signal?: AbortSignal;
}

export interface DemoIngestOutcome {
  readonly workflowId: string;
  readonly report: IngestReport;
  /** Wall time from the start to the result, in milliseconds. */
  readonly durationMs: number;
}

const POLL_MS = 200;
const CANCEL_WAIT_MS = 15_000;

export async function runDemoIngest(request: DemoIngestRequest): Promise<DemoIngestOutcome> {
  const started = performance.now();
  const input: IngestInput = {
    database: 'default',
    tables: request.definition,
    source: { name: CITIES_SOURCE, args: { ...request.args } as IngestInput['source']['args'] },
    ...(request.highWatermark === undefined ? {} : { highWatermark: request.highWatermark }),
    ...(request.forceExecute === undefined ? {} : { forceExecute: request.forceExecute }),
  };
  const handle = await startIngest(request.client, input, { taskQueue: request.taskQueue, workflowId: request.workflowId });
  const progress = new ProgressDisplay(request.out, { label: 'loading', total: request.total, indent: '     ' });
  let done = false;
  const follow = (async () => {
    while (!done) {
      const snapshot = await handle.query(ingestProgress).catch(() => undefined);
      if (snapshot && !done) progress.update({ rows: snapshot.rows, batches: snapshot.batches, highWatermark: snapshot.highWatermark, phase: snapshot.phase });
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();
  const onAbort = () => void handle.cancel().catch(() => undefined);
  request.signal?.addEventListener('abort', onAbort, { once: true });
  // Once cancelled, the workflow rolls its batch back and ends within seconds; the demo then
  // cleans up whatever happens, so it waits no longer than this.
  const givenUp = new Promise<never>((_, reject) => {
    request.signal?.addEventListener('abort', () => setTimeout(() => reject(new Error('the cancelled workflow did not end in time')), CANCEL_WAIT_MS).unref(), { once: true });
  });
  givenUp.catch(() => undefined);
  try {
    const report = await Promise.race([handle.result(), givenUp]);
    done = true;
    await follow;
    progress.finish({ rows: report.rows, batches: report.batches, highWatermark: report.highWatermark });
    return { workflowId: handle.workflowId, report, durationMs: performance.now() - started };
  } catch (error) {
    done = true;
    await follow;
    progress.clear();
    if (request.signal?.aborted) throw new InterruptedError(`interrupted: workflow ${handle.workflowId} was cancelled (its batch in flight rolled back)`, { cause: error });
    throw error;
  } finally {
    request.signal?.removeEventListener('abort', onAbort);
  }
}

/** The step's report, from the workflow's. */
export function describeStep(definition: string, change: string, outcome: DemoIngestOutcome, tableOid: number): DemoStepReport {
  const { report } = outcome;
  const table = report.tables[0];
  return {
    definition,
    change,
    workflowId: outcome.workflowId,
    batches: report.batches,
    rows: report.rows,
    durationMs: Math.round(outcome.durationMs),
    rowsPerSecond: Math.round((report.rows * 1000) / Math.max(1, outcome.durationMs)),
    migration: table?.migration ?? 'none',
    statements: table?.statements ?? [],
    swapped: report.swapped,
    highWatermark: report.highWatermark,
    blockers: report.blockers,
    tableOid,
  };
}
