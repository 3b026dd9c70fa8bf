/**
 * The PostgreSQL source's failure modes, each a typed error naming what was wrong, and its
 * connection discipline: a consumer that stops early, or an abort, gives the connection back with
 * no transaction left open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidSourceArgsError,
  InvalidSourceWatermarkError,
  NullOrderingValueError,
  SourceTableNotFoundError,
  UnknownSourceColumnError,
  UnknownSourceDatabaseError,
} from '../../../src/sources/errors.js';
import { createPostgresTableSource, type PostgresTableArgs } from '../../../src/sources/postgres/postgres-table.js';
import type { SourceRow, SourceBatch } from '../../../src/sources/types.js';
import { caught } from '../../helpers/caught.js';
import { drainAll, drainByBatch, takeOneBatch } from '../../helpers/drain-source.js';
import { useTestDatabase } from '../../helpers/database.js';

const db = useTestDatabase();
let source: ReturnType<typeof createPostgresTableSource>;

beforeAll(async () => {
  source = createPostgresTableSource({ databases: { warehouse: db.pool } });
  await db.pool.query(`
    CREATE TABLE items (id integer PRIMARY KEY, seen timestamptz, label text);
    INSERT INTO items SELECT i, timestamptz '2024-01-01' + i * interval '1 minute', 'item ' || i FROM generate_series(1, 50) AS i;
  `);
});

afterAll(async () => {
  await db.pool.query('DROP TABLE IF EXISTS items');
});

const args = (more: Partial<PostgresTableArgs> = {}): PostgresTableArgs => ({ database: 'warehouse', table: 'items', watermarkColumn: 'id', ...more });

describe('typed errors', () => {
  it('a source database the worker did not register', async () => {
    const error = await caught(() => source(null, args({ database: 'nope' })));
    expect(error).toBeInstanceOf(UnknownSourceDatabaseError);
    expect(error.message).toContain('"nope"');
    expect(error.message).toContain('registered: warehouse');
    expect((error as UnknownSourceDatabaseError).nonRetryable).toBe(true);
    // The default name is `default`, which this worker does not have either.
    expect(await caught(() => source(null, { table: 'items', watermarkColumn: 'id' }))).toBeInstanceOf(UnknownSourceDatabaseError);
    // A single pool is `default`.
    const single = createPostgresTableSource({ databases: db.pool });
    expect((await takeOneBatch(single, null, { table: 'items', watermarkColumn: 'id', batchSize: 2 }))?.rows).toHaveLength(2);
  });

  it('args: unknown field, wrong type, out of range, repeated key column — the field is named', async () => {
    const cases: [unknown, string][] = [
      [{ ...args(), batchsize: 10 }, 'batchsize'],
      [{ ...args(), batchSize: 0 }, 'batchSize'],
      [{ ...args(), watermarkColumn: 5 }, 'watermarkColumn'],
      [{ database: 'warehouse', table: 'items' }, 'watermarkColumn'],
      [{ ...args(), tiebreakerColumns: ['id'] }, 'tiebreakerColumns'],
      [{ ...args(), columns: [] }, 'columns'],
      [{ ...args(), nulls: 'ignore' }, 'nulls'],
      ['items', ''],
    ];
    for (const [bad, field] of cases) {
      const error = await caught(() => source(null, bad as PostgresTableArgs));
      expect(error, JSON.stringify(bad)).toBeInstanceOf(InvalidSourceArgsError);
      if (field !== '') expect((error as InvalidSourceArgsError).details.field).toBe(field);
    }
  });

  it('a missing table, and a missing column, named with the arg that named it', async () => {
    const missing = await caught(() => drainAll(source, args({ table: 'no_such' })));
    expect(missing).toBeInstanceOf(SourceTableNotFoundError);
    expect(missing.message).toContain('public.no_such');
    const column = await caught(() => drainAll(source, args({ tiebreakerColumns: 'nope' })));
    expect(column).toBeInstanceOf(UnknownSourceColumnError);
    expect((column as UnknownSourceColumnError).details).toMatchObject({ column: 'nope', field: 'tiebreakerColumns' });
    const listed = await caught(() => drainAll(source, args({ columns: ['id', 'Label'] })));
    expect((listed as UnknownSourceColumnError).details).toMatchObject({ column: 'Label', field: 'columns' });
  });

  it('NULLs in the watermark column: an error by default, left out with nulls: skip', async () => {
    await db.pool.query(`UPDATE items SET seen = NULL WHERE id IN (3, 40)`);
    try {
      const error = await caught(() => drainAll(source, args({ watermarkColumn: 'seen', tiebreakerColumns: 'id' })));
      expect(error).toBeInstanceOf(NullOrderingValueError);
      expect((error as NullOrderingValueError).details).toMatchObject({ columns: ['seen'], table: 'items' });
      const batches = await drainByBatch(source, args({ watermarkColumn: 'seen', tiebreakerColumns: 'id', nulls: 'skip', batchSize: 20 }));
      const ids = batches.flatMap((batch) => batch.rows.map((row) => (row as { id: number }).id));
      expect(ids).toHaveLength(48);
      expect(ids).not.toContain(3);
      expect(ids).not.toContain(40);
    } finally {
      await db.pool.query(`UPDATE items SET seen = timestamptz '2024-01-01' + id * interval '1 minute'`);
    }
  });

  it('watermarks of the wrong shape or type', async () => {
    const shapes = [{ a: 1 }, [1, 2], [1], [{ nested: [] }]];
    for (const mark of shapes) {
      expect(await caught(() => source(mark, args())), JSON.stringify(mark)).toBeInstanceOf(InvalidSourceWatermarkError);
    }
    // [value, id] needs a tiebreaker of one column: three values do not fit.
    expect(await caught(() => source([1, 2, 3], args({ tiebreakerColumns: 'label' })))).toBeInstanceOf(InvalidSourceWatermarkError);
    // A file name where a timestamp is expected: the column's type rejects it.
    const typed = await caught(() => drainAll(source, args({ watermarkColumn: 'seen' }), 'orders-2024.csv'));
    expect(typed).toBeInstanceOf(InvalidSourceWatermarkError);
    expect(typed.message).toContain('seen');
  });
});

describe('connections', () => {
  async function sessionsInTransaction(): Promise<number> {
    const { rows } = await db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
    );
    return Number(rows[0]?.n);
  }

  it('a consumer that stops mid-batch, or never reads the rows, leaves no transaction open', async () => {
    const pool = db.newPool({ max: 1 });
    try {
      const mine = createPostgresTableSource({ databases: { warehouse: pool } });
      // Reads 3 rows of the first batch, then stops.
      for await (const batch of mine(null, args({ batchSize: 20, fetchSize: 5 })) as AsyncIterable<SourceBatch>) {
        let n = 0;
        for await (const _row of batch.rows as AsyncIterable<SourceRow>) if (++n === 3) break;
        break;
      }
      expect(await sessionsInTransaction()).toBe(0);
      // Skips the rows of two batches entirely: the next batch still comes, on the one connection.
      const watermarks: unknown[] = [];
      for await (const batch of mine(null, args({ batchSize: 20 })) as AsyncIterable<SourceBatch>) watermarks.push(batch.highWatermark);
      expect(watermarks).toEqual([20, 40, 50]);
      expect(await sessionsInTransaction()).toBe(0);
      expect(pool.idleCount).toBe(pool.totalCount);
    } finally {
      await pool.end();
    }
  });

  it('an abort stops reading with the signal reason and releases the connection', async () => {
    const controller = new AbortController();
    const reason = new Error('stop now');
    const rows: SourceRow[] = [];
    const error = await caught(async () => {
      for await (const batch of source(null, args({ batchSize: 30, fetchSize: 5 }), { signal: controller.signal }) as AsyncIterable<SourceBatch>) {
        for await (const row of batch.rows as AsyncIterable<SourceRow>) {
          rows.push(row);
          if (rows.length === 7) controller.abort(reason);
        }
      }
    });
    expect(error).toBe(reason);
    expect(rows.length).toBeLessThanOrEqual(10);
    expect(await sessionsInTransaction()).toBe(0);
  });
});
