/**
 * Checks of an ingest workflow input that need no database and no Node built-ins, so the workflow
 * can run them too: the shape of every field and the option values. The table definitions are
 * checked in full by the client (`validateDefinition`) and by the plan activity, which also asks
 * PostgreSQL about types.
 */
import { forceExecuteActivityProblems, forceExecuteOptionProblems } from './force-execute.js';

/** The `ApplicationFailure` type (and error `type`) of an input {@link ingestInputProblems} rejects. */
export const INVALID_INGEST_INPUT = 'InvalidIngestInput';

const MODES: Readonly<Record<string, readonly string[]>> = {
  upsert: ['if-primary-key', 'off'],
  delete: ['off', 'before-first-batch'],
  visibility: ['after-each-batch', 'end-of-ingest'],
  onConcurrentIngest: ['wait', 'fail'],
};

const FIELDS = new Set([
  'database',
  'tables',
  'source',
  'batchesPerRun',
  'activities',
  'highWatermark',
  'upsert',
  'delete',
  'visibility',
  'forceExecute',
  'lockTimeoutMs',
  'onConcurrentIngest',
  'maxRowsPerTableBuffer',
]);

const ACTIVITY_FIELDS = new Set(['taskQueue', 'heartbeatTimeoutMs', 'startToCloseTimeoutMs', 'maximumAttempts', 'swap']);

/**
 * What is wrong with an `ingestWorkflow` input, one sentence per problem (empty when it is fine).
 * Unknown fields are problems too: a misspelt option must not silently fall back to its default.
 */
export function ingestInputProblems(input: unknown): string[] {
  if (!isObject(input)) return ['the input must be an object'];
  const problems: string[] = [];
  for (const key of Object.keys(input)) if (!FIELDS.has(key)) problems.push(`unknown field ${JSON.stringify(key)}`);
  const { database, tables, source, batchesPerRun, activities, lockTimeoutMs, forceExecute, maxRowsPerTableBuffer } = input;
  if (database !== undefined && (typeof database !== 'string' || database === '')) problems.push('database must be the name of a database registered at the worker');
  problems.push(...tablesProblems(tables));
  if (!isObject(source)) problems.push('source must be an object { name, args? }');
  else if (typeof source.name !== 'string' || source.name === '') problems.push('source.name must be the name of a source registered at the worker');
  for (const [name, allowed] of Object.entries(MODES)) {
    const value = input[name];
    if (value !== undefined && !allowed.includes(value as string)) problems.push(`${name} must be one of ${allowed.join(', ')}`);
  }
  if (lockTimeoutMs !== undefined && !isMilliseconds(lockTimeoutMs)) problems.push('lockTimeoutMs must be a number of milliseconds ≥ 0');
  if (maxRowsPerTableBuffer !== undefined && !isPositiveInteger(maxRowsPerTableBuffer)) problems.push('maxRowsPerTableBuffer must be an integer ≥ 1');
  if (batchesPerRun !== undefined && !isPositiveInteger(batchesPerRun)) problems.push('batchesPerRun must be an integer ≥ 1');
  if (forceExecute !== undefined) {
    if (!isObject(forceExecute)) problems.push('forceExecute must be an object');
    else problems.push(...forceExecuteOptionProblems(forceExecute, 'forceExecute.'));
  }
  if (activities !== undefined) problems.push(...activityProblems(activities));
  return problems;
}

function tablesProblems(tables: unknown): string[] {
  const list = Array.isArray(tables) ? (tables as unknown[]) : [tables];
  if (tables === undefined || list.length === 0) return ['tables must be a table definition or a non-empty list of them'];
  const problems: string[] = [];
  list.forEach((table, index) => {
    const at = Array.isArray(tables) ? `tables[${index}]` : 'tables';
    if (!isObject(table)) problems.push(`${at} must be a table definition { schema, name, columns, indexes? }`);
    else if (typeof table.schema !== 'string' || typeof table.name !== 'string' || !Array.isArray(table.columns)) {
      problems.push(`${at} must have a schema and a name (strings) and a list of columns`);
    }
  });
  return problems;
}

function activityProblems(activities: unknown): string[] {
  if (!isObject(activities)) return ['activities must be an object'];
  const problems: string[] = [];
  for (const key of Object.keys(activities)) if (!ACTIVITY_FIELDS.has(key)) problems.push(`unknown field "activities.${key}"`);
  const { swap, ...own } = activities;
  problems.push(...forceExecuteActivityProblems(own, 'activities'));
  if (swap !== undefined) problems.push(...forceExecuteActivityProblems(swap, 'activities.swap'));
  return problems;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMilliseconds(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}
