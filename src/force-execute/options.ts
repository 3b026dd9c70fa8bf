/**
 * The options of `forceExecute` / `forceExecuteInTransaction`: the plain ones shared with the
 * workflow (see `src/shared/force-execute.ts`) plus the callbacks and the abort signal, checked
 * once, with a typed error naming the option that is wrong.
 */
import { validateMilliseconds, validateNames } from '../introspection/filters.js';
import type { ActOnBlockersOptions, BlockerAction, BlockerFilters, BlockerReport } from '../locks/blockers.js';
import { InvalidLockArgumentError } from '../locks/errors.js';
import { timeoutMilliseconds } from '../locks/timeouts.js';
import { FORCE_EXECUTE_DEFAULTS, type ForceExecutePlainOptions } from '../shared/force-execute.js';

/** One attempt of the statement, as reported to {@link ForceExecuteOptions.onAttempt}. */
export interface ForceExecuteAttempt {
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** The attempt's `lock_timeout` in milliseconds; `0` once `delayMs` has passed (it then waits while blockers are acted on). */
  readonly lockTimeoutMs: number;
  /** True once `delayMs` has passed (or with `lockTimeoutMs: 0`): blockers are acted on during this attempt. */
  readonly forced: boolean;
  /** The SQLSTATE that ended the previous attempt (`55P03` lock timeout, `40P01` deadlock), null for the first. */
  readonly previousSqlState: string | null;
}

/** Options of `forceExecute` and `forceExecuteInTransaction` (all optional; defaults in each option's doc). */
export interface ForceExecuteOptions extends ForceExecutePlainOptions {
  /**
   * Aborting cancels the statement (`pg_cancel_backend` from the control connection), rolls it back
   * (`forceExecute`: the whole transaction; the in-transaction variant: to its savepoint) and
   * rejects with the signal's reason. `AbortSignal.timeout(ms)` bounds the whole call.
   */
  readonly signal?: AbortSignal;
  /** Called for each session acted on, as it happens. Exceptions it throws are ignored. */
  readonly onBlocker?: (report: BlockerReport) => void;
  /** Called as each attempt starts (progress, logging). Exceptions it throws are ignored. */
  readonly onAttempt?: (attempt: ForceExecuteAttempt) => void;
}

/** Options with every default filled in. */
export interface ForceExecuteSettings extends BlockerFilters {
  readonly delayMs: number;
  readonly checkIntervalMs: number;
  readonly action: BlockerAction;
  readonly cancelGraceMs: number;
  readonly lockTimeoutMs: number;
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
  readonly includeQueryText: boolean;
  readonly signal: AbortSignal | undefined;
  readonly onBlocker: ((report: BlockerReport) => void) | undefined;
  readonly onAttempt: ((attempt: ForceExecuteAttempt) => void) | undefined;
}

const ACTIONS: readonly BlockerAction[] = ['terminate', 'cancel', 'cancel-then-terminate'];

/** Checks `options` and fills in the defaults. @throws InvalidLockArgumentError naming the option. */
export function resolveForceExecuteOptions(options: ForceExecuteOptions = {}): ForceExecuteSettings {
  if (typeof options !== 'object' || options === null) throw invalid('options', options, 'an object');
  const d = FORCE_EXECUTE_DEFAULTS;
  const action = options.action ?? d.action;
  if (!ACTIONS.includes(action)) throw invalid('action', action, `one of ${ACTIONS.map((a) => `'${a}'`).join(', ')}`);
  const checkIntervalMs = validateMilliseconds(options.checkIntervalMs ?? d.checkIntervalMs, 'checkIntervalMs');
  if (checkIntervalMs < 1) throw invalid('checkIntervalMs', checkIntervalMs, 'at least 1 ms');
  const retryDelayMs = validateMilliseconds(options.retryDelayMs ?? d.retryDelayMs, 'retryDelayMs');
  const maxRetryDelayMs = validateMilliseconds(options.maxRetryDelayMs ?? d.maxRetryDelayMs, 'maxRetryDelayMs');
  if (maxRetryDelayMs < retryDelayMs) throw invalid('maxRetryDelayMs', maxRetryDelayMs, `at least retryDelayMs (${retryDelayMs})`);
  for (const name of ['signal', 'onBlocker', 'onAttempt'] as const) {
    const value = options[name];
    const ok = value === undefined || (name === 'signal' ? value instanceof AbortSignal : typeof value === 'function');
    if (!ok) throw invalid(name, value, name === 'signal' ? 'an AbortSignal' : 'a function');
  }
  if (options.includeQueryText !== undefined && typeof options.includeQueryText !== 'boolean') {
    throw invalid('includeQueryText', options.includeQueryText, 'a boolean');
  }
  return {
    delayMs: validateMilliseconds(options.delayMs ?? d.delayMs, 'delayMs'),
    checkIntervalMs,
    action,
    cancelGraceMs: validateMilliseconds(options.cancelGraceMs ?? d.cancelGraceMs, 'cancelGraceMs'),
    lockTimeoutMs: timeoutMilliseconds(options.lockTimeoutMs ?? d.lockTimeoutMs, 'lockTimeoutMs'),
    retryDelayMs,
    maxRetryDelayMs,
    includeQueryText: options.includeQueryText ?? false,
    minBlockerAgeMs: validateMilliseconds(options.minBlockerAgeMs ?? 0, 'minBlockerAgeMs'),
    users: options.users && validateNames(options.users, 'users'),
    applicationNames: options.applicationNames && validateNames(options.applicationNames, 'applicationNames'),
    excludeApplicationNames: options.excludeApplicationNames && validateNames(options.excludeApplicationNames, 'excludeApplicationNames'),
    signal: options.signal,
    onBlocker: options.onBlocker,
    onAttempt: options.onAttempt,
  };
}

/** What the watcher does to blockers, from the settings (action, grace, filters, query text). */
export function blockerActions(settings: ForceExecuteSettings): Omit<ActOnBlockersOptions, 'onPermissionDenied'> {
  return {
    action: settings.action,
    cancelGraceMs: settings.cancelGraceMs,
    includeQueryText: settings.includeQueryText,
    minBlockerAgeMs: settings.minBlockerAgeMs,
    users: settings.users,
    applicationNames: settings.applicationNames,
    excludeApplicationNames: settings.excludeApplicationNames,
  };
}

function invalid(argument: string, value: unknown, expected: string): InvalidLockArgumentError {
  let shown: string;
  try {
    shown = typeof value === 'function' ? 'a function' : (JSON.stringify(value) ?? String(value));
  } catch {
    shown = String(value);
  }
  return new InvalidLockArgumentError(`force-execute: ${argument} must be ${expected}, got ${shown}`, { details: { argument, value: String(value) } });
}
