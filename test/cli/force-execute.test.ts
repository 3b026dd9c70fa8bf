/**
 * `temporal-pg force-execute`, run as the built binary: here against the database, and with
 * `--temporal` through a worker of the test (in-memory Temporal, or TEMPORAL_ADDRESS).
 */
import type pg from 'pg';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { ForceExecuteCliResult } from '../../src/cli/commands/force-execute.js';
import { useTestDatabase } from '../helpers/database.js';
import { useTemporal } from '../helpers/temporal.js';
import { freePort } from '../support/free-port.js';
import { runCli } from './run-cli.js';

const db = useTestDatabase();
const temporal = useTemporal({ workflowsPath: new URL('../../workflows/index.ts', import.meta.url) });

const open: pg.Client[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.end().catch(() => undefined)));
});

/** A session that reads `table` in a transaction and stays idle in it (ACCESS SHARE held). */
async function dashboard(table: string): Promise<number> {
  const client = await db.client({ applicationName: 'dashboard' });
  client.on('error', () => undefined);
  open.push(client);
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  await client.query('BEGIN');
  await client.query(`SELECT count(*) FROM ${table}`);
  return rows[0]!.pid;
}

async function tableExists(name: string): Promise<boolean> {
  const { rows } = await db.pool.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [name]);
  return rows[0]!.found;
}

beforeAll(async () => {
  await db.pool.query('CREATE TABLE sales (id int); CREATE TABLE orders (id int); CREATE TABLE events (id int); CREATE TABLE spared (id int)');
});

describe('temporal-pg force-execute', () => {
  it('documents its flags, both modes and the exit codes', async () => {
    const run = await runCli(['force-execute', '--help']);
    expect(run.code).toBe(0);
    for (const text of ['Usage: temporal-pg force-execute <sql>', '--delay <duration>', '--lock-timeout', '--action', '--exclude-application-name', '--temporal', '--database <name>', '--json', 'TEMPORAL_ADDRESS', '4    Temporal unreachable']) {
      expect(run.stdout).toContain(text);
    }
  });

  it('terminates the session blocking the statement after the delay and reports it as JSON', async () => {
    const pid = await dashboard('sales');
    const run = await runCli(['force-execute', 'ALTER TABLE sales RENAME TO sales_old', '--delay', '500ms', '--lock-timeout', '100ms', '--json', '--database-url', db.url]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as ForceExecuteCliResult;
    expect(result).toMatchObject({ mode: 'direct', statements: [{ command: 'ALTER', rowCount: null }] });
    expect(result.blockers).toEqual([expect.objectContaining({ pid, applicationName: 'dashboard', action: 'terminate', signalled: true, query: null })]);
    expect(result.blockers[0]!.locksHeld).toContainEqual({ lockType: 'relation', mode: 'ACCESS SHARE', target: 'public.sales' });
    expect(result.durationMs).toBeGreaterThanOrEqual(500);
    expect(run.stderr).toMatch(new RegExp(`terminated pid ${pid} \\(\\S+, dashboard, idle in transaction, .*holding ACCESS SHARE on public\\.sales`));
    expect(await tableExists('sales_old')).toBe(true);
  });

  it('prints a table of the sessions acted on, and runs several statements in one transaction', async () => {
    const pid = await dashboard('orders');
    const run = await runCli(['force-execute', 'ALTER TABLE orders RENAME TO orders_old', 'CREATE TABLE orders (id bigint)', '--delay', '300ms', '--database-url', db.url]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ALTER, CREATE in \d+(ms|s) \(\d+ attempts\)$/);
    expect(lines[1]).toBe('Sessions acted on:');
    expect(lines[2]).toMatch(/^\s*PID\s+USER\s+APPLICATION\s+STATE\s+AGE\s+ACTION\s+DONE\s+LOCKS HELD$/);
    expect(lines[3]).toMatch(new RegExp(`^\\s*${pid}\\s+\\S+\\s+dashboard\\s+idle in transaction\\s+\\S+\\s+terminate\\s+yes\\s+ACCESS SHARE on public\\.orders$`));
    expect(await tableExists('orders_old')).toBe(true);
  });

  it('returns at once without acting when nothing blocks, and spares sessions outside the filters', async () => {
    const quick = await runCli(['force-execute', 'ALTER TABLE events ADD COLUMN note text', '--database-url', db.url]);
    expect(quick.code, quick.stderr).toBe(0);
    expect(quick.stdout).toMatch(/^ALTER in \d+ms \(1 attempt\)\nNo session was acted on\.\n$/);

    await dashboard('spared');
    const run = await runCli(['force-execute', 'ALTER TABLE spared ADD COLUMN note text', '--delay', '200ms', '--exclude-application-name', 'dashboard', '--json', '--database-url', db.url], {}, { timeoutMs: 2_000 });
    // The only blocker is spared, so the statement waits until the CLI is stopped (SIGTERM): it
    // cancels the statement, rolls back and exits 130.
    expect(run.code, run.stderr).toBe(130);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('temporal-pg force-execute: interrupted: the statement was cancelled and rolled back');
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'ALTER TABLE spared%'`);
    expect(rows[0].n).toBe(0);
  });

  it('fails with the statement own error (exit 1), unchanged', async () => {
    const run = await runCli(['force-execute', 'ALTER TABLE no_such_table ADD COLUMN x int', '--database-url', db.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('temporal-pg force-execute: relation "no_such_table" does not exist (42P01)\n');
  });

  it('exits 2 on bad flags and values', async () => {
    const cases = [
      [],
      ['SELECT 1', '--delay', '5'],
      ['SELECT 1', '--action', 'nuke'],
      ['SELECT 1', '--check-interval', '0s'],
      ['SELECT 1', '--database', 'warehouse'],
      ['SELECT 1', '--temporal', '--database-url', db.url],
      ['SELECT 1', '--bogus'],
      ['  '],
    ];
    for (const args of cases) {
      const run = await runCli(['force-execute', ...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(/^temporal-pg force-execute: .+\nRun "temporal-pg force-execute --help" for usage\.\n$/);
    }
  });

  it('exits 3 when the database cannot be reached, without printing the password', async () => {
    const port = await freePort();
    const run = await runCli(['force-execute', 'SELECT 1'], { DATABASE_URL: `postgres://app:s3cret@127.0.0.1:${port}/db` });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`cannot connect to the database at 127.0.0.1:${port}/db`);
    expect(run.stderr).not.toContain('s3cret');
  });
});

describe('temporal-pg force-execute --temporal', () => {
  it('runs forceExecuteWorkflow on a worker and prints its result', async () => {
    const pid = await dashboard('sales_old');
    const result = await temporal.withWorker({ activities: createActivities({ databases: { warehouse: db.pool } }) }, async ({ taskQueue }) => {
      const run = await runCli([
        'force-execute',
        'ALTER TABLE sales_old RENAME TO sales_archive',
        '--temporal',
        '--database',
        'warehouse',
        '--delay',
        '500ms',
        '--json',
        '--workflow-id',
        temporal.workflowId('cli-fx'),
        '--task-queue',
        taskQueue,
      ], { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/^started workflow cli-fx-\w+ on task queue /);
      return JSON.parse(run.stdout) as ForceExecuteCliResult;
    });
    expect(result).toMatchObject({ mode: 'temporal', workflowId: expect.stringMatching(/^cli-fx-/), statements: [{ command: 'ALTER', rowCount: null }] });
    expect(result.blockers.map((b) => [b.pid, b.action, b.signalled])).toEqual([[pid, 'terminate', true]]);
    expect(await tableExists('sales_archive')).toBe(true);
  });

  it('fails with the workflow failure and its type (exit 1)', async () => {
    const run = await temporal.withWorker({ activities: createActivities({ databases: db.pool }) }, ({ taskQueue }) =>
      runCli(['force-execute', 'ALTER TABLE missing_table ADD COLUMN x int', '--temporal', '--task-queue', taskQueue], { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace }),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/relation "missing_table" does not exist.*\(PostgresError\)\n$/);
  });

  it('exits 4 when Temporal cannot be reached', async () => {
    const port = await freePort();
    const run = await runCli(['force-execute', 'SELECT 1', '--temporal', '--address', `127.0.0.1:${port}`]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(new RegExp(`^temporal-pg force-execute: cannot reach Temporal at 127\\.0\\.0\\.1:${port}: `));
  });
});
