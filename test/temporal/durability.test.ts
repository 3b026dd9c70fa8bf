/**
 * Crash recovery: a worker process killed with SIGKILL in the middle of an activity, and a new
 * worker process that carries the workflow to completion by replaying its history. The service
 * keeps all state while workers come and go. Runs unchanged against a real server.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTemporal } from '../helpers/temporal.js';
import { threeSteps } from './workflows/durability.js';

const temporal = useTemporal({ workflowsPath: new URL('./workflows/durability.ts', import.meta.url) });
const workerScript = fileURLToPath(new URL('./fixtures/worker-process.ts', import.meta.url));

let scratch: string;
let bundlePath: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'temporal-pg-durability-'));
  bundlePath = join(scratch, 'workflow-bundle.js');
  await writeFile(bundlePath, temporal.workflowBundle.code);
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

interface WorkerProcess {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the first report line matching `predicate`. */
  next(predicate: (report: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startWorkerProcess(mode: 'hang' | 'finish', taskQueue: string): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', workerScript, mode], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      TASK_QUEUE: taskQueue,
      WORKFLOW_BUNDLE: bundlePath,
    },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const reports: Record<string, unknown>[] = [];
  const waiters: { predicate: (r: Record<string, unknown>) => boolean; resolve: (r: Record<string, unknown>) => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const report = JSON.parse(line) as Record<string, unknown>;
    reports.push(report);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(report)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(report);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    exited,
    next(predicate) {
      const seen = reports.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        void exited.then(({ code, signal }) =>
          reject(new Error(`worker process (${mode}) exited (code ${code}, signal ${signal}) before reporting:\n${stderr}`)),
        );
      });
    },
  };
}

describe('durability', () => {
  it('finishes a workflow on a new worker after the first one is killed mid-activity', async () => {
    const taskQueue = temporal.taskQueue('crash');
    const first = startWorkerProcess('hang', taskQueue);
    let second: WorkerProcess | undefined;
    try {
      await first.next((r) => r.event === 'ready');
      const handle = await temporal.client.workflow.start(threeSteps, { taskQueue, workflowId: temporal.workflowId('crash') });
      await first.next((r) => r.event === 'started' && r.step === 'second');

      first.child.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');

      second = startWorkerProcess('finish', taskQueue);
      const retried = await second.next((r) => r.event === 'started' && r.step === 'second');
      expect(retried.attempt).toBe(2);
      const steps = await handle.result();
      expect(steps).toEqual([`first@${first.child.pid}`, `second@${second.child.pid}`, `third@${second.child.pid}`]);

      second.child.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGKILL');
    }
  });
});
