/**
 * In-place steps never make readers queue for long: each attempt waits at most `lockTimeoutMs` for
 * its lock, then steps aside and retries. Also: giving up, aborting, and cleaning up after a failed or
 * aborted concurrent index build.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { TableDefinition } from '../../../src/ingest/definition/table-definition.js';
import { applyInPlaceMigration, type MigrationStepEvent } from '../../../src/ingest/schema/apply-in-place-migration.js';
import { DuplicateValuesError, MigrationLockTimeoutError } from '../../../src/ingest/schema/errors.js';
import { planTable } from '../../../src/ingest/schema/plan-table.js';
import { readLiveTable } from '../../../src/ingest/schema/read-live-table.js';
import { useTestDatabase } from '../../helpers/database.js';

const db = useTestDatabase();

async function createTable(name: string, rows = 1000): Promise<TableDefinition> {
  const definition: TableDefinition = { schema: 'public', name, columns: [{ name: 'id', type: 'int' }, { name: 'v', type: 'int' }] };
  const { plan } = await planTable(db.pool, definition);
  await applyInPlaceMigration(db.pool, plan.steps);
  await db.pool.query(`INSERT INTO ${name} SELECT g, g % 10 FROM generate_series(1, ${rows}) g`);
  return definition;
}

/** A session inside an open transaction that has read (ACCESS SHARE) or written (ROW EXCLUSIVE) the table. */
async function holder(table: string, mode: 'read' | 'write'): Promise<pg.Client> {
  const client = await db.client({ applicationName: 'holder' });
  await client.query('BEGIN');
  await client.query(mode === 'read' ? `SELECT count(*) FROM ${table}` : `INSERT INTO ${table} VALUES (-1, -1)`);
  return client;
}

async function until(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(25);
  }
}

async function waitingForLock(table: string): Promise<boolean> {
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_locks WHERE relation = $1::regclass AND NOT granted`, [table]);
  return rows[0].n > 0;
}

describe('lock timeouts and retries', () => {
  it('retries while a transaction holds the table; a reader issued meanwhile is not stalled; then the step succeeds', async () => {
    const definition = await createTable('busy');
    const lockTimeoutMs = 400;
    const blocker = await holder('busy', 'read');
    const { plan } = await planTable(db.pool, { ...definition, columns: [...definition.columns, { name: 'added', type: 'text' }] });
    const events: MigrationStepEvent[] = [];
    const migration = applyInPlaceMigration(db.pool, plan.steps, {
      lockTimeoutMs,
      maxAttempts: 1000,
      retryDelayMs: 20,
      maxRetryDelayMs: 100,
      onStep: (event) => events.push(event),
    });
    await until(async () => events.some((event) => event.type === 'retry'));
    await until(() => waitingForLock('busy')); // the ALTER is queued again, in front of any new reader

    const reader = await db.client({ applicationName: 'reader' });
    const started = performance.now();
    const { rows } = await reader.query('SELECT count(*)::int AS n FROM busy');
    const readerMs = performance.now() - started;
    await reader.end();
    expect(rows[0].n).toBe(1000);
    // Without lock_timeout the reader would wait until the holder commits, which happens only below.
    expect(readerMs).toBeLessThan(lockTimeoutMs + 1500);

    await blocker.query('COMMIT');
    await blocker.end();
    const applied = await migration;
    expect(applied.steps[0]?.attempts).toBeGreaterThan(1);
    const retries = events.filter((event): event is Extract<MigrationStepEvent, { type: 'retry' }> => event.type === 'retry');
    expect(retries.every((event) => event.sqlstate === '55P03')).toBe(true);
    expect(retries.length).toBe((applied.steps[0]?.attempts ?? 0) - 1);
    expect((await readLiveTable(db.pool, definition))?.columns.map((c) => c.name)).toEqual(['id', 'v', 'added']);
  });

  it('gives up with a retryable MigrationLockTimeoutError after maxAttempts, leaving the table unchanged', async () => {
    const definition = await createTable('stuck');
    const blocker = await holder('stuck', 'read');
    try {
      const { plan } = await planTable(db.pool, { ...definition, columns: [definition.columns[0]!] });
      const error = await applyInPlaceMigration(db.pool, plan.steps, { lockTimeoutMs: 100, maxAttempts: 3, retryDelayMs: 10 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationLockTimeoutError);
      expect((error as MigrationLockTimeoutError).nonRetryable).toBe(false);
      expect((error as MigrationLockTimeoutError).details).toMatchObject({ table: 'public.stuck', attempts: 3, lockTimeoutMs: 100, sqlstate: '55P03' });
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    expect((await readLiveTable(db.pool, definition))?.columns).toHaveLength(2);
  });

  it('stops on abort, while waiting for a lock, with the signal’s reason', async () => {
    const definition = await createTable('aborted');
    const blocker = await holder('aborted', 'read');
    try {
      const { plan } = await planTable(db.pool, { ...definition, columns: [...definition.columns, { name: 'x', type: 'int' }] });
      const controller = new AbortController();
      const migration = applyInPlaceMigration(db.pool, plan.steps, { lockTimeoutMs: 60_000, signal: controller.signal });
      await until(() => waitingForLock('aborted'));
      const started = performance.now();
      controller.abort(new Error('operator said stop'));
      await expect(migration).rejects.toThrow('operator said stop');
      expect(performance.now() - started).toBeLessThan(5000);
      expect(await waitingForLock('aborted')).toBe(false);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
  });

  it('an aborted concurrent index build leaves an INVALID index, which the next plan drops before building it again', async () => {
    const definition = await createTable('indexed');
    const withIndex = { ...definition, indexes: [{ columns: ['v'] }] };
    const writer = await holder('indexed', 'write'); // CREATE INDEX CONCURRENTLY waits for it after creating the index entry
    const { plan } = await planTable(db.pool, withIndex);
    const controller = new AbortController();
    const migration = applyInPlaceMigration(db.pool, plan.steps, { signal: controller.signal });
    await until(async () => ((await readLiveTable(db.pool, definition))?.indexes.length ?? 0) > 0);
    controller.abort(new Error('cancelled'));
    await expect(migration).rejects.toThrow('cancelled');
    await writer.query('COMMIT');
    await writer.end();

    expect((await readLiveTable(db.pool, definition))?.indexes).toMatchObject([{ name: 'indexed_v_idx', valid: false }]);
    const next = await planTable(db.pool, withIndex);
    expect(next.plan.steps.map((step) => [step.action, step.index])).toEqual([
      ['drop-invalid-index', 'indexed_v_idx'],
      ['create-index', 'indexed_v_idx'],
    ]);
    await applyInPlaceMigration(db.pool, next.plan.steps);
    expect((await readLiveTable(db.pool, definition))?.indexes).toMatchObject([{ name: 'indexed_v_idx', valid: true }]);
    expect((await planTable(db.pool, withIndex)).plan.kind).toBe('none');
  });

  it('reports repeated values as DuplicateValuesError and drops the half-built unique index', async () => {
    const definition = await createTable('repeats');
    for (const target of [
      { ...definition, columns: [definition.columns[0]!, { name: 'v', type: 'int', unique: true }] },
      { ...definition, indexes: [{ columns: ['v'], unique: true }] },
    ]) {
      const { plan } = await planTable(db.pool, target);
      const error = await applyInPlaceMigration(db.pool, plan.steps).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuplicateValuesError);
      expect((error as DuplicateValuesError).message).toContain('cannot make (v) unique');
      expect((error as DuplicateValuesError).details).toMatchObject({ table: 'public.repeats', columns: ['v'], sqlstate: '23505' });
      expect((await readLiveTable(db.pool, definition))?.indexes).toEqual([]);
    }
  });
});
