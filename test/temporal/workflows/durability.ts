/**
 * Workflow of the crash-recovery test: three steps, the middle one heartbeating so that a worker
 * crash is noticed after its heartbeat timeout.
 */
import { proxyActivities } from '@temporalio/workflow';

export interface DurabilityActivities {
  quickStep(name: string): Promise<string>;
  longStep(name: string): Promise<string>;
}

const { quickStep } = proxyActivities<DurabilityActivities>({ startToCloseTimeout: '10s' });
const { longStep } = proxyActivities<DurabilityActivities>({
  startToCloseTimeout: '60s',
  heartbeatTimeout: '1s',
  retry: { initialInterval: '100ms' },
});

/** Returns which worker process ran each step. */
export async function threeSteps(): Promise<string[]> {
  const first = await quickStep('first');
  const second = await longStep('second');
  const third = await quickStep('third');
  return [first, second, third];
}
