/**
 * The `temporal-pg-worker` executable (`worker/process.ts` over `runWorkerFromEnvironment`) as a
 * process: configured from the environment only, it serves ingests with the built-in sources and
 * those of the module `TEMPORAL_PG_SOURCES` names, drains on SIGTERM with exit code 0, exits
 * non-zero on failure, and never prints a password or a connection string.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { executeIngest } from '../../src/client/index.js';
import { useTestDatabase } from '../helpers/database.js';
import { useTemporal } from '../helpers/temporal.js';
import { duplicatesAndCount, numbersTable, waitFor } from './helpers.js';

const db = useTestDatabase();
const temporal = useTemporal();
const executable = fileURLToPath(new URL('../../worker/process.ts', import.meta.url));
const sourcesModule = fileURLToPath(new URL('./fixtures/sources.ts', import.meta.url));

/** Starts the executable with `env` (and nothing of this process's PG / Temporal variables). */
function startExecutable(env: Record<string, string>) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(PG|DATABASE_URL|TEMPORAL_)/.test(name)));
  const child = spawn(process.execPath, ['--import', 'tsx', executable], { env: { ...base, ...env } });
  const output = { text: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output, exited };
}

describe('the worker executable', () => {
  it('serves ingests configured from the environment, with a sources module, and drains on SIGTERM', async () => {
    const role = await db.createRole('worker_role', { superuser: true });
    const password = new URL(role.url).password;
    expect(password.length).toBeGreaterThan(0);
    const taskQueue = temporal.taskQueue('main');
    const worker = startExecutable({
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: role.url,
      // The same database under a second name: workflows may name either.
      TEMPORAL_PG_DATABASE_REPLICA: role.url,
      TEMPORAL_PG_SOURCES: sourcesModule,
    });
    try {
      await waitFor('the worker to poll', async () => (worker.output.text.includes('temporal-pg worker: polling') ? true : undefined), 60_000);
      expect(worker.output.text).toContain(`polling task queue "${taskQueue}"`);
      expect(worker.output.text).toMatch(/sources temporal-pg\/ndjson-files, temporal-pg\/csv-files, temporal-pg\/postgres-table, numbers, stuck/);
      const table = numbersTable('public', 'from_main', { primaryKey: true });
      const report = await executeIngest(temporal.client, { tables: table, source: { name: 'numbers', args: { batches: 3, rowsPerBatch: 10 } } }, { taskQueue });
      expect(report).toMatchObject({ batches: 3, rows: 30, highWatermark: 3 });
      expect(await duplicatesAndCount(db.pool, { schema: 'public', name: 'from_main' })).toEqual({ duplicates: [], rows: 30 });
      expect(worker.output.text).toMatch(/\(also replica: [^)]+\)/);
      const named = numbersTable('public', 'from_named', { primaryKey: false });
      const namedReport = await executeIngest(temporal.client, { database: 'replica', tables: named, source: { name: 'numbers', args: { batches: 2, rowsPerBatch: 5 } } }, { taskQueue });
      expect(namedReport).toMatchObject({ batches: 2, rows: 10 });
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(worker.output.text).toContain('drained and stopped');
      expect(worker.output.text).not.toContain(password);
      expect(worker.output.text).not.toContain(role.url);
      // Its pool is closed: no session of the worker's role is left.
      const { rows } = await db.pool.query(`SELECT pid FROM pg_stat_activity WHERE usename = $1`, [role.name]);
      expect(rows).toEqual([]);
    } finally {
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
  });

  it('exits with 2 for a configuration error, naming the variable and no secret', async () => {
    const worker = startExecutable({
      TEMPORAL_ADDRESS: temporal.address,
      DATABASE_URL: 'postgres://etl:s3cret-Pa55@localhost:1/warehouse',
      TEMPORAL_PG_SOURCES: './no/such/sources-module.js',
    });
    expect(await worker.exited).toBe(2);
    expect(worker.output.text).toContain('TEMPORAL_PG_SOURCES: cannot load');
    expect(worker.output.text).not.toContain('s3cret-Pa55');
  });

  it('exits with 1 when Temporal cannot be reached, without printing the database password', async () => {
    const worker = startExecutable({ TEMPORAL_ADDRESS: '127.0.0.1:1', PGHOST: 'localhost', PGUSER: 'etl', PGPASSWORD: 's3cret-Pa55' });
    expect(await worker.exited).toBe(1);
    expect(worker.output.text).toMatch(/temporal-pg worker: .*(refused|connect)/i);
    expect(worker.output.text).not.toContain('s3cret-Pa55');
  });
});
