/**
 * The crash matrix: ingests of many small batches, run by a worker in a child process that is
 * killed with SIGKILL at seeded random moments — from outside at a random time, inside the source
 * at a random row (mid-COPY), at the start or right after the end of a random activity (its work
 * committed, its result never reported) — and restarted each time, until the workflow completes.
 * Then the table is compared row by row with the source: every row exactly once, the watermark
 * that of the last batch, nothing left behind.
 *
 * Scenarios: appending to a table with and without a primary key, a rebuild swapped in after the
 * first batch, and an end-of-ingest swap.
 *
 * `TPG_CRASH_KILL_POINTS` (default 24) kills in all; `TPG_CRASH_SEED` replays a run (the seed is
 * printed); `npm run soak` runs 200 kill points with a random seed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest } from '../../src/client/index.js';
import { ingest, type IngestPlanOptions, type TableDefinition } from '../../src/index.js';
import { useTestDatabase } from '../helpers/database.js';
import { useTemporal } from '../helpers/temporal.js';
import { crashUntilDone, seededRandom, type Kill } from './support/crash-harness.js';
import { expectBatchesExactlyOnce, numberedSource, numberedTable, type NumberedArgs } from './support/numbered-source.js';

const db = useTestDatabase();
const temporal = useTemporal({ workflowsPath: new URL('../../workflows/index.ts', import.meta.url) });

const soak = process.env.TPG_SOAK === '1';
const SEED = process.env.TPG_CRASH_SEED ? Number(process.env.TPG_CRASH_SEED) : soak ? Math.floor(Math.random() * 2 ** 31) : 20261121;
const KILL_POINTS = Number(process.env.TPG_CRASH_KILL_POINTS ?? (soak ? 200 : 24));

interface Scenario {
  readonly name: string;
  readonly key: boolean;
  /** `append` to a table that matches; `rebuild` a changed column type (swap after the first batch); `end-of-ingest` one swap at the end. */
  readonly kind: 'append' | 'rebuild' | 'end-of-ingest';
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'appending to a table with a primary key', key: true, kind: 'append' },
  { name: 'appending to a table without a primary key', key: false, kind: 'append' },
  { name: 'a rebuild swapped in after the first batch (primary key)', key: true, kind: 'rebuild' },
  { name: 'an end-of-ingest swap (no primary key)', key: false, kind: 'end-of-ingest' },
];
const killsPerScenario = Math.ceil(KILL_POINTS / SCENARIOS.length);

/** Activities to die at the start or end of: mostly batches; the plan and the end; the swap's pieces where there is a swap. */
function activitiesOf(kind: Scenario['kind']): string[] {
  const common = ['ingestNextBatch', 'ingestNextBatch', 'ingestNextBatch', 'ingestNextBatch', 'ingestPlan', 'ingestFinish'];
  return kind === 'append' ? common : [...common, 'ingestPrepareSwap', 'forceExecuteStatement', 'forceExecuteStatement', 'forceExecuteWatch'];
}
/** Batches already in the table before the workflow (so swaps carry old rows). */
const EARLIER_BATCHES = 2;

let scratch: string;
let bundlePath: string;
const kills: Kill[][] = [];

beforeAll(async () => {
  console.log(`crash matrix: seed ${SEED} (replay: TPG_CRASH_SEED=${SEED}), ${KILL_POINTS} kill points`);
  scratch = await mkdtemp(join(tmpdir(), 'temporal-pg-crash-matrix-'));
  bundlePath = join(scratch, 'workflows.js');
  await writeFile(bundlePath, temporal.workflowBundle.code);
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  const all = kills.flat();
  const byKind = new Map<string, number>();
  for (const kill of all) byKind.set(kill.point.kind, (byKind.get(kill.point.kind) ?? 0) + 1);
  console.log(`crash matrix: seed ${SEED}: ${all.length} kills (${[...byKind].map(([kind, n]) => `${kind} ${n}`).join(', ')})`);
});

describe(`the crash matrix (seed ${SEED})`, () => {
  it.concurrent.each(SCENARIOS.map((scenario, index) => ({ ...scenario, index })))(
    '$name: killed at random moments, restarted each time, every row exactly once',
    async ({ name, key, kind, index }) => {
      const schema = `crash_${index}`;
      await db.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
      const args: NumberedArgs = { batches: EARLIER_BATCHES + 6 + 3 * killsPerScenario, rowsPerBatch: 40, payloadChars: 60, pauseMs: 5, pauseEvery: 10 };
      const table = numberedTable(schema, 'events', key);
      await ingest(db.pool, table, numberedSource({ ...args, batches: EARLIER_BATCHES }));
      const target: TableDefinition = kind === 'rebuild' ? { ...table, columns: table.columns.map((c) => (c.name === 'batch' ? { ...c, type: 'bigint' } : c)) } : table;
      const options: IngestPlanOptions = kind === 'end-of-ingest' ? { visibility: 'end-of-ingest' } : {};

      const taskQueue = temporal.taskQueue(`crash-${index}`);
      const handle = await startIngest(
        temporal.client,
        {
          tables: target,
          source: { name: 'numbered', args: { ...args } },
          ...options,
          forceExecute: { delayMs: 2000, lockTimeoutMs: 200, checkIntervalMs: 200 },
          activities: { heartbeatTimeoutMs: 1000, swap: { heartbeatTimeoutMs: 1000, watcherHeartbeatTimeoutMs: 1000 } },
        },
        { taskQueue, workflowTaskTimeout: '1s' },
      );
      const result = handle.result();
      const made = await crashUntilDone({
        env: { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace, TASK_QUEUE: taskQueue, WORKFLOW_BUNDLE: bundlePath, DATABASE_URL: db.url },
        kills: killsPerScenario,
        random: seededRandom(SEED + index),
        rowsPerBatch: args.rowsPerBatch,
        firstBatch: EARLIER_BATCHES + 1,
        activities: activitiesOf(kind),
        result,
      });
      kills[index] = made;
      const report = await result;
      expect(report.highWatermark, name).toBe(args.batches);
      await expectBatchesExactlyOnce(db.pool, table, args.batches, args);
      const { rows: fresh } = await db.pool.query(`SELECT relname FROM pg_class WHERE relnamespace = '${schema}'::regnamespace AND relname LIKE '\\_tmp\\_%'`);
      expect(fresh).toEqual([]);
      expect(made.length, `kills of ${name}`).toBe(killsPerScenario);
    },
    KILL_POINTS * 15_000,
  );
});
