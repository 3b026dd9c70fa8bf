/**
 * temporal-pg's workflows. This module is what a worker bundles (`workflowsPath` from
 * `temporal-pg/worker`); other workflows import the helpers from here too.
 *
 * @module
 */
export { forceExecuteInWorkflow, forceExecuteWorkflow } from './force-execute.js';
export type {
  ForceExecuteActivityOptions,
  ForceExecutePlainOptions,
  ForceExecuteWorkflowInput,
  ForceExecuteWorkflowResult,
  StatementOutcome,
} from '../src/shared/force-execute.js';
