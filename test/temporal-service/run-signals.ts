/**
 * Signals and cancellation requests delivered to a running run, from clients or other workflows.
 */
import type { Engine } from './engine.js';
import type { Execution } from './execution.js';
import { long, type Header, type Payloads } from './proto.js';
import { workflowAlreadyCompleted } from './rpc-error.js';
import { deliver } from './workflow-tasks.js';

export function signalRun(
  engine: Engine,
  ex: Execution,
  signal: {
    signalName: string;
    input?: Payloads | null;
    header?: Header | null;
    identity: string;
    requestId?: string;
    externalWorkflowExecution?: { workflowId: string; runId: string };
  },
): void {
  if (!ex.isRunning) throw workflowAlreadyCompleted();
  deliver(engine, ex, () => ex.history.append('workflowExecutionSignaledEventAttributes', signal, engine.clock.now()));
}

export function requestCancelRun(
  engine: Engine,
  ex: Execution,
  request: {
    cause: string;
    identity: string;
    externalInitiatedEventId?: number;
    externalWorkflowExecution?: { workflowId: string; runId: string };
  },
): void {
  if (!ex.isRunning) throw workflowAlreadyCompleted();
  if (ex.cancelRequested) return;
  ex.cancelRequested = true;
  deliver(engine, ex, () =>
    ex.history.append(
      'workflowExecutionCancelRequestedEventAttributes',
      {
        cause: request.cause,
        identity: request.identity,
        externalInitiatedEventId: request.externalInitiatedEventId ? long(request.externalInitiatedEventId) : undefined,
        externalWorkflowExecution: request.externalWorkflowExecution,
      },
      engine.clock.now(),
    ),
  );
}
