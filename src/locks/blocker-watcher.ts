/**
 * The loop shared by `prioritize()`, force-execute and force-execute's Temporal watcher activity:
 * every interval, act on the sessions blocking one backend (see `actOnBlockers`), collect a report
 * per session acted on, and stop at the first refusal or failure — after cancelling the protected
 * backend's statement, so it does not stay queued behind a blocker nobody can remove.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queryable } from '../db/queryable.js';
import { actOnBlockers, type ActOnBlockersOptions, type BlockerReport } from './blockers.js';
import { SignalPermissionDeniedError } from './errors.js';
import { signalBackend } from './signal-backends.js';

/**
 * The backend to protect: a pid, or a function looking it up before each check (undefined when
 * there is none right now, e.g. between two attempts of a Temporal activity).
 */
export type WatchTarget = number | (() => Promise<number | undefined>);

/** Options of {@link startBlockerWatcher}. */
export interface BlockerWatcherOptions extends Omit<ActOnBlockersOptions, 'onPermissionDenied'> {
  /** Milliseconds between two checks. */
  readonly intervalMs: number;
  /**
   * Milliseconds from the start to the first check. Undefined: no check until {@link BlockerWatcher.arm}
   * is called.
   */
  readonly firstCheckAfterMs?: number;
  /** Called for each session acted on, as it happens. Exceptions it throws are ignored. */
  readonly onBlocker?: (report: BlockerReport) => void;
  /** Called after each check with the target's pid (undefined when none was found). Exceptions it throws are ignored. */
  readonly onCheck?: (pid: number | undefined, acted: readonly BlockerReport[]) => void;
  /**
   * Turns a failure other than a refused signal (a query failed, the connection broke) into the
   * error the caller reports; the original error is its cause.
   */
  readonly wrapFailure: (error: unknown, pid: number | undefined) => Error;
  /**
   * When to cancel the target's statement as the watcher stops on a failure: `'always'` (default),
   * or only on a refused signal (`'permission-denied'`) when something else retries the watcher
   * after other failures.
   */
  readonly cancelTargetOnFailure?: 'always' | 'permission-denied';
}

/** A running watcher. */
export interface BlockerWatcher {
  /** Every session acted on so far, in order. */
  readonly reports: readonly BlockerReport[];
  /** Checks made so far. */
  readonly checks: number;
  /**
   * Aborted when the watcher stopped on a failure; its `reason` is the failure: a
   * `SignalPermissionDeniedError` (with every report of that check in `details.reports`) or the
   * error `wrapFailure` made.
   */
  readonly failed: AbortSignal;
  /** Starts checking `afterMs` milliseconds from now, unless already armed. */
  arm(afterMs: number): void;
  /** Stops checking and waits for a check in flight. Never rejects. */
  stop(): Promise<void>;
}

/**
 * Starts watching `target` from `control` (a pool, or a connection other than the target's).
 * On failure the watcher cancels the target's statement (`pg_cancel_backend`; see
 * `cancelTargetOnFailure`), aborts {@link BlockerWatcher.failed} and stops.
 */
export function startBlockerWatcher(control: Queryable, target: WatchTarget, options: BlockerWatcherOptions): BlockerWatcher {
  const { intervalMs, firstCheckAfterMs, onBlocker, onCheck, wrapFailure, cancelTargetOnFailure = 'always', ...actOptions } = options;
  const stopping = new AbortController();
  const failure = new AbortController();
  const reports: BlockerReport[] = [];
  let checks = 0;
  let armFirstCheck: (afterMs: number) => void = () => undefined;
  const armed = new Promise<number>((resolve) => {
    armFirstCheck = resolve;
  });
  if (firstCheckAfterMs !== undefined) armFirstCheck(firstCheckAfterMs);

  const record = (report: BlockerReport) => {
    reports.push(report);
    quietly(() => onBlocker?.(report));
  };

  const check = async (): Promise<boolean> => {
    let pid: number | undefined;
    try {
      pid = typeof target === 'number' ? target : await target();
      const acted = pid === undefined ? [] : await actOnBlockers(control, pid, { ...actOptions, onPermissionDenied: 'throw' });
      checks++;
      for (const report of acted) record(report);
      quietly(() => onCheck?.(pid, acted));
      return true;
    } catch (error) {
      checks++;
      const denied = error instanceof SignalPermissionDeniedError;
      if (denied) for (const report of (error.details.reports as BlockerReport[] | undefined) ?? []) record(report);
      // Failed first, cancel second: whoever sees the cancelled statement must already see why.
      failure.abort(denied ? error : wrapFailure(error, pid));
      // Do not leave the protected statement queued behind a blocker we cannot remove.
      if (pid !== undefined && (denied || cancelTargetOnFailure === 'always')) await signalBackend(control, pid, 'cancel').catch(() => undefined);
      return false;
    }
  };

  const loop = async (): Promise<void> => {
    const first = await Promise.race([armed, aborted(stopping.signal)]);
    if (first === undefined) return;
    let wait = first;
    for (;;) {
      try {
        await sleep(wait, undefined, { signal: stopping.signal });
      } catch {
        return; // stopped
      }
      if (!(await check())) return;
      wait = intervalMs;
    }
  };
  const running = loop();

  return {
    reports,
    get checks() {
      return checks;
    },
    failed: failure.signal,
    arm: (afterMs) => armFirstCheck(Math.max(0, afterMs)),
    async stop() {
      stopping.abort();
      await running;
    },
  };
}

function aborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(undefined);
    else signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
}

function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // A reporting callback must not stop the watcher half-way.
  }
}
