/**
 * The WorkflowService calls of `@temporalio/client`: start (with id reuse and conflict
 * policies; a running duplicate answers ALREADY_EXISTS), signal-with-start, signal, cancel,
 * terminate, query, describe, list, count and history.
 */
import type { Engine } from './engine.js';
import type { Handler } from './grpc-server.js';
import { getHistory } from './history-rpc.js';
import type { temporal, WorkflowExecution } from './proto.js';
import { queryWorkflow } from './queries.js';
import { invalidArgument, unimplemented } from './rpc-error.js';
import { terminateRun } from './run-close.js';
import { requestCancelRun, signalRun } from './run-signals.js';
import { admitStart, firstRunParams, startRun } from './run-start.js';
import { countExecutions, describeExecution, listExecutions } from './visibility.js';

type StartRequest = temporal.api.workflowservice.v1.StartWorkflowExecutionRequest;
type SignalWithStartRequest = temporal.api.workflowservice.v1.SignalWithStartWorkflowExecutionRequest;

function validateStart(request: StartRequest | SignalWithStartRequest): void {
  if (!request.workflowId) throw invalidArgument('WorkflowId is not set on request.');
  if (!request.workflowType?.name) throw invalidArgument('WorkflowType is not set on request.');
  if (!request.taskQueue?.name) throw invalidArgument('TaskQueue is not set on request.');
  if (request.cronSchedule) throw unimplemented('cron schedules are not supported by the in-memory Temporal service');
}

function startParams(engine: Engine, request: StartRequest | SignalWithStartRequest) {
  return firstRunParams(engine, {
    ...request,
    workflowType: request.workflowType?.name ?? '',
    taskQueue: request.taskQueue?.name ?? '',
  });
}

function admit(engine: Engine, request: StartRequest | SignalWithStartRequest) {
  return admitStart(engine, {
    namespace: request.namespace,
    workflowId: request.workflowId,
    requestId: request.requestId,
    reusePolicy: request.workflowIdReusePolicy,
    conflictPolicy: request.workflowIdConflictPolicy,
  });
}

/** The run a request names (current run when the run id is empty), or NOT_FOUND. */
function runOf(engine: Engine, namespace: string, execution: WorkflowExecution | null | undefined) {
  return engine.store.get(namespace, execution?.workflowId ?? '', execution?.runId);
}

export function clientHandlers(engine: Engine, longPollTimeoutMs: number): Record<string, Handler> {
  return {
    StartWorkflowExecution(request: StartRequest) {
      validateStart(request);
      const existing = admit(engine, request);
      if (existing) return { runId: existing.runId, started: existing.params.requestId === request.requestId };
      const run = startRun(engine, startParams(engine, request));
      return { runId: run.runId, started: true, status: run.status };
    },

    SignalWithStartWorkflowExecution(request: SignalWithStartRequest) {
      validateStart(request);
      if (!request.signalName) throw invalidArgument('SignalName is not set on request.');
      const signal = {
        signalName: request.signalName,
        input: request.signalInput,
        header: request.header,
        identity: request.identity,
      };
      const current = engine.store.current(request.namespace, request.workflowId);
      if (current?.isRunning) {
        signalRun(engine, current, signal);
        return { runId: current.runId, started: false };
      }
      admit(engine, request);
      const run = startRun(engine, startParams(engine, request), {
        beforeFirstTask: (ex) =>
          ex.history.append('workflowExecutionSignaledEventAttributes', signal, engine.clock.now()),
      });
      return { runId: run.runId, started: true };
    },

    SignalWorkflowExecution(request: temporal.api.workflowservice.v1.SignalWorkflowExecutionRequest) {
      const ex = runOf(engine, request.namespace, request.workflowExecution);
      signalRun(engine, ex, {
        signalName: request.signalName,
        input: request.input,
        header: request.header,
        identity: request.identity,
        requestId: request.requestId,
      });
      return {};
    },

    RequestCancelWorkflowExecution(request: temporal.api.workflowservice.v1.RequestCancelWorkflowExecutionRequest) {
      const ex = runOf(engine, request.namespace, request.workflowExecution);
      requestCancelRun(engine, ex, { cause: request.reason, identity: request.identity });
      return {};
    },

    TerminateWorkflowExecution(request: temporal.api.workflowservice.v1.TerminateWorkflowExecutionRequest) {
      const ex = runOf(engine, request.namespace, request.workflowExecution);
      terminateRun(engine, ex, { reason: request.reason, details: request.details, identity: request.identity });
      return {};
    },

    QueryWorkflow: (request: temporal.api.workflowservice.v1.QueryWorkflowRequest, call) =>
      queryWorkflow(engine, request, call.signal, longPollTimeoutMs),

    DescribeWorkflowExecution(request: temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest) {
      return describeExecution(runOf(engine, request.namespace, request.execution));
    },

    ListWorkflowExecutions: (request: temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest) =>
      listExecutions(engine, request),

    CountWorkflowExecutions: (request: temporal.api.workflowservice.v1.CountWorkflowExecutionsRequest) =>
      countExecutions(engine, request),

    GetWorkflowExecutionHistory: (request: temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest, call) =>
      getHistory(engine, request, call.signal, longPollTimeoutMs),
  };
}
