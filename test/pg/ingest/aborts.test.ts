/**
 * A batch that fails — its source throws, a value is wrong, the signal aborts it — leaves no trace:
 * rows and watermark are as before, and the error names the table, column, batch and row.
 */
import { describe, expect, it } from 'vitest';
import {
  BatchSourceError,
  InvalidColumnTypeError,
  InvalidIdentifierError,
  InvalidIngestOptionError,
  InvalidValueError,
  RowRejectedError,
  UnknownColumnError,
  WrongValueCountError,
  ingest,
  readHighWatermark,
  type TableDefinition,
} from '../../../src/index.js';
import { useTestDatabase } from '../../helpers/database.js';
import { batchesOf, freshSchema, selectAll } from './helpers.js';

const db = useTestDatabase();

async function seeded(schema: string): Promise<TableDefinition> {
  const table: TableDefinition = {
    schema: await freshSchema(db.pool, schema),
    name: 't',
    columns: [{ name: 'id', type: 'int', primaryKey: true }, { name: 'amount', type: 'integer' }, { name: 'note', type: 'text', nullable: false }],
  };
  await ingest(db.pool, table, batchesOf([{ highWatermark: 1, rows: [[1, 10, 'a']] }]));
  return table;
}

async function unchanged(table: TableDefinition): Promise<void> {
  expect(await selectAll(db.pool, table)).toEqual([[1, 10, 'a']]);
  expect(await readHighWatermark(db.pool, table)).toBe(1);
}

describe('a failing batch leaves no trace', () => {
  it('when its rows throw half-way (the second batch of the call)', async () => {
    const table = await seeded('source-throws');
    function* rows() {
      yield [3, 30, 'c'];
      yield [4, 40, 'd'];
      throw new Error('connection to the API lost');
    }
    const error = await ingest(db.pool, table, () => [{ highWatermark: 2, rows: [[2, 20, 'b']] }, { highWatermark: 3, rows: rows() }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchSourceError);
    expect((error as BatchSourceError).details).toEqual({ batch: 2, row: 3 });
    expect((error as BatchSourceError).nonRetryable).toBe(false);
    expect(await selectAll(db.pool, table)).toEqual([[1, 10, 'a'], [2, 20, 'b']]);
    expect(await readHighWatermark(db.pool, table)).toBe(2);
  });

  it('when a value does not fit its column: 5.7 for an integer, naming table, column, batch and row', async () => {
    const table = await seeded('bad-value');
    const error = await ingest(db.pool, table, batchesOf([{ highWatermark: 2, rows: [[2, 20, 'b'], [3, 5.7, 'c']] }])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as InvalidValueError).details).toMatchObject({ schema: 'bad-value', table: 't', column: 'amount', batch: 1, row: 2 });
    expect((error as Error).message).toContain('row 2 of batch 1');
    await unchanged(table);
  });

  it('when a row has the wrong number of values, or an unknown key', async () => {
    const table = await seeded('bad-shape');
    const count = await ingest(db.pool, table, batchesOf([{ highWatermark: 2, rows: [[2, 20, 'b', 'extra']] }])).catch((e: unknown) => e);
    expect(count).toBeInstanceOf(WrongValueCountError);
    expect((count as WrongValueCountError).details).toMatchObject({ table: 't', batch: 1, row: 1 });
    const key = await ingest(db.pool, table, batchesOf([{ highWatermark: 2, rows: [{ id: 2, amount: 20, note: 'b', notes: 'typo' }] }])).catch((e: unknown) => e);
    expect(key).toBeInstanceOf(UnknownColumnError);
    await unchanged(table);
  });

  it('when the server refuses a row (NOT NULL), naming the row and column', async () => {
    const table = await seeded('not-null');
    for (const upsert of ['if-primary-key', 'off'] as const) {
      const error = await ingest(db.pool, table, batchesOf([{ highWatermark: 2, rows: [[2, 20, 'b'], [3, 30, null]] }]), { upsert }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RowRejectedError);
      expect((error as RowRejectedError).details).toMatchObject({ table: '"not-null".t', batch: 1, row: 2, column: 'note', sqlstate: '23502' });
    }
    await unchanged(table);
  });

  it('when the signal aborts it while rows stream, leaving no session behind', async () => {
    const table = await seeded('aborted');
    const controller = new AbortController();
    async function* rows() {
      yield [2, 20, 'b'];
      controller.abort(new Error('shutting down'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      yield [3, 30, 'c'];
    }
    const error = await ingest(db.pool, table, () => [{ highWatermark: 2, rows: rows() }], { signal: controller.signal }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('shutting down');
    await unchanged(table);
  });

  it('when the signal aborts a long statement (the merge), by cancelling it on the server', async () => {
    const table = await seeded('aborted-statement');
    const controller = new AbortController();
    const error = await ingest(db.pool, table, () => [{ highWatermark: 2, rows: [[2, 20, 'b']] }], {
      signal: controller.signal,
      onBeforeVisible: async (client) => {
        setTimeout(() => controller.abort(new Error('stop')), 100);
        await client.query('SELECT pg_sleep(30)');
      },
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('stop');
    await unchanged(table);
  });
});

describe('bad definitions and options fail before anything is written', () => {
  it('names an identifier PostgreSQL would truncate, and a type that is not one', async () => {
    const schema = await freshSchema(db.pool, 'bad-definitions');
    const long = await ingest(db.pool, { schema, name: 'x'.repeat(64), columns: [{ name: 'a', type: 'int' }] }, batchesOf([])).catch((e: unknown) => e);
    expect(long).toBeInstanceOf(InvalidIdentifierError);
    const type = await ingest(db.pool, { schema, name: 't', columns: [{ name: 'a', type: 'int); DROP TABLE x; --' }] }, batchesOf([])).catch((e: unknown) => e);
    expect(type).toBeInstanceOf(InvalidColumnTypeError);
    expect((type as InvalidColumnTypeError).details).toMatchObject({ column: 'a' });
  });

  it('refuses unknown modes instead of guessing', async () => {
    const schema = await freshSchema(db.pool, 'bad-options');
    const table: TableDefinition = { schema, name: 't', columns: [{ name: 'a', type: 'int' }] };
    for (const options of [{ upsert: 'yes' }, { delete: 'all' }, { visibility: 'never' }, { lockTimeoutMs: -1 }, { maxRowsPerTableBuffer: 0 }, { onConcurrentIngest: 'kill' }, { upsrt: 'off' }]) {
      await expect(ingest(db.pool, table, batchesOf([]), options as never)).rejects.toBeInstanceOf(InvalidIngestOptionError);
    }
    const client = await db.client();
    try {
      await client.query('BEGIN');
      await expect(ingest(client, table, batchesOf([]))).rejects.toBeInstanceOf(InvalidIngestOptionError);
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
  });
});
