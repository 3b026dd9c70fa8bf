/**
 * Activities for an existing Temporal worker. Build them with `createActivities(deps)` and spread the
 * result into `Worker.create({ activities })`:
 *
 * ```ts
 * const worker = await Worker.create({
 *   taskQueue: 'postgres',
 *   workflowsPath,                      // from 'temporal-pg/worker'
 *   activities: {
 *     ...createActivities({
 *       databases: { default: pool, reporting: reportingPool },
 *       sources: { ...builtInSources({ databases: { reporting: reportingPool } }), orders: ordersSource },
 *     }),
 *     ...myActivities,
 *   },
 * });
 * ```
 *
 * @module
 */
import type { Logger } from '@temporalio/common';
import type { ActivityDatabases } from './databases.js';
import { createForceExecuteActivities } from './force-execute.js';
import type { ForceExecuteOperations } from './force-execute-operations.js';
import { createIngestActivities, ingestForceExecuteOperations } from './ingest.js';
import type { ActivitySources } from './sources.js';

/** What the activities need from the worker. */
export interface ActivityDependencies {
  /**
   * The databases workflows may name (inputs carry a name, never a connection string): one pool,
   * registered as `'default'`, or pools by name.
   */
  readonly databases: ActivityDatabases;
  /**
   * The batch sources ingest workflows may name, e.g. `{ ...builtInSources({ databases }), orders:
   * ordersSource }`. Default: none (an ingest then fails with `UnknownSource`). The built-in
   * sources are not added by themselves: the file sources read any directory the worker can, unless
   * given a `rootDirectory`.
   */
  readonly sources?: ActivitySources;
  /** Where the activities log (steps, retries, victims of force-execute). Default: each activity context's logger. */
  readonly logger?: Logger;
  /** More force-execute operations (`operation: { kind, … }` in a force-execute input), beside the ingest's `ingest-swap`. */
  readonly operations?: ForceExecuteOperations;
}

/** Every activity of temporal-pg, as plain functions; each converts its errors with `withFailureConversion`. */
export function createActivities(deps: ActivityDependencies) {
  const { databases, logger } = deps;
  const common = logger === undefined ? { databases } : { databases, logger };
  return {
    ...createForceExecuteActivities({ ...common, operations: { ...deps.operations, ...ingestForceExecuteOperations } }),
    ...createIngestActivities({ ...common, sources: deps.sources ?? {} }),
  };
}

/** The activities {@link createActivities} returns. */
export type TemporalPgActivities = ReturnType<typeof createActivities>;

export { toApplicationFailure, withFailureConversion } from './failure.js';
export { DEFAULT_DATABASE, UnknownDatabaseError, resolveDatabase, type ActivityDatabases } from './databases.js';
export { UnknownSourceError, resolveSource, type ActivitySources } from './sources.js';
export { SourceNotAdvancingError } from './ingest-errors.js';
export { createForceExecuteActivities, type ForceExecuteActivities, type ForceExecuteActivityDependencies } from './force-execute.js';
export {
  UnknownForceExecuteOperationError,
  type ForceExecuteOperationContext,
  type ForceExecuteOperationHandler,
  type ForceExecuteOperations,
} from './force-execute-operations.js';
export { createIngestActivities, ingestForceExecuteOperations, type IngestActivities, type IngestActivityDependencies } from './ingest.js';
