/**
 * forceExecuteWorkflow through a real worker and client, against real PostgreSQL: pg-force-execute's
 * tests ported, then what the workflow adds (readers, filters, advisory locks, heartbeats, a small
 * history, cancellation, typed failures, use from other workflows).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, CancelledFailure, RetryState } from '@temporalio/common';
import { temporal as proto } from '@temporalio/proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../../activities/index.js';
import { createWorker, workflowsPath } from '../../../worker/index.js';
import { executeForceExecute, InvalidForceExecuteInputError, startForceExecute } from '../../../src/client/index.js';
import { advisoryKey, advisoryLock, type BlockerReport } from '../../../src/index.js';
import { useTestDatabase } from '../../helpers/database.js';
import { eventually, useTemporal } from '../../helpers/temporal.js';
import { columnsOf, holdTable, isAlive, waitFor, waitingBackends } from '../../pg/force-execute/helpers.js';
import { heartbeatsOf, tokenBackends, workflowFailure } from './helpers.js';
import { callsForceExecute, forceExecuteWorkflow } from './workflows.js';

const EventType = proto.api.enums.v1.EventType;
type EventType = proto.api.enums.v1.EventType;

const db = useTestDatabase();
const temporal = useTemporal({ workflowsPath: new URL('./workflows.ts', import.meta.url) });

beforeAll(async () => {
  await db.pool.query(`CREATE TABLE first_table (x int); CREATE TABLE second_table (x int); CREATE TABLE guarded (x int)`);
  await db.pool.query(`CREATE TABLE watched (x int); CREATE TABLE handed_over (x int); CREATE TABLE terminated_table (x int); CREATE TABLE cancelled_table (x int); CREATE TABLE log (x int)`);
  await db.pool.query(`CREATE TABLE readers (x int); INSERT INTO readers VALUES (1)`);
});

/** Runs `fn` with a worker that has temporal-pg's activities on the file's database. */
function withForceExecuteWorker<T>(fn: (context: { taskQueue: string }) => Promise<T>, databases: Parameters<typeof createActivities>[0]['databases'] = db.pool) {
  return temporal.withWorker({ activities: createActivities({ databases, logger }) }, fn);
}

/** What the activities logged (they log each victim at WARN). */
const logged: Array<{ level: string; message: string; meta: Record<string, unknown> | undefined }> = [];
const record =
  (level: string) =>
  (message: string, meta?: Record<string, unknown>): void => {
    logged.push({ level, message, meta });
  };
const logger = { log: (level: string, message: string, meta?: Record<string, unknown>) => record(level)(message, meta), trace: record('TRACE'), debug: record('DEBUG'), info: record('INFO'), warn: record('WARN'), error: record('ERROR') };

describe('forceExecuteWorkflow, as pg-force-execute tests it', () => {
  it('terminates two blockers met one after the other, from the delay on', async () => {
    const a = await holdTable(db, 'first_table', 'blocker-a');
    const b = await holdTable(db, 'second_table', 'blocker-b');
    const started = performance.now();
    const result = await withForceExecuteWorker(({ taskQueue }) =>
      executeForceExecute(temporal.client, { statements: ['SELECT * FROM first_table', 'SELECT * FROM second_table'], delayMs: 1000 }, { taskQueue }),
    );
    expect(result.durationMs).toBeGreaterThanOrEqual(1000);
    expect(result.durationMs).toBeLessThan(3000);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(result.statements).toEqual([
      { command: 'SELECT', rowCount: 0 },
      { command: 'SELECT', rowCount: 0 },
    ]);
    expect(result.blockers.map((r) => [r.pid, r.applicationName, r.action, r.signalled])).toEqual([
      [a.pid, 'blocker-a', 'terminate', true],
      [b.pid, 'blocker-b', 'terminate', true],
    ]);
    expect(result.activityAttempt).toBe(1);
    await Promise.all([a.client.end(), b.client.end()]);
  });

  it('returns at once when nothing blocks the statement', async () => {
    const started = performance.now();
    const result = await withForceExecuteWorker(({ taskQueue }) => executeForceExecute(temporal.client, { statements: 'SELECT 1', delayMs: 5000 }, { taskQueue }));
    expect(performance.now() - started).toBeLessThan(2500);
    expect(result).toMatchObject({ statements: [{ command: 'SELECT', rowCount: 1 }], blockers: [], checks: 0, attempts: 1, activityAttempt: 1 });
  });

  it('fails with a typed, non-retryable failure when a blocker may not be terminated, and leaves nothing queued', async () => {
    const role = await db.createRole('no_signal');
    await db.pool.query(`GRANT SELECT, INSERT ON guarded TO "${role.name}"`);
    const limited = db.newPool({ connectionString: role.url, max: 4 });
    const holder = await holdTable(db, 'guarded', 'superuser-holder');
    const started = performance.now();
    const failure = await withForceExecuteWorker(
      ({ taskQueue }) =>
        workflowFailure(
          executeForceExecute(temporal.client, { database: 'limited', statements: ['INSERT INTO guarded VALUES (1)', 'SELECT * FROM guarded'], delayMs: 300, checkIntervalMs: 100 }, { taskQueue }),
        ),
      { default: db.pool, limited },
    );
    expect(failure.type).toBe('SignalPermissionDenied');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details?.[0]).toMatchObject({ pid: holder.pid, action: 'terminate' });
    expect((failure.details?.at(-1) as { blockers: BlockerReport[] }).blockers).toMatchObject([{ pid: holder.pid, signalled: false, reason: 'permission-denied' }]);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(await isAlive(db.pool, holder.pid)).toBe(true);
    expect(await waitingBackends(db.pool)).toEqual([]);
    expect(await tokenBackends(db.pool)).toEqual([]);
    await holder.client.query('ROLLBACK');
    expect((await db.pool.query('SELECT count(*)::int AS n FROM guarded')).rows[0].n).toBe(0);
    await holder.client.end();
    await limited.end();
  });

  it("fails with the statement's own error, typed by SQLSTATE and not retried (syntax, permission, constraint)", async () => {
    const role = await db.createRole('reader_only');
    const readerOnly = db.newPool({ connectionString: role.url, max: 3 });
    await db.pool.query('CREATE TABLE unique_values (v int PRIMARY KEY); INSERT INTO unique_values VALUES (1)');
    const cases = [
      { input: { statements: 'SELECT * FROM no_such_table' }, type: 'PostgresError', sqlstate: '42P01', message: 'relation "no_such_table" does not exist' },
      { input: { statements: 'SELEC 1' }, type: 'PostgresError', sqlstate: '42601', message: 'syntax error at or near "SELEC"' },
      { input: { statements: 'INSERT INTO unique_values VALUES (1)' }, type: 'PostgresError', sqlstate: '23505', message: 'duplicate key value violates unique constraint "unique_values_pkey"' },
      { input: { database: 'reader', statements: 'ALTER TABLE unique_values ADD COLUMN w int' }, type: 'PermissionDenied', sqlstate: '42501', message: 'must be owner of table unique_values' },
    ];
    await withForceExecuteWorker(
      async ({ taskQueue }) => {
        for (const expected of cases) {
          const failure = await workflowFailure(executeForceExecute(temporal.client, expected.input, { taskQueue }));
          expect(failure.type).toBe(expected.type);
          expect(failure.message).toBe(expected.message);
          expect(failure.details?.[0]).toMatchObject({ sqlstate: expected.sqlstate });
          expect(failure.details?.at(-1)).toEqual({ blockers: [] });
          expect(failure.cause).toBeInstanceOf(ActivityFailure);
          expect((failure.cause as ActivityFailure).retryState).toBe(RetryState.NON_RETRYABLE_FAILURE);
        }
      },
      { default: db.pool, reader: readerOnly },
    );
    await readerOnly.end();
  });

  it('retries the statement on a fresh session when its backend is terminated by someone else', async () => {
    const holder = await holdTable(db, 'terminated_table', 'terminated-holder');
    const result = await withForceExecuteWorker(async ({ taskQueue }) => {
      const running = executeForceExecute(temporal.client, { statements: 'SELECT * FROM terminated_table', delayMs: 60_000, lockTimeoutMs: 0 }, { taskQueue });
      const first = await waitFor('the first attempt to queue', async () => (await tokenBackends(db.pool)).find((b) => b.application_name.endsWith(':1')));
      await db.pool.query('SELECT pg_terminate_backend($1)', [first.pid]);
      await waitFor('the second attempt to queue', async () => (await tokenBackends(db.pool)).some((b) => b.application_name.endsWith(':2')), 20_000);
      await holder.client.query('COMMIT');
      return running;
    });
    expect(result).toMatchObject({ activityAttempt: 2, blockers: [], statements: [{ command: 'SELECT', rowCount: 0 }] });
    await holder.client.end();
  });
});

describe('forceExecuteWorkflow beyond pg-force-execute', () => {
  it('does not stall readers behind its queued statement for much more than one lockTimeoutMs during the delay', async () => {
    const holder = await db.client({ applicationName: 'long-reader' });
    await holder.query('BEGIN');
    await holder.query('SELECT * FROM readers');
    const reader = await db.client({ applicationName: 'reader' });
    const result = await withForceExecuteWorker(async ({ taskQueue }) => {
      let done = false;
      const running = executeForceExecute(temporal.client, { statements: 'ALTER TABLE readers ADD COLUMN added int', delayMs: 2500, lockTimeoutMs: 200, checkIntervalMs: 200 }, { taskQueue }).finally(
        () => {
          done = true;
        },
      );
      await waitFor('the statement to start', async () => (await tokenBackends(db.pool)).length > 0);
      let longest = 0;
      while (!done) {
        const started = performance.now();
        await reader.query('SELECT count(*) FROM readers');
        longest = Math.max(longest, performance.now() - started);
        await sleep(100);
      }
      return { outcome: await running, longest };
    });
    expect(result.longest).toBeLessThan(200 + 600);
    expect(result.outcome.attempts).toBeGreaterThan(2);
    expect(result.outcome.blockers.map((r) => r.applicationName)).toEqual(['long-reader']);
    expect(await columnsOf(db.pool, 'readers')).toEqual(['x', 'added']);
    await Promise.all([holder.end(), reader.end()]);
  });

  it('acts on a session holding an advisory lock the statement waits for', async () => {
    const key = advisoryKey('workflow-advisory');
    const holderClient = await db.client({ applicationName: 'advisory-holder' });
    const held = await advisoryLock(holderClient, key);
    const result = await withForceExecuteWorker(({ taskQueue }) =>
      executeForceExecute(temporal.client, { statements: `SELECT pg_advisory_xact_lock(${key.value})`, delayMs: 300, checkIntervalMs: 100 }, { taskQueue }),
    );
    expect(result.blockers).toMatchObject([{ pid: held!.pid, applicationName: 'advisory-holder', signalled: true }]);
    expect(result.blockers[0]!.locksHeld).toContainEqual({ lockType: 'advisory', mode: 'EXCLUSIVE', target: `advisory ${key.value}` });
    await waitFor('the holder to notice', async () => held!.state === 'lost');
    await holderClient.end();
  });

  it('spares sessions outside the filters, heartbeats its progress, and keeps the history small', async () => {
    const victim = await holdTable(db, 'watched', 'victim', { mode: 'ACCESS SHARE' });
    const spared = await holdTable(db, 'watched', 'spared', { mode: 'ACCESS SHARE' });
    await withForceExecuteWorker(async ({ taskQueue }) => {
      const handle = await startForceExecute(
        temporal.client,
        { statements: 'ALTER TABLE watched ADD COLUMN y int', delayMs: 300, checkIntervalMs: 100, excludeApplicationNames: ['spared'] },
        { taskQueue, workflowId: temporal.workflowId('heartbeats') },
      );
      await waitFor('the victim to be terminated', async () => !(await isAlive(db.pool, victim.pid)));
      const beats = await eventually(
        () => heartbeatsOf(handle),
        (details) =>
          ((details.forceExecuteWatch as { checks?: number } | undefined)?.checks ?? 0) >= 10 &&
          ((details.forceExecuteStatement as { blockedBy?: number[] } | undefined)?.blockedBy ?? []).length > 0,
      );
      expect(beats.forceExecuteStatement).toMatchObject({ phase: 'waiting-while-acting', blockedBy: [spared.pid] });
      expect((beats.forceExecuteStatement as { attempt: number }).attempt).toBeGreaterThanOrEqual(1);
      expect((beats.forceExecuteStatement as { pid: number }).pid).toBeGreaterThan(0);
      expect((beats.forceExecuteWatch as { victims: BlockerReport[] }).victims.map((v) => v.pid)).toEqual([victim.pid]);
      expect(await isAlive(db.pool, spared.pid)).toBe(true);

      await spared.client.query('COMMIT');
      const result = await handle.result();
      expect(result.blockers.map((r) => r.pid)).toEqual([victim.pid]);
      // Each victim is logged, its query text redacted.
      const victimLog = logged.find((entry) => (entry.meta?.blocker as BlockerReport | undefined)?.pid === victim.pid);
      expect(victimLog).toMatchObject({ level: 'WARN', message: 'force-execute: terminated a blocking session', meta: { blocker: { applicationName: 'victim', query: null } } });
      const { events } = await handle.fetchHistory();
      // A dozen checks and more, and still only two activities, one timer and their workflow tasks (23 events seen).
      expect(result.checks).toBeGreaterThanOrEqual(10);
      expect(events?.length ?? 0).toBeLessThanOrEqual(30);
      const count = (type: EventType) => (events ?? []).filter((e) => e.eventType === type).length;
      expect([count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), count(EventType.EVENT_TYPE_TIMER_STARTED)]).toEqual([2, 1]);
    });
    expect(await columnsOf(db.pool, 'watched')).toEqual(['x', 'y']);
    await Promise.all([victim.client.end(), spared.client.end()]);
  });

  it('hands both activities to another worker when its worker shuts down, keeping the victims found so far', async () => {
    const victim = await holdTable(db, 'handed_over', 'victim-2', { mode: 'ACCESS SHARE' });
    const spared = await holdTable(db, 'handed_over', 'spared-2', { mode: 'ACCESS SHARE' });
    const taskQueue = temporal.taskQueue('handover');
    const activities = createActivities({ databases: db.pool });
    const handle = await temporal.withWorker({ taskQueue, activities }, async () => {
      const started = await startForceExecute(
        temporal.client,
        { statements: 'ALTER TABLE handed_over ADD COLUMN y int', delayMs: 200, checkIntervalMs: 100, excludeApplicationNames: ['spared-2'], activities: { heartbeatTimeoutMs: 3000 } },
        { taskQueue, workflowId: temporal.workflowId('handover') },
      );
      await waitFor('the victim to be terminated', async () => !(await isAlive(db.pool, victim.pid)));
      await eventually(
        () => heartbeatsOf(started),
        (details) => ((details.forceExecuteWatch as { victims?: unknown[] } | undefined)?.victims ?? []).length === 1,
      );
      return started;
    });
    // The first worker is gone: its statement rolled back, nothing of it is left waiting.
    await waitFor('the first attempt to end', async () => (await tokenBackends(db.pool)).length === 0);
    const result = await temporal.withWorker({ taskQueue, activities }, async () => {
      await waitFor('the second attempt to queue', async () => (await tokenBackends(db.pool)).some((b) => b.application_name.endsWith(':2')), 20_000);
      await spared.client.query('COMMIT');
      return handle.result();
    });
    expect(result.activityAttempt).toBe(2);
    // The second watcher did not see the victim (it was gone): its report came through the heartbeat.
    expect(result.blockers.map((r) => r.pid)).toEqual([victim.pid]);
    const { events } = await handle.fetchHistory();
    const attempts = (events ?? []).flatMap((e) => (e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt] : []));
    expect(attempts).toEqual([2, 2]);
    expect(await columnsOf(db.pool, 'handed_over')).toEqual(['x', 'y']);
    await Promise.all([victim.client.end(), spared.client.end()]);
  });

  it('cancelling the workflow cancels the statement, rolls it back and leaves no backend with its token', async () => {
    const holder = await holdTable(db, 'cancelled_table', 'cancel-holder');
    await withForceExecuteWorker(async ({ taskQueue }) => {
      const handle = await startForceExecute(
        temporal.client,
        { statements: ['INSERT INTO log VALUES (1)', 'SELECT * FROM cancelled_table'], delayMs: 200, checkIntervalMs: 100, excludeApplicationNames: ['cancel-holder'] },
        { taskQueue, workflowId: temporal.workflowId('cancel') },
      );
      await waitFor('the statement to wait in the lock queue', async () => {
        const backends = await tokenBackends(db.pool);
        const waiting = await waitingBackends(db.pool);
        return backends.some((b) => waiting.includes(b.pid));
      });
      await handle.cancel();
      const error = await handle.result().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      expect(await tokenBackends(db.pool)).toEqual([]);
      expect(await waitingBackends(db.pool)).toEqual([]);
      expect((await handle.describe()).status.name).toBe('CANCELLED');
    });
    expect(await isAlive(db.pool, holder.pid)).toBe(true);
    await holder.client.query('ROLLBACK');
    expect((await db.pool.query('SELECT count(*)::int AS n FROM log')).rows[0].n).toBe(0);
    await holder.client.end();
  });

  it('refuses a malformed input or an unknown database with a typed failure', async () => {
    await expect(startForceExecute(temporal.client, { statements: [] }, { taskQueue: 'never-used' })).rejects.toBeInstanceOf(InvalidForceExecuteInputError);
    await expect(startForceExecute(temporal.client, { statements: 'SELECT 1', delayMs: -1, action: 'kill' as never }, { taskQueue: 'never-used' })).rejects.toThrow(
      /delayMs must be a number of milliseconds ≥ 0; action must be one of/,
    );
    await withForceExecuteWorker(async ({ taskQueue }) => {
      const invalid = await workflowFailure(
        temporal.client.workflow.execute(forceExecuteWorkflow, { taskQueue, workflowId: temporal.workflowId('invalid'), args: [{ statements: '' }] }),
      );
      expect(invalid).toMatchObject({ type: 'InvalidForceExecuteInput', nonRetryable: true });
      const unknown = await workflowFailure(executeForceExecute(temporal.client, { database: 'warehouse', statements: 'SELECT 1' }, { taskQueue }));
      expect(unknown).toMatchObject({ type: 'UnknownDatabase', message: 'no database named "warehouse" is registered at this worker (registered: "default")' });
    });
  });

  it('runs on a worker made by createWorker, with the package workflows from workflowsPath', async () => {
    expect(workflowsPath).toMatch(/workflows[\\/]index\.(js|ts)$/);
    const taskQueue = temporal.taskQueue('create-worker');
    const worker = await createWorker({
      connection: temporal.connection,
      namespace: temporal.namespace,
      taskQueue,
      databases: { default: db.pool },
      shutdownGraceTime: '500ms',
      // Bundling the package's workflows takes seconds; webpack's cache makes later runs quick.
      bundlerOptions: {
        webpackConfigHook: (config) => ({ ...config, cache: { type: 'filesystem', cacheDirectory: fileURLToPath(new URL('../../../.tmp/workflow-bundle-cache', import.meta.url)), name: 'temporal-pg-workflows' } }),
      },
    });
    const result = await worker.runUntil(() => executeForceExecute(temporal.client, { statements: ['SELECT 1', 'SELECT 2'] }, { taskQueue }));
    expect(result.statements).toEqual([
      { command: 'SELECT', rowCount: 1 },
      { command: 'SELECT', rowCount: 1 },
    ]);
  });

  it('runs inside another workflow through the helper and as a child workflow', async () => {
    const results = await withForceExecuteWorker(({ taskQueue }) =>
      temporal.client.workflow.execute(callsForceExecute, {
        taskQueue,
        workflowId: temporal.workflowId('caller'),
        args: [{ statements: 'CREATE TABLE made_by_helper (x int)' }, { statements: ['INSERT INTO made_by_helper VALUES (1), (2)'] }],
      }),
    );
    expect(results.map((r) => r.statements)).toEqual([[{ command: 'CREATE', rowCount: null }], [{ command: 'INSERT', rowCount: 2 }]]);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM made_by_helper')).rows[0].n).toBe(2);
  });
});
