/**
 * temporal-pg's workflows. This module is what a worker bundles (`workflowsPath` from
 * `temporal-pg/worker`); to bundle them with workflows of your own, re-export it from your
 * workflows module (`export * from 'temporal-pg/workflows';`). Other workflows import the helpers
 * from here too.
 *
 * @module
 */
export { forceExecuteInWorkflow, forceExecuteWorkflow } from './force-execute.js';
export { ingestWorkflow } from './ingest.js';
export type {
  ForceExecuteActivityOptions,
  ForceExecuteOperation,
  ForceExecutePlainOptions,
  ForceExecuteWorkflowInput,
  ForceExecuteWorkflowResult,
  StatementOutcome,
} from '../src/shared/force-execute.js';
export type {
  IngestActivityOptions,
  IngestContinuation,
  IngestInput,
  IngestPhase,
  IngestProgressSnapshot,
  IngestSourceReference,
  IngestWorkflowOptions,
  IngestWorkflowResult,
} from '../src/shared/ingest.js';
export { ingestProgress } from '../src/shared/ingest.js';
