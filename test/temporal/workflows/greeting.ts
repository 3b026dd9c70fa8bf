/** The workflow of the README's testing example (test/temporal/greeting.test.ts). */
import { proxyActivities } from '@temporalio/workflow';

const { greet } = proxyActivities<{ greet(name: string): Promise<string> }>({ startToCloseTimeout: '10s' });

export async function greeting(name: string): Promise<string> {
  return greet(name);
}
