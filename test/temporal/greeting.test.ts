/** The README's example of a workflow test ("Testing workflows offline"), kept runnable here. */
import { expect, it } from 'vitest';
import { useTemporal } from '../helpers/temporal.js';
import { greeting } from './workflows/greeting.js';

const greet = async (name: string) => `Hello, ${name}`;

const temporal = useTemporal({ workflowsPath: new URL('./workflows/greeting.ts', import.meta.url) });

it('greets', async () => {
  const result = await temporal.withWorker({ activities: { greet } }, ({ client, taskQueue }) =>
    client.workflow.execute(greeting, { taskQueue, workflowId: temporal.workflowId('greeting'), args: ['Ada'] }),
  );
  expect(result).toBe('Hello, Ada');
});
