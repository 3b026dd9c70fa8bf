/**
 * Force-execute: run a statement and, after a delay, cancel or terminate the sessions blocking it.
 *
 * @module
 */
export { forceExecute, forceExecuteInTransaction } from './force-execute.js';
export type { ForceExecuteResult } from './attempts.js';
export type { ForceExecuteAttempt, ForceExecuteOptions } from './options.js';
export type { ForceExecuteStatements, StatementsResult } from './statements.js';
export { summarizeResults } from './statements.js';
export { ForceExecuteWatcherError } from './errors.js';
