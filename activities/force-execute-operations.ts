/**
 * Operations: work registered at the worker that force-execute's statement activity runs in its
 * transaction instead of SQL strings, named by a plain-JSON `{ kind, ...arguments }` in the workflow
 * input. This is how a workflow force-executes something that is not a fixed list of statements
 * (the ingest's swap: `swapWork(plan, state, preparation)`), with the same short attempts,
 * watcher, tokens and cleanup of earlier attempts.
 */
import type pg from 'pg';
import { TemporalPgError } from '../src/errors/temporal-pg-error.js';
import type { ForceExecuteOperation } from '../src/shared/force-execute.js';

/** What an operation handler learns besides its arguments. */
export interface ForceExecuteOperationContext {
  /** The pool of the database the workflow named (for reads outside the transaction, before it starts). */
  readonly pool: pg.Pool;
  /** That database's name. */
  readonly database: string;
}

/**
 * Builds the work of one attempt from the operation's arguments: a function run inside the
 * statement's transaction (once per attempt, after the previous attempt was rolled back), whose
 * value must be plain JSON (it becomes the workflow's `operationResult`). Throwing fails the
 * activity like a statement's error does.
 */
export type ForceExecuteOperationHandler = (
  operation: ForceExecuteOperation,
  context: ForceExecuteOperationContext,
) => ((client: pg.ClientBase) => Promise<unknown>) | Promise<(client: pg.ClientBase) => Promise<unknown>>;

/** Operation handlers by `kind`. */
export type ForceExecuteOperations = Readonly<Record<string, ForceExecuteOperationHandler>>;

/**
 * A workflow asked force-execute to run an operation `kind` the worker has no handler for (a
 * worker of another version, or a typo). `details.kind` is the kind, `details.known` the registered
 * ones. Not retryable.
 */
export class UnknownForceExecuteOperationError extends TemporalPgError {
  readonly type = 'UnknownForceExecuteOperation';
  readonly nonRetryable = true;
}

/** The work of `operation`, from its registered handler. @throws UnknownForceExecuteOperationError */
export async function operationWork(
  operations: ForceExecuteOperations,
  operation: ForceExecuteOperation,
  context: ForceExecuteOperationContext,
): Promise<(client: pg.ClientBase) => Promise<unknown>> {
  const handler = Object.hasOwn(operations, operation.kind) ? operations[operation.kind] : undefined;
  if (handler === undefined) {
    const known = Object.keys(operations);
    throw new UnknownForceExecuteOperationError(
      `force-execute: no operation ${JSON.stringify(operation.kind)} is registered at this worker (registered: ${known.map((k) => JSON.stringify(k)).join(', ') || 'none'})`,
      { details: { kind: operation.kind, known } },
    );
  }
  return await handler(operation, context);
}
