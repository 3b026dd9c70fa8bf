/**
 * Activities for an existing Temporal worker. Build them with `createActivities(deps)` and spread the
 * result into `Worker.create({ activities })`:
 *
 * ```ts
 * const worker = await Worker.create({
 *   taskQueue: 'postgres',
 *   workflowsPath,                      // from 'temporal-pg/worker'
 *   activities: createActivities({ databases: { default: pool, reporting: reportingPool } }),
 * });
 * ```
 *
 * @module
 */
import type { Logger } from '@temporalio/common';
import type { ActivityDatabases } from './databases.js';
import { createForceExecuteActivities } from './force-execute.js';

/** What the activities need from the worker. */
export interface ActivityDependencies {
  /**
   * The databases workflows may name (inputs carry a name, never a connection string): one pool,
   * registered as `'default'`, or pools by name.
   */
  readonly databases: ActivityDatabases;
  /** Where the activities log (victims of force-execute, retries). Default: each activity context's logger. */
  readonly logger?: Logger;
}

/** Every activity of temporal-pg, as plain functions; each converts its errors with `withFailureConversion`. */
export function createActivities(deps: ActivityDependencies) {
  return {
    ...createForceExecuteActivities(deps),
  };
}

/** The activities {@link createActivities} returns. */
export type TemporalPgActivities = ReturnType<typeof createActivities>;

export { toApplicationFailure, withFailureConversion } from './failure.js';
export { DEFAULT_DATABASE, UnknownDatabaseError, resolveDatabase, type ActivityDatabases } from './databases.js';
export { createForceExecuteActivities, type ForceExecuteActivities, type ForceExecuteActivityDependencies } from './force-execute.js';
