/**
 * Starting `forceExecuteWorkflow` from a Temporal client, with the input checked first and typed
 * handles.
 */
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandleWithFirstExecutionRunId, WorkflowOptions } from '@temporalio/client';
import { forceExecuteInputProblems, type ForceExecuteWorkflowInput, type ForceExecuteWorkflowResult } from '../shared/force-execute.js';
import type { forceExecuteWorkflow } from '../../workflows/force-execute.js';
import { InvalidForceExecuteInputError } from './errors.js';

/** The workflow type name a worker registers (`workflowsPath` from `temporal-pg/worker`). */
export const FORCE_EXECUTE_WORKFLOW_TYPE = 'forceExecuteWorkflow';

/** Where and as what to start it: any `WorkflowOptions` (`taskQueue` required), `workflowId` optional. */
export type ForceExecuteStartOptions = Omit<WorkflowOptions, 'workflowId'> & {
  /** Default: `force-execute-<random uuid>`. Use a meaningful id to make starting idempotent. */
  readonly workflowId?: string;
};

/** A handle on a running force-execute (`result()` resolves to its {@link ForceExecuteWorkflowResult}). */
export type ForceExecuteHandle = WorkflowHandleWithFirstExecutionRunId<typeof forceExecuteWorkflow>;

/**
 * Starts `forceExecuteWorkflow` and returns its handle.
 *
 * ```ts
 * const handle = await startForceExecute(client, { statements: 'ALTER TABLE orders RENAME TO orders_old', delayMs: 60_000 }, { taskQueue: 'postgres' });
 * const { blockers } = await handle.result();
 * ```
 *
 * @throws InvalidForceExecuteInputError before starting anything when the input is malformed.
 */
export async function startForceExecute(client: Client, input: ForceExecuteWorkflowInput, options: ForceExecuteStartOptions): Promise<ForceExecuteHandle> {
  const problems = forceExecuteInputProblems(input);
  if (problems.length > 0) throw new InvalidForceExecuteInputError(`force-execute: ${problems.join('; ')}`, { details: { problems } });
  return client.workflow.start<typeof forceExecuteWorkflow>(FORCE_EXECUTE_WORKFLOW_TYPE, {
    ...options,
    workflowId: options.workflowId ?? `force-execute-${randomUUID()}`,
    args: [input],
  });
}

/**
 * Starts `forceExecuteWorkflow` and waits for its result. A failure arrives as the client's
 * `WorkflowFailedError`, whose `cause` is an `ApplicationFailure` with the statement's failure type
 * (see `forceExecuteInWorkflow`).
 */
export async function executeForceExecute(client: Client, input: ForceExecuteWorkflowInput, options: ForceExecuteStartOptions): Promise<ForceExecuteWorkflowResult> {
  const handle = await startForceExecute(client, input, options);
  return handle.result();
}
