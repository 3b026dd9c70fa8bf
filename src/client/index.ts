/**
 * temporal-pg for Temporal clients: start the package's workflows with typed inputs and handles.
 *
 * @module
 */
export {
  FORCE_EXECUTE_WORKFLOW_TYPE,
  executeForceExecute,
  startForceExecute,
  type ForceExecuteHandle,
  type ForceExecuteStartOptions,
} from './force-execute.js';
export { InvalidForceExecuteInputError } from './errors.js';
export type {
  ForceExecuteActivityOptions,
  ForceExecutePlainOptions,
  ForceExecuteWorkflowInput,
  ForceExecuteWorkflowResult,
  StatementOutcome,
} from '../shared/force-execute.js';
