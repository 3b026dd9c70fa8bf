/**
 * Runs the steps of a `create` or `in-place` plan against the live database, each on its own:
 * transactional steps in one short transaction after `SET LOCAL lock_timeout`, retried with
 * backoff when the lock is not granted in time (so a reader never waits behind a queued ALTER for
 * much longer than `lockTimeoutMs`); CONCURRENTLY steps alone, outside any transaction, with their
 * half-built index dropped again when they fail.
 */
import type pg from 'pg';
import { checkOut } from '../../db/check-out.js';
import { cancelBackendStatement } from '../../db/control-connection.js';
import { isPool } from '../../db/queryable.js';
import { isConnectionError, isPostgresError } from '../../errors/postgres-error.js';
import { backendPid } from './catalog-sql.js';
import { setLocalLockTimeout } from './ddl.js';
import { ColumnContainsNullsError, DuplicateValuesError, MigrationLockTimeoutError } from './errors.js';
import { queryExtended } from '../../db/extended-query.js';
import { LOCK_RETRY_SQLSTATES, backoffDelay, pause } from '../../locks/lock-retry.js';
import type { MigrationStep } from './plan-migration.js';

/** Options of {@link applyInPlaceMigration}. */
export interface ApplyMigrationOptions {
  /**
   * `lock_timeout` of each attempt of a transactional step, in milliseconds: the longest time a
   * reader can be queued behind the step's lock request. Default `1000`. CONCURRENTLY steps take
   * no lock that readers or writers wait for, and run without one.
   */
  readonly lockTimeoutMs?: number;
  /** Attempts per step when the lock is not granted in time or a deadlock is detected. Default `10`. */
  readonly maxAttempts?: number;
  /** Pause after the first failed attempt, in milliseconds; doubled after each further one, half of it random. Default `100`. */
  readonly retryDelayMs?: number;
  /** Longest pause between attempts, in milliseconds. Default `5000`. */
  readonly maxRetryDelayMs?: number;
  /**
   * Stops between steps and attempts, and cancels the running statement (`pg_cancel_backend`). A
   * concurrent index build cancelled this way leaves an INVALID index, which the next plan drops.
   * The promise then rejects with the signal's reason.
   */
  readonly signal?: AbortSignal;
  /** Called when a step starts, is retried after a lock timeout, and is done. Exceptions it throws are ignored. */
  readonly onStep?: (event: MigrationStepEvent) => void;
}

/** Progress of {@link applyInPlaceMigration}. `position` is the step's index in the list. */
export type MigrationStepEvent =
  | { readonly type: 'start'; readonly step: MigrationStep; readonly position: number; readonly attempt: number }
  | {
      readonly type: 'retry';
      readonly step: MigrationStep;
      readonly position: number;
      readonly attempt: number;
      /** Pause before the next attempt, in milliseconds. */
      readonly delayMs: number;
      readonly sqlstate: string;
      readonly message: string;
    }
  | { readonly type: 'done'; readonly step: MigrationStep; readonly position: number; readonly attempts: number; readonly durationMs: number };

/** One step that ran. */
export interface AppliedStep {
  readonly step: MigrationStep;
  /** Attempts it took (1 when the lock was free). */
  readonly attempts: number;
  /** Wall time from the first attempt to the commit, in milliseconds. */
  readonly durationMs: number;
}

/** What {@link applyInPlaceMigration} ran. */
export interface AppliedMigration {
  readonly steps: readonly AppliedStep[];
}

const DEFAULTS = { lockTimeoutMs: 1000, maxAttempts: 10, retryDelayMs: 100, maxRetryDelayMs: 5000 };

/**
 * Runs `steps` in order (from a `create` or `in-place` plan). Each committed step stays committed if
 * a later one fails; planning again afterwards picks up from where it stopped. `db` is a pool (one
 * connection is borrowed per step) or a client outside any transaction (used for every step).
 *
 * Throws {@link MigrationLockTimeoutError} (retryable) when a step never got its lock,
 * {@link ColumnContainsNullsError} when NOT NULL meets a NULL, {@link DuplicateValuesError} when a
 * unique index meets a repeated value, the signal's reason when aborted, and any other server error
 * as is.
 */
export async function applyInPlaceMigration(
  db: pg.Pool | pg.ClientBase,
  steps: readonly MigrationStep[],
  options: ApplyMigrationOptions = {},
): Promise<AppliedMigration> {
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  if (!Number.isSafeInteger(settings.maxAttempts) || settings.maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be a positive integer, got ${settings.maxAttempts}`);
  }
  setLocalLockTimeout(settings.lockTimeoutMs); // validates it before anything runs
  const applied: AppliedStep[] = [];
  for (const [position, step] of steps.entries()) {
    options.signal?.throwIfAborted();
    applied.push(await applyStep(db, step, position, settings, options));
  }
  return { steps: applied };
}

type Settings = typeof DEFAULTS;

async function applyStep(db: pg.Pool | pg.ClientBase, step: MigrationStep, position: number, settings: Settings, options: ApplyMigrationOptions): Promise<AppliedStep> {
  const notify = (event: MigrationStepEvent) => {
    try {
      options.onStep?.(event);
    } catch {
      // A progress callback must not break a migration half-way.
    }
  };
  const pooled = isPool(db);
  const client = pooled ? await checkOut(db) : db;
  let broken = false;
  try {
    const session = await Session.open(db, client);
    const started = performance.now();
    try {
      const attempts = await session.runWithRetries(step.statements, step.transactional, settings, options.signal, {
        onAttempt: (attempt) => notify({ type: 'start', step, position, attempt }),
        onRetry: (attempt, delayMs, error) => notify({ type: 'retry', step, position, attempt, delayMs, sqlstate: error.code, message: error.message }),
        // A half-built index must go before the build is tried again; a transactional step rolled back cleanly.
        beforeRetry: step.transactional ? undefined : () => session.cleanUp(step, settings),
      });
      const durationMs = Math.round(performance.now() - started);
      notify({ type: 'done', step, position, attempts, durationMs });
      return { step, attempts, durationMs };
    } catch (error) {
      if (isConnectionError(error)) throw error;
      if (options.signal?.aborted) throw options.signal.reason;
      await session.cleanUp(step, settings);
      throw translate(error, step, settings);
    }
  } catch (error) {
    broken = isConnectionError(error);
    throw error;
  } finally {
    if (pooled) (client as pg.PoolClient).release(broken);
  }
}

/** A connection running one step, cancellable through a second connection. */
class Session {
  private constructor(
    private readonly db: pg.Pool | pg.ClientBase,
    private readonly client: pg.ClientBase,
    private readonly pid: number,
  ) {}

  static async open(db: pg.Pool | pg.ClientBase, client: pg.ClientBase): Promise<Session> {
    const { rows } = await client.query<{ pid: number }>(backendPid.text);
    return new Session(db, client, Number(rows[0]?.pid));
  }

  /** Runs the statements until they succeed, retrying on lock timeout or deadlock. Returns the number of attempts. */
  async runWithRetries(
    statements: readonly string[],
    transactional: boolean,
    settings: Settings,
    signal: AbortSignal | undefined,
    hooks: {
      onAttempt?: (attempt: number) => void;
      onRetry?: (attempt: number, delayMs: number, error: Error & { code: string }) => void;
      beforeRetry?: () => Promise<void>;
    } = {},
  ): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      hooks.onAttempt?.(attempt);
      try {
        await this.cancellable(signal, () => this.run(statements, transactional, settings.lockTimeoutMs));
        return attempt;
      } catch (error) {
        if (signal?.aborted || !isPostgresError(error) || !LOCK_RETRY_SQLSTATES.has(error.code) || attempt >= settings.maxAttempts) {
          throw error;
        }
        await hooks.beforeRetry?.();
        const delayMs = backoffDelay(attempt, { initialMs: settings.retryDelayMs, maxMs: settings.maxRetryDelayMs });
        hooks.onRetry?.(attempt, delayMs, error);
        await pause(delayMs, signal);
      }
    }
  }

  /** Runs a failed step's cleanup (drop the half-built index, remove the temporary check), best effort. */
  async cleanUp(step: MigrationStep, settings: Settings): Promise<void> {
    if (step.cleanup.length === 0) return;
    await this.runWithRetries(step.cleanup, step.transactional, settings, undefined).catch(() => undefined);
  }

  private async run(statements: readonly string[], transactional: boolean, lockTimeoutMs: number): Promise<void> {
    if (!transactional) {
      for (const statement of statements) await queryExtended(this.client, statement);
      return;
    }
    await this.client.query('BEGIN');
    try {
      await this.client.query(setLocalLockTimeout(lockTimeoutMs));
      for (const statement of statements) await queryExtended(this.client, statement);
      await this.client.query('COMMIT');
    } catch (error) {
      if (!isConnectionError(error)) await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** Runs `fn`; if `signal` aborts meanwhile, asks the server to cancel this session's statement. */
  private async cancellable<T>(signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    if (signal === undefined) return fn();
    // From a connection of its own: the pool may have no free connection left (or just the busy one).
    let cancelling: Promise<void> | undefined;
    const onAbort = () => {
      cancelling = cancelBackendStatement(this.db, this.pid);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await fn();
    } finally {
      signal.removeEventListener('abort', onAbort);
      // A cancel still on its way would hit whatever statement the connection runs next.
      await cancelling;
    }
  }
}

function translate(error: unknown, step: MigrationStep, settings: Settings): unknown {
  if (!isPostgresError(error)) return error;
  const details = { table: step.table, step: step.label, action: step.action, sqlstate: error.code, serverMessage: error.message };
  if (LOCK_RETRY_SQLSTATES.has(error.code)) {
    return new MigrationLockTimeoutError(
      `table ${step.table}: could not ${step.label} — the lock was not granted within ${settings.lockTimeoutMs} ms in ${settings.maxAttempts} attempt(s)`,
      { details: { ...details, attempts: settings.maxAttempts, lockTimeoutMs: settings.lockTimeoutMs }, cause: error },
    );
  }
  const column = step.columns[0];
  if (step.action === 'validate-not-null' && error.code === '23514' && column !== undefined) {
    return new ColumnContainsNullsError(`table ${step.table}: column ${JSON.stringify(column)} cannot become NOT NULL, rows hold NULL in it`, {
      details: { ...details, column },
      cause: error,
    });
  }
  if ((step.action === 'create-unique-index' || step.action === 'create-index') && error.code === '23505') {
    return new DuplicateValuesError(
      `table ${step.table}: cannot make (${step.columns.join(', ')}) unique, rows repeat a value${error.detail ? ` (${error.detail})` : ''}`,
      { details: { ...details, columns: [...step.columns], index: step.index }, cause: error },
    );
  }
  return error;
}

function definedOnly(options: ApplyMigrationOptions): Partial<Settings> {
  const result: Partial<Settings> = {};
  for (const key of Object.keys(DEFAULTS) as Array<keyof Settings>) {
    const value = options[key];
    if (value !== undefined) result[key] = value;
  }
  return result;
}
