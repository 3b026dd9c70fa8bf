/**
 * temporal-pg for Temporal workers: where the package's workflows live (`workflowsPath`) and a
 * one-call worker with every activity registered.
 *
 * ```ts
 * import { NativeConnection } from '@temporalio/worker';
 * import { createWorker } from 'temporal-pg/worker';
 *
 * const worker = await createWorker({ connection: await NativeConnection.connect(), taskQueue: 'postgres', databases: pool });
 * await worker.run();
 * ```
 *
 * To add temporal-pg to a worker of yours instead, pass `workflowsPath` (or a module re-exporting
 * `temporal-pg/workflows` next to your workflows) and spread `createActivities(...)` from
 * `temporal-pg/activities` into its activities.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities/index.js';

/**
 * Absolute path of the module exporting every temporal-pg workflow, for `Worker.create({ workflowsPath })`
 * (the built `.js`; the `.ts` source when running from a checkout).
 */
export const workflowsPath: string = (() => {
  const built = new URL('../workflows/index.js', import.meta.url);
  return fileURLToPath(existsSync(built) ? built : new URL('../workflows/index.ts', import.meta.url));
})();

/** Options of {@link createWorker}: any `WorkerOptions`, plus what the activities need. */
export type CreateWorkerOptions = Omit<WorkerOptions, 'activities' | 'workflowsPath' | 'workflowBundle'> &
  ActivityDependencies & {
    /** More activities to register beside temporal-pg's. */
    readonly activities?: WorkerOptions['activities'];
  };

/**
 * A worker running temporal-pg's workflows and activities on `taskQueue` (and yours, given in
 * `activities`). Run it with `worker.run()`; it does not end the pools it was given.
 *
 * One default differs from `Worker.create`'s: `maxHeartbeatThrottleInterval` is 1 s, so a
 * cancellation reaches a running activity within about a second (it only travels back with a
 * heartbeat) — a cancelled force-execute releases its lock queue slot, and a finished one ends,
 * that much sooner. Pass your own value to change it.
 */
export function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const { databases, logger, activities, ...workerOptions } = options;
  return Worker.create({
    maxHeartbeatThrottleInterval: '1s',
    ...workerOptions,
    workflowsPath,
    activities: { ...activities, ...createActivities({ databases, logger }) },
  });
}
