/**
 * The shapes of the ingest engine: what callers hand in (batches, options), what the steps pass
 * to each other (plan and state, plain JSON so a Temporal workflow can carry them), and what comes
 * out (the report).
 */
import type pg from 'pg';
import type { JsonValue } from '../../locks/advisory-key.js';
import type { BlockerReport } from '../../locks/blockers.js';
import type { ForceExecutePlainOptions } from '../../shared/force-execute.js';
import type { QualifiedName } from '../../sql/identifier.js';
import type { CopyRow } from '../copy/row-encoder.js';
import type { TableDefinition } from '../definition/table-definition.js';
import type { BatchSource, SourceBatch } from '../../sources/types.js';
import type { MigrationKind } from '../schema/plan-migration.js';

export type { JsonValue };

// ---------------------------------------------------------------------------------------------
// Input: batches and rows
// ---------------------------------------------------------------------------------------------

/**
 * Which table a row of a multi-table ingest is for: the `TableDefinition` itself (or any object
 * with its `schema` and `name`), or the string `"schema.name"`.
 */
export type TableReference = TableDefinition | QualifiedName | string;

/** A row of a multi-table ingest: the table, then the values (an array in column order or an object keyed by column name). */
export type TableRow = readonly [TableReference, CopyRow];

/**
 * One batch: its rows and the high watermark to store once they are committed — the package's one
 * batch shape ({@link SourceBatch}): `highWatermark` any JSON value or a function returning one (or
 * a promise of one), called after the batch's rows were consumed; `rows` streamed (never held
 * whole, several tables: see `maxRowsPerTableBuffer`); `metadata` anything, handed to
 * `onBeforeVisible` and logged.
 *
 * @typeParam Row `CopyRow` (values in definition column order, or an object keyed by column name)
 *   with one table; {@link TableRow} with several.
 */
export type IngestBatch<Row = CopyRow | TableRow> = SourceBatch<Row>;

/**
 * `ingest`'s `batches` argument, a {@link BatchSource} without args: called once with the resolved
 * `highWatermark` option (and a context whose `signal` aborts with the ingest), it produces the
 * batches after that watermark. A plain `(highWatermark) => …` fits; a named source fits once
 * given its arguments: `(hwm, _args, context) => source(hwm, args, context)`.
 */
export type IngestBatches<Row = CopyRow | TableRow> = BatchSource<undefined, Row>;

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

/**
 * How the swap of a fresh table fights for its locks: force-execute's plain (JSON) options —
 * `delayMs` (default 5 minutes), `checkIntervalMs` (1 s), `action` (`'terminate'`), `cancelGraceMs`,
 * `lockTimeoutMs` (500 ms per attempt), `retryDelayMs`, `maxRetryDelayMs`, the blocker filters
 * `minBlockerAgeMs`, `users`, `applicationNames`, `excludeApplicationNames`, and `includeQueryText`.
 */
export type SwapForceOptions = ForceExecutePlainOptions;

/** The options that shape an ingest: plain JSON, fixed by `planIngest` for every later step. */
export interface IngestPlanOptions {
  /**
   * What `batches` is called with: `'latest'` (default) the watermark stored with the last batch
   * (`null` when none); `'earliest'` `null`, whatever is stored; any other JSON value is passed as
   * is (the strings `'latest'` and `'earliest'` are these modes, not values).
   */
  readonly highWatermark?: JsonValue;
  /**
   * `'if-primary-key'` (default): rows whose primary key exists replace the stored row (last row
   * wins among duplicates of a batch; unchanged rows are not written). `'off'`: plain insert; a
   * repeated key fails the batch. Tables without a primary key are always appended to.
   */
  readonly upsert?: 'if-primary-key' | 'off';
  /**
   * `'off'` (default): keep existing rows. `'before-first-batch'`: the first batch goes into a fresh,
   * empty table that replaces the old one when it becomes visible (readers see the old rows until
   * then). With no batches nothing is deleted.
   */
  readonly delete?: 'off' | 'before-first-batch';
  /**
   * `'after-each-batch'` (default): every batch is visible once committed. `'end-of-ingest'`: every
   * batch goes into a fresh table (holding a copy of the existing rows unless deleting) that
   * replaces the live one after the last batch, so readers see the old data until the whole ingest
   * succeeded.
   */
  readonly visibility?: 'after-each-batch' | 'end-of-ingest';
  /**
   * `lock_timeout` in milliseconds of each attempt of an in-place migration step and of the locks a
   * batch takes on its tables before reading any row; attempts are retried with backoff. Default
   * `1000`. The swap has its own (`forceExecute.lockTimeoutMs`).
   */
  readonly lockTimeoutMs?: number;
  /** How the swap of a fresh table deals with sessions that block it. */
  readonly forceExecute?: SwapForceOptions;
  /**
   * When another ingest holds one of the tables: `'wait'` (default) until it is done, `'fail'` at
   * once with `ConcurrentIngestError`. Either way, an ingest whose tables were written by another
   * one since it planned fails with `ConcurrentIngestError` rather than interleave with it.
   */
  readonly onConcurrentIngest?: 'wait' | 'fail';
  /**
   * Several tables: rows of a table other than the one being loaded wait in a buffer of at most
   * this many rows before the load switches tables. Memory: about (tables − 1) × this many rows.
   * Default `10000`.
   */
  readonly maxRowsPerTableBuffer?: number;
  /** Identifies the ingest in the ledger stored with every batch (exactly-once across retries). Default: random. */
  readonly ingestId?: string;
}

/** `planIngest`'s options with every default filled in. */
export interface ResolvedIngestOptions {
  readonly highWatermark: JsonValue;
  readonly upsert: 'if-primary-key' | 'off';
  readonly delete: 'off' | 'before-first-batch';
  readonly visibility: 'after-each-batch' | 'end-of-ingest';
  readonly lockTimeoutMs: number;
  readonly forceExecute: SwapForceOptions;
  readonly onConcurrentIngest: 'wait' | 'fail';
  readonly maxRowsPerTableBuffer: number;
}

/** Minimal logger: Temporal's activity and workflow loggers, `console` and most others fit. */
export interface IngestLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** What `onProgress` receives. Counts are totals of the ingest so far. */
export interface IngestProgress {
  /** The batch being loaded (or just committed), from 1. */
  readonly batch: number;
  /** Rows loaded so far, the current batch's included. */
  readonly rows: number;
  /** COPY bytes sent so far. */
  readonly bytes: number;
  /** The last committed high watermark. */
  readonly highWatermark: JsonValue;
  /** `'loading'` while rows stream, `'committed'` once the batch is committed. */
  readonly phase: 'loading' | 'committed';
}

/** The table a batch's rows went into, as `onBeforeVisible` sees it. */
export interface IngestTable extends QualifiedName {
  /** The table readers use: the same as `schema`/`name`, unless the rows went into a fresh table that will replace it. */
  readonly target: QualifiedName;
}

/** Options of each step that only matter while it runs (not JSON). */
export interface IngestRunOptions {
  /** Aborts the batch in flight (rolled back) or the step, rejecting with `signal.reason`. */
  readonly signal?: AbortSignal;
  /** Receives progress and decisions; lines follow a 1, 10, 100 … cadence, not one per batch. Default: silent. */
  readonly logger?: IngestLogger;
  /** Called at most once per `progressIntervalMs` while rows stream, and after each commit. An exception aborts the batch. */
  readonly onProgress?: (progress: IngestProgress) => void;
  /** Minimum milliseconds between two `onProgress` calls while rows stream. Default `1000`. */
  readonly progressIntervalMs?: number;
  /**
   * Called inside the batch transaction once per table (in definition order) after its rows,
   * indexes and statistics are in place and before the watermark is written and the batch
   * committed. Queries on `client` see the batch. Throwing aborts the batch.
   */
  readonly onBeforeVisible?: (client: pg.ClientBase, ingestTable: IngestTable, batchMetadata: unknown) => void | Promise<void>;
}

/** All options of `ingest`. */
export interface IngestOptions extends IngestPlanOptions, IngestRunOptions {}

// ---------------------------------------------------------------------------------------------
// Steps: plan and state (plain JSON)
// ---------------------------------------------------------------------------------------------

/** What `planIngest` found for one table. */
export interface PlannedTable {
  /** `schema.name` for messages and report keys. */
  readonly table: string;
  /** What the definition needs now: `none`, `create`, `in-place` or `rebuild`. */
  readonly migration: MigrationKind;
  /** The differences behind it. */
  readonly reasons: readonly string[];
  /** The name of this table's fresh table (deterministic). */
  readonly freshTable: string;
  /** Whether a fresh table of another (crashed) ingest is there; it is dropped by the first batch or at the end. */
  readonly leftover: boolean;
}

/** The result of `planIngest`, input of every other step. Plain JSON. */
export interface IngestPlan {
  readonly ingestId: string;
  /** The definitions, validated, in order (the first stores the watermark). */
  readonly tables: readonly TableDefinition[];
  readonly options: ResolvedIngestOptions;
  /** What `batches` is called with. */
  readonly highWatermark: JsonValue;
  /** What the first table stores now (`null` when nothing). */
  readonly storedHighWatermark: JsonValue;
  /** The other writers' marks in the first table's comment at plan time, to detect them later. */
  readonly writerFingerprint: string;
  /** Per table, in definition order. */
  readonly planned: readonly PlannedTable[];
}

/** What happened to one table so far (becomes its part of the report). */
export interface TableProgress {
  readonly table: string;
  /** The migration made (`none` if the table already matched). */
  readonly migration: MigrationKind;
  /** DDL run for it: creation, in-place steps, the fresh table's creation, copy and indexes. */
  readonly statements: readonly string[];
  /** Rows loaded into it. */
  readonly rows: number;
  /** Whether a fresh table took its place. */
  readonly swapped: boolean;
  /** The swap, once done. */
  readonly swap: SwapSummary | null;
}

/** One table's swap, in short. */
export interface SwapSummary {
  /** Statements the swap ran (re-creating views, grants, comments …). */
  readonly statements: number;
  /** Dependent views and materialized views carried over. */
  readonly views: number;
  /** Whether the target did not exist, so the fresh table was only renamed. */
  readonly renamedOnly: boolean;
}

/** The progress of an ingest between steps. Small, plain JSON: it travels through workflow history. */
export interface IngestState {
  /** Batches committed. */
  readonly batches: number;
  /** Rows committed (all tables). */
  readonly rows: number;
  /** COPY bytes of the committed batches. */
  readonly bytes: number;
  /** The watermark stored with the last committed batch (before any: what was stored at plan time). */
  readonly highWatermark: JsonValue;
  /** Indexes (into `plan.tables`) of tables whose fresh table holds committed rows and awaits its swap. */
  readonly pending: readonly number[];
  /** True when `swapPending` must run before the next batch (visibility `after-each-batch`). */
  readonly swapDue: boolean;
  /** Per table, in definition order. */
  readonly tables: readonly TableProgress[];
  /** Blockers the swaps acted on. */
  readonly blockers: readonly BlockerReport[];
  /** Milliseconds spent in batch steps and swap steps. */
  readonly batchMs: number;
  readonly swapMs: number;
}

/** What `ingestBatch` did. */
export interface BatchOutcome {
  readonly state: IngestState;
  /** `'committed'` now, or `'already-committed'` by an earlier attempt (found in the ledger; nothing loaded). */
  readonly status: 'committed' | 'already-committed';
  /** The batch's number, from 1. */
  readonly batch: number;
  /** Rows of this batch (0 when already committed). */
  readonly rows: number;
  readonly bytes: number;
  /** The watermark stored with it. */
  readonly highWatermark: JsonValue;
  readonly durationMs: number;
}

/** What `swapPending` did. */
export interface SwapOutcome {
  readonly state: IngestState;
  /** Tables swapped now (display names). */
  readonly swapped: readonly string[];
  readonly blockers: readonly BlockerReport[];
  /** Attempts at the swap transaction. */
  readonly attempts: number;
  readonly durationMs: number;
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

/** One table in the report. */
export interface TableReport extends TableProgress {
  readonly schema: string;
  readonly name: string;
}

/** What `ingest` did. Plain JSON. */
export interface IngestReport {
  readonly ingestId: string;
  /** Batches committed. */
  readonly batches: number;
  /** Rows loaded (all tables). */
  readonly rows: number;
  /** COPY bytes sent. */
  readonly bytes: number;
  /** The high watermark stored now (unchanged when there were no batches). */
  readonly highWatermark: JsonValue;
  /** Per table, in definition order. */
  readonly tables: readonly TableReport[];
  /** Whether any table was swapped. */
  readonly swapped: boolean;
  /** Sessions the swaps acted on. */
  readonly blockers: readonly BlockerReport[];
  /** Wall time of the whole call, and of its batches and swaps, in milliseconds. */
  readonly durationMs: number;
  readonly batchMs: number;
  readonly swapMs: number;
}
