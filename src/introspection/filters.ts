/** Validation of introspection filters and pid lists, with typed errors that name the argument. */
import { InvalidLockArgumentError } from '../locks/errors.js';
import { quoteTableName } from '../sql/table-name.js';
import type { LockFilters } from './types.js';

const MAX_PID = 2 ** 31 - 1;

function invalid(argument: string, value: unknown, expected: string): InvalidLockArgumentError {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  return new InvalidLockArgumentError(`${argument} must be ${expected}, got ${shown}`, { details: { argument, value: String(value) } });
}

/** Checks a list of backend pids (positive int4) and returns it without duplicates, order kept. */
export function validatePids(pids: unknown, argument = 'pids'): number[] {
  if (!Array.isArray(pids)) throw invalid(argument, pids, 'an array of backend pids');
  for (const pid of pids) {
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || pid > MAX_PID) throw invalid(argument, pid, 'a positive integer pid');
  }
  return [...new Set(pids as number[])];
}

/** Checks a list of names (roles, application names). */
export function validateNames(names: unknown, argument: string): readonly string[] {
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) throw invalid(argument, names, 'an array of strings');
  return names as string[];
}

/** Checks a duration in milliseconds (finite, not negative). */
export function validateMilliseconds(value: unknown, argument: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalid(argument, value, 'a number of milliseconds ≥ 0');
  return value;
}

/** Validates every filter present; throws InvalidLockArgumentError / InvalidIdentifierError. */
export function validateFilters<F extends LockFilters>(filters: F): F {
  if (typeof filters !== 'object' || filters === null) throw invalid('filters', filters, 'an object');
  if (filters.pids !== undefined) validatePids(filters.pids);
  if (filters.users !== undefined) validateNames(filters.users, 'users');
  if (filters.applicationNames !== undefined) validateNames(filters.applicationNames, 'applicationNames');
  if (filters.lockTypes !== undefined) validateNames(filters.lockTypes, 'lockTypes');
  if (filters.minWaitMs !== undefined) validateMilliseconds(filters.minWaitMs, 'minWaitMs');
  if (filters.minQueryAgeMs !== undefined) validateMilliseconds(filters.minQueryAgeMs, 'minQueryAgeMs');
  if (filters.relation !== undefined) quoteTableName(filters.relation);
  for (const flag of ['allDatabases', 'includeSelf', 'granted'] as const) {
    if (filters[flag] !== undefined && typeof filters[flag] !== 'boolean') throw invalid(flag, filters[flag], 'a boolean');
  }
  return filters;
}
