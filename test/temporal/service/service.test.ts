/**
 * The in-memory service as a process-level component: start-up time, the executable launcher used
 * through `TestWorkflowEnvironment.createLocal`, UNIMPLEMENTED answers for calls it does not serve,
 * namespace checks, and a shutdown that ends long polls and leaves no handle open.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { status } from '@grpc/grpc-js';
import { Client, Connection, NamespaceNotFoundError, isGrpcServiceError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { bundleWorkflows, eventually, uniqueName } from '../../helpers/temporal.js';
import { freePort } from '../../support/free-port.js';
import { startTemporalTestService } from '../../temporal-service/index.js';
import { accumulator, addSignal, sleeper, totalQuery } from './workflows.js';

const launcher = fileURLToPath(new URL('../../temporal-service/bin/temporal-test-service.js', import.meta.url));
const workflowsPath = new URL('./workflows.ts', import.meta.url);

function openTcpHandles(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap' || name === 'TCPServerWrap').length;
}

describe('in-memory Temporal service', () => {
  it('starts in well under a second and shuts down without leaving handles', async () => {
    const before = openTcpHandles();
    const startedAt = performance.now();
    const service = await startTemporalTestService();
    const startMs = performance.now() - startedAt;
    console.log(`in-memory Temporal service started in ${startMs.toFixed(1)} ms`);
    expect(startMs).toBeLessThan(1000);
    expect(service.address).toMatch(/^127\.0\.0\.1:\d+$/);

    const connection = await Connection.connect({ address: service.address });
    const client = new Client({ connection });
    const handle = await client.workflow.start(accumulator, { taskQueue: uniqueName('tq'), workflowId: uniqueName('wf'), args: [1] });
    // A long poll on the close event is open when the service shuts down: it must end, not hang.
    const result = handle.result().catch((err: unknown) => err);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const shutdownAt = performance.now();
    await service.shutdown();
    await result;
    expect(performance.now() - shutdownAt).toBeLessThan(2000);
    await connection.close();
    for (let i = 0; i < 40 && openTcpHandles() > before; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(openTcpHandles()).toBe(before);
  });

  it('answers UNIMPLEMENTED for a call it does not serve, and logs it', async () => {
    const logged: string[] = [];
    const service = await startTemporalTestService({ log: (message) => logged.push(message) });
    const connection = await Connection.connect({ address: service.address });
    try {
      const err = await connection.workflowService.updateNamespace({ namespace: 'default' }).catch((e: unknown) => e);
      expect(isGrpcServiceError(err) && err.code).toBe(status.UNIMPLEMENTED);
      expect((err as Error).message).toContain('UpdateNamespace is not implemented by the in-memory Temporal service');
      expect(service.unimplementedCalls.get('UpdateNamespace')).toBe(1);
      expect(logged).toEqual([expect.stringContaining('WorkflowService/UpdateNamespace is not implemented')]);
    } finally {
      await connection.close();
      await service.shutdown();
    }
  });

  it('serves one namespace and reports others as not found', async () => {
    const service = await startTemporalTestService({ namespace: 'pg-tests' });
    const connection = await Connection.connect({ address: service.address });
    try {
      const other = new Client({ connection, namespace: 'elsewhere' });
      await expect(other.workflow.start(accumulator, { taskQueue: 'q', workflowId: 'w', args: [1] })).rejects.toBeInstanceOf(
        NamespaceNotFoundError,
      );
      const ours = new Client({ connection, namespace: 'pg-tests' });
      const handle = await ours.workflow.start(accumulator, { taskQueue: 'q', workflowId: 'w', args: [1] });
      expect((await handle.describe()).status.name).toBe('RUNNING');
    } finally {
      await connection.close();
      await service.shutdown();
    }
  });

  it('runs a whole worker lifecycle without a single unimplemented call', async () => {
    const service = await startTemporalTestService();
    const connection = await NativeConnection.connect({ address: service.address });
    const clientConnection = await Connection.connect({ address: service.address });
    try {
      const client = new Client({ connection: clientConnection });
      const worker = await Worker.create({
        connection,
        taskQueue: 'lifecycle',
        workflowBundle: await bundleWorkflows(workflowsPath),
        activities: { noop: async () => undefined },
      });
      let doneAt = 0;
      await worker.runUntil(async () => {
        const handle = await client.workflow.start(accumulator, { taskQueue: 'lifecycle', workflowId: 'lifecycle', args: [2] });
        await handle.signal(addSignal, 2);
        await handle.result();
        await handle.describe();
        for await (const info of client.workflow.list()) expect(info.workflowId).toBe('lifecycle');
        doneAt = performance.now();
      });
      // Stopping the worker cancels its long polls at once instead of waiting for them to expire.
      expect(performance.now() - doneAt).toBeLessThan(3000);
      expect([...service.unimplementedCalls.keys()]).toEqual([]);
      for (const call of ['GetSystemInfo', 'DescribeNamespace', 'PollWorkflowTaskQueue', 'RespondWorkflowTaskCompleted', 'ShutdownWorker']) {
        expect(service.calls.get(call), call).toBeGreaterThan(0);
      }
    } finally {
      await clientConnection.close();
      await connection.close();
      await service.shutdown();
    }
  });

  it('fails a query nobody can answer instead of hanging', async () => {
    const service = await startTemporalTestService({ longPollTimeoutMs: 500 });
    const connection = await NativeConnection.connect({ address: service.address });
    const clientConnection = await Connection.connect({ address: service.address });
    try {
      const client = new Client({ connection: clientConnection });
      const handle = await client.workflow.start(accumulator, { taskQueue: 'unanswered', workflowId: 'unanswered', args: [5] });
      const grpcCode = async () => (await handle.query(totalQuery).catch((err: { cause?: { code?: number } }) => err)) as { cause?: { code?: number } };
      // No workflow task has completed yet: the real server's FAILED_PRECONDITION after about 1 s.
      expect((await grpcCode()).cause?.code).toBe(status.FAILED_PRECONDITION);
      const worker = await Worker.create({ connection, taskQueue: 'unanswered', workflowBundle: await bundleWorkflows(workflowsPath) });
      await worker.runUntil(async () => expect(await eventually(() => handle.query(totalQuery), (n) => n === 0)).toBe(0));
      // The worker is gone: nobody polls the queue, so the query times out.
      const startedAt = performance.now();
      expect((await grpcCode()).cause?.code).toBe(status.DEADLINE_EXCEEDED);
      expect(performance.now() - startedAt).toBeLessThan(5000);
      await handle.terminate();
    } finally {
      await clientConnection.close();
      await connection.close();
      await service.shutdown();
    }
  });

  it('stands in for the Temporal CLI in TestWorkflowEnvironment.createLocal', async () => {
    const startedAt = performance.now();
    const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: launcher } } });
    console.log(`createLocal with the launcher: ready in ${Math.round(performance.now() - startedAt)} ms`);
    try {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: 'create-local',
        workflowBundle: await bundleWorkflows(workflowsPath),
      });
      const advanced = await worker.runUntil(
        env.client.workflow.execute(sleeper, { taskQueue: 'create-local', workflowId: uniqueName('local'), args: [10] }),
      );
      expect(advanced).toBeGreaterThanOrEqual(10);
    } finally {
      await env.teardown();
    }
  });

  it('starts from the launcher within the ephemeral-server deadline', async () => {
    const port = await freePort();
    const startedAt = performance.now();
    const child = spawn(launcher, ['server', 'start-dev', '--port', String(port), '--namespace', 'default', '--ip', '127.0.0.1']);
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
        child.once('exit', (code) => reject(new Error(`launcher exited with ${code}`)));
      });
      const elapsedMs = performance.now() - startedAt;
      console.log(`launcher process listening after ${Math.round(elapsedMs)} ms`);
      expect(line).toContain(`127.0.0.1:${port}`);
      expect(elapsedMs).toBeLessThan(5000);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
