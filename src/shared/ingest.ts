/**
 * The ingest workflow's plain-JSON vocabulary, safe to load in a workflow (type imports only, plus
 * `defineQuery`): its input and result, its activities' inputs and results, their defaults, the
 * `ingestProgress` query and the `application_name` tokens of the batch sessions.
 */
import { defineQuery } from '@temporalio/workflow';
import type { TableDefinition } from '../ingest/definition/table-definition.js';
import type { SwapPreparation } from '../ingest/engine/swap-pending.js';
import type { BatchOutcome, IngestPlan, IngestPlanOptions, IngestReport, IngestState, JsonValue } from '../ingest/engine/types.js';
import type { MigrationKind } from '../ingest/schema/plan-migration.js';
import type { ForceExecuteActivityOptions } from './force-execute.js';

/** Which of the worker's named sources to read, with what arguments. */
export interface IngestSourceReference {
  /** A name registered at the worker (`createActivities({ sources })`), e.g. `'temporal-pg/csv-files'`. */
  readonly name: string;
  /** The source's arguments, plain JSON (checked by the source). Default `{}`. */
  readonly args?: JsonValue;
}

/** Where and how long the ingest's activities run, and how they are retried. Durations in milliseconds. */
export interface IngestActivityOptions {
  /** Task queue of the ingest's activities (and of its swap's). Default: the workflow's. */
  readonly taskQueue?: string;
  /**
   * Heartbeat timeout of every ingest activity (they heartbeat from a timer, also while one COPY or
   * index build runs): a worker that died mid-batch is noticed, and the batch retried elsewhere,
   * after this long; a cancellation reaches a batch within about 0.8 × this (less with the worker's
   * `maxHeartbeatThrottleInterval`, which `createWorker` sets to 1 s). Default `30000`.
   */
  readonly heartbeatTimeoutMs?: number;
  /** Start-to-close timeout of one attempt of an activity (one batch, the plan …). Default `86400000` (1 day). */
  readonly startToCloseTimeoutMs?: number;
  /**
   * Attempts of each activity. Retryable failures (lock timeouts, lost or terminated connections,
   * serialization failures, a worker that died) are retried after 1 s, doubling up to a minute
   * between attempts; non-retryable ones (bad data, definition errors, a missing source or
   * database, permissions) never are. Default `20` (about a quarter of an hour of retries).
   */
  readonly maximumAttempts?: number;
  /** The swap's force-execute activities (statement and watcher); `taskQueue` defaults to the one above. */
  readonly swap?: ForceExecuteActivityOptions;
}

/** Defaults of {@link IngestActivityOptions} and of `batchesPerRun`. */
export const INGEST_WORKFLOW_DEFAULTS = {
  /** Batches per workflow run before continue-as-new (about 6 history events each). */
  batchesPerRun: 500,
  heartbeatTimeoutMs: 30_000,
  startToCloseTimeoutMs: 86_400_000,
  maximumAttempts: 20,
  /** Attempts of the cleanup after a cancellation or failure (it then gives up: the next ingest of the table drops what is left). */
  cleanupAttempts: 5,
} as const;

/** The library options an ingest workflow takes (plain JSON; see `IngestPlanOptions` for each). */
export type IngestWorkflowOptions = Pick<
  IngestPlanOptions,
  'highWatermark' | 'upsert' | 'delete' | 'visibility' | 'forceExecute' | 'lockTimeoutMs' | 'onConcurrentIngest' | 'maxRowsPerTableBuffer'
>;

/**
 * Input of `ingestWorkflow`: plain JSON (no functions, no connection strings, no rows).
 *
 * ```ts
 * { database: 'warehouse', tables: [eventsDefinition], source: { name: 'temporal-pg/ndjson-files', args: { directory: 'events' } }, upsert: 'off' }
 * ```
 */
export interface IngestInput extends IngestWorkflowOptions {
  /** Name of a database registered at the worker (`createActivities({ databases })`). Default `'default'`. */
  readonly database?: string;
  /** The target table definition, or several (the first stores the watermark), as the library's `ingest` takes them. */
  readonly tables: TableDefinition | readonly TableDefinition[];
  /** The worker's named source to read the batches from. */
  readonly source: IngestSourceReference;
  /**
   * Batches per workflow run: after this many the workflow continues as new (carrying plan, state
   * and report), so its history stays bounded; it also does when the server suggests it. Default `500`.
   */
  readonly batchesPerRun?: number;
  /** Activity placement, timeouts and attempts. */
  readonly activities?: IngestActivityOptions;
}

/** The result of `ingestWorkflow`: the library's report (`durationMs` is workflow time from the first run's start). */
export type IngestWorkflowResult = IngestReport;

/** What a run hands the next one when it continues as new. */
export interface IngestContinuation {
  readonly plan: IngestPlan;
  readonly state: IngestState;
  /** Epoch milliseconds at which the first run started. */
  readonly startedAt: number;
  /** Number of the run about to start (the first is 1). */
  readonly run: number;
  /** Batches found committed by an earlier attempt so far (a worker died before reporting them). */
  readonly recoveredBatches: number;
}

/** Where an ingest workflow is. */
export type IngestPhase = 'planning' | 'loading' | 'swapping' | 'finishing' | 'cleaning-up' | 'done' | 'cancelled' | 'failed';

/** One table in {@link IngestProgressSnapshot}. */
export interface IngestTableProgress {
  readonly table: string;
  readonly migration: MigrationKind;
  readonly rows: number;
  readonly swapped: boolean;
}

/** What the `ingestProgress` query answers, in any run of the workflow (it survives continue-as-new). */
export interface IngestProgressSnapshot {
  readonly phase: IngestPhase;
  /** The ledger id of the ingest (`null` until planned). */
  readonly ingestId: string | null;
  /** Batches committed, over every run. */
  readonly batches: number;
  /** Rows committed (all tables). */
  readonly rows: number;
  /** COPY bytes of the committed batches. */
  readonly bytes: number;
  /** The watermark stored with the last committed batch (what was stored before, until the first). */
  readonly highWatermark: JsonValue;
  /** The batch being loaded now, or `null` (its rows so far are in the batch activity's heartbeat details). */
  readonly batchInFlight: number | null;
  /** Batches an activity found already committed by an earlier attempt (a worker died before reporting). */
  readonly recoveredBatches: number;
  /** Number of this run (1 + continue-as-new so far), and its run id. */
  readonly run: number;
  readonly runId: string;
  /** Batches committed by this run. */
  readonly batchesThisRun: number;
  /** When the first run started (ISO 8601). */
  readonly startedAt: string;
  readonly tables: readonly IngestTableProgress[];
  /** Sessions the swaps acted on so far. */
  readonly blockers: number;
}

/** The query every run of `ingestWorkflow` answers: `await handle.query(ingestProgress)`. */
export const ingestProgress = defineQuery<IngestProgressSnapshot>('ingestProgress');

/** Input of the plan activity. */
export interface IngestPlanInput {
  readonly database: string;
  readonly tables: TableDefinition | readonly TableDefinition[];
  readonly options: IngestWorkflowOptions & { readonly ingestId: string };
  /** Checked to be registered before anything is planned. */
  readonly source: string;
}

/** Result of the plan activity. */
export interface IngestPlanResult {
  readonly plan: IngestPlan;
  readonly state: IngestState;
}

/** Input of the activities that take the plan and state. */
export interface IngestStepInput {
  readonly database: string;
  readonly plan: IngestPlan;
  readonly state: IngestState;
}

/** Input of the batch activity. */
export interface IngestBatchInput extends IngestStepInput {
  readonly source: IngestSourceReference;
}

/**
 * Result of the batch activity: the next batch loaded — `ingestBatch`'s outcome, whose status
 * `'already-committed'` means an earlier attempt committed it and the worker died before reporting
 * (nothing was read) — or nothing left.
 */
export type IngestBatchResult =
  | { readonly kind: 'exhausted'; readonly state: IngestState }
  | (BatchOutcome & {
      readonly kind: 'batch';
      /** The activity attempt that did it. */
      readonly attempt: number;
    });

/** What the batch activity heartbeats (also what a retried attempt learns of the one before). */
export interface IngestBatchHeartbeat {
  readonly batch: number;
  readonly attempt: number;
  readonly phase: 'checking-ledger' | 'opening-source' | 'loading' | 'committed' | 'already-committed' | 'exhausted';
  /** Rows and COPY bytes of this batch so far. */
  readonly rows: number;
  readonly bytes: number;
}

/** What the other ingest activities heartbeat. */
export interface IngestStepHeartbeat {
  readonly step: 'plan' | 'prepare-swap' | 'finish' | 'abandon';
}

/** Result of the finish activity. */
export interface IngestFinishResult {
  readonly state: IngestState;
  readonly report: IngestReport;
}

/** Input of the cleanup activity run after a cancellation or failure. */
export interface IngestAbandonInput {
  readonly database: string;
  readonly plan: IngestPlan;
}

/** Result of the cleanup activity. */
export interface IngestAbandonResult {
  /** Fresh tables of this ingest dropped (with the batches they held, and their watermark). */
  readonly droppedTables: readonly string[];
  /** Backends of this ingest's batch sessions that were still there, terminated. */
  readonly terminatedBackends: readonly number[];
}

/** The force-execute operation kind of the ingest's swap (registered by `createActivities`). */
export const INGEST_SWAP_OPERATION = 'ingest-swap';

/** The swap as a force-execute operation: `swapWork(plan, state, preparation)` in the statement's transaction. */
export interface IngestSwapOperation {
  readonly kind: typeof INGEST_SWAP_OPERATION;
  readonly plan: IngestPlan;
  readonly state: IngestState;
  readonly preparation: SwapPreparation;
}

const BATCH_TOKEN_PREFIX = 'tpg-in:';

/**
 * The `application_name` prefix of every batch session of one ingest (`tpg-in:<ingest id>:`): a
 * retried batch ends the backends earlier attempts left behind, the cleanup ends all of them.
 */
export function ingestBatchTokenPrefix(ingestId: string): string {
  return `${BATCH_TOKEN_PREFIX}${ingestId}:`;
}

/** The `application_name` of one attempt of one batch: `tpg-in:<ingest id>:<batch>.<attempt>` (at most 63 bytes with a UUID id). */
export function ingestBatchToken(ingestId: string, batch: number, attempt: number): string {
  return `${ingestBatchTokenPrefix(ingestId)}${batch}.${attempt}`;
}
