/**
 * Assembles the in-memory Temporal service: one namespace, the WorkflowService over gRPC on
 * loopback, real time. Not part of the published API; see test/helpers/temporal.ts for how tests
 * use it and README "Testing workflows offline" for what it does not implement.
 */
import { clientHandlers } from './client-rpcs.js';
import { realClock } from './clock.js';
import type { Engine, PendingQuery } from './engine.js';
import { startGrpcServer } from './grpc-server.js';
import { namespaceNotFound } from './rpc-error.js';
import { ExecutionStore } from './store.js';
import { TaskQueues } from './task-queues.js';
import { workerHandlers } from './worker-rpcs.js';

export interface TemporalTestServiceOptions {
  /** Address to listen on. @default '127.0.0.1' */
  host?: string;
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** The one namespace served; requests for any other get NOT_FOUND. @default 'default' */
  namespace?: string;
  /**
   * How long a long poll (task polls, history waits) is held before it is answered empty and the
   * caller asks again, and how long a query waits for a worker to answer it before failing with
   * DEADLINE_EXCEEDED, in milliseconds. @default 20000
   */
  longPollTimeoutMs?: number;
  /**
   * History length (events) from which workflow tasks carry `suggestContinueAsNew`, as
   * `workflowInfo().continueAsNewSuggested` shows it; lower it to test continue-as-new logic.
   * @default 4096 (the real server's default)
   */
  suggestContinueAsNewAfterEvents?: number;
  /**
   * History size (bytes) from which workflow tasks carry `suggestContinueAsNew`.
   * @default 4194304 (4 MiB, the real server's default)
   */
  suggestContinueAsNewAfterBytes?: number;
  /**
   * Receives warnings: RPCs the service does not implement, internal errors.
   * @default writes to stderr
   */
  log?: (message: string) => void;
}

export interface TemporalTestService {
  /** `host:port` for `NativeConnection.connect` / `Connection.connect`. */
  readonly address: string;
  readonly namespace: string;
  /** Calls received per RPC method name (e.g. `PollActivityTaskQueue`), for diagnostics and tests. */
  readonly calls: ReadonlyMap<string, number>;
  /** Calls answered UNIMPLEMENTED, per method name. */
  readonly unimplementedCalls: ReadonlyMap<string, number>;
  /** Answers open long polls, stops timers, closes every connection. Idempotent. */
  shutdown(): Promise<void>;
}

export async function startTemporalTestService(options: TemporalTestServiceOptions = {}): Promise<TemporalTestService> {
  const namespace = options.namespace ?? 'default';
  const longPollTimeoutMs = options.longPollTimeoutMs ?? 20_000;
  const log = options.log ?? ((message: string) => process.stderr.write(`[temporal-test-service] ${message}\n`));
  const pendingDeferred = new Set<NodeJS.Immediate>();
  let stopped = false;

  const describe = (err: unknown) => (err instanceof Error ? (err.stack ?? err.message) : String(err));
  const clock = realClock((err) => log(`timer failed: ${describe(err)}`));
  const engine: Engine = {
    namespace,
    suggestContinueAsNew: {
      events: options.suggestContinueAsNewAfterEvents ?? 4096,
      bytes: options.suggestContinueAsNewAfterBytes ?? 4 * 1024 * 1024,
    },
    clock,
    queues: new TaskQueues(longPollTimeoutMs),
    store: new ExecutionStore(),
    queries: new Map<string, PendingQuery>(),
    log,
    defer(fn) {
      if (stopped) return;
      const immediate = setImmediate(() => {
        pendingDeferred.delete(immediate);
        try {
          fn();
        } catch (err) {
          log(`background task failed: ${describe(err)}`);
        }
      });
      pendingDeferred.add(immediate);
    },
  };

  const calls = new Map<string, number>();
  const unimplementedCalls = new Map<string, number>();
  const handlers = { ...workerHandlers(engine), ...clientHandlers(engine, longPollTimeoutMs) };
  const server = await startGrpcServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    log,
    services: [
      {
        name: 'temporal.api.workflowservice.v1.WorkflowService',
        handlers: Object.fromEntries(
          Object.entries(handlers).map(([method, handler]) => [
            method,
            (request: { namespace?: string }, call: Parameters<typeof handler>[1]) => {
              // Every WorkflowService request names its namespace; only ours exists.
              if (request.namespace && request.namespace !== namespace) {
                throw namespaceNotFound(request.namespace);
              }
              return handler(request, call);
            },
          ]),
        ),
      },
    ],
    onCall(method, implemented) {
      calls.set(method, (calls.get(method) ?? 0) + 1);
      if (!implemented) unimplementedCalls.set(method, (unimplementedCalls.get(method) ?? 0) + 1);
    },
  });

  let shutdown: Promise<void> | undefined;
  return {
    address: `${options.host ?? '127.0.0.1'}:${server.port}`,
    namespace,
    calls,
    unimplementedCalls,
    shutdown() {
      shutdown ??= (async () => {
        stopped = true;
        for (const immediate of pendingDeferred) clearImmediate(immediate);
        clock.dispose();
        engine.queues.close();
        for (const query of engine.queries.values()) {
          query.resolve({ answered: false, message: 'service shutting down' });
        }
        await server.shutdown();
      })();
      return shutdown;
    },
  };
}
