/**
 * The WorkflowService calls of `@temporalio/worker` (sdk-core): start-up (GetSystemInfo,
 * DescribeNamespace), long polls, task completions, heartbeats and ShutdownWorker.
 *
 * Capabilities are the minimum the 1.24 SDK needs. `sdkMetadata` matters: only with it does core
 * record its flags in WorkflowTaskCompleted events, and only histories carrying those flags get
 * the activity/child id and type checks during replay. Namespace capabilities stay off, so core
 * cancels its own polls at shutdown and never sends worker heartbeats or paginated completions.
 */
import {
  activityById,
  activityByToken,
  completeActivity,
  confirmActivityCanceled,
  failActivity,
  recordHeartbeat,
} from './activities.js';
import type { Engine } from './engine.js';
import type { Handler } from './grpc-server.js';
import { enums, msDuration, type temporal } from './proto.js';
import { completeQueryTask } from './queries.js';
import { completeWorkflowTask, failWorkflowTask } from './workflow-tasks.js';

type W = typeof temporal.api.workflowservice.v1;
type Request<K extends keyof W> = W[K] extends { prototype: infer P } ? P : never;

const SERVER_VERSION = '1.24.0-temporal-pg-in-memory';

export function workerHandlers(engine: Engine): Record<string, Handler> {
  return {
    GetSystemInfo: () => ({
      serverVersion: SERVER_VERSION,
      capabilities: {
        signalAndQueryHeader: true,
        internalErrorDifferentiation: true,
        activityFailureIncludeHeartbeat: true,
        encodedFailureAttributes: true,
        upsertMemo: true,
        sdkMetadata: true,
      },
    }),

    DescribeNamespace: (request: Request<'DescribeNamespaceRequest'>) => ({
      namespaceInfo: {
        name: request.namespace || engine.namespace,
        id: engine.namespace,
        state: enums.NamespaceState.NAMESPACE_STATE_REGISTERED,
        description: 'in-memory Temporal service of temporal-pg',
        capabilities: {},
      },
      config: { workflowExecutionRetentionTtl: msDuration(24 * 3600 * 1000) },
      isGlobalNamespace: false,
    }),

    // An empty response (no task token) tells the worker "no task, poll again".
    async PollWorkflowTaskQueue(request: Request<'PollWorkflowTaskQueueRequest'>, call) {
      const queue = request.taskQueue?.name ?? '';
      return (await engine.queues.poll('workflow', queue, { identity: request.identity }, call.signal)) ?? {};
    },

    async PollActivityTaskQueue(request: Request<'PollActivityTaskQueueRequest'>, call) {
      const queue = request.taskQueue?.name ?? '';
      return (await engine.queues.poll('activity', queue, { identity: request.identity }, call.signal)) ?? {};
    },

    RespondWorkflowTaskCompleted: (request: Request<'RespondWorkflowTaskCompletedRequest'>) =>
      completeWorkflowTask(engine, request),
    RespondWorkflowTaskFailed: (request: Request<'RespondWorkflowTaskFailedRequest'>) =>
      failWorkflowTask(engine, request),
    RespondQueryTaskCompleted: (request: Request<'RespondQueryTaskCompletedRequest'>) =>
      completeQueryTask(engine, request),

    RespondActivityTaskCompleted(request: Request<'RespondActivityTaskCompletedRequest'>) {
      completeActivity(engine, activityByToken(engine, request.taskToken), request.result, request.identity);
      return {};
    },
    RespondActivityTaskCompletedById(request: Request<'RespondActivityTaskCompletedByIdRequest'>) {
      completeActivity(engine, activityById(engine, request), request.result, request.identity);
      return {};
    },
    RespondActivityTaskFailed(request: Request<'RespondActivityTaskFailedRequest'>) {
      failActivity(engine, activityByToken(engine, request.taskToken), request);
      return {};
    },
    RespondActivityTaskFailedById(request: Request<'RespondActivityTaskFailedByIdRequest'>) {
      failActivity(engine, activityById(engine, request), request);
      return {};
    },
    RespondActivityTaskCanceled(request: Request<'RespondActivityTaskCanceledRequest'>) {
      confirmActivityCanceled(engine, activityByToken(engine, request.taskToken), request.details, request.identity);
      return {};
    },
    RespondActivityTaskCanceledById(request: Request<'RespondActivityTaskCanceledByIdRequest'>) {
      confirmActivityCanceled(engine, activityById(engine, request), request.details, request.identity);
      return {};
    },
    RecordActivityTaskHeartbeat: (request: Request<'RecordActivityTaskHeartbeatRequest'>) =>
      recordHeartbeat(engine, activityByToken(engine, request.taskToken), request.details),
    RecordActivityTaskHeartbeatById: (request: Request<'RecordActivityTaskHeartbeatByIdRequest'>) =>
      recordHeartbeat(engine, activityById(engine, request), request.details),

    // Stickiness is ignored (every task goes to the normal queue with full history), so there is
    // nothing to reset; the sticky queue's polls are released so shutdown is immediate.
    ResetStickyTaskQueue: () => ({}),
    ShutdownWorker(request: Request<'ShutdownWorkerRequest'>) {
      if (request.stickyTaskQueue) engine.queues.releasePolls('workflow', request.stickyTaskQueue);
      return {};
    },
  };
}
