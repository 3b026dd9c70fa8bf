/**
 * The PostgreSQL source's order and watermark: duplicate values in the watermark column straddling
 * batch boundaries are read exactly once across resumed calls (with and without a tiebreaker), and
 * watermarks of integer, bigint, timestamptz, text and numeric columns go through JSON and compare
 * correctly when handed back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresTableSource, type PostgresTableArgs } from '../../../src/sources/postgres/postgres-table.js';
import { drainAll, drainByBatch, takeOneBatch, type DrainedBatch } from '../../helpers/drain-source.js';
import { useTestDatabase } from '../../helpers/database.js';

const db = useTestDatabase();
let source: ReturnType<typeof createPostgresTableSource>;

beforeAll(async () => {
  source = createPostgresTableSource({ databases: { main: db.pool } });
  // 40 rows over 9 distinct `grp` values, in runs of 1 to 9 rows, inserted out of order.
  await db.pool.query(`
    CREATE TABLE runs (id integer PRIMARY KEY, grp integer NOT NULL, note text);
    INSERT INTO runs (id, grp, note)
    SELECT id, g, 'row ' || id FROM (
      SELECT row_number() OVER (ORDER BY md5(g::text || i::text))::int AS id, g
      FROM generate_series(1, 9) AS g, generate_series(1, 9) AS i WHERE i <= g % 5 + g % 3 + 1
    ) AS s;
  `);
});

afterAll(async () => {
  await db.pool.query('DROP TABLE IF EXISTS runs');
});

function ids(batches: readonly DrainedBatch[]): number[] {
  return batches.flatMap((batch) => batch.rows.map((row) => (row as { id: number }).id));
}

async function expected(): Promise<{ ids: number[]; groupOf: Map<number, number> }> {
  const { rows } = await db.pool.query<{ id: number; grp: number }>('SELECT id, grp FROM runs ORDER BY id');
  return { ids: rows.map((r) => r.id), groupOf: new Map(rows.map((r) => [r.id, r.grp])) };
}

describe('duplicate values in the watermark column across batch boundaries', () => {
  it('with a tiebreaker: batches of exactly batchSize rows, every row once, resumed call by call', async () => {
    const args: PostgresTableArgs = { database: 'main', table: 'runs', watermarkColumn: 'grp', tiebreakerColumns: 'id', batchSize: 4, fetchSize: 3 };
    const batches = await drainByBatch(source, args);
    const { ids: all } = await expected();
    expect(ids(batches).sort((a, b) => a - b)).toEqual(all);
    expect(batches.slice(0, -1).every((batch) => batch.rows.length === 4)).toBe(true);
    expect(batches.length).toBe(Math.ceil(all.length / 4));
    // The watermark is [grp, id] of the batch's last row.
    for (const batch of batches) {
      const last = batch.rows[batch.rows.length - 1] as { id: number; grp: number };
      expect(batch.watermark).toEqual([last.grp, last.id]);
    }
  });

  it('without a tiebreaker: a batch finishes the run of its last value, so no value is split or repeated', async () => {
    const args: PostgresTableArgs = { database: 'main', table: 'runs', watermarkColumn: 'grp', batchSize: 4, fetchSize: 2 };
    const batches = await drainByBatch(source, args);
    const { ids: all, groupOf } = await expected();
    expect(ids(batches).sort((a, b) => a - b)).toEqual(all);
    const groupsPerBatch = batches.map((batch) => new Set(batch.rows.map((row) => groupOf.get((row as { id: number }).id))));
    for (let i = 0; i < groupsPerBatch.length; i++) {
      for (let j = i + 1; j < groupsPerBatch.length; j++) {
        expect([...(groupsPerBatch[i] as Set<number>)].filter((g) => groupsPerBatch[j]?.has(g))).toEqual([]);
      }
      expect(batches[i]?.rows.length).toBeGreaterThanOrEqual(i < batches.length - 1 ? 4 : 1);
      expect(batches[i]?.watermark).toBe(Math.max(...(groupsPerBatch[i] as Set<number>)));
    }
  });

  it('one call reading every batch sees the same rows as call-by-call resumption', async () => {
    const args: PostgresTableArgs = { database: 'main', table: 'runs', watermarkColumn: 'grp', tiebreakerColumns: ['id'], batchSize: 7 };
    const once = await drainAll(source, args);
    const resumed = await drainByBatch(source, args);
    expect(ids(once)).toEqual(ids(resumed));
    expect(once.map((batch) => batch.watermark)).toEqual(resumed.map((batch) => batch.watermark));
  });

  it('resumes from the middle and from a scalar watermark (stored before a tiebreaker was configured)', async () => {
    const args: PostgresTableArgs = { database: 'main', table: 'runs', watermarkColumn: 'grp', tiebreakerColumns: 'id', batchSize: 5 };
    const first = await takeOneBatch(source, null, args);
    const rest = await drainByBatch(source, args, first?.watermark ?? null);
    const { ids: all, groupOf } = await expected();
    expect([...ids(first ? [first] : []), ...ids(rest)].sort((a, b) => a - b)).toEqual(all);

    const afterGroup4 = await drainByBatch(source, args, 4);
    expect(ids(afterGroup4).sort((a, b) => a - b)).toEqual(all.filter((id) => (groupOf.get(id) as number) > 4));
  });

  it('rows inserted between calls after the watermark are picked up; rows before it are not re-read', async () => {
    const args: PostgresTableArgs = { database: 'main', table: 'runs', watermarkColumn: 'grp', tiebreakerColumns: 'id', batchSize: 1000 };
    const everything = await drainByBatch(source, args);
    const mark = everything[everything.length - 1]?.watermark ?? null;
    await db.pool.query(`INSERT INTO runs VALUES (1001, 9, 'late, same group, higher id'), (1002, 10, 'new group'), (1003, 1, 'behind')`);
    try {
      const more = await drainByBatch(source, args, mark);
      expect(ids(more)).toEqual([1001, 1002]);
    } finally {
      await db.pool.query('DELETE FROM runs WHERE id > 1000');
    }
  });
});

describe('watermark types', () => {
  const cases: { type: string; values: string[]; tie?: boolean }[] = [
    { type: 'integer', values: ['-5', '0', '7', '7', '2147483647'] },
    { type: 'bigint', values: ['9007199254740993', '9007199254740993', '9007199254740992', '-9223372036854775808', '9223372036854775807'] },
    {
      type: 'timestamptz',
      values: ['2024-01-01 00:00:00.000001+00', '2024-01-01 00:00:00.000002+00', '2024-01-01 00:00:00.000002+00', '2023-12-31 23:59:59.999999-05', 'infinity'],
    },
    { type: 'text', values: ['b', 'a', 'ab', 'a b', 'é', 'a'] },
    // numeric 1.0 = 1.00: equal values with different text must still be one run.
    { type: 'numeric', values: ['1.0', '1.00', '1', '0.5', '12345678901234567890.123456789', '1.000'] },
    { type: 'date', values: ['2024-02-29', '0044-03-15 BC', '2024-02-29', '1999-12-31'] },
  ];

  for (const { type, values } of cases) {
    it(`${type}: every row once across batches of one, watermark JSON-safe and exact`, async () => {
      const table = `wm_${type}`;
      await db.pool.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, v ${type} NOT NULL)`);
      await db.pool.query(`INSERT INTO ${table} (v) SELECT unnest($1::${type}[])`, [values]);
      const single = await drainByBatch(source, { database: 'main', table, watermarkColumn: 'v', batchSize: 1 });
      const compound = await drainByBatch(source, { database: 'main', table, watermarkColumn: 'v', tiebreakerColumns: 'id', batchSize: 1 });
      const all = values.map((_, i) => i + 1);
      expect(ids(single).sort((a, b) => a - b)).toEqual(all);
      expect(ids(compound).sort((a, b) => a - b)).toEqual(all);
      expect(compound.length).toBe(values.length);
      // Batches follow the column's order as PostgreSQL sorts it.
      const { rows: ordered } = await db.pool.query<{ id: number }>(`SELECT id FROM ${table} ORDER BY v, id`);
      expect(ids(compound)).toEqual(ordered.map((r) => r.id));
      // Without a tiebreaker, equal values share one batch: one batch per distinct value.
      const { rows: distinct } = await db.pool.query<{ n: string }>(`SELECT count(DISTINCT v) AS n FROM ${table}`);
      expect(single.length).toBe(Number(distinct[0]?.n));
      for (const batch of [...single, ...compound]) {
        const scalar = Array.isArray(batch.watermark) ? batch.watermark[0] : batch.watermark;
        expect(['string', 'number']).toContain(typeof scalar);
        if (type === 'integer') expect(typeof scalar).toBe('number');
        if (type === 'bigint' || type === 'timestamptz' || type === 'numeric') expect(typeof scalar).toBe('string');
      }
    });
  }

  it('a bigint watermark beyond 2^53 keeps its exact digits', async () => {
    const batches = await drainByBatch(source, { database: 'main', table: 'wm_bigint', watermarkColumn: 'v', batchSize: 1 });
    expect(batches.map((batch) => batch.watermark)).toEqual([
      '-9223372036854775808',
      '9007199254740992',
      '9007199254740993',
      '9223372036854775807',
    ]);
  });

  it('timestamptz watermarks keep microseconds and are printed in UTC', async () => {
    const batches = await drainByBatch(source, { database: 'main', table: 'wm_timestamptz', watermarkColumn: 'v', batchSize: 1 });
    expect(batches.map((batch) => batch.watermark)).toEqual([
      '2024-01-01 00:00:00.000001+00',
      '2024-01-01 00:00:00.000002+00',
      '2024-01-01 04:59:59.999999+00',
      'infinity',
    ]);
  });
});

describe('edges', () => {
  it('an empty table yields no batch at all', async () => {
    await db.pool.query('CREATE TABLE empty_source (id integer PRIMARY KEY)');
    expect(await drainAll(source, { database: 'main', table: 'empty_source', watermarkColumn: 'id' })).toEqual([]);
    expect(await takeOneBatch(source, 5, { database: 'main', table: 'empty_source', watermarkColumn: 'id' })).toBeUndefined();
  });

  it('nothing after the watermark: no batch', async () => {
    expect(await takeOneBatch(source, [9, 1_000_000], { database: 'main', table: 'runs', watermarkColumn: 'grp', tiebreakerColumns: 'id' })).toBeUndefined();
  });
});
