/**
 * What every lifecycle file shares: clock, task queues, the run store, pending queries, logging,
 * and `defer` for work the real server does in background "transfer tasks" (starting a child,
 * delivering an external signal) after the request that caused it has been answered.
 */
import type { Clock } from './clock.js';
import type { ExecutionStore } from './store.js';
import type { Payloads } from './proto.js';
import type { TaskQueues } from './task-queues.js';

export type QueryOutcome =
  | { answered: true; result: Payloads | null | undefined }
  | { answered: false; message: string };

export interface PendingQuery {
  resolve(outcome: QueryOutcome): void;
}

export interface Engine {
  readonly namespace: string;
  /** History length and size from which workflow tasks suggest continue-as-new. */
  readonly suggestContinueAsNew: { events: number; bytes: number };
  readonly clock: Clock;
  readonly queues: TaskQueues;
  readonly store: ExecutionStore;
  readonly queries: Map<string, PendingQuery>;
  log(message: string): void;
  /** Runs `fn` soon, outside the current request; errors are logged. */
  defer(fn: () => void): void;
}
