/**
 * The logger gets a line per milestone, not one per batch, and `onProgress` running totals; a
 * progress callback that throws aborts the batch.
 */
import { describe, expect, it } from 'vitest';
import { ingest, readHighWatermark, type IngestLogger, type IngestProgress, type TableDefinition } from '../../../src/index.js';
import { useTestDatabase } from '../../helpers/database.js';
import { freshSchema, selectAll } from './helpers.js';

const db = useTestDatabase();

function recordingLogger(): IngestLogger & { lines: { level: string; message: string; meta?: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; meta?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) => void lines.push({ level, message, ...(meta ? { meta } : {}) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('progress', () => {
  it('logs batches and rows on a 1, 10, 100 … cadence and reports running totals', async () => {
    const table: TableDefinition = { schema: await freshSchema(db.pool, 'progress'), name: 't', columns: [{ name: 'id', type: 'int' }] };
    const logger = recordingLogger();
    const progress: IngestProgress[] = [];
    await ingest(
      db.pool,
      table,
      function* () {
        for (let batch = 1; batch <= 25; batch++) yield { highWatermark: batch, rows: Array.from({ length: 40 }, (_, i) => [batch * 100 + i]) };
      },
      { logger, onProgress: (p) => progress.push(p), progressIntervalMs: 0 },
    );
    const committed = logger.lines.filter((line) => line.message.endsWith('committed'));
    expect(committed.filter((line) => line.level === 'info').map((line) => line.meta?.batch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20]);
    expect(committed.filter((line) => line.level === 'debug')).toHaveLength(14);
    expect(logger.lines.filter((line) => line.message.startsWith('ingested')).map((line) => line.message)).toEqual([
      'ingested 120 rows so far',
      'ingested 200 rows so far',
      'ingested 320 rows so far',
      'ingested 400 rows so far',
      'ingested 520 rows so far',
      'ingested 600 rows so far',
      'ingested 720 rows so far',
      'ingested 800 rows so far',
      'ingested 920 rows so far',
      'ingested 1000 rows so far',
    ]);
    const done = progress.filter((p) => p.phase === 'committed');
    expect(done).toHaveLength(25);
    expect(done.at(-1)).toMatchObject({ batch: 25, rows: 1000, highWatermark: 25 });
    expect(progress.filter((p) => p.phase === 'loading').every((p) => p.rows % 40 === 0 && p.highWatermark === p.batch - 1 || (p.batch === 1 && p.highWatermark === null))).toBe(true);
  });

  it('aborts the batch when onProgress throws', async () => {
    const table: TableDefinition = { schema: await freshSchema(db.pool, 'progress-throws'), name: 't', columns: [{ name: 'id', type: 'int' }] };
    const error = await ingest(db.pool, table, () => [{ highWatermark: 1, rows: [[1], [2]] }], {
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.phase === 'loading') throw new Error('heartbeat failed');
      },
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('heartbeat failed');
    expect(await readHighWatermark(db.pool, table)).toBeNull();
    await expect(selectAll(db.pool, table)).rejects.toThrow(/does not exist/);
  });
});
