/**
 * Gives a test file its Temporal: a client, a worker factory that always stops its workers, unique
 * task queues and workflow ids, and the file's workflows bundled once.
 *
 * - `TEMPORAL_ADDRESS` set (e.g. `localhost:7233`, namespace from `TEMPORAL_NAMESPACE`, default
 *   `default`): every test talks to that real server.
 * - otherwise: the in-memory service (`test/temporal-service/`) is started for the file and shut
 *   down after it, in well under a second.
 *
 * ```ts
 * const temporal = useTemporal({ workflowsPath: new URL('./workflows/basics.ts', import.meta.url) });
 *
 * it('greets', async () => {
 *   const result = await temporal.withWorker({ activities: { greet } }, ({ client, taskQueue }) =>
 *     client.workflow.execute(greeting, { taskQueue, workflowId: temporal.workflowId('greeting'), args: ['Ada'] }),
 *   );
 *   expect(result).toBe('Hello, Ada');
 * });
 * ```
 *
 * Workers get test-friendly defaults: heartbeat throttling at 100 ms (so cancellation reaches an
 * activity through its next heartbeat quickly), a 500 ms shutdown grace time (activities still
 * running when the test is done are cancelled then), and the file's bundle. The SDK's own logging
 * is lowered to WARN for the whole process (`TEMPORAL_TEST_LOG_LEVEL=DEBUG` to see everything).
 * Everything opened here is closed after the file (the harness fails a file that leaves a TCP
 * handle open).
 */
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import type { LogLevel, LogMetadata } from '@temporalio/common';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions,
  type WorkflowBundle,
} from '@temporalio/worker';
import { afterAll, beforeAll } from 'vitest';
import {
  startTemporalTestService,
  type TemporalTestService,
  type TemporalTestServiceOptions,
} from '../temporal-service/index.js';

export interface UseTemporalOptions {
  /** Module whose exported functions are the file's workflows; bundled once in `beforeAll`. */
  workflowsPath?: string | URL;
  /** Options of the in-memory service (unused when `TEMPORAL_ADDRESS` is set). */
  service?: TemporalTestServiceOptions;
  /**
   * Use the in-memory service even when `TEMPORAL_ADDRESS` is set: for tests of the service
   * itself, which assert on its internals. @default false
   */
  inMemory?: boolean;
}

/**
 * Worker options of a test: any `WorkerOptions` except the connection and namespace (the file's).
 * Test defaults: `taskQueue` a fresh unique name; `workflowBundle` the file's bundle (unless
 * `workflowsPath` is given); `maxHeartbeatThrottleInterval` and `defaultHeartbeatThrottleInterval`
 * 100 ms, so a cancellation reaches a heartbeating activity within about 100 ms;
 * `shutdownGraceTime` 500 ms, after which activities still running at the end of a test are
 * cancelled.
 */
export type TestWorkerOptions = Partial<Omit<WorkerOptions, 'connection' | 'namespace'>>;

export interface WorkerContext {
  worker: Worker;
  client: Client;
  /** The worker's task queue (unique to this call unless given in the options). */
  taskQueue: string;
}

export interface TestTemporal {
  /** `host:port` of the service in use. */
  readonly address: string;
  readonly namespace: string;
  /** True when the tests run against a real server (`TEMPORAL_ADDRESS`). */
  readonly external: boolean;
  /** Client of the file (available from `beforeAll` on). */
  readonly client: Client;
  /** Connection for workers of the file. */
  readonly connection: NativeConnection;
  /** The in-memory service, or undefined against a real server (for diagnostics only). */
  readonly service: TemporalTestService | undefined;
  /** The file's workflow bundle (throws when `workflowsPath` was not given). */
  readonly workflowBundle: WorkflowBundle;
  /** A task queue name no other test uses. */
  taskQueue(label?: string): string;
  /** A workflow id no other test uses. */
  workflowId(label?: string): string;
  /** Creates a worker with test defaults; prefer `withWorker`, which also runs and stops it. */
  createWorker(options?: TestWorkerOptions): Promise<Worker>;
  /** Runs a worker while `fn` runs and always stops it afterwards (`worker.runUntil`). */
  withWorker<T>(options: TestWorkerOptions, fn: (context: WorkerContext) => Promise<T>): Promise<T>;
  withWorker<T>(fn: (context: WorkerContext) => Promise<T>): Promise<T>;
}

/**
 * Warnings the SDK logs on paths tests take on purpose (an activity or workflow failing, an
 * attempt completing after its timeout, a worker without activities). Anything else gets through,
 * and setting TEMPORAL_TEST_LOG_LEVEL (e.g. DEBUG) shows everything.
 */
const EXPECTED_WARNINGS = [
  /^No activities registered/,
  /^Activity failed$/,
  /^Workflow failed/,
  /^Activity not found on completion/,
  /^Task not found when completing/,
];

const chosenLevel = process.env.TEMPORAL_TEST_LOG_LEVEL as LogLevel | undefined;
const logLevel: LogLevel = chosenLevel ?? 'WARN';

class TestLogger extends DefaultLogger {
  override log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (!chosenLevel && level === 'WARN' && EXPECTED_WARNINGS.some((pattern) => pattern.test(message))) return;
    super.log(level, message, meta);
  }
}

const quietLogger = new TestLogger(logLevel);
installQuietRuntime();

/** Installs the SDK runtime (core's logs forwarded to the same logger) unless one exists. */
function installQuietRuntime(): void {
  try {
    Runtime.install({
      logger: quietLogger,
      telemetryOptions: { logging: { filter: { core: logLevel, other: logLevel }, forward: {} } },
    });
  } catch {
    // Already installed in this process (another helper or an earlier file): keep it.
  }
}

const bundles = new Map<string, Promise<WorkflowBundle>>();

/**
 * Where webpack keeps its build cache between runs (per checkout, like vite's); it halves the
 * time of bundling workflows that did not change. TEMPORAL_TEST_BUNDLE_CACHE=0 turns it off.
 */
const bundleCacheDirectory = fileURLToPath(new URL('../../.tmp/workflow-bundle-cache', import.meta.url));

/** Bundles a workflows module once per process. */
export function bundleWorkflows(workflowsPath: string | URL): Promise<WorkflowBundle> {
  const path = workflowsPath instanceof URL ? fileURLToPath(workflowsPath) : workflowsPath;
  let bundle = bundles.get(path);
  if (!bundle) {
    const name = createHash('sha256').update(path).digest('hex').slice(0, 16);
    bundle = bundleWorkflowCode({
      workflowsPath: path,
      logger: quietLogger,
      webpackConfigHook:
        process.env.TEMPORAL_TEST_BUNDLE_CACHE === '0'
          ? undefined
          : (config) => ({ ...config, cache: { type: 'filesystem', cacheDirectory: bundleCacheDirectory, name } }),
    }).then(({ code }) => ({ code }));
    bundles.set(path, bundle);
  }
  return bundle;
}

/**
 * Polls `read` every 50 ms until `accept` approves its value or `timeoutMs` (default 10 000 ms)
 * passes, and returns the last value read, so the caller's assertion shows what was seen. For
 * state a service reaches asynchronously (a real server's visibility, a parent-close policy).
 */
export async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `label` plus a random suffix: names no other test (or earlier run on a real server) uses. */
export function uniqueName(label: string): string {
  return `${label}-${randomBytes(5).toString('hex')}`;
}

export function useTemporal(options: UseTemporalOptions = {}): TestTemporal {
  const externalAddress = options.inMemory ? undefined : process.env.TEMPORAL_ADDRESS;
  let service: TemporalTestService | undefined;
  let client: Client | undefined;
  let clientConnection: Connection | undefined;
  let connection: NativeConnection | undefined;
  let bundle: WorkflowBundle | undefined;
  let address = externalAddress ?? '';
  const namespace = externalAddress ? (process.env.TEMPORAL_NAMESPACE ?? 'default') : (options.service?.namespace ?? 'default');

  beforeAll(async () => {
    if (!externalAddress) {
      service = await startTemporalTestService(options.service);
      address = service.address;
    }
    [connection, clientConnection, bundle] = await Promise.all([
      NativeConnection.connect({ address }),
      Connection.connect({ address }),
      options.workflowsPath ? bundleWorkflows(options.workflowsPath) : undefined,
    ]);
    client = new Client({ connection: clientConnection, namespace });
  });

  afterAll(async () => {
    await clientConnection?.close();
    await connection?.close();
    await service?.shutdown();
  });

  const required = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is only available inside tests (after beforeAll)`);
    return value;
  };

  const temporal: TestTemporal = {
    get address() {
      return address;
    },
    namespace,
    external: externalAddress !== undefined,
    get client() {
      return required(client, 'temporal.client');
    },
    get connection() {
      return required(connection, 'temporal.connection');
    },
    get service() {
      return service;
    },
    get workflowBundle() {
      return required(bundle, 'temporal.workflowBundle (pass workflowsPath to useTemporal)');
    },
    taskQueue: (label = 'tq') => uniqueName(label),
    workflowId: (label = 'wf') => uniqueName(label),
    createWorker(workerOptions = {}) {
      return Worker.create({
        taskQueue: uniqueName('tq'),
        ...(bundle && !workerOptions.workflowsPath ? { workflowBundle: bundle } : {}),
        maxHeartbeatThrottleInterval: '100ms',
        defaultHeartbeatThrottleInterval: '100ms',
        shutdownGraceTime: '500ms',
        ...workerOptions,
        connection: required(connection, 'temporal.connection'),
        namespace,
      });
    },
    async withWorker<T>(
      optionsOrFn: TestWorkerOptions | ((context: WorkerContext) => Promise<T>),
      maybeFn?: (context: WorkerContext) => Promise<T>,
    ): Promise<T> {
      const [workerOptions, fn] = typeof optionsOrFn === 'function' ? [{}, optionsOrFn] : [optionsOrFn, maybeFn!];
      const worker = await temporal.createWorker(workerOptions);
      return await worker.runUntil(() =>
        fn({ worker, client: temporal.client, taskQueue: worker.options.taskQueue }),
      );
    },
  };
  return temporal;
}
