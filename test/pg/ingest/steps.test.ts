/**
 * The steps a Temporal workflow calls one activity at a time: plain JSON plan and state, exactly
 * once across retried steps (also for tables without a primary key), and one writer per table —
 * two ingests are serialised or fail, never interleaved.
 */
import { describe, expect, it } from 'vitest';
import {
  ConcurrentIngestError,
  finishIngest,
  ingest,
  ingestBatch,
  initialIngestState,
  planIngest,
  readHighWatermark,
  swapPending,
  type IngestBatch,
  type IngestPlan,
  type IngestState,
  type TableDefinition,
} from '../../../src/index.js';
import { quoteQualified } from '../../../src/sql/identifier.js';
import { ingestLockKey, sortedLockKeys } from '../../../src/ingest/engine/names.js';
import { useTestDatabase } from '../../helpers/database.js';
import { batchesOf, freshSchema, relationsOf, selectAll } from './helpers.js';

const db = useTestDatabase();

/** Through JSON, as between two activities. */
const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const noKey = (schema: string): TableDefinition => ({ schema, name: 't', columns: [{ name: 'id', type: 'int' }, { name: 'v', type: 'text' }] });

/** A batch whose rows must never be read. */
const unread = (highWatermark: number): IngestBatch => ({
  highWatermark,
  rows: {
    [Symbol.iterator]() {
      throw new Error('the rows of a committed batch were read again');
    },
  },
});

describe('the steps', () => {
  it('run one by one with plan and state passed as JSON', async () => {
    const table = noKey(await freshSchema(db.pool, 'steps'));
    const plan = wire(await planIngest(db.pool, table, { ingestId: 'steps-1' }));
    expect(plan).toMatchObject({ ingestId: 'steps-1', highWatermark: null, planned: [{ table: 'steps.t', migration: 'create', leftover: false }] });
    let state = wire(initialIngestState(plan));
    for (const [n, rows] of [[1, [[1, 'a']]], [2, [[2, 'b']]]] as const) {
      const outcome = await ingestBatch(db.pool, plan, state, { highWatermark: n, rows });
      expect(outcome).toMatchObject({ status: 'committed', batch: n, rows: 1, highWatermark: n });
      state = wire(outcome.state);
    }
    const { report } = await finishIngest(db.pool, plan, state);
    expect(report).toMatchObject({ ingestId: 'steps-1', batches: 2, rows: 2, highWatermark: 2, swapped: false, tables: [{ migration: 'create', rows: 2 }] });
    expect(JSON.stringify(state).length).toBeLessThan(2000);
  });

  it('report a batch committed by an earlier attempt as done, without reading it again (no primary key)', async () => {
    const table = noKey(await freshSchema(db.pool, 'exactly-once'));
    const plan = await planIngest(db.pool, table);
    const before = initialIngestState(plan);
    const first = await ingestBatch(db.pool, plan, before, { highWatermark: 1, rows: [[1, 'a'], [2, 'b']] });
    // The worker died before reporting: the step runs again with the state it was given.
    const again = await ingestBatch(db.pool, plan, before, unread(1));
    expect(again).toMatchObject({ status: 'already-committed', batch: 1, rows: 0, highWatermark: 1 });
    expect(again.state).toMatchObject({ batches: 1, rows: 2, highWatermark: 1, pending: [], swapDue: false });
    const second = await ingestBatch(db.pool, plan, again.state, { highWatermark: 2, rows: [[3, 'c']] });
    expect(second.status).toBe('committed');
    expect(await ingestBatch(db.pool, plan, first.state, unread(2))).toMatchObject({ status: 'already-committed', state: { batches: 2, rows: 3 } });
    expect(await selectAll(db.pool, table)).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
  });

  it('repeat a batch into a fresh table and its swap harmlessly', async () => {
    const table = noKey(await freshSchema(db.pool, 'fresh-once'));
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[0, 'old']] }]));
    const plan = await planIngest(db.pool, table, { delete: 'before-first-batch' });
    const before = initialIngestState(plan);
    const committed = await ingestBatch(db.pool, plan, before, { highWatermark: 2, rows: [[1, 'new']] });
    expect(committed.state).toMatchObject({ pending: [0], swapDue: true });
    expect(await selectAll(db.pool, table)).toEqual([[0, 'old']]);
    const again = await ingestBatch(db.pool, plan, before, unread(2));
    expect(again).toMatchObject({ status: 'already-committed', state: { pending: [0], swapDue: true, batches: 1 } });
    const swapped = await swapPending(db.pool, plan, again.state);
    expect(swapped.swapped).toEqual(['"fresh-once".t']);
    expect(swapped.state).toMatchObject({ pending: [], swapDue: false, tables: [{ swapped: true }] });
    // The swap step retried after it committed: nothing left to do, nothing broken.
    const repeat = await swapPending(db.pool, plan, again.state);
    expect(repeat.state.pending).toEqual([]);
    expect(await selectAll(db.pool, table)).toEqual([[1, 'new']]);
    expect(await readHighWatermark(db.pool, table)).toBe(2);
    expect((await relationsOf(db.pool, table.schema)).filter((name) => name.startsWith('_tmp_'))).toEqual([]);
  });

  it('finish from a state that missed a committed batch: the ledger says where the ingest is', async () => {
    const table = noKey(await freshSchema(db.pool, 'finish-reconciles'));
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[0, 'old']] }]));
    const plan = await planIngest(db.pool, table, { visibility: 'end-of-ingest' });
    const before = initialIngestState(plan);
    await ingestBatch(db.pool, plan, before, { highWatermark: 2, rows: [[1, 'new']] });
    // The answer of that step was lost, and the source has nothing more: finish with the old state.
    const { state, report } = await finishIngest(db.pool, plan, before);
    expect(state).toMatchObject({ batches: 1, rows: 1, highWatermark: 2, pending: [] });
    expect(report).toMatchObject({ batches: 1, swapped: true, highWatermark: 2 });
    expect(await selectAll(db.pool, table)).toEqual([[0, 'old'], [1, 'new']]);
    expect((await relationsOf(db.pool, table.schema)).filter((name) => name.startsWith('_tmp_'))).toEqual([]);
  });
});

describe('one writer per table', () => {
  async function twoPlans(schema: string): Promise<{ table: TableDefinition; a: IngestPlan; b: IngestPlan; state: (plan: IngestPlan) => IngestState }> {
    const table = noKey(await freshSchema(db.pool, schema));
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[0, 'seed']] }]));
    const a = await planIngest(db.pool, table, { ingestId: 'a' });
    const b = await planIngest(db.pool, table, { ingestId: 'b' });
    return { table, a, b, state: initialIngestState };
  }

  it('refuses a batch of an ingest that planned before another one committed', async () => {
    const { table, a, b, state } = await twoPlans('interleave');
    await ingestBatch(db.pool, a, state(a), { highWatermark: 2, rows: [[1, 'a']] });
    const error = await ingestBatch(db.pool, b, state(b), { highWatermark: 2, rows: [[1, 'b']] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrentIngestError);
    expect((error as Error).message).toContain('ingest "a" (batch 1)');
    expect(await selectAll(db.pool, table)).toEqual([[0, 'seed'], [1, 'a']]);
    expect(await readHighWatermark(db.pool, table)).toBe(2);
  });

  it('notices a writer without a ledger (pg-bulk-ingest) between plan and batch', async () => {
    const { table, a, state } = await twoPlans('peer-writer');
    await db.pool.query(`COMMENT ON TABLE ${quoteQualified(table)} IS '{"pg-bulk-ingest": {"high-watermark": 7}}'`);
    await expect(ingestBatch(db.pool, a, state(a), { highWatermark: 2, rows: [[1, 'a']] })).rejects.toBeInstanceOf(ConcurrentIngestError);
    expect(await selectAll(db.pool, table)).toEqual([[0, 'seed']]);
  });

  it('drops the fresh table a crashed ingest left; that ingest cannot swap it in any more', async () => {
    const { table } = await twoPlans('leftover');
    const deleting = await planIngest(db.pool, table, { ingestId: 'crashed', delete: 'before-first-batch' });
    const crashed = await ingestBatch(db.pool, deleting, initialIngestState(deleting), { highWatermark: 5, rows: [[9, 'lost']] });
    const later = await planIngest(db.pool, table, { ingestId: 'later' });
    expect(later.planned[0]?.leftover).toBe(true);
    await ingestBatch(db.pool, later, initialIngestState(later), { highWatermark: 2, rows: [[1, 'later']] });
    expect((await relationsOf(db.pool, table.schema)).filter((name) => name.startsWith('_tmp_'))).toEqual([]);
    await expect(swapPending(db.pool, deleting, crashed.state)).rejects.toBeInstanceOf(ConcurrentIngestError);
    expect(await selectAll(db.pool, table)).toEqual([[0, 'seed'], [1, 'later']]);
  });

  it('fails fast on a table held by another ingest without keeping the locks it got on the others', async () => {
    const schema = await freshSchema(db.pool, 'fail-fast');
    const tables = ['a', 'b'].map((name): TableDefinition => ({ schema, name, columns: [{ name: 'id', type: 'int' }] }));
    const holder = await db.client();
    try {
      // Hold the key that sorts last, so the ingest gets the first one before it fails.
      const last = sortedLockKeys(tables).at(-1)!;
      expect(tables.map((table) => String(ingestLockKey(table).value))).toContain(String(last.value));
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [String(last.value)]);
      const error = await ingest(db.pool, tables, batchesOf([]), { onConcurrentIngest: 'fail' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConcurrentIngestError);
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
      expect(rows[0].n).toBe(1);
    } finally {
      await holder.end();
    }
  });

  it('serialises two ingest calls on one table: the second waits, then starts from the first one’s watermark', async () => {
    const table = noKey(await freshSchema(db.pool, 'serialised'));
    let release!: () => void;
    const paused = new Promise<void>((resolve) => (release = resolve));
    let firstStarted!: () => void;
    const started = new Promise<void>((resolve) => (firstStarted = resolve));
    const first = ingest(db.pool, table, async function* () {
      yield { highWatermark: 1, rows: [[1, 'first']] };
      firstStarted();
      await paused;
      yield { highWatermark: 2, rows: [[2, 'first']] };
    });
    await started;
    const seen: unknown[] = [];
    const second = ingest(db.pool, table, (hwm) => {
      seen.push(hwm);
      return [{ highWatermark: 3, rows: [[3, 'second']] }];
    });
    const failing = await ingest(db.pool, table, batchesOf([{ highWatermark: 9, rows: [[9, 'never']] }]), { onConcurrentIngest: 'fail' }).catch((e: unknown) => e);
    expect(failing).toBeInstanceOf(ConcurrentIngestError);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen).toEqual([]);
    release();
    await first;
    await second;
    expect(seen).toEqual([2]);
    expect(await selectAll(db.pool, table)).toEqual([[1, 'first'], [2, 'first'], [3, 'second']]);
  });
});
