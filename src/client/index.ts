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
export { INGEST_WORKFLOW_TYPE, checkIngestInput, executeIngest, startIngest, type IngestHandle, type IngestStartOptions } from './ingest.js';
export { InvalidForceExecuteInputError, InvalidIngestInputError } from './errors.js';
export { INVALID_INGEST_INPUT } from '../shared/ingest-input.js';
export { INGEST_WORKFLOW_ID_PREFIX, defaultIngestWorkflowId } from '../shared/ingest-workflow-id.js';
export { INGEST_WORKFLOW_DEFAULTS, ingestProgress } from '../shared/ingest.js';
export type {
  ForceExecuteActivityOptions,
  ForceExecuteOperation,
  ForceExecutePlainOptions,
  ForceExecuteWorkflowInput,
  ForceExecuteWorkflowResult,
  StatementOutcome,
} from '../shared/force-execute.js';
export type {
  IngestActivityOptions,
  IngestInput,
  IngestPhase,
  IngestProgressSnapshot,
  IngestSourceReference,
  IngestTableProgress,
  IngestWorkflowOptions,
  IngestWorkflowResult,
} from '../shared/ingest.js';
export type { IngestReport, TableReport } from '../ingest/engine/types.js';
export type { TableDefinition, ColumnDefinition, IndexDefinition } from '../ingest/definition/table-definition.js';
