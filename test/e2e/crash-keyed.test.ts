/**
 * Worker processes killed with SIGKILL during a swap, after a batch committed but before it was
 * reported, and during COPY: a new worker finishes, and every row is in the table exactly once —
 * for a table with a primary key (see crash-scenario.ts).
 */
import { describe, it } from 'vitest';
import { useTestDatabase } from '../helpers/database.js';
import { useTemporal } from '../helpers/temporal.js';
import { runCrashScenario } from './crash-scenario.js';
import { packageWorkflows } from './helpers.js';

const db = useTestDatabase();
const temporal = useTemporal({ workflowsPath: packageWorkflows });

describe('an ingest whose workers are killed', () => {
  it('ends with every row exactly once in a table with a primary key', async () => {
    await runCrashScenario(db, temporal, { primaryKey: true });
  }, 120_000);
});
