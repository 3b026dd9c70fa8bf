/**
 * Errors a handler throws to answer with a gRPC status. The client maps codes to its own errors
 * (NOT_FOUND → WorkflowNotFoundError, ALREADY_EXISTS → WorkflowExecutionAlreadyStartedError,
 * INVALID_ARGUMENT on a query → QueryNotRegisteredError), and core reacts to them (NOT_FOUND on a
 * task completion evicts the run; INVALID_ARGUMENT "UnhandledCommand" is silent).
 */
import { status } from '@grpc/grpc-js';
import { api, rpcStatus, type MessageType } from './proto.js';

export interface ErrorDetail {
  /** Full protobuf name of the detail message, e.g. `temporal.api.errordetails.v1.NotFoundFailure`. */
  typeName: string;
  value: Uint8Array;
}

export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'RpcError';
  }

  /** The `grpc-status-details-bin` trailer value (a `google.rpc.Status`), when there are details. */
  statusDetails(): Buffer | undefined {
    if (this.details.length === 0) return undefined;
    const message = rpcStatus.encode({
      code: this.code,
      message: this.message,
      details: this.details.map((d) => ({ type_url: `type.googleapis.com/${d.typeName}`, value: d.value })),
    }).finish();
    return Buffer.from(message);
  }
}

function detail(typeName: string, type: MessageType, message: object): ErrorDetail {
  return { typeName, value: type.encode(message).finish() };
}

export const notFound = (message: string) =>
  new RpcError(status.NOT_FOUND, message, [
    detail('temporal.api.errordetails.v1.NotFoundFailure', api.errordetails.v1.NotFoundFailure, {}),
  ]);

export const invalidArgument = (message: string) => new RpcError(status.INVALID_ARGUMENT, message);

export const failedPrecondition = (message: string) => new RpcError(status.FAILED_PRECONDITION, message);

export const unimplemented = (message: string) => new RpcError(status.UNIMPLEMENTED, message);

export function namespaceNotFound(namespace: string): RpcError {
  return new RpcError(status.NOT_FOUND, `Namespace ${namespace} is not found.`, [
    detail(
      'temporal.api.errordetails.v1.NamespaceNotFoundFailure',
      api.errordetails.v1.NamespaceNotFoundFailure,
      { namespace },
    ),
  ]);
}

export function workflowAlreadyStarted(workflowId: string, runId: string, startRequestId: string): RpcError {
  return new RpcError(
    status.ALREADY_EXISTS,
    `Workflow execution is already running. WorkflowId: ${workflowId}, RunId: ${runId}.`,
    [
      detail(
        'temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure',
        api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure,
        { runId, startRequestId },
      ),
    ],
  );
}

/** What the real server answers for a signal, cancel or terminate on a closed run. */
export const workflowAlreadyCompleted = () => notFound('workflow execution already completed');
