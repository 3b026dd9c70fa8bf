/**
 * Finding what blocks a backend and acting on it — the shared core of `prioritize()` and of
 * force-execute. Blockers come from `pg_blocking_pids`, so waits on advisory locks and on row locks
 * count too (django-pglock's prioritize misses them), and only sessions inside the filters are ever
 * signalled.
 */
import { queryRows, type Queryable } from '../db/queryable.js';
import { validateMilliseconds, validateNames, validatePids } from '../introspection/filters.js';
import { lockTargetFromRow, sessionFromRow, type LockRow, type SessionRow } from '../introspection/rows.js';
import { findBlockersSql } from '../introspection/sql.js';
import type { SessionSummary } from '../introspection/types.js';
import { InvalidLockArgumentError, SignalPermissionDeniedError } from './errors.js';
import { signalBackend, type SignalResult, type SignalSkipReason } from './signal-backends.js';

/** Which blockers may be acted on. A blocker must pass every filter given. */
export interface BlockerFilters {
  /**
   * Only blockers at least this old, in milliseconds: the age of their transaction, or of their
   * current (last) query when they are outside one. Default `0`.
   */
  readonly minBlockerAgeMs?: number;
  /** Only blockers logged in as one of these roles. Default: any role. */
  readonly users?: readonly string[];
  /** Only blockers with one of these `application_name`s. Default: any. */
  readonly applicationNames?: readonly string[];
  /** Never blockers with one of these `application_name`s. Default: none excluded. */
  readonly excludeApplicationNames?: readonly string[];
}

/** Options of {@link findBlockers}. */
export interface FindBlockersOptions extends BlockerFilters {
  /**
   * How far up the chain to look: `1` (default) only the sessions blocking the backend itself;
   * `2` also those blocking them, and so on (at most 16).
   */
  readonly depth?: number;
  /** Keep the blockers' query text in the result. Default `false`: `query` is null (it may hold secrets). */
  readonly includeQueryText?: boolean;
}

/** A lock a blocker holds, in short. */
export interface HeldLock {
  readonly lockType: string;
  /** In SQL words, e.g. `ACCESS EXCLUSIVE`. */
  readonly mode: string;
  /** What it is on, e.g. `public.orders`, `advisory 42`, `transaction 7412`. */
  readonly target: string;
}

/** A session that blocks the protected backend (directly, or further up the chain). */
export interface Blocker extends SessionSummary {
  /** 1 for a direct blocker, 2 for a blocker of a blocker … */
  readonly depth: number;
  /** The pid this session blocks on the way to the protected backend. */
  readonly blockedPid: number;
  /** Transaction age, or query age outside a transaction, in ms (what `minBlockerAgeMs` compares). */
  readonly ageMs: number;
  /** Granted locks it holds (at most 50, virtualxid omitted). */
  readonly locksHeld: readonly HeldLock[];
}

/** What to do to blockers. */
export type BlockerAction = 'cancel' | 'terminate' | 'cancel-then-terminate';

/** Options of {@link actOnBlockers}. */
export interface ActOnBlockersOptions extends FindBlockersOptions {
  /**
   * `'terminate'` (default): end the blocker's connection (releases all its locks).
   * `'cancel'`: cancel its running statement (does nothing to an idle-in-transaction holder).
   * `'cancel-then-terminate'`: cancel blockers that are running a statement (inside a transaction
   * the cancel aborts it, which releases its locks), terminate idle ones at once, and terminate the
   * cancelled ones still blocking after `cancelGraceMs` (e.g. holders of session-level locks).
   */
  readonly action?: BlockerAction;
  /** For `'cancel-then-terminate'`: milliseconds a cancelled blocker gets to let go. Default `1000`. */
  readonly cancelGraceMs?: number;
  /**
   * A refused signal (SQLSTATE 42501): `'throw'` (default) rejects with
   * `SignalPermissionDeniedError` once the other blockers were handled; `'report'` only records it.
   */
  readonly onPermissionDenied?: 'throw' | 'report';
  /** Find and report, signal nothing (reports say `reason: 'dry-run'`). Default `false`. */
  readonly dryRun?: boolean;
}

/**
 * One session acted on: who it was, what it held, what was done and whether it worked. Plain JSON
 * (safe as a Temporal payload or a log line); `query` is null unless `includeQueryText` was set.
 */
export interface BlockerReport extends Blocker {
  /** The signal sent (for `'cancel-then-terminate'` a session can appear twice: cancel, then terminate). */
  readonly action: 'cancel' | 'terminate';
  /** The signal was delivered (see `SignalResult.signalled`). */
  readonly signalled: boolean;
  /** Why not, when `signalled` is false. */
  readonly reason: SignalSkipReason | 'dry-run' | null;
  /** The server's message for a refusal. */
  readonly message: string | null;
  /** When it was done (ISO 8601). */
  readonly at: string;
}

const MAX_DEPTH = 16;
const MAX_LOCKS_LISTED = 50;

/**
 * The sessions blocking backend `pid` now, nearest first, each once, filtered as asked. The
 * protected backend and the backend running the query are never included.
 */
export async function findBlockers(db: Queryable, pid: number, options: FindBlockersOptions = {}): Promise<Blocker[]> {
  const [target] = validatePids([pid], 'pid');
  const depth = options.depth ?? 1;
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_DEPTH) {
    throw new InvalidLockArgumentError(`depth must be an integer from 1 to ${MAX_DEPTH}, got ${String(depth)}`, { details: { argument: 'depth', value: String(depth) } });
  }
  const rows = await queryRows<SessionRow & { blocker_pid: number; blocked_pid: number; depth: number; locks_held: LockRow[] }>(
    db,
    findBlockersSql({
      pid: target as number,
      depth,
      minBlockerAgeMs: validateMilliseconds(options.minBlockerAgeMs ?? 0, 'minBlockerAgeMs'),
      users: options.users && validateNames(options.users, 'users'),
      applicationNames: options.applicationNames && validateNames(options.applicationNames, 'applicationNames'),
      excludeApplicationNames: options.excludeApplicationNames && validateNames(options.excludeApplicationNames, 'excludeApplicationNames'),
      maxLocksListed: MAX_LOCKS_LISTED,
    }),
  );
  return rows.map((row) => {
    const session = sessionFromRow(row) as SessionSummary;
    return {
      ...session,
      query: options.includeQueryText ? session.query : null,
      depth: row.depth,
      blockedPid: row.blocked_pid,
      ageMs: session.transactionAgeMs ?? session.queryAgeMs ?? 0,
      locksHeld: row.locks_held.map((lock) => {
        const target = lockTargetFromRow(lock);
        return { lockType: target.lockType, mode: target.mode, target: target.description };
      }),
    };
  });
}

/**
 * Finds the blockers of backend `pid` (see {@link findBlockers}) and cancels or terminates them.
 * Returns one report per signal sent (or, with `dryRun`, per signal that would be sent).
 *
 * @throws SignalPermissionDeniedError when a signal was refused and `onPermissionDenied` is
 *   `'throw'`; `details.reports` holds every report of the call.
 */
export async function actOnBlockers(db: Queryable, pid: number, options: ActOnBlockersOptions = {}): Promise<BlockerReport[]> {
  const { action = 'terminate', cancelGraceMs = 1000, onPermissionDenied = 'throw', dryRun = false } = options;
  if (action !== 'cancel' && action !== 'terminate' && action !== 'cancel-then-terminate') {
    throw new InvalidLockArgumentError(`action must be 'cancel', 'terminate' or 'cancel-then-terminate', got ${JSON.stringify(action)}`, {
      details: { argument: 'action', value: String(action) },
    });
  }
  validateMilliseconds(cancelGraceMs, 'cancelGraceMs');
  if (onPermissionDenied !== 'throw' && onPermissionDenied !== 'report') {
    throw new InvalidLockArgumentError(`onPermissionDenied must be 'throw' or 'report'`, { details: { argument: 'onPermissionDenied', value: String(onPermissionDenied) } });
  }

  const reports: BlockerReport[] = [];
  const act = async (blocker: Blocker, signal: 'cancel' | 'terminate'): Promise<BlockerReport> => {
    const result: SignalResult = dryRun
      ? { pid: blocker.pid, signalled: false, reason: null, message: null }
      : await signalBackend(db, blocker.pid, signal);
    const report: BlockerReport = {
      ...blocker,
      action: signal,
      signalled: result.signalled,
      reason: dryRun ? 'dry-run' : result.reason,
      message: result.message,
      at: new Date().toISOString(),
    };
    reports.push(report);
    return report;
  };

  const blockers = await findBlockers(db, pid, options);
  if (action !== 'cancel-then-terminate') {
    for (const blocker of blockers) await act(blocker, action);
  } else {
    const cancelled: number[] = [];
    for (const blocker of blockers) {
      // An idle holder (in a transaction, or keeping a session lock) has no statement to cancel.
      const running = blocker.state === 'active' || blocker.state === 'fastpath function call';
      const report = await act(blocker, running ? 'cancel' : 'terminate');
      if (report.action === 'cancel' && report.signalled) cancelled.push(blocker.pid);
    }
    if (cancelled.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, cancelGraceMs));
      for (const blocker of await findBlockers(db, pid, options)) {
        if (cancelled.includes(blocker.pid)) await act(blocker, 'terminate');
      }
    }
  }

  const denied = reports.find((r) => r.reason === 'permission-denied');
  if (denied && onPermissionDenied === 'throw') {
    throw new SignalPermissionDeniedError(
      `not allowed to ${denied.action} backend ${denied.pid} (user ${denied.user ?? 'unknown'}) blocking backend ${pid}: ${denied.message ?? 'permission denied'}`,
      { details: { pid: denied.pid, protectedPid: pid, action: denied.action, user: denied.user, reports } },
    );
  }
  return reports;
}
