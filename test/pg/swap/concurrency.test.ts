/**
 * Readers during a swap (pg-bulk-ingest's test 42, harder): sessions query a UNION of plain
 * views, a view on a view and a materialized view, in two different orders, while the table is
 * swapped several times. Every result must be entirely old or entirely new — no missing or empty
 * view, no mix — and no reader may see an error (no deadlock lost to the swap either).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isPostgresError } from '../../../src/errors/postgres-error.js';
import { executeSwap } from '../../../src/ingest/swap/index.js';
import { useTestDatabase } from '../../helpers/database.js';
import { freshSchema } from './swap-helpers.js';

const db = useTestDatabase();

const READERS = 6;
const SWAPS = 4;
const ROWS = 50;

/** Rows in generation g: the table grows by 10 rows per generation. */
const rowsIn = (g: number) => ROWS + 10 * (g - 1);

/** What each part of the UNION must show in generation g. */
function expected(g: number): Record<string, number> {
  const ids = Array.from({ length: rowsIn(g) }, (_, i) => i + 1);
  const even = ids.filter((id) => id % 2 === 0).length;
  return { even, odd: ids.length - even, even_big: ids.filter((id) => id % 2 === 0 && id > 10).length, counted: 1 };
}

/** The same parts, locked in opposite orders by different readers. */
const QUERIES = [
  `SELECT 'even' AS part, gen FROM conc.even UNION ALL SELECT 'odd', gen FROM conc.odd
   UNION ALL SELECT 'even_big', gen FROM conc.even_big UNION ALL SELECT 'counted', gen FROM conc.counted`,
  `SELECT 'counted' AS part, gen FROM conc.counted UNION ALL SELECT 'even_big', gen FROM conc.even_big
   UNION ALL SELECT 'odd', gen FROM conc.odd UNION ALL SELECT 'even', gen FROM conc.even`,
  `SELECT 'even_big' AS part, gen FROM conc.even_big UNION ALL SELECT 'counted', gen FROM conc.counted
   UNION ALL SELECT 'even', gen FROM conc.even UNION ALL SELECT 'odd', gen FROM conc.odd`,
];

/** The generation a result shows, or a description of why it is not one whole generation. */
function classify(rows: { part: string; gen: number }[]): number | string {
  const gens = new Set(rows.map((r) => r.gen));
  if (gens.size !== 1) return `mixed generations ${[...gens].join(',')}`;
  const gen = [...gens][0]!;
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.part] = (counts[row.part] ?? 0) + 1;
  const want = expected(gen);
  return JSON.stringify(counts, Object.keys(want).sort()) === JSON.stringify(want, Object.keys(want).sort())
    ? gen
    : `generation ${gen} with counts ${JSON.stringify(counts)}`;
}

async function reader(client: pg.Client, query: string, stop: () => boolean, seen: Map<number | string, number>, errors: string[]) {
  while (!stop()) {
    try {
      const { rows } = await client.query<{ part: string; gen: number }>(query);
      const verdict = classify(rows);
      seen.set(verdict, (seen.get(verdict) ?? 0) + 1);
      // Readers think a little between queries (a tight loop of sessions that always hold some
      // view in clashing orders would starve any multi-relation lock; force-execute's last
      // resort, terminating blockers, is for that).
      await sleep(Math.random() * 4);
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    }
  }
}

/** One swap the way force-execute runs it: short lock waits, retried in the same transaction. */
async function swapTo(client: pg.Client, gen: number): Promise<number> {
  await client.query('BEGIN');
  await client.query(`CREATE TABLE conc.t_new (id int PRIMARY KEY, gen int NOT NULL)`);
  await client.query(`INSERT INTO conc.t_new SELECT g, $1 FROM generate_series(1, $2) g`, [gen, rowsIn(gen)]);
  await client.query(`SET LOCAL lock_timeout = '150ms'`);
  for (let attempt = 1; ; attempt++) {
    try {
      await executeSwap(client, { target: { schema: 'conc', name: 't' }, replacement: { schema: 'conc', name: 't_new' } });
      await client.query('COMMIT');
      return attempt;
    } catch (error) {
      const retryable = isPostgresError(error) && (error.code === '55P03' || error.code === '40P01');
      if (!retryable || attempt > 300) {
        await client.query('ROLLBACK');
        throw error;
      }
      await sleep(20 + Math.random() * 80);
    }
  }
}

describe('readers during a swap', () => {
  it('see all-old or all-new results, never an error, a missing or empty view', async () => {
    await freshSchema(db.pool, 'conc');
    await db.pool.query(`
      CREATE TABLE conc.t (id int PRIMARY KEY, gen int NOT NULL);
      INSERT INTO conc.t SELECT g, 1 FROM generate_series(1, ${ROWS}) g;
      CREATE VIEW conc.even AS SELECT id, gen FROM conc.t WHERE id % 2 = 0;
      CREATE VIEW conc.odd AS SELECT id, gen FROM conc.t WHERE id % 2 = 1;
      CREATE VIEW conc.even_big AS SELECT id, gen FROM conc.even WHERE id > 10;
      CREATE MATERIALIZED VIEW conc.counted AS SELECT gen, count(*) AS n FROM conc.t GROUP BY gen`);

    const clients = await Promise.all(Array.from({ length: READERS }, (_, i) => db.client({ applicationName: `swap-reader-${i}` })));
    const swapper = await db.client({ applicationName: 'swap-writer' });
    const seen = new Map<number | string, number>();
    const errors: string[] = [];
    let done = false;
    try {
      const readers = clients.map((c, i) => reader(c, QUERIES[i % QUERIES.length]!, () => done, seen, errors));
      const attempts: number[] = [];
      try {
        await sleep(200);
        for (let gen = 2; gen <= SWAPS + 1; gen++) {
          attempts.push(await swapTo(swapper, gen));
          await sleep(150);
        }
      } finally {
        done = true;
        await Promise.all(readers);
      }
      expect(errors).toEqual([]);
      const verdicts = [...seen.keys()];
      expect(verdicts.filter((v) => typeof v === 'string')).toEqual([]);
      // Readers saw the first and the last generation (and queried plenty in between).
      expect(verdicts).toContain(1);
      expect(verdicts).toContain(SWAPS + 1);
      expect([...seen.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(50);
      expect(attempts).toHaveLength(SWAPS);
      console.info(`swaps needed ${attempts.join(', ')} attempts; readers ran ${[...seen.values()].reduce((a, b) => a + b, 0)} queries`);
    } finally {
      await Promise.all([...clients, swapper].map((c) => c.end()));
    }
  });
});
