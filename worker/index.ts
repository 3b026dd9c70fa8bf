/**
 * temporal-pg for Temporal workers: where the package's workflows live (`workflowsPath`) and a
 * one-call worker with every activity registered.
 *
 * ```ts
 * import { NativeConnection } from '@temporalio/worker';
 * import { createWorker } from 'temporal-pg/worker';
 *
 * const worker = await createWorker({
 *   connection: await NativeConnection.connect(),
 *   taskQueue: 'postgres',
 *   databases: pool,
 *   sources: { ...builtInSources({ databases: pool, rootDirectory: '/data' }), orders: ordersSource },
 * });
 * await worker.run();
 * ```
 *
 * To add temporal-pg to a worker of yours instead, pass `workflowsPath` (or a module re-exporting
 * `temporal-pg/workflows` next to your workflows) and spread `createActivities(...)` from
 * `temporal-pg/activities` into its activities. `runWorkerFromEnvironment` (and the
 * `temporal-pg-worker` executable, `worker/main`) runs a worker configured from the environment.
 *
 * @module
 */
export { createWorker, workflowsPath, type CreateWorkerOptions } from './create-worker.js';
export { runWorkerFromEnvironment, type RunWorkerOptions, type WorkerReady } from './main.js';
export { readWorkerEnvironment, type Environment, type WorkerEnvironment } from './environment.js';
export { loadSourcesModule, type SourcesModuleContext } from './sources-module.js';
export { WorkerConfigurationError } from './errors.js';
