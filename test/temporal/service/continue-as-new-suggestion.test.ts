/**
 * The service suggests continue-as-new once a history passes a length or size limit (4096 events
 * or 4 MiB by default, like the real server); tests of continue-as-new logic lower the limit.
 */
import { describe, expect, it } from 'vitest';
import { useTemporal } from '../../helpers/temporal.js';
import { growsHistory } from './workflows.js';

const temporal = useTemporal({
  workflowsPath: new URL('./workflows.ts', import.meta.url),
  inMemory: true,
  service: { suggestContinueAsNewAfterEvents: 12 },
});

describe('continue-as-new suggestion', () => {
  it('reports history length and size, and suggests continue-as-new past the limit', async () => {
    await temporal.withWorker(async ({ client, taskQueue }) => {
      const short = await client.workflow.execute(growsHistory, { taskQueue, workflowId: temporal.workflowId('short'), args: [0] });
      expect(short).toMatchObject({ suggested: false, length: 3 });
      expect(short.size).toBeGreaterThan(0);
      const long = await client.workflow.execute(growsHistory, { taskQueue, workflowId: temporal.workflowId('long'), args: [3] });
      expect(long.suggested).toBe(true);
      expect(long.length).toBeGreaterThanOrEqual(12);
      expect(long.size).toBeGreaterThan(short.size);
    });
  });
});
