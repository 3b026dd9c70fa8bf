/**
 * A worker killed with SIGKILL while its statement waits in PostgreSQL's lock queue: the backend it
 * leaves behind must not outlive the retry (it would hold up everyone queued behind it), and the
 * retry, on another worker, carries the force-execute to its end.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../../activities/index.js';
import { startForceExecute } from '../../../src/client/index.js';
import { useTestDatabase } from '../../helpers/database.js';
import { useTemporal } from '../../helpers/temporal.js';
import { holdTable, waitFor, waitingBackends } from '../../pg/force-execute/helpers.js';
import { tokenBackends } from './helpers.js';

const db = useTestDatabase();
const temporal = useTemporal({ workflowsPath: new URL('./workflows.ts', import.meta.url) });
const workerScript = fileURLToPath(new URL('./fixtures/worker-process.ts', import.meta.url));

let scratch: string;
let bundlePath: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'temporal-pg-force-execute-'));
  bundlePath = join(scratch, 'workflow-bundle.js');
  await writeFile(bundlePath, temporal.workflowBundle.code);
  await db.pool.query('CREATE TABLE crash_table (x int); CREATE TABLE crash_log (x int)');
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Starts the worker process and resolves once it polls. */
async function startWorkerProcess(taskQueue: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', workerScript], {
    env: { ...process.env, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace, TASK_QUEUE: taskQueue, WORKFLOW_BUNDLE: bundlePath, DATABASE_URL: db.url },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise<void>((resolve) => lines.on('line', (line) => line === 'ready' && resolve()));
  await Promise.race([ready, exited.then(() => Promise.reject(new Error(`worker process exited before it was ready:\n${stderr}`)))]);
  return { child, exited };
}

describe('a worker killed mid-statement', () => {
  it('leaves no orphaned backend once the retry runs, and the retry finishes the job', async () => {
    const holder = await holdTable(db, 'crash_table', 'crash-holder');
    const taskQueue = temporal.taskQueue('crash');
    const first = await startWorkerProcess(taskQueue);
    try {
      const handle = await startForceExecute(
        temporal.client,
        {
          statements: ['INSERT INTO crash_log VALUES (1)', 'SELECT * FROM crash_table'],
          delayMs: 60_000,
          lockTimeoutMs: 0,
          activities: { heartbeatTimeoutMs: 2000 },
        },
        { taskQueue, workflowId: temporal.workflowId('crash') },
      );
      const orphan = await waitFor('the first attempt to wait in the lock queue', async () => {
        const waiting = await waitingBackends(db.pool);
        return (await tokenBackends(db.pool)).find((b) => b.application_name.endsWith(':1') && waiting.includes(b.pid));
      });
      first.child.kill('SIGKILL');
      await first.exited;

      await temporal.withWorker({ taskQueue, activities: createActivities({ databases: db.pool }) }, async () => {
        const retry = await waitFor('the retried attempt to queue', async () => (await tokenBackends(db.pool)).find((b) => b.application_name.endsWith(':2')), 20_000);
        expect((await tokenBackends(db.pool)).map((b) => b.pid)).toEqual([retry.pid]);
        expect(retry.pid).not.toBe(orphan.pid);
        await holder.client.query('COMMIT');
        const result = await handle.result();
        expect(result.activityAttempt).toBe(2);
        expect(result.statements).toEqual([
          { command: 'INSERT', rowCount: 1 },
          { command: 'SELECT', rowCount: 0 },
        ]);
      });
      expect(await tokenBackends(db.pool)).toEqual([]);
      expect((await db.pool.query('SELECT count(*)::int AS n FROM crash_log')).rows[0].n).toBe(1);
    } finally {
      first.child.kill('SIGKILL');
      await holder.client.end();
    }
  });
});
