/**
 * Queries as "legacy query tasks": a workflow-task poll response carrying `query`, the run's
 * stored history, started event id 0 and the last completed task's started id. Core answers
 * with RespondQueryTaskCompleted; if a workflow task of the run is in flight, core holds the
 * query until that task is done. Works on closed runs too (the worker replays the history).
 */
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { Engine, QueryOutcome } from './engine.js';
import type { Execution } from './execution.js';
import { enums, long, type temporal } from './proto.js';
import { failedPrecondition, invalidArgument, notFound, RpcError } from './rpc-error.js';
import { decodeToken, encodeToken } from './tokens.js';

type QueryRequest = temporal.api.workflowservice.v1.QueryWorkflowRequest;
type QueryResponse = temporal.api.workflowservice.v1.IQueryWorkflowResponse;

const Status = enums.WorkflowExecutionStatus;
const Reject = enums.QueryRejectCondition;

/** How long a query waits for the run's first workflow task, like the real server. */
const FIRST_TASK_WAIT_MS = 1000;

/**
 * Answers a client query. A query no worker answers within `timeoutMs` fails with
 * DEADLINE_EXCEEDED instead of waiting forever (no worker is polling the workflow's task queue).
 */
export async function queryWorkflow(
  engine: Engine,
  request: QueryRequest,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<QueryResponse> {
  const ex = engine.store.get(request.namespace, request.execution?.workflowId ?? '', request.execution?.runId);
  const rejected =
    (request.queryRejectCondition === Reject.QUERY_REJECT_CONDITION_NOT_OPEN && !ex.isRunning) ||
    (request.queryRejectCondition === Reject.QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY &&
      !ex.isRunning &&
      ex.status !== Status.WORKFLOW_EXECUTION_STATUS_COMPLETED);
  if (rejected) return { queryRejected: { status: ex.status } };

  const deadline = engine.clock.now() + FIRST_TASK_WAIT_MS;
  while (ex.isRunning && ex.lastCompletedStartedEventId === 0 && engine.clock.now() < deadline && !signal.aborted) {
    await ex.history.waitForChange(signal, deadline - engine.clock.now());
  }
  if (ex.isRunning && ex.lastCompletedStartedEventId === 0) {
    throw failedPrecondition('Workflow Execution does not have a completed workflow task yet. Please retry later.');
  }

  const timeout = AbortSignal.timeout(timeoutMs);
  const outcome = await dispatch(engine, ex, request.query ?? {}, AbortSignal.any([signal, timeout]));
  if (!outcome && timeout.aborted) {
    throw new RpcError(
      status.DEADLINE_EXCEEDED,
      `no worker answered the query within ${timeoutMs} ms (is a worker polling task queue ${ex.taskQueue}?)`,
    );
  }
  if (!outcome) throw new RpcError(status.CANCELLED, 'query cancelled');
  if (!outcome.answered) throw invalidArgument(outcome.message);
  return { queryResult: outcome.result ?? { payloads: [] } };
}

function dispatch(
  engine: Engine,
  ex: Execution,
  query: temporal.api.query.v1.IWorkflowQuery,
  signal: AbortSignal,
): Promise<QueryOutcome | undefined> {
  const queryId = randomUUID();
  return new Promise((resolve) => {
    const settle = (outcome: QueryOutcome | undefined) => {
      engine.queries.delete(queryId);
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = () => settle(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    engine.queries.set(queryId, { resolve: settle });
    engine.queues.add('workflow', ex.taskQueue, {
      take: () =>
        engine.queries.has(queryId)
          ? {
              taskToken: encodeToken({ kind: 'query', queryId }),
              workflowExecution: ex.execution,
              workflowType: { name: ex.params.workflowType },
              workflowExecutionTaskQueue: { name: ex.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
              previousStartedEventId: long(ex.lastCompletedStartedEventId),
              startedEventId: long(0),
              attempt: 1,
              history: { events: [...ex.history.events] },
              query,
            }
          : undefined,
    });
  });
}

export function completeQueryTask(
  engine: Engine,
  request: temporal.api.workflowservice.v1.RespondQueryTaskCompletedRequest,
): object {
  const { queryId } = decodeToken(request.taskToken, 'query');
  const pending = engine.queries.get(queryId);
  if (!pending) throw notFound('query task not found');
  if (request.completedType === enums.QueryResultType.QUERY_RESULT_TYPE_ANSWERED) {
    pending.resolve({ answered: true, result: request.queryResult });
  } else {
    pending.resolve({ answered: false, message: request.errorMessage || request.failure?.message || 'query failed' });
  }
  return {};
}
