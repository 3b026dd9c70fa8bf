/**
 * What the swap cannot carry fails with a typed error before anything changes: the old table,
 * its views and the replacement stay as they were, and the caller's transaction stays usable.
 */
import { describe, expect, it } from 'vitest';
import {
  DependentViewBrokenError,
  SwapBlockedError,
  SwapOutsideTransactionError,
  SwapTableMissingError,
  executeSwap,
  planSwap,
} from '../../../src/ingest/swap/index.js';
import { useTestDatabase } from '../../helpers/database.js';
import { freshSchema, rebuildAndSwap, relationOid, rowsOf, viewDefinitions } from './swap-helpers.js';

const db = useTestDatabase();

/** What "nothing changed" means: same table OID, same rows, same view definitions. */
async function state(schema: string): Promise<unknown> {
  return {
    oid: await relationOid(db.pool, { schema, name: 't' }),
    rows: await rowsOf(db.pool, { schema, name: 't' }),
    views: await viewDefinitions(db.pool, schema),
  };
}

/** Swaps in one transaction and keeps it open to check it is still usable after a failure. */
async function swapExpectingFailure(schema: string, columns: string): Promise<unknown> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`CREATE TABLE ${schema}.t_new (${columns})`);
    const error = await executeSwap(client, { target: { schema, name: 't' }, replacement: { schema, name: 't_new' } }).catch((e: unknown) => e);
    // The caller's transaction is intact: its own work is still there and it can go on.
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${schema}.t_new`);
    expect(rows).toEqual([{ n: 0 }]);
    await client.query('ROLLBACK');
    return error;
  } finally {
    client.release();
  }
}

describe('a swap that cannot happen', () => {
  it('refuses a foreign key referencing the table, naming it, and changes nothing', async () => {
    await freshSchema(db.pool, 'fk');
    await db.pool.query(`CREATE TABLE fk.t (id int PRIMARY KEY, v text); INSERT INTO fk.t VALUES (1, 'a');
      CREATE VIEW fk.v AS SELECT id FROM fk.t;
      CREATE TABLE fk.orders (id int, t_id int CONSTRAINT orders_t_fk REFERENCES fk.t (id))`);
    const before = await state('fk');
    const error = await swapExpectingFailure('fk', 'id int PRIMARY KEY, v text');
    expect(error).toBeInstanceOf(SwapBlockedError);
    const blocked = error as SwapBlockedError;
    expect(blocked.type).toBe('SwapBlocked');
    expect(blocked.nonRetryable).toBe(true);
    expect(blocked.obstacles).toEqual([expect.objectContaining({ kind: 'foreign-key', object: 'constraint orders_t_fk on table fk.orders' })]);
    expect(blocked.message).toContain('orders_t_fk');
    expect(blocked.details).toMatchObject({ target: 'fk.t', obstacles: [expect.objectContaining({ kind: 'foreign-key' })] });
    expect(await state('fk')).toEqual(before);
  });

  it('refuses a view using a column the replacement drops, naming view and column, and changes nothing', async () => {
    await freshSchema(db.pool, 'dropped');
    await db.pool.query(`CREATE TABLE dropped.t (id int PRIMARY KEY, v text, old_col text); INSERT INTO dropped.t VALUES (1, 'a', 'x');
      CREATE VIEW dropped.uses_old AS SELECT id, old_col FROM dropped.t;
      CREATE VIEW dropped.fine AS SELECT id FROM dropped.t`);
    const before = await state('dropped');
    const error = await swapExpectingFailure('dropped', 'id int PRIMARY KEY, v text');
    expect(error).toBeInstanceOf(DependentViewBrokenError);
    expect((error as DependentViewBrokenError).views).toEqual([
      { view: 'dropped.uses_old', column: 'old_col', reason: 'the replacement has no such column' },
    ]);
    expect((error as Error).message).toContain('dropped.uses_old');
    expect((error as Error).message).toContain('old_col');
    expect(await state('dropped')).toEqual(before);

    // planSwap reports the same thing up front, before the replacement is filled.
    await db.pool.query(`CREATE TABLE dropped.t_new (id int PRIMARY KEY, v text)`);
    const planned = await planSwap(db.pool, {
      target: { schema: 'dropped', name: 't' },
      replacement: { schema: 'dropped', name: 't_new' },
    }).catch((e: unknown) => e);
    expect(planned).toBeInstanceOf(DependentViewBrokenError);
  });

  it('turns a view definition PostgreSQL rejects on the new column type into a typed error naming the view', async () => {
    await freshSchema(db.pool, 'retyped');
    await db.pool.query(`CREATE TABLE retyped.t (id int PRIMARY KEY, amount int); INSERT INTO retyped.t VALUES (1, 10);
      CREATE VIEW retyped.plus_one AS SELECT id, amount + 1 AS next FROM retyped.t`);
    const before = await state('retyped');
    const error = await swapExpectingFailure('retyped', 'id int PRIMARY KEY, amount text');
    expect(error).toBeInstanceOf(DependentViewBrokenError);
    expect((error as DependentViewBrokenError).views).toEqual([
      expect.objectContaining({ view: 'retyped.plus_one', sqlstate: '42883', reason: expect.stringContaining('operator does not exist') }),
    ]);
    expect(await state('retyped')).toEqual(before);
  });

  it('lists every obstacle at once: functions, rules and columns of other objects, triggers on dropped columns, CHECK constraints', async () => {
    await freshSchema(db.pool, 'many');
    await db.pool.query(`
      CREATE TABLE many.t (id int PRIMARY KEY, v text, gone text, CONSTRAINT v_short CHECK (length(v) < 10));
      INSERT INTO many.t VALUES (1, 'a', 'b');
      CREATE VIEW many.v AS SELECT id, v FROM many.t;
      CREATE FUNCTION many.count_rows() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM many.v; END;
      CREATE TABLE many.snapshots (row_value many.t);
      CREATE TABLE many.other (id int);
      CREATE RULE copy_to_t AS ON INSERT TO many.other DO ALSO INSERT INTO many.t (id) VALUES (NEW.id);
      CREATE FUNCTION many.noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
      CREATE TRIGGER on_gone BEFORE UPDATE OF gone ON many.t FOR EACH ROW EXECUTE FUNCTION many.noop()`);
    const before = await state('many');
    const error = await swapExpectingFailure('many', 'id int PRIMARY KEY, v text');
    expect(error).toBeInstanceOf(SwapBlockedError);
    const obstacles = (error as SwapBlockedError).obstacles;
    expect(obstacles).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'dependent-object', object: 'function many.count_rows()' }),
        expect.objectContaining({ kind: 'dependent-object', object: 'column row_value of table many.snapshots' }),
        expect.objectContaining({ kind: 'dependent-object', object: 'rule copy_to_t on table many.other' }),
        expect.objectContaining({ kind: 'column', object: 'trigger on_gone on table many.t', reason: expect.stringContaining('"gone"') }),
        expect.objectContaining({ kind: 'constraint', object: 'constraint v_short on table many.t' }),
      ]),
    );
    expect(obstacles).toHaveLength(5);
    expect(await state('many')).toEqual(before);
  });

  it('refuses a replacement in another schema, a partitioned target, and missing tables', async () => {
    await freshSchema(db.pool, 'kinds');
    await freshSchema(db.pool, 'elsewhere');
    await db.pool.query(`CREATE TABLE kinds.t (id int); CREATE TABLE elsewhere.t_new (id int);
      CREATE TABLE kinds.parted (id int) PARTITION BY RANGE (id); CREATE TABLE kinds.parted_new (id int)`);
    const client = await db.client({ applicationName: 'swap-kinds' });
    try {
      await client.query('BEGIN');
      const swap = (target: string, replacementSchema: string, replacement: string) =>
        executeSwap(client, { target: { schema: 'kinds', name: target }, replacement: { schema: replacementSchema, name: replacement } }).catch((e: unknown) => e);
      const schema = await swap('t', 'elsewhere', 't_new');
      expect((schema as SwapBlockedError).obstacles).toEqual([expect.objectContaining({ kind: 'schema', object: 'table elsewhere.t_new' })]);
      const parted = await swap('parted', 'kinds', 'parted_new');
      expect((parted as SwapBlockedError).obstacles).toEqual([
        expect.objectContaining({ kind: 'table-kind', object: 'table kinds.parted', reason: 'is a partitioned table, not a plain table' }),
      ]);
      const missing = await swap('nope', 'kinds', 't');
      expect(missing).toBeInstanceOf(SwapTableMissingError);
      expect((missing as Error).message).toBe("the swap's target table kinds.nope does not exist");
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
  });

  it('refuses to run outside a transaction; planSwap alone is fine there', async () => {
    await freshSchema(db.pool, 'notx');
    await db.pool.query(`CREATE TABLE notx.t (id int); CREATE TABLE notx.t_new (id int); CREATE VIEW notx.v AS SELECT id FROM notx.t`);
    const client = await db.client({ applicationName: 'swap-notx' });
    try {
      const request = { target: { schema: 'notx', name: 't' }, replacement: { schema: 'notx', name: 't_new' } };
      const plan = await planSwap(client, request);
      expect(plan.views.map((v) => v.name)).toEqual(['v']);
      const error = await executeSwap(client, plan).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SwapOutsideTransactionError);
      // Nothing is left open, and the search_path is the caller's.
      const { rows } = await client.query(`SELECT current_setting('search_path') AS path`);
      expect(rows[0].path).toBe('"$user", public');
      expect(await relationOid(db.pool, { schema: 'notx', name: 't_new' })).not.toBeNull();
    } finally {
      await client.end();
    }
  });

  it('captures again when a view appears between capture and drop, keeping the new view too', async () => {
    await freshSchema(db.pool, 'racing');
    await db.pool.query(`CREATE TABLE racing.t (id int PRIMARY KEY); INSERT INTO racing.t VALUES (1); CREATE VIEW racing.first AS SELECT id FROM racing.t`);
    let created = false;
    const result = await rebuildAndSwap(
      db.pool,
      { schema: 'racing', name: 't' },
      { columns: 'id int PRIMARY KEY', fill: 'VALUES (1), (2)' },
      {
        onStatement: async (statement) => {
          if (created || statement.step !== 'drop') return;
          created = true;
          await db.pool.query(`CREATE VIEW racing.late AS SELECT id * 10 AS id FROM racing.t`);
        },
      },
    );
    expect(result.attempts).toBe(2);
    expect(result.changedSincePlan).toBe(false); // no plan was passed in, so nothing to compare with
    expect(await rowsOf(db.pool, { schema: 'racing', name: 'late' })).toEqual([[10], [20]]);
  });

  it('uses the caller’s search_path only for nothing: odd search paths change neither capture nor statements', async () => {
    await freshSchema(db.pool, 'paths');
    await db.pool.query(`CREATE TABLE paths.t (id int PRIMARY KEY); INSERT INTO paths.t VALUES (1); CREATE VIEW paths.v AS SELECT id FROM paths.t`);
    const client = await db.client({ applicationName: 'swap-paths' });
    try {
      await client.query(`SET search_path = paths, public`);
      await client.query('BEGIN');
      await client.query(`CREATE TABLE t_new (id int PRIMARY KEY); INSERT INTO t_new VALUES (1), (2)`);
      const result = await executeSwap(client, { target: { schema: 'paths', name: 't' }, replacement: { schema: 'paths', name: 't_new' } });
      expect(result.plan.views[0]?.definition).toContain('FROM paths.t');
      const { rows } = await client.query(`SELECT current_setting('search_path') AS path`);
      expect(rows[0].path).toBe('paths, public');
      await client.query('COMMIT');
      expect(await rowsOf(db.pool, { schema: 'paths', name: 'v' })).toEqual([[1], [2]]);
    } finally {
      await client.end();
    }
  });
});

describe('limits of view cycles', () => {
  it('names the view when a column type changes inside a cycle (its placeholders keep the old type)', async () => {
    await freshSchema(db.pool, 'cycletype');
    await db.pool.query(`CREATE TABLE cycletype.t (id int PRIMARY KEY); INSERT INTO cycletype.t VALUES (1);
      CREATE VIEW cycletype.v1 AS SELECT id FROM cycletype.t;
      CREATE VIEW cycletype.v2 AS SELECT id FROM cycletype.v1;
      CREATE OR REPLACE VIEW cycletype.v1 AS SELECT t.id FROM cycletype.t WHERE EXISTS (SELECT 1 FROM cycletype.v2)`);
    const before = await state('cycletype');
    const error = await swapExpectingFailure('cycletype', 'id bigint PRIMARY KEY');
    expect(error).toBeInstanceOf(DependentViewBrokenError);
    expect((error as DependentViewBrokenError).views).toEqual([
      expect.objectContaining({ view: 'cycletype.v1', sqlstate: '42P16', reason: expect.stringContaining('cannot change data type') }),
    ]);
    expect(await state('cycletype')).toEqual(before);
  });
});
