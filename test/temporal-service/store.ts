/**
 * All runs, by run id and by workflow id (in start order, so the last one is the current run).
 */
import type { Execution } from './execution.js';
import { notFound } from './rpc-error.js';
import type { RunRef } from './tokens.js';

export class ExecutionStore {
  private readonly runs = new Map<string, Execution>();
  private readonly chains = new Map<string, Execution[]>();

  add(execution: Execution): void {
    this.runs.set(execution.runId, execution);
    const key = chainKey(execution.namespace, execution.workflowId);
    const chain = this.chains.get(key);
    if (chain) chain.push(execution);
    else this.chains.set(key, [execution]);
  }

  /** The latest run of a workflow id. */
  current(namespace: string, workflowId: string): Execution | undefined {
    return this.chains.get(chainKey(namespace, workflowId))?.at(-1);
  }

  find(namespace: string, workflowId: string, runId?: string | null): Execution | undefined {
    if (!runId) return this.current(namespace, workflowId);
    const run = this.runs.get(runId);
    return run && run.namespace === namespace && run.workflowId === workflowId ? run : undefined;
  }

  /** Like `find`, but answers NOT_FOUND the way the real server words it. */
  get(namespace: string, workflowId: string, runId?: string | null): Execution {
    const run = this.find(namespace, workflowId, runId);
    if (!run) {
      throw notFound(`workflow execution not found for workflow ID "${workflowId}" and run ID "${runId ?? ''}"`);
    }
    return run;
  }

  byRef(ref: RunRef): Execution | undefined {
    return this.find(ref.namespace, ref.workflowId, ref.runId);
  }

  all(namespace: string): Execution[] {
    return [...this.runs.values()].filter((run) => run.namespace === namespace);
  }
}

function chainKey(namespace: string, workflowId: string): string {
  return `${namespace}\u0000${workflowId}`;
}
