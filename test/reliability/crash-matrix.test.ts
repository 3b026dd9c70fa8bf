/**
 * The crash matrix: ingests of small batches, run by a worker in a child process that is killed
 * with SIGKILL at seeded random moments — from outside at a random time, inside the source at a
 * random row (mid-COPY), at the start or right after the end of a random activity (its work
 * committed, its result never reported) — and restarted each time, until the workflow completes.
 * Then the table is compared row by row with the source: every row exactly once, the watermark
 * that of the last batch, no fresh table left behind.
 *
 * Scenarios: appending to a table with and without a primary key, a rebuild swapped in after the
 * first batch, and an end-of-ingest swap. Each runs workflow after workflow (rounds of a few
 * batches, up to three kills each) until its share of the kills is made, so kills fall on every
 * step — plan, batches, swap, finish — not only on the long middle of one big ingest.
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
import { CrashLoop, seededRandom, type ActivityMoment, type Kill } from './support/crash-harness.js';
import { expectBatchesExactlyOnce, numberedSource, numberedTable, type NumberedArgs } from './support/numbered-source.js';
import { packageWorkflows } from '../e2e/helpers.js';

const db = useTestDatabase();
const temporal = useTemporal({ workflowsPath: packageWorkflows });

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
/** Batches stored before the first workflow (so swaps carry old rows). */
const EARLIER_BATCHES = 2;
const BATCHES_PER_ROUND = 4;
const MAX_KILLS_PER_ROUND = 3;
const ROW_ARGS = { rowsPerBatch: 40, payloadChars: 60, pauseMs: 5, pauseEvery: 10 } as const;

/** Activity attempts to die at the start or end of: batches (twice as likely); the plan and the finish; the swap's pieces where there is a swap. */
function activitiesOf(kind: Scenario['kind']): ActivityMoment[] {
  const at = (name: string, occurrence = 1): ActivityMoment => ({ name, occurrence });
  const common = [at('ingestNextBatch', 1), at('ingestNextBatch', 2), at('ingestNextBatch', 2), at('ingestNextBatch', 3), at('ingestPlan'), at('ingestFinish')];
  return kind === 'append' ? common : [...common, at('ingestPrepareSwap'), at('forceExecuteStatement'), at('forceExecuteWatch')];
}

/** The definition of round `round`: a rebuild flips the `batch` column between bigint and integer, so every round rebuilds. */
function targetOf(table: TableDefinition, kind: Scenario['kind'], round: number): TableDefinition {
  if (kind !== 'rebuild') return table;
  const type = round % 2 === 1 ? 'bigint' : 'integer';
  return { ...table, columns: table.columns.map((c) => (c.name === 'batch' ? { ...c, type } : c)) };
}

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
});

function killsByKind(): Record<Kill['kind'], number> {
  const counts = { row: 0, activity: 0, time: 0, fallback: 0 };
  for (const kill of kills.flat()) counts[kill.kind] += 1;
  return counts;
}

describe(`the crash matrix (seed ${SEED})`, () => {
  it.concurrent.each(SCENARIOS.map((scenario, index) => ({ ...scenario, index })))(
    '$name: killed at random moments, restarted each time, every row exactly once',
    async ({ name, key, kind, index }) => {
      const schema = `crash_${index}`;
      const tag = schema;
      await db.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
      const table = numberedTable(schema, 'events', key);
      await ingest(db.pool, table, numberedSource({ ...ROW_ARGS, batches: EARLIER_BATCHES }));
      const options: IngestPlanOptions = kind === 'end-of-ingest' ? { visibility: 'end-of-ingest' } : {};
      const taskQueue = temporal.taskQueue(`crash-${index}`);
      const random = seededRandom(SEED + index);
      const loop = new CrashLoop({ TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace, TASK_QUEUE: taskQueue, WORKFLOW_BUNDLE: bundlePath, DATABASE_URL: db.url });
      const made: Kill[] = (kills[index] = []);
      try {
        for (let round = 1; made.length < killsPerScenario; round++) {
          // A round can end without a kill (its point came too late), but not that often.
          expect(round, `rounds of ${name}`).toBeLessThanOrEqual(2 * killsPerScenario + 5);
          const lastBatch = EARLIER_BATCHES + round * BATCHES_PER_ROUND;
          const args: NumberedArgs = { ...ROW_ARGS, batches: lastBatch, tag };
          const handle = await startIngest(
            temporal.client,
            {
              tables: targetOf(table, kind, round),
              source: { name: 'numbered', args: { ...args } },
              ...options,
              forceExecute: { delayMs: 2000, lockTimeoutMs: 200, checkIntervalMs: 200 },
              activities: { heartbeatTimeoutMs: 1000, swap: { heartbeatTimeoutMs: 1000, watcherHeartbeatTimeoutMs: 1000 } },
            },
            { taskQueue, workflowTaskTimeout: '1s' },
          );
          const result = handle.result();
          const wanted = Math.min(killsPerScenario - made.length, 1 + Math.floor(random() * MAX_KILLS_PER_ROUND));
          made.push(...(await loop.untilDone({ kills: wanted, random, tag, rowsPerBatch: ROW_ARGS.rowsPerBatch, firstBatch: lastBatch - BATCHES_PER_ROUND + 1, lastBatch, activities: activitiesOf(kind), result })));
          const report = await result;
          expect(report.highWatermark, `${name}, round ${round}`).toBe(lastBatch);
          expect(report.swapped, `${name}, round ${round}`).toBe(kind !== 'append');
          await expectBatchesExactlyOnce(db.pool, table, lastBatch, args);
          const { rows: fresh } = await db.pool.query(`SELECT relname FROM pg_class WHERE relnamespace = '${schema}'::regnamespace AND relname LIKE '\\_tmp\\_%'`);
          expect(fresh).toEqual([]);
        }
      } finally {
        await loop.close();
      }
      expect(made.length, `kills of ${name}`).toBe(killsPerScenario);
    },
    KILL_POINTS * 20_000,
  );

  it(`made ${KILL_POINTS} kills or more, of every kind`, () => {
    const counts = killsByKind();
    console.log(`crash matrix: seed ${SEED}: ${kills.flat().length} kills (${Object.entries(counts).map(([kind, n]) => `${kind} ${n}`).join(', ')})`);
    expect(kills.flat().length).toBeGreaterThanOrEqual(KILL_POINTS);
    expect(counts.row, 'kills mid-COPY, at a row of the source').toBeGreaterThan(0);
    expect(counts.activity, 'kills at the start or end of an activity').toBeGreaterThan(0);
    expect(counts.time, 'kills at a random moment').toBeGreaterThan(0);
  });
});
