/**
 * The bad-input catalogue through `ingestWorkflow` (a subset: the library-level catalogue is
 * bad-input-catalogue.test.ts): a bad row in the second batch of a workflow's ingest fails the
 * workflow with the typed, non-retryable `ApplicationFailure` — the batch activity tried once —
 * whose message and details name the table, the column, the batch and the row; the first batch
 * stays committed, and nothing of the second is written (the whole database, watermark included,
 * is compared with what it held after the first batch).
 */
import { ActivityFailure, RetryState, type ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { executeIngest, type IngestProgressSnapshot } from '../../src/client/index.js';
import { ingest, type TableDefinition } from '../../src/index.js';
import type { BatchSource, SourceRow } from '../../src/sources/types.js';
import { useTestDatabase } from '../helpers/database.js';
import { useTemporal } from '../helpers/temporal.js';
import { packageWorkflows, recordingLogger, workflowFailure } from '../e2e/helpers.js';
import { snapshotDatabase } from './support/snapshot.js';

const db = useTestDatabase();
const temporal = useTemporal({ workflowsPath: packageWorkflows });

const SCHEMA = 'wf_catalogue';
const events: TableDefinition = {
  schema: SCHEMA,
  name: 'events',
  columns: [
    { name: 'id', type: 'integer', primaryKey: true },
    { name: 'n', type: 'integer' },
    { name: 'label', type: 'text' },
    { name: 'required', type: 'text', nullable: false },
  ],
};
const good = (id: number) => ({ id, n: id * 10, label: `label ${id}`, required: 'yes' });

interface Case {
  /** Row 3 of batch 2. */
  readonly row: unknown;
  readonly type: string;
  /** Texts the message must contain besides the table, the row and the batch. */
  readonly names: readonly string[];
  /** A subset of the failure's first detail (the error's own details). */
  readonly details: Readonly<Record<string, unknown>>;
}

const where = { batch: 2, row: 3 };
const CASES: Record<string, Case> = {
  'text into an integer column': { row: { ...good(5), n: 'twelve' }, type: 'InvalidValue', names: ['column "n"'], details: { ...where, schema: SCHEMA, table: 'events', column: 'n' } },
  '5.7 into an integer column (never truncated to 5)': { row: { ...good(5), n: 5.7 }, type: 'InvalidValue', names: ['column "n"', '5.7 is not an integer'], details: { ...where, column: 'n' } },
  'a row with too many values': { row: [5, 50, 'five', 'yes', 'extra'], type: 'WrongValueCount', names: ['has 5 values', 'has 4 columns'], details: { ...where, values: 5, columns: 4 } },
  'a NUL character in text': { row: { ...good(5), label: 'a\0b' }, type: 'UnsupportedCharacter', names: ['column "label"', 'NUL'], details: { ...where, column: 'label' } },
  'NULL in a NOT NULL column (found by the server)': { row: { ...good(5), required: null }, type: 'RowRejected', names: ['required'], details: { ...where, column: 'required', sqlstate: '23502' } },
};

/** `catalogue`: batch 1 is rows 1 and 2; batch 2 is rows 3, 4 and the case's bad row. */
const catalogue: BatchSource = function* (highWatermark, args) {
  const after = typeof highWatermark === 'number' ? highWatermark : 0;
  if (after < 1) yield { highWatermark: 1, rows: [good(1), good(2)] };
  yield { highWatermark: 2, rows: [good(3), good(4), CASES[(args as { case: string }).case]?.row as SourceRow] };
};

describe('bad rows through ingestWorkflow: a typed, non-retryable failure naming table, column, batch and row; nothing written', () => {
  it.each(Object.keys(CASES))('%s', async (name) => {
    const entry = CASES[name]!;
    await db.pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}`);
    // What the database must hold afterwards: batch 1, committed by an ingest like the workflow's.
    await ingest(db.pool, events, () => [{ highWatermark: 1, rows: [good(1), good(2)] }]);
    const afterFirstBatch = await snapshotDatabase(db.pool);
    await db.pool.query(`DROP SCHEMA ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}`);

    const activities = createActivities({ databases: db.pool, sources: { catalogue }, logger: recordingLogger() });
    const failure: ApplicationFailure = await temporal.withWorker({ activities }, ({ client, taskQueue }) =>
      workflowFailure(executeIngest(client, { tables: events, source: { name: 'catalogue', args: { case: name } } }, { taskQueue, workflowId: temporal.workflowId('bad-row') })),
    );

    expect(failure.type).toBe(entry.type);
    expect(failure.nonRetryable).toBe(true);
    for (const text of [`${SCHEMA}.events`, 'row 3 of batch 2', ...entry.names]) expect(failure.message).toContain(text);
    expect(failure.details?.[0]).toMatchObject(entry.details);
    expect(failure.cause).toBeInstanceOf(ActivityFailure);
    expect((failure.cause as ActivityFailure).retryState).toBe(RetryState.NON_RETRYABLE_FAILURE);
    const progress = (failure.details?.at(-1) as { ingest: IngestProgressSnapshot }).ingest;
    expect(progress).toMatchObject({ phase: 'failed', batches: 1, rows: 2, highWatermark: 1 });
    const after = await snapshotDatabase(db.pool);
    // The ingest's id (in the table's comment, beside the watermark and the batch) differs from the library ingest's; nothing else may.
    const withoutIngestId = (snapshot: typeof after) => JSON.parse(JSON.stringify(snapshot).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<ingest id>')) as unknown;
    expect(withoutIngestId(after)).toEqual(withoutIngestId(afterFirstBatch));
  });
});
