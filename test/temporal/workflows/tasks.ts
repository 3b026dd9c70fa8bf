/**
 * Workflows of the workflow-task conformance tests: a task that fails until a signal fixes its
 * input, and a task that tries to complete while a signal arrived during it.
 */
import { condition, defineSignal, proxyLocalActivities, setHandler } from '@temporalio/workflow';

export const explodeSignal = defineSignal('explode');
export const defuseSignal = defineSignal('defuse');

/** Fails its workflow task (a TypeError: a bug, not a workflow failure) until it is defused. */
export async function failsUntilDefused(): Promise<string> {
  let exploded = false;
  let defused = false;
  setHandler(explodeSignal, () => void (exploded = true));
  setHandler(defuseSignal, () => void (defused = true));
  await condition(() => exploded);
  if (!defused) throw new TypeError('workflow bug: exploded before being defused');
  return 'defused';
}

export const noteSignal = defineSignal<[string]>('note');

const { holdTask } = proxyLocalActivities<{ holdTask(): Promise<void> }>({ startToCloseTimeout: '30s' });

/**
 * Returns the notes signalled so far, right after a local activity, which keeps the workflow
 * task running while it executes.
 */
export async function completesAfterLocalActivity(): Promise<string[]> {
  const notes: string[] = [];
  setHandler(noteSignal, (note) => void notes.push(note));
  await holdTask();
  return notes;
}

const { slowLocal } = proxyLocalActivities<{ slowLocal(ms: number): Promise<string> }>({ startToCloseTimeout: '30s' });

/** Runs a local activity that outlasts the workflow-task timeout (the worker heartbeats the task). */
export async function longLocalActivity(ms: number): Promise<string> {
  return await slowLocal(ms);
}
