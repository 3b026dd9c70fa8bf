/**
 * What the worker processes of the crash and load tests share (test/e2e/fixtures/ingest-worker-process.ts,
 * test/reliability/fixtures/crash-worker.ts): their configuration from the environment —
 * TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE (default `default`), TASK_QUEUE, WORKFLOW_BUNDLE (a bundle
 * file the test wrote) and DATABASE_URL — a quiet SDK, the pool and the connection, a worker with
 * test-friendly timings (a killed worker's sticky queue is given up after 1 s), and its run until
 * SIGTERM.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import pg from 'pg';

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** A logger for the activities that drops everything (victims and retries are expected here). */
export const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export interface WorkerProcessParts {
  readonly pool: pg.Pool;
  readonly connection: NativeConnection;
  /** Creates the worker (bundle loaded, connection checked) with `activities`. */
  createWorker(activities: WorkerOptions['activities']): Promise<Worker>;
  /**
   * Runs `worker` (printing `ready` once it polls) until SIGTERM asks it to drain, then runs
   * `cleanUp` and ends the pool and the connection.
   */
  serve(worker: Worker, cleanUp?: () => void): Promise<void>;
}

/** Installs a quiet SDK runtime, opens the pool (`poolMax` connections, default 6) and connects to Temporal. */
export async function connectWorkerProcess(options: { poolMax?: number } = {}): Promise<WorkerProcessParts> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const pool = new pg.Pool({ connectionString: requiredEnv('DATABASE_URL'), max: options.poolMax ?? 6 });
  // Terminated and killed sessions are what these processes are for: an idle client's error must not end them.
  pool.on('error', () => undefined);
  const connection = await NativeConnection.connect({ address: requiredEnv('TEMPORAL_ADDRESS') });
  return {
    pool,
    connection,
    createWorker: (activities) =>
      Worker.create({
        connection,
        namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
        taskQueue: requiredEnv('TASK_QUEUE'),
        workflowBundle: { codePath: requiredEnv('WORKFLOW_BUNDLE') },
        activities,
        maxHeartbeatThrottleInterval: '100ms',
        defaultHeartbeatThrottleInterval: '100ms',
        stickyQueueScheduleToStartTimeout: '1s',
        shutdownGraceTime: '500ms',
      }),
    async serve(worker, cleanUp) {
      process.once('SIGTERM', () => worker.shutdown());
      const running = worker.run();
      process.stdout.write('ready\n');
      await running;
      cleanUp?.();
      await pool.end();
      await connection.close();
    },
  };
}
