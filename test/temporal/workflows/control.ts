/**
 * Workflows of the workflow-level conformance tests: timers, signals, queries, cancellation,
 * continue-as-new, child workflows and signalling/cancelling other workflows.
 */
import {
  ApplicationFailure,
  CancellationScope,
  ParentClosePolicy,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';

/** Sleeps, and reports how long workflow time advanced. */
export async function sleeper(ms: number): Promise<number> {
  const before = Date.now();
  await sleep(ms);
  return Date.now() - before;
}

/** Runs `timers` short timers, then reports what the worker knows about the history's growth. */
export async function growsHistory(timers: number): Promise<{ suggested: boolean; length: number; size: number }> {
  for (let i = 0; i < timers; i++) await sleep(1);
  const info = workflowInfo();
  return { suggested: info.continueAsNewSuggested, length: info.historyLength, size: info.historySize };
}

/** Starts a long timer and cancels it after a short one; reports what the long timer did. */
export async function cancelledTimer(): Promise<string> {
  const scope = new CancellationScope();
  const long = scope.run(() => sleep('1 hour'));
  await sleep(50);
  scope.cancel();
  try {
    await long;
    return 'fired';
  } catch (err) {
    return isCancellation(err) ? 'cancelled' : 'failed';
  }
}

export const addSignal = defineSignal<[number]>('add');
export const totalQuery = defineQuery<number>('total');
export const itemsQuery = defineQuery<number[], [number]>('items');

/** Adds up the numbers signalled to it until the total reaches `target`. */
export async function accumulator(target: number): Promise<number[]> {
  const items: number[] = [];
  setHandler(addSignal, (n) => void items.push(n));
  setHandler(totalQuery, () => items.reduce((a, b) => a + b, 0));
  setHandler(itemsQuery, (limit) => items.slice(0, limit));
  await condition(() => items.reduce((a, b) => a + b, 0) >= target);
  return items;
}

/** Waits until cancelled, then cleans up in a non-cancellable scope and re-throws. */
export const cleanupQuery = defineQuery<string>('cleanup');
export async function waitsForCancel(): Promise<never> {
  let cleanup = 'not yet';
  setHandler(cleanupQuery, () => cleanup);
  try {
    await sleep('1 day');
    throw new Error('unreachable');
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => sleep(10));
      cleanup = 'done';
    }
    throw err;
  }
}

/** Fails its first attempt (the workflow, not a task); the retry policy runs it again. */
export async function failsFirstAttempt(): Promise<number> {
  if (workflowInfo().attempt === 1) throw ApplicationFailure.retryable('first attempt fails', 'FirstAttempt');
  return workflowInfo().attempt;
}

/** Continues as new until `remaining` reaches 0; returns the runs it went through. */
export async function countdown(remaining: number, runs: string[] = []): Promise<string[]> {
  const seen = [...runs, workflowInfo().runId];
  if (remaining > 0) return await continueAsNew<typeof countdown>(remaining - 1, seen);
  return seen;
}

/** A child: echoes its input with its parent's workflow id. */
export async function child(input: string): Promise<string> {
  return `${input} from ${workflowInfo().parent?.workflowId ?? 'nobody'}`;
}

export const releaseSignal = defineSignal<[string]>('release');

/** A child that waits for a signal and returns its value. */
export async function waitingChild(): Promise<string> {
  let value: string | undefined;
  setHandler(releaseSignal, (v) => void (value = v));
  await condition(() => value !== undefined);
  return value!;
}

export async function parent(input: string): Promise<string> {
  return await executeChild(child, { args: [input], workflowId: `${workflowInfo().workflowId}-child` });
}

/** Starts a waiting child under `policy`, then completes without waiting for it. */
export async function parentLeavingChild(policy: keyof typeof ParentClosePolicy): Promise<string> {
  const handle = await startChild(waitingChild, {
    workflowId: `${workflowInfo().workflowId}-child`,
    parentClosePolicy: ParentClosePolicy[policy],
  });
  return handle.workflowId;
}

/** Starts a waiting child and releases it with a signal sent from this workflow. */
export async function signalsChild(value: string): Promise<string> {
  const handle = await startChild(waitingChild, { workflowId: `${workflowInfo().workflowId}-child` });
  await getExternalWorkflowHandle(handle.workflowId).signal(releaseSignal, value);
  return await handle.result();
}

/** Starts a waiting child, cancels it through an external handle, and reports the child's end. */
export async function cancelsChild(): Promise<string> {
  const handle = await startChild(waitingChild, { workflowId: `${workflowInfo().workflowId}-child` });
  await getExternalWorkflowHandle(handle.workflowId).cancel();
  try {
    await handle.result();
    return 'completed';
  } catch (err) {
    return isCancellation(err) ? 'cancelled' : `failed: ${(err as Error).message}`;
  }
}

/** Signals a workflow id that does not exist; reports the error the workflow gets. */
export async function signalsNobody(): Promise<string> {
  try {
    await getExternalWorkflowHandle(`${workflowInfo().workflowId}-nobody`).signal(releaseSignal, 'x');
    return 'delivered';
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
}
