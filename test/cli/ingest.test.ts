/**
 * `temporal-pg ingest <spec>`, run as the built binary against a worker of the test (in-memory
 * Temporal, or TEMPORAL_ADDRESS) with the built-in sources and a slow source of its own.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { IngestCliResult } from '../../src/cli/commands/ingest.js';
import type { IngestReport } from '../../src/ingest/engine/types.js';
import { builtInSources, type SourceBatch } from '../../src/index.js';
import { useTestDatabase } from '../helpers/database.js';
import { useTemporal } from '../helpers/temporal.js';
import { freePort } from '../support/free-port.js';
import { runCli } from './run-cli.js';

const db = useTestDatabase();
const temporal = useTemporal({ workflowsPath: new URL('../../workflows/index.ts', import.meta.url) });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tpg-cli-ingest-'));
  await mkdir(join(dir, 'orders'));
  await writeFile(join(dir, 'orders', 'orders-1.csv'), 'id,customer,amount\n1,Ada,12.50\n2,Grace,7\n');
  await writeFile(join(dir, 'orders', 'orders-2.csv'), 'id,customer,amount\n3,Edsger,99.99\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Three one-row batches, 700 ms apart: an ingest that is still running when we look. */
async function* slowSource(highWatermark: unknown): AsyncGenerator<SourceBatch> {
  for (let n = ((highWatermark as number | null) ?? 0) + 1; n <= 3; n++) {
    await sleep(700);
    yield { highWatermark: n, rows: [[n]] };
  }
}

function withIngestWorker<T>(fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const sources = { ...builtInSources({ databases: { default: db.pool }, rootDirectory: dir }), slow: slowSource };
  return temporal.withWorker({ activities: createActivities({ databases: db.pool, sources }) }, ({ taskQueue }) => fn(taskQueue));
}

const temporalEnv = () => ({ TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace });

async function spec(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const ordersYaml = (table: string) => `# orders from CSV files
database: default
tables:
  schema: public
  name: ${table}
  columns:
    - { name: id, type: bigint, primaryKey: true }
    - { name: customer, type: text, nullable: false }
    - { name: amount, type: "numeric(12,2)" }
source:
  name: temporal-pg/csv-files
  args: { directory: orders }
upsert: if-primary-key
delete: off
`;

describe('temporal-pg ingest', () => {
  it('documents the spec file and its flags', async () => {
    const run = await runCli(['ingest', '--help']);
    expect(run.code).toBe(0);
    for (const text of ['Usage: temporal-pg ingest <spec.yaml | spec.json>', 'tables:', 'source:', '--follow', '--wait', '--workflow-id <id>', '--check', '--json', 'TEMPORAL_TASK_QUEUE']) {
      expect(run.stdout).toContain(text);
    }
  });

  it('checks a spec file without starting anything', async () => {
    const path = await spec('valid.yaml', ordersYaml('orders_checked'));
    const run = await runCli(['ingest', path, '--check']);
    expect(run).toMatchObject({ code: 0, stdout: `${path} is a valid ingest input (workflow id temporal-pg-ingest:default:public.orders_checked)\n` });
    const json = await runCli(['ingest', path, '--check', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ valid: true, workflowId: 'temporal-pg-ingest:default:public.orders_checked' });
  });

  it('exits 2 for a spec file it cannot use, naming the file and line', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['missing.yaml', '', /cannot read the spec file .*missing\.yaml: no such file/],
      ['broken.yaml', 'database: default\ntables: [1,\n', /broken\.yaml:3:1: Flow sequence/],
      ['broken.json', '{"database": "default",}', /broken\.json: not valid JSON/],
      ['typo.yaml', ordersYaml('t').replace('upsert:', 'upsret:'), /typo\.yaml:13: unknown field "upsret"/],
      ['mode.yaml', ordersYaml('t').replace('delete: off', 'delete: everything'), /mode\.yaml:14: delete must be one of off, before-first-batch/],
      ['nosource.yaml', 'tables: { schema: public, name: t, columns: [{ name: id, type: int }] }\n', /nosource\.yaml:1: source must be an object/],
      ['duplicate.yaml', ordersYaml('t').replace('name: amount', 'name: customer'), /duplicate\.yaml:9: table public\.t lists column "customer" twice/],
      ['list.yaml', '- 1\n', /list\.yaml:1: the input must be an object/],
      ['orders.txt', 'a: 1', /orders\.txt: a spec file must end in \.yaml, \.yml or \.json/],
    ];
    for (const [name, text, message] of cases) {
      const path = name === 'missing.yaml' ? join(dir, name) : await spec(name, text);
      const run = await runCli(['ingest', path, '--check']);
      expect(run.code, name).toBe(2);
      expect(run.stderr, name).toMatch(message);
      expect(run.stdout).toBe('');
    }
    expect((await runCli(['ingest'])).stderr).toContain('give the spec file');
    expect((await runCli(['ingest', 'a.yaml', 'b.yaml'])).code).toBe(2);
    expect((await runCli(['ingest', 'a.yaml', '--bogus'])).code).toBe(2);
  });

  it('starts the workflow and prints its id', async () => {
    const path = await spec('start.yaml', ordersYaml('orders_started'));
    const report = await withIngestWorker(async (taskQueue) => {
      const run = await runCli(['ingest', path, '--task-queue', taskQueue, '--json'], temporalEnv());
      expect(run.code, run.stderr).toBe(0);
      const started = JSON.parse(run.stdout) as { workflowId: string; runId: string };
      expect(started.workflowId).toBe('temporal-pg-ingest:default:public.orders_started');
      const text = await runCli(['ingest', path, '--task-queue', taskQueue, '--workflow-id', temporal.workflowId('second')], temporalEnv());
      expect(text.stdout).toMatch(/^started ingest second-\w+ \(run [\w-]+\) on task queue tq-\w+\n$/);
      return temporal.client.workflow.getHandle(started.workflowId).result() as Promise<IngestReport>;
    });
    expect(report).toMatchObject({ batches: 2, rows: 3, highWatermark: 'orders-2.csv' });
    const { rows } = await db.pool.query('SELECT id::int, customer, amount::text FROM orders_started ORDER BY id');
    expect(rows).toEqual([
      { id: 1, customer: 'Ada', amount: '12.50' },
      { id: 2, customer: 'Grace', amount: '7.00' },
      { id: 3, customer: 'Edsger', amount: '99.99' },
    ]);
  });

  it('waits for the report (--wait --json) and follows progress (--follow)', async () => {
    const waited = await withIngestWorker(async (taskQueue) => {
      const json = await runCli(['ingest', await spec('wait.yaml', ordersYaml('orders_waited')), '--wait', '--json', '--task-queue', taskQueue], temporalEnv());
      expect(json.code, json.stderr).toBe(0);
      expect(json.stderr).toMatch(/^started ingest temporal-pg-ingest:default:public\.orders_waited on task queue /);
      const slow = `tables: { schema: public, name: slow_rows, columns: [{ name: n, type: int }] }\nsource: { name: slow }\n`;
      const followed = await runCli(['ingest', await spec('slow.yaml', slow), '--follow', '--task-queue', taskQueue], temporalEnv());
      expect(followed.code, followed.stderr).toBe(0);
      return { json: JSON.parse(json.stdout) as IngestCliResult, followed: followed.stdout };
    });
    expect(waited.json).toMatchObject({ workflowId: 'temporal-pg-ingest:default:public.orders_waited', report: { batches: 2, rows: 3, tables: [{ table: 'public.orders_waited', migration: 'create' }] } });
    const lines = waited.followed.trimEnd().split('\n');
    // Plain progress lines (not a terminal), then the report.
    expect(lines.slice(0, -2).every((line) => /^ingest {2}\d+ rows {2}\d+ batch(es)? {2}[\d,]+ rows\/s/.test(line)), waited.followed).toBe(true);
    expect(lines.some((line) => /^ingest {2}[12] rows {2}[12] batch/.test(line)), waited.followed).toBe(true);
    expect(lines.at(-2)).toMatch(/^ingest temporal-pg-ingest:default:public\.slow_rows done: 3 rows in 3 batches, \S+, [\d,]+ rows\/s; watermark 3$/);
    expect(lines.at(-1)).toBe('  public.slow_rows  create  3 rows');
  });

  it('refuses a second ingest of the same table while one runs, and reports a failed workflow (exit 1)', async () => {
    const slow = await spec('slow2.yaml', `tables: { schema: public, name: slow_twice, columns: [{ name: n, type: int }] }\nsource: { name: slow }\n`);
    const bad = await spec('bad-args.yaml', ordersYaml('orders_bad').replace('args: { directory: orders }', 'args: { directory: orders, colums: [a] }'));
    await withIngestWorker(async (taskQueue) => {
      const first = await runCli(['ingest', slow, '--task-queue', taskQueue], temporalEnv());
      expect(first.code).toBe(0);
      const second = await runCli(['ingest', slow, '--task-queue', taskQueue], temporalEnv());
      expect(second.code).toBe(1);
      expect(second.stderr).toBe('temporal-pg ingest: an ingest with workflow id temporal-pg-ingest:default:public.slow_twice is already running (one ingest per table at a time; choose another --workflow-id to run both)\n');
      const failed = await runCli(['ingest', bad, '--wait', '--task-queue', taskQueue], temporalEnv());
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/ingest temporal-pg-ingest:default:public\.orders_bad failed: .*args\.colums is not an argument of this source.*\(InvalidSourceArgs\)\n$/);
      await temporal.client.workflow.getHandle('temporal-pg-ingest:default:public.slow_twice').result();
    });
  });

  it('exits 4 when Temporal cannot be reached', async () => {
    const path = await spec('unreachable.yaml', ordersYaml('orders_nowhere'));
    const run = await runCli(['ingest', path, '--address', `127.0.0.1:${await freePort()}`]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^temporal-pg ingest: cannot reach Temporal at 127\.0\.0\.1:\d+: /);
  });
});
