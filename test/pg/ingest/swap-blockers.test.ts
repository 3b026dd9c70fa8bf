/**
 * The swap goes through force-execute: a session that keeps the table locked is terminated once
 * `forceExecute.delayMs` has passed, and is named in the report; before that, readers are never
 * queued behind the swap for long.
 */
import { describe, expect, it } from 'vitest';
import { ingest, readHighWatermark, type TableDefinition } from '../../../src/index.js';
import { quoteQualified } from '../../../src/sql/identifier.js';
import { useTestDatabase } from '../../helpers/database.js';
import { batchesOf, freshSchema, selectAll } from './helpers.js';

const db = useTestDatabase();

describe('the swap under force-execute', () => {
  it('terminates a session that holds the table, after the delay, and reports it', async () => {
    const table: TableDefinition = { schema: await freshSchema(db.pool, 'blocked_swap'), name: 't', columns: [{ name: 'id', type: 'int', primaryKey: true }] };
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[1]] }]));
    const blocker = await db.client({ applicationName: 'long report' });
    await blocker.query('BEGIN');
    await blocker.query(`SELECT count(*) FROM ${quoteQualified(table)}`);
    const started = performance.now();
    const report = await ingest(db.pool, table, batchesOf([{ highWatermark: 2, rows: [[2]] }]), {
      delete: 'before-first-batch',
      forceExecute: { delayMs: 500, checkIntervalMs: 100, lockTimeoutMs: 100 },
    });
    const seconds = (performance.now() - started) / 1000;
    await blocker.end();
    expect(report.swapped).toBe(true);
    expect(report.blockers).toEqual([expect.objectContaining({ applicationName: 'long report', action: 'terminate', signalled: true })]);
    expect(seconds).toBeGreaterThanOrEqual(0.5);
    expect(seconds).toBeLessThan(30);
    expect(await selectAll(db.pool, table)).toEqual([[2]]);
    expect(await readHighWatermark(db.pool, table)).toBe(2);
  });

  it('spares sessions outside the filters and keeps trying until they let go', async () => {
    const table: TableDefinition = { schema: await freshSchema(db.pool, 'spared_swap'), name: 't', columns: [{ name: 'id', type: 'int', primaryKey: true }] };
    await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[1]] }]));
    const blocker = await db.client({ applicationName: 'replicator' });
    await blocker.query('BEGIN');
    await blocker.query(`SELECT count(*) FROM ${quoteQualified(table)}`);
    setTimeout(() => void blocker.query('COMMIT'), 1500);
    const report = await ingest(db.pool, table, batchesOf([{ highWatermark: 2, rows: [[2]] }]), {
      delete: 'before-first-batch',
      forceExecute: { delayMs: 200, checkIntervalMs: 100, lockTimeoutMs: 100, excludeApplicationNames: ['replicator'] },
    });
    await blocker.end();
    expect(report.blockers).toEqual([]);
    expect(await selectAll(db.pool, table)).toEqual([[2]]);
  });
});
