/**
 * `createWorker` and `workflowsPath`: a worker with every temporal-pg workflow and activity, and
 * where those workflows live for workers of your own.
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

/** Options of {@link createWorker}: any `WorkerOptions`, plus what the activities need (`databases`, `sources`, `logger`). */
export type CreateWorkerOptions = Omit<WorkerOptions, 'activities' | 'workflowsPath'> &
  ActivityDependencies & {
    /** More activities to register beside temporal-pg's. */
    readonly activities?: WorkerOptions['activities'];
    /**
     * A bundle of temporal-pg's workflows made beforehand (`bundleWorkflowCode({ workflowsPath })`),
     * to skip bundling at start-up. Default: bundled from {@link workflowsPath}.
     */
    readonly workflowBundle?: WorkerOptions['workflowBundle'];
  };

/**
 * A worker running temporal-pg's workflows (`ingestWorkflow`, `forceExecuteWorkflow`) and activities
 * on `taskQueue` (and yours, given in `activities`), with the `databases` and `sources` workflows
 * may name. Run it with `worker.run()`; it does not end the pools it was given.
 *
 * One default differs from `Worker.create`'s: `maxHeartbeatThrottleInterval` is 1 s, so a
 * cancellation reaches a running activity within about a second (it only travels back with a
 * heartbeat) — a cancelled force-execute releases its lock queue slot, and a finished one ends,
 * that much sooner. Pass your own value to change it.
 */
export function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const { databases, sources, logger, operations, activities, workflowBundle, ...workerOptions } = options;
  const dependencies: ActivityDependencies = {
    databases,
    ...(sources === undefined ? {} : { sources }),
    ...(logger === undefined ? {} : { logger }),
    ...(operations === undefined ? {} : { operations }),
  };
  return Worker.create({
    maxHeartbeatThrottleInterval: '1s',
    ...workerOptions,
    ...(workflowBundle === undefined ? { workflowsPath } : { workflowBundle }),
    activities: { ...activities, ...createActivities(dependencies) },
  });
}
