/**
 * Workflows of the force-execute tests: the package's own, and a caller that uses the exported
 * helper inside its workflow and the workflow as a child (as an ingest's swap step would).
 */
import { executeChild } from '@temporalio/workflow';
import { forceExecuteInWorkflow, forceExecuteWorkflow, type ForceExecuteWorkflowInput, type ForceExecuteWorkflowResult } from '../../../workflows/index.js';

export { forceExecuteWorkflow };

/** Runs `first` through the helper, then `second` as a child workflow. */
export async function callsForceExecute(first: ForceExecuteWorkflowInput, second: ForceExecuteWorkflowInput): Promise<ForceExecuteWorkflowResult[]> {
  const viaHelper = await forceExecuteInWorkflow(first);
  const viaChild = await executeChild(forceExecuteWorkflow, { args: [second] });
  return [viaHelper, viaChild];
}
