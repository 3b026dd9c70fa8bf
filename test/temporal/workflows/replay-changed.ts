/**
 * The workflows of replay.ts after a change that breaks determinism: `pipeline` now sleeps before
 * fetching, so its commands no longer match the recorded history. replay.test.ts expects replaying
 * the saved histories with this code to fail.
 */
import { condition, defineSignal, executeChild, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { ReplayActivities } from './replay.js';

export { resilientPipeline, summarize } from './replay.js';

const { fetch, store } = proxyActivities<ReplayActivities>({ startToCloseTimeout: '10s' });

export const approveSignal = defineSignal<[string]>('approve');

export async function pipeline(source: string): Promise<string> {
  let approvedBy: string | undefined;
  setHandler(approveSignal, (who) => void (approvedBy = who));
  await sleep(20);
  const rows = await fetch(source);
  await condition(() => approvedBy !== undefined);
  const summary = await executeChild('summarize', { args: [rows], workflowId: `${workflowInfo().workflowId}-summary` });
  return `${await store(rows)}: ${summary}, approved by ${approvedBy}`;
}
