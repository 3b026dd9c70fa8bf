/**
 * `temporal-pg worker`, run as the built binary: it serves ingests with the built-in sources and
 * those of a module named on the command line, drains on SIGTERM, and fails early and clearly on
 * bad input or unreachable ends.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeIngest } from '../../src/client/ingest.js';
import { useTestDatabase } from '../helpers/database.js';
import { useTemporal } from '../helpers/temporal.js';
import { freePort } from '../support/free-port.js';
import { BIN, runCli } from './run-cli.js';

const db = useTestDatabase();
const temporal = useTemporal();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tpg-cli-worker-'));
  await mkdir(join(dir, 'events'));
  await writeFile(join(dir, 'events', 'a.ndjson'), '{"id": 1, "kind": "signup"}\n{"id": 2, "kind": "login"}\n');
  // A sources module as users write it: plain JavaScript, a factory receiving the worker's pools.
  await writeFile(
    join(dir, 'my-sources.mjs'),
    `export default ({ databases }) => ({
  squares: async function* (highWatermark, args) {
    const { rows } = await databases.default.query('SELECT n, n * n AS square FROM generate_series($1::int + 1, $2::int) AS n', [highWatermark ?? 0, args.upTo]);
    if (rows.length > 0) yield { highWatermark: rows.at(-1).n, rows };
  },
});
`,
  );
  await writeFile(join(dir, 'not-sources.mjs'), 'export const sources = { broken: 42 };\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface RunningWorker {
  child: ChildProcessByStdio<null, Readable, Readable>;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `temporal-pg worker …` and resolves once it polls. */
async function startWorker(args: string[], env: Record<string, string>): Promise<RunningWorker> {
  const child = spawn(process.execPath, [BIN, 'worker', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.includes('polling task queue')) resolve();
    });
    void exited.then((code) => reject(new Error(`the worker exited (${code}) before polling:\n${stderr}`)));
  });
  return { child, stderr: () => stderr, exited };
}

describe('temporal-pg worker', () => {
  it('documents its flags', async () => {
    const run = await runCli(['worker', '--help']);
    expect(run.code).toBe(0);
    for (const text of ['Usage: temporal-pg worker', '--sources <module>', '--source-root <dir>', '--shutdown-grace', '--database-url', '--task-queue', 'temporal-pg/csv-files']) {
      expect(run.stdout).toContain(text);
    }
  });

  it('runs ingests with its own and the built-in sources, and drains on SIGTERM', async () => {
    const taskQueue = temporal.taskQueue('cli-worker');
    // A role with a password of its own, to check it is never printed.
    const role = await db.createRole('worker', { superuser: true });
    const url = new URL(role.url);
    const worker = await startWorker(['--sources', join(dir, 'my-sources.mjs'), '--source-root', dir, '--task-queue', taskQueue, '--shutdown-grace', '2s'], {
      DATABASE_URL: role.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
    });
    try {
      expect(worker.stderr()).toContain(`temporal-pg worker: polling task queue "${taskQueue}" of namespace "${temporal.namespace}" at ${temporal.address}; database ${url.hostname}:${url.port}${url.pathname}; sources `);
      expect(worker.stderr()).toMatch(/sources temporal-pg\/ndjson-files, temporal-pg\/csv-files, temporal-pg\/postgres-table, squares/);
      expect(worker.stderr()).not.toContain(decodeURIComponent(url.password));

      const squares = await executeIngest(
        temporal.client,
        { tables: { schema: 'public', name: 'squares', columns: [{ name: 'n', type: 'int', primaryKey: true }, { name: 'square', type: 'int' }] }, source: { name: 'squares', args: { upTo: 5 } } },
        { taskQueue },
      );
      expect(squares).toMatchObject({ batches: 1, rows: 5, highWatermark: 5 });
      const events = await executeIngest(
        temporal.client,
        { tables: { schema: 'public', name: 'events', columns: [{ name: 'id', type: 'int' }, { name: 'kind', type: 'text' }] }, source: { name: 'temporal-pg/ndjson-files', args: { directory: 'events' } } },
        { taskQueue },
      );
      expect(events).toMatchObject({ rows: 2, highWatermark: 'a.ndjson' });
      expect((await db.pool.query('SELECT sum(square)::int AS s FROM squares')).rows[0].s).toBe(55);
    } finally {
      worker.child.kill('SIGTERM');
    }
    expect(await worker.exited).toBe(0);
    expect(worker.stderr()).toContain('temporal-pg worker: drained and stopped');
    // Its connections are closed.
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'temporal-pg worker'`);
    expect(rows[0].n).toBe(0);
  }, 90_000);

  it('exits 2 for a sources module that does not load or export sources', async () => {
    const env = { DATABASE_URL: db.url, TEMPORAL_ADDRESS: temporal.address };
    const missing = await runCli(['worker', '--sources', join(dir, 'nope.mjs')], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^temporal-pg worker: --sources: cannot load .*nope\.mjs: /);
    const broken = await runCli(['worker', '--sources', join(dir, 'not-sources.mjs')], env);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('these sources are not functions: broken');
    expect((await runCli(['worker', '--shutdown-grace', 'soon'], env)).code).toBe(2);
  });

  it('exits 3 when the database cannot be reached, 4 when Temporal cannot', async () => {
    const port = await freePort();
    const noDatabase = await runCli(['worker', '--address', temporal.address], { DATABASE_URL: `postgres://etl:pa55word@127.0.0.1:${port}/warehouse` });
    expect(noDatabase.code).toBe(3);
    expect(noDatabase.stderr).toContain(`cannot connect to the database at 127.0.0.1:${port}/warehouse`);
    expect(noDatabase.stderr).not.toContain('pa55word');
    const noTemporal = await runCli(['worker', '--address', `127.0.0.1:${port}`, '--database-url', db.url]);
    expect(noTemporal.code).toBe(4);
    expect(noTemporal.stderr).toContain(`cannot reach Temporal at 127.0.0.1:${port}`);
  });
});
