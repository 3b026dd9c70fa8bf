/**
 * Force-execute's plain-JSON vocabulary, safe to load in a workflow (no Node built-ins, no `pg`):
 * the options with their defaults, the workflow's input and result, and the `application_name`
 * token through which the watcher activity finds the statement's backend.
 */
import type { BlockerAction, BlockerFilters, BlockerReport } from '../locks/blockers.js';

/** Defaults of every force-execute option, in milliseconds where a duration. */
export const FORCE_EXECUTE_DEFAULTS = {
  /** As pg-force-execute: blockers are acted on 5 minutes after the start. */
  delayMs: 300_000,
  checkIntervalMs: 1_000,
  action: 'terminate',
  cancelGraceMs: 1_000,
  /**
   * Half a second, as pgroll: a reader never waits behind our queued statement for longer, and the
   * attempt gives up before `deadlock_timeout` (1 s by default) runs the deadlock check, so in a
   * lock cycle with a reader (a swap renaming a table a reader reaches through a view) it is our
   * attempt that steps back and retries, not the reader that is killed.
   */
  lockTimeoutMs: 500,
  retryDelayMs: 100,
  maxRetryDelayMs: 5_000,
} as const satisfies Required<Pick<ForceExecutePlainOptions, 'delayMs' | 'checkIntervalMs' | 'action' | 'cancelGraceMs' | 'lockTimeoutMs' | 'retryDelayMs' | 'maxRetryDelayMs'>>;

/**
 * The options of force-execute that are plain data (the same for the library call and the
 * workflow). Blockers must pass every filter given to be acted on; sessions outside them are spared
 * (the statement then keeps waiting for them).
 */
export interface ForceExecutePlainOptions extends BlockerFilters {
  /**
   * Milliseconds from the start until blockers are acted on. Until then the statement makes short
   * attempts (see `lockTimeoutMs`); from then on it waits in the lock queue while its blockers are
   * acted on every `checkIntervalMs`. Default `300000` (5 minutes, as pg-force-execute).
   */
  readonly delayMs?: number;
  /** Milliseconds between two looks for blockers once `delayMs` has passed. Default `1000`. */
  readonly checkIntervalMs?: number;
  /**
   * What to do to a blocker: `'terminate'` (default; ends its connection, releasing every lock it
   * holds, even an idle-in-transaction holder's), `'cancel'` (its running statement only), or
   * `'cancel-then-terminate'` (cancel a running statement, terminate idle holders and whoever still
   * blocks `cancelGraceMs` later).
   */
  readonly action?: BlockerAction;
  /** For `'cancel-then-terminate'`: milliseconds a cancelled blocker gets to let go. Default `1000`. */
  readonly cancelGraceMs?: number;
  /**
   * `lock_timeout` of each attempt made before `delayMs` has passed, in milliseconds: a reader
   * arriving while we wait for a lock queues behind us for at most about this long, then our attempt
   * rolls back and retries after a pause (`retryDelayMs`, doubling, half of it random). Default
   * `500`. `0`: no short attempts — one attempt queued from the start, as pg-force-execute does.
   */
  readonly lockTimeoutMs?: number;
  /** Pause after the first attempt that gave up on a lock, in milliseconds; doubles after each further one, half of it random. Default `100`. */
  readonly retryDelayMs?: number;
  /** Longest pause between two attempts, in milliseconds. Default `5000`. */
  readonly maxRetryDelayMs?: number;
  /** Keep the blockers' query text in reports. Default `false`: `query` is null (it may hold secrets). */
  readonly includeQueryText?: boolean;
}

/** Where and how long the workflow's activities run. Durations in milliseconds. */
export interface ForceExecuteActivityOptions {
  /** Task queue of the two activities. Default: the workflow's. */
  readonly taskQueue?: string;
  /**
   * Heartbeat timeout of the statement activity: a worker that dies mid-statement is noticed (and
   * the statement retried elsewhere) after this long, and cancelling the workflow reaches the
   * statement within about 0.8 × this (the SDK sends heartbeats at most that often, and a
   * cancellation only travels back with one). Default `5000`.
   */
  readonly heartbeatTimeoutMs?: number;
  /**
   * Heartbeat timeout of the watcher activity, which runs once the delay has passed: the workflow
   * ends within about 0.8 × this after the statement did (the watcher must hear that it is
   * cancelled, and hand over its report). A watcher whose heartbeat times out is simply retried,
   * keeping its victims. Default `3000`.
   */
  readonly watcherHeartbeatTimeoutMs?: number;
  /** Start-to-close timeout of one attempt of the statement (and of the watcher). Default `86400000` (1 day). */
  readonly startToCloseTimeoutMs?: number;
  /**
   * Attempts of the statement activity (a lost connection, a terminated backend, a worker that died
   * are retried; syntax, permission and constraint errors never are). Default `5`.
   */
  readonly maximumAttempts?: number;
}

/** Defaults of {@link ForceExecuteActivityOptions}. */
export const FORCE_EXECUTE_ACTIVITY_DEFAULTS = {
  heartbeatTimeoutMs: 5_000,
  watcherHeartbeatTimeoutMs: 3_000,
  startToCloseTimeoutMs: 86_400_000,
  maximumAttempts: 5,
} as const;

/**
 * Work registered at the worker that the statement activity runs in its transaction instead of SQL
 * strings: `kind` names a handler of the worker (`createActivities` registers `'ingest-swap'`, the
 * ingest workflow's swap), the other fields are its plain-JSON arguments. Like statements, it runs
 * once per attempt, each after the previous attempt's changes were rolled back.
 */
export interface ForceExecuteOperation {
  readonly kind: string;
  readonly [field: string]: unknown;
}

/**
 * Input of `forceExecuteWorkflow` (plain JSON: no functions, no connection strings). Exactly one of
 * `statements` and `operation`.
 */
export interface ForceExecuteWorkflowInput extends ForceExecutePlainOptions {
  /** Name of a database registered at the worker (`createActivities({ databases })`). Default `'default'`. */
  readonly database?: string;
  /** One statement, or several run in order in one transaction. */
  readonly statements?: string | readonly string[];
  /** A registered operation to run in the transaction instead of statements (see {@link ForceExecuteOperation}). */
  readonly operation?: ForceExecuteOperation;
  /** Activity placement, timeouts and attempts. */
  readonly activities?: ForceExecuteActivityOptions;
}

/** What one statement did. */
export interface StatementOutcome {
  /** The command tag's verb, e.g. `ALTER`, `INSERT`. */
  readonly command: string;
  /** Rows affected or returned, when the command reports it. */
  readonly rowCount: number | null;
}

/** Result of `forceExecuteWorkflow`. */
export interface ForceExecuteWorkflowResult {
  /** One entry per statement, in order (empty for an operation). */
  readonly statements: readonly StatementOutcome[];
  /** What the operation returned (plain JSON), when the input named one. */
  readonly operationResult?: unknown;
  /** Every session acted on (by the watcher activity), in order. */
  readonly blockers: readonly BlockerReport[];
  /** Looks for blockers the watcher made (0 when the statement got through before the delay: no watcher ran). */
  readonly checks: number;
  /** Attempts of the statement inside its last activity attempt (short attempts that gave up on a lock, then the one that ran). */
  readonly attempts: number;
  /** Attempt number of the statement activity that succeeded (1 unless a worker died or the connection was lost). */
  readonly activityAttempt: number;
  /** Workflow time from the start to the statement's commit, in milliseconds. */
  readonly durationMs: number;
}

/** Input of the statement activity (built by the workflow). */
export interface ForceExecuteStatementInput extends ForceExecutePlainOptions {
  readonly database: string;
  /** The statements (empty when `operation` is given). */
  readonly statements: readonly string[];
  /** A registered operation to run instead of the statements. */
  readonly operation?: ForceExecuteOperation;
  /** Unique to this force-execute in this workflow run; the backend's `application_name` is built from it. */
  readonly invocationId: string;
  /** Epoch milliseconds after which attempts stop giving up on locks (workflow start + `delayMs`). */
  readonly actAfter: number;
}

/** Result of the statement activity. */
export interface ForceExecuteStatementResult {
  readonly statements: readonly StatementOutcome[];
  /** What the operation returned, when there was one. */
  readonly operationResult?: unknown;
  readonly attempts: number;
  readonly activityAttempt: number;
}

/** Input of the watcher activity (built by the workflow). */
export interface ForceExecuteWatchInput extends ForceExecutePlainOptions {
  readonly database: string;
  readonly invocationId: string;
  /** Epoch milliseconds of the first look for blockers. */
  readonly actAfter: number;
}

/** Result of the watcher activity: what it did until it was cancelled. */
export interface ForceExecuteWatchResult {
  readonly blockers: readonly BlockerReport[];
  readonly checks: number;
}

/** Progress the statement activity heartbeats. */
export interface ForceExecuteStatementProgress {
  readonly phase: 'short-attempts' | 'waiting-while-acting' | 'done';
  /** Current attempt inside this activity attempt. */
  readonly attempt: number;
  /** Sessions blocking the statement at the last look (empty when it is not waiting for a lock). */
  readonly blockedBy: readonly number[];
  readonly pid: number | null;
}

/** Progress the watcher activity heartbeats (also how a retried watcher keeps earlier victims). */
export interface ForceExecuteWatchProgress {
  readonly checks: number;
  /** Sessions acted on so far (the newest {@link MAX_REPORTS_IN_HEARTBEAT}). */
  readonly victims: readonly BlockerReport[];
}

/** How many reports a heartbeat carries at most (heartbeat details must stay small). */
export const MAX_REPORTS_IN_HEARTBEAT = 50;

const TOKEN_PREFIX = 'tpg-fx:';

/**
 * The `application_name` prefix shared by every attempt of one force-execute (`tpg-fx:<id>:`).
 * `application_name` keeps 63 bytes: an id of up to 48 characters leaves room for the attempt.
 */
export function forceExecuteTokenPrefix(invocationId: string): string {
  return `${TOKEN_PREFIX}${invocationId}:`;
}

/** The `application_name` of one attempt of the statement activity. */
export function forceExecuteToken(invocationId: string, attempt: number): string {
  return `${forceExecuteTokenPrefix(invocationId)}${attempt}`;
}

const MILLISECOND_OPTIONS = ['delayMs', 'checkIntervalMs', 'cancelGraceMs', 'lockTimeoutMs', 'retryDelayMs', 'maxRetryDelayMs', 'minBlockerAgeMs'] as const;
const NAME_LIST_OPTIONS = ['users', 'applicationNames', 'excludeApplicationNames'] as const;
const ACTIONS: readonly string[] = ['terminate', 'cancel', 'cancel-then-terminate'];

/**
 * What is wrong with a workflow input, one sentence per problem (empty when it is fine). Checked by
 * the client helpers before starting and by the workflow itself; the activities check the options
 * again in full.
 */
export function forceExecuteInputProblems(input: unknown): string[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return ['the input must be an object'];
  const given = input as Record<string, unknown>;
  const problems: string[] = [];
  const { statements, operation, database, activities } = given;
  const isStatement = (value: unknown) => typeof value === 'string' && value.trim() !== '';
  if (operation !== undefined) {
    if (statements !== undefined) problems.push('give either statements or operation, not both');
    if (typeof operation !== 'object' || operation === null || Array.isArray(operation) || typeof (operation as { kind?: unknown }).kind !== 'string' || (operation as { kind: string }).kind === '') {
      problems.push('operation must be an object with a non-empty kind');
    }
  } else if (Array.isArray(statements) ? statements.length === 0 || !statements.every(isStatement) : !isStatement(statements)) {
    problems.push('statements must be a non-empty SQL string or a non-empty list of them');
  }
  if (database !== undefined && (typeof database !== 'string' || database === '')) problems.push('database must be the name of a database registered at the worker');
  problems.push(...forceExecuteOptionProblems(given));
  if (activities !== undefined) problems.push(...forceExecuteActivityProblems(activities, 'activities'));
  return problems;
}

/**
 * What is wrong with the plain force-execute options among `given`'s fields (other fields are
 * ignored), each problem naming the option after `prefix` (e.g. `forceExecute.`).
 */
export function forceExecuteOptionProblems(given: Readonly<Record<string, unknown>>, prefix = ''): string[] {
  const problems: string[] = [];
  for (const name of MILLISECOND_OPTIONS) {
    const value = given[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) problems.push(`${prefix}${name} must be a number of milliseconds ≥ 0`);
  }
  if (given.checkIntervalMs === 0) problems.push(`${prefix}checkIntervalMs must be at least 1 ms`);
  if (given.action !== undefined && !ACTIONS.includes(given.action as string)) problems.push(`${prefix}action must be one of ${ACTIONS.join(', ')}`);
  for (const name of NAME_LIST_OPTIONS) {
    const value = given[name];
    if (value !== undefined && (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))) problems.push(`${prefix}${name} must be a list of strings`);
  }
  if (given.includeQueryText !== undefined && typeof given.includeQueryText !== 'boolean') problems.push(`${prefix}includeQueryText must be a boolean`);
  return problems;
}

/** What is wrong with a {@link ForceExecuteActivityOptions} value found at `path` (e.g. `activities`). */
export function forceExecuteActivityProblems(activities: unknown, path: string): string[] {
  if (typeof activities !== 'object' || activities === null || Array.isArray(activities)) return [`${path} must be an object`];
  const problems: string[] = [];
  const { taskQueue, heartbeatTimeoutMs, watcherHeartbeatTimeoutMs, startToCloseTimeoutMs, maximumAttempts } = activities as Record<string, unknown>;
  if (taskQueue !== undefined && (typeof taskQueue !== 'string' || taskQueue === '')) problems.push(`${path}.taskQueue must be a non-empty string`);
  const durations = [
    ['heartbeatTimeoutMs', heartbeatTimeoutMs],
    ['watcherHeartbeatTimeoutMs', watcherHeartbeatTimeoutMs],
    ['startToCloseTimeoutMs', startToCloseTimeoutMs],
  ] as const;
  for (const [name, value] of durations) {
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) problems.push(`${path}.${name} must be a number of milliseconds > 0`);
  }
  if (maximumAttempts !== undefined && (typeof maximumAttempts !== 'number' || !Number.isInteger(maximumAttempts) || maximumAttempts < 1)) {
    problems.push(`${path}.maximumAttempts must be an integer ≥ 1`);
  }
  return problems;
}

/** The `ApplicationFailure` type (and error `type`) of an input {@link forceExecuteInputProblems} rejects. */
export const INVALID_FORCE_EXECUTE_INPUT = 'InvalidForceExecuteInput';
