/**
 * Starting `ingestWorkflow` from a Temporal client: the input checked first (with the same typed
 * errors the library raises for definitions and options), a workflow id that keeps two ingests of
 * the same tables from running at once, and typed handles.
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId, WorkflowOptions } from '@temporalio/client';
import { MalformedDefinitionError } from '../ingest/definition/errors.js';
import { validateDefinition } from '../ingest/definition/validate-definition.js';
import type { TableDefinition } from '../ingest/definition/table-definition.js';
import { resolvePlanOptions } from '../ingest/engine/options.js';
import { DEFAULT_DATABASE } from '../db/databases.js';
import { displayName } from '../sql/identifier.js';
import type { IngestInput, IngestWorkflowResult } from '../shared/ingest.js';
import { ingestInputProblems } from '../shared/ingest-input.js';
import { defaultIngestWorkflowId } from '../shared/ingest-workflow-id.js';
import type { ingestWorkflow } from '../../workflows/ingest.js';
import { InvalidIngestInputError } from './errors.js';

/** The workflow type name a worker registers (`workflowsPath` from `temporal-pg/worker`). */
export const INGEST_WORKFLOW_TYPE = 'ingestWorkflow';

/** Where and as what to start it: any `WorkflowOptions` (`taskQueue` required), `workflowId` optional. */
export type IngestStartOptions = Omit<WorkflowOptions, 'workflowId'> & {
  /**
   * Default: {@link defaultIngestWorkflowId} of the database and tables
   * (`temporal-pg-ingest:default:raw.events`), so a second ingest of the same tables fails to start
   * (`WorkflowExecutionAlreadyStartedError`) while the first runs. Choose another id on purpose to
   * run them side by side: the engine then serialises their batches and the later one fails with
   * `ConcurrentIngest` if the other stored a watermark in between.
   */
  readonly workflowId?: string;
};

/** A handle on a running ingest: `result()` resolves to its report; `query(ingestProgress)` tells where it is. */
export type IngestHandle = WorkflowHandleWithFirstExecutionRunId<typeof ingestWorkflow>;

/**
 * Checks `input` as the workflow and the plan will, without a database: its shape, every option,
 * and each table definition (`validateDefinition`).
 *
 * @throws InvalidIngestInputError for a malformed input (`details.problems` lists them all).
 * @throws the definition errors of the library (`MalformedTableDefinition`, `DuplicateColumn`,
 *   `NullablePrimaryKey`, `InvalidIdentifier` …), naming table, column or index.
 * @throws InvalidIngestOptionError for an option value the library refuses.
 */
export function checkIngestInput(input: IngestInput): void {
  const problems = ingestInputProblems(input);
  if (problems.length > 0) throw new InvalidIngestInputError(`ingest: ${problems.join('; ')}`, { details: { problems } });
  const tables = targetTables(input);
  const seen = new Set<string>();
  for (const table of tables) {
    validateDefinition(table);
    const name = displayName(table);
    if (seen.has(name)) throw new MalformedDefinitionError(`table ${name} is listed twice in the ingest`, { details: { table: name } });
    seen.add(name);
  }
  const { database: _d, tables: _t, source: _s, batchesPerRun: _b, activities: _a, ...options } = input;
  resolvePlanOptions(options);
}

/**
 * Starts `ingestWorkflow` and returns its handle.
 *
 * ```ts
 * const handle = await startIngest(client, { tables: events, source: { name: 'temporal-pg/ndjson-files', args: { directory: 'events' } } }, { taskQueue: 'postgres' });
 * console.log(await handle.query(ingestProgress));
 * const report = await handle.result();
 * ```
 *
 * @throws what {@link checkIngestInput} throws, before anything is started.
 * @throws WorkflowExecutionAlreadyStartedError (from the client) when an ingest with the same
 *   workflow id runs: by default, one of the same tables.
 */
export async function startIngest(client: Client, input: IngestInput, options: IngestStartOptions): Promise<IngestHandle> {
  checkIngestInput(input);
  return client.workflow.start<typeof ingestWorkflow>(INGEST_WORKFLOW_TYPE, {
    ...options,
    workflowId: options.workflowId ?? ingestWorkflowIdOf(input),
    args: [input],
  });
}

/**
 * Starts `ingestWorkflow` and waits for its report. A failure arrives as the client's
 * `WorkflowFailedError`, whose `cause` is an `ApplicationFailure` with the failing step's type
 * (`InvalidValue`, `UnknownSource` …) and the progress in its last detail.
 */
export async function executeIngest(client: Client, input: IngestInput, options: IngestStartOptions): Promise<IngestWorkflowResult> {
  const handle = await startIngest(client, input, options);
  return handle.result();
}

/** The workflow id {@link startIngest} gives `input` when the caller chose none. */
export function ingestWorkflowIdOf(input: IngestInput): string {
  return defaultIngestWorkflowId(input.database ?? DEFAULT_DATABASE, targetTables(input));
}

/** The input's table definitions, as a list (it may hold one or several). */
export function targetTables(input: IngestInput): readonly TableDefinition[] {
  return Array.isArray(input.tables) ? (input.tables as readonly TableDefinition[]) : [input.tables as TableDefinition];
}
