/**
 * Workflows of the activity conformance tests. Activities are looked up by name so each test can
 * register its own (with counters and timing), and options come from the test.
 */
import {
  CancellationScope,
  condition,
  defineSignal,
  isCancellation,
  proxyActivities,
  setHandler,
  type ActivityOptions,
} from '@temporalio/workflow';

type AnyActivities = Record<string, (...args: unknown[]) => Promise<unknown>>;

function activity(name: string, options: ActivityOptions): (...args: unknown[]) => Promise<unknown> {
  return proxyActivities<AnyActivities>(options)[name]!;
}

/** Calls one activity; its failure fails the workflow, so tests see the whole failure chain. */
export async function callActivity(name: string, options: ActivityOptions, ...args: unknown[]): Promise<unknown> {
  return await activity(name, options)(...args);
}

/** Calls an activity `count` times in sequence, passing the index; returns the sum of results. */
export async function activitySequence(name: string, count: number, options: ActivityOptions): Promise<number> {
  let total = 0;
  for (let i = 0; i < count; i++) total += (await activity(name, options)(i)) as number;
  return total;
}

export const cancelActivitySignal = defineSignal('cancelActivity');

/** Starts an activity and cancels it when signalled; reports how the activity ended. */
export async function cancelActivityOnSignal(name: string, options: ActivityOptions): Promise<'completed' | 'cancelled'> {
  let cancelRequested = false;
  setHandler(cancelActivitySignal, () => void (cancelRequested = true));
  const scope = new CancellationScope();
  const call = scope.run(() => activity(name, options)());
  await Promise.race([call.catch(() => undefined), condition(() => cancelRequested)]);
  scope.cancel();
  try {
    await call;
    return 'completed';
  } catch (err) {
    if (isCancellation(err)) return 'cancelled';
    throw err;
  }
}
