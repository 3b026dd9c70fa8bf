/**
 * Workflows whose recorded histories live in test/temporal/histories/ and are replayed by
 * replay.test.ts, so a code change that breaks determinism fails a test. Together they cover the
 * event kinds our workflows produce: activities (with a retry and a cancellation), a timer, a
 * signal, a query, a child workflow and continue-as-new.
 */
import {
  ActivityCancellationType,
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  executeChild,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';

export interface ReplayActivities {
  fetch(source: string): Promise<number>;
  flaky(): Promise<string>;
  stall(): Promise<void>;
  store(rows: number): Promise<string>;
}

const { fetch, flaky, store } = proxyActivities<ReplayActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '50ms' },
});
const { stall } = proxyActivities<ReplayActivities>({
  startToCloseTimeout: '30s',
  heartbeatTimeout: '5s',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

export const approveSignal = defineSignal<[string]>('approve');
export const stageQuery = defineQuery<string>('stage');

export async function summarize(rows: number): Promise<string> {
  return `${rows} rows`;
}

/** Fetch, wait, get approved, summarize in a child, store. */
export async function pipeline(source: string): Promise<string> {
  let stage = 'fetching';
  let approvedBy: string | undefined;
  setHandler(stageQuery, () => stage);
  setHandler(approveSignal, (who) => void (approvedBy = who));
  const rows = await fetch(source);
  stage = 'waiting';
  await sleep(20);
  await condition(() => approvedBy !== undefined);
  stage = 'summarizing';
  const summary = await executeChild(summarize, { args: [rows], workflowId: `${workflowInfo().workflowId}-summary` });
  stage = 'storing';
  return `${await store(rows)}: ${summary}, approved by ${approvedBy}`;
}

/** An activity that needs a retry, one that gets cancelled, then continue-as-new once. */
export async function resilientPipeline(round: number): Promise<string> {
  const retried = await flaky();
  const scope = new CancellationScope();
  const stalled = scope.run(() => stall());
  await sleep(100);
  scope.cancel();
  const cancelled = await stalled.then(
    () => false,
    (err: unknown) => isCancellation(err),
  );
  if (round === 0) return await continueAsNew<typeof resilientPipeline>(1);
  return `${retried}, cancelled: ${cancelled}`;
}
