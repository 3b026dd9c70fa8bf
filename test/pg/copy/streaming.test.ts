/**
 * copyRows as a stream: failures from the source, the signal and the server leave the table as it
 * was and the connection usable; backpressure keeps the source from running ahead; a large stream
 * completes in bounded memory.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  TableNotFoundError,
  copyRows,
  prepareCopy,
  readCopyColumns,
  retargetCopyPlan,
  type CopyPlan,
  type CopyProgress,
} from '../../../src/ingest/copy/index.js';
import { quoteQualified } from '../../../src/sql/identifier.js';
import { useTestDatabase } from '../../helpers/database.js';

const db = useTestDatabase();
let client: pg.Client;
let plan: CopyPlan;
const target = { schema: 'public', name: 'events' };

beforeAll(async () => {
  client = await db.client();
  await client.query(`CREATE TABLE events (id int8 PRIMARY KEY, payload text NOT NULL, at timestamptz)`);
  plan = await prepareCopy(client, target, await readCopyColumns(client, target));
});

beforeEach(async () => {
  await client.query(`TRUNCATE events`);
  await client.query(`INSERT INTO events VALUES (0, 'already there', now())`);
});

afterAll(async () => {
  await client.end();
});

function* numbered(count: number, from = 1): Generator<unknown[]> {
  for (let id = from; id < from + count; id++) yield [id, `payload ${id}`, new Date(id * 1000)];
}

async function expectOnlyTheOldRow(): Promise<void> {
  const { rows } = await client.query(`SELECT id::int4 AS id FROM events ORDER BY id`);
  expect(rows).toEqual([{ id: 0 }]);
}

describe('copyRows', () => {
  it('loads rows and reports the server’s count and the bytes sent', async () => {
    const progress: CopyProgress[] = [];
    const result = await copyRows(client, plan, numbered(5000), { onProgress: (p) => progress.push(p) });
    expect(result.rows).toBe(5000);
    expect(result.bytes).toBeGreaterThan(5000 * 20);
    expect(progress.at(-1)).toEqual({ rows: 5000, bytes: result.bytes });
    const { rows } = await client.query(`SELECT count(*)::int4 AS n, max(payload) AS last FROM events WHERE id > 0`);
    expect(rows).toEqual([{ n: 5000, last: 'payload 999' }]);
  });

  it('accepts an empty source, sync or async', async () => {
    expect(await copyRows(client, plan, [])).toEqual({ rows: 0, bytes: 21 });
    expect(await copyRows(client, plan, (async function* () {})())).toEqual({ rows: 0, bytes: 21 });
    await expectOnlyTheOldRow();
  });

  it('takes async sources', async () => {
    async function* slow() {
      for (let id = 1; id <= 300; id++) {
        if (id % 100 === 0) await sleep(5);
        yield { id, payload: `p${id}` };
      }
    }
    expect((await copyRows(client, plan, slow())).rows).toBe(300);
  });

  it('leaves the table unchanged when a sync source throws mid-stream', async () => {
    const boom = new Error('source broke');
    function* broken() {
      yield* numbered(20_000);
      throw boom;
    }
    await expect(copyRows(client, plan, broken(), { chunkBytes: 4096 })).rejects.toBe(boom);
    await expectOnlyTheOldRow();
  });

  it('leaves the table unchanged when an async source throws mid-stream, and closes it', async () => {
    const boom = new Error('async source broke');
    async function* broken() {
      yield* numbered(20_000);
      throw boom;
    }
    await expect(copyRows(client, plan, broken(), { chunkBytes: 4096 })).rejects.toBe(boom);
    await expectOnlyTheOldRow();
  });

  it('stops on abort mid-stream with the signal’s reason, and lets the source clean up', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled by the workflow');
    let closed = false;
    async function* endless() {
      try {
        for (let id = 1; ; id++) yield [id, `payload ${id}`, null];
      } finally {
        closed = true;
      }
    }
    const copy = copyRows(client, plan, endless(), {
      signal: controller.signal,
      progressIntervalMs: 0,
      onProgress: ({ rows }) => {
        if (rows > 10_000) controller.abort(reason);
      },
    });
    await expect(copy).rejects.toBe(reason);
    await expectOnlyTheOldRow();
    expect(closed).toBe(true);
  });

  it('stops on abort mid-stream with a synchronous source too', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled');
    const copy = copyRows(client, plan, numbered(100_000), {
      signal: controller.signal,
      progressIntervalMs: 0,
      onProgress: ({ rows }) => {
        if (rows > 10_000) controller.abort(reason);
      },
    });
    await expect(copy).rejects.toBe(reason);
    await expectOnlyTheOldRow();
  });

  it('stops promptly on abort while the source is stuck', async () => {
    const controller = new AbortController();
    async function* stuck() {
      yield* numbered(100);
      await new Promise(() => undefined);
    }
    const started = performance.now();
    setTimeout(() => controller.abort(), 200);
    await expect(copyRows(client, plan, stuck(), { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - started).toBeLessThan(5000);
    await expectOnlyTheOldRow();
  });

  it('does not start when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    let pulled = 0;
    function* counting() {
      for (const row of numbered(10)) {
        pulled++;
        yield row;
      }
    }
    await expect(copyRows(client, plan, counting(), { signal: controller.signal })).rejects.toThrow('too late');
    expect(pulled).toBe(0);
    await expectOnlyTheOldRow();
  });

  it('fails the COPY when the progress callback throws', async () => {
    const boom = new Error('heartbeat failed');
    const copy = copyRows(client, plan, numbered(20_000), {
      chunkBytes: 4096,
      progressIntervalMs: 0,
      onProgress: () => {
        throw boom;
      },
    });
    await expect(copy).rejects.toBe(boom);
    await expectOnlyTheOldRow();
  });

  it('fails the COPY when the progress callback throws on its last call', async () => {
    const boom = new Error('last heartbeat failed');
    const copy = copyRows(client, plan, numbered(10), {
      progressIntervalMs: 60_000,
      onProgress: ({ rows }) => {
        if (rows === 10) throw boom;
      },
    });
    await expect(copy).rejects.toBe(boom);
    await expectOnlyTheOldRow();
  });

  it('surfaces the server’s error (a duplicate key mid-stream) and stays usable', async () => {
    function* duplicate() {
      yield* numbered(5000);
      yield [0, 'duplicate of the old row', null];
      yield* numbered(5000, 5001);
    }
    await expect(copyRows(client, plan, duplicate(), { chunkBytes: 4096 })).rejects.toMatchObject({ code: '23505' });
    await expectOnlyTheOldRow();
  });

  it('surfaces a NOT NULL violation found by the server', async () => {
    function* missing() {
      yield* numbered(3000);
      yield { id: 999_999 };
    }
    await expect(copyRows(client, plan, missing())).rejects.toMatchObject({ code: '23502', column: 'payload' });
    await expectOnlyTheOldRow();
  });

  it('runs inside the caller’s transaction', async () => {
    await client.query('BEGIN');
    await copyRows(client, plan, numbered(100));
    expect((await client.query(`SELECT count(*)::int4 AS n FROM events`)).rows).toEqual([{ n: 101 }]);
    await client.query('ROLLBACK');
    await expectOnlyTheOldRow();
  });

  it('applies backpressure: a blocked server stops the source after a few chunks', async () => {
    const blocker = await db.client({ applicationName: 'copy-blocker' });
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
    let pulled = 0;
    function* counting() {
      for (const row of numbered(50_000)) {
        pulled++;
        yield row;
      }
    }
    const copy = copyRows(client, plan, counting(), { chunkBytes: 8192 });
    let pulledWhileBlocked: number;
    try {
      await sleep(500);
      pulledWhileBlocked = pulled;
    } finally {
      await blocker.query('COMMIT');
      await blocker.end();
    }
    // Rows are ~40 bytes: a chunk of 8 KiB holds ~200; the stream buffers at most two (its 16 KiB mark).
    expect(pulledWhileBlocked).toBeGreaterThan(0);
    expect(pulledWhileBlocked).toBeLessThan(1000);
    expect((await copy).rows).toBe(50_000);
  });

  it('streams 200,000 large rows in bounded memory', async () => {
    const payload = 'x'.repeat(600);
    function* large() {
      for (let id = 1; id <= 200_000; id++) yield [id, payload, null];
    }
    const memory = () => {
      const usage = process.memoryUsage();
      return usage.heapUsed + usage.arrayBuffers;
    };
    const baseline = memory();
    let peak = baseline;
    let calls = 0;
    const result = await copyRows(client, plan, large(), {
      progressIntervalMs: 100,
      onProgress: () => {
        calls++;
        peak = Math.max(peak, memory());
      },
    });
    expect(result.rows).toBe(200_000);
    expect(result.bytes).toBeGreaterThan(120_000_000);
    // The data is 120+ MB; the encoder holds one 64 KiB chunk at a time.
    expect(peak - baseline).toBeLessThan(64 * 1024 * 1024);
    expect(calls).toBeGreaterThan(1);
    expect(calls).toBeLessThan(2000);
    expect((await client.query(`SELECT count(*)::int4 AS n FROM events`)).rows).toEqual([{ n: 200_001 }]);
  });
});

describe('readCopyColumns and prepareCopy', () => {
  it('list the writable columns in table order, without dropped and generated ones', async () => {
    await client.query(`CREATE TABLE shaped (a int4, gone text, b numeric(12,2) NOT NULL, c int4 GENERATED ALWAYS AS (a * 2) STORED, d varchar(10)[])`);
    await client.query(`ALTER TABLE shaped DROP COLUMN gone`);
    const columns = await readCopyColumns(client, { schema: 'public', name: 'shaped' });
    expect(columns.map(({ name, typmod, notNull }) => ({ name, typmod, notNull }))).toEqual([
      { name: 'a', typmod: -1, notNull: false },
      { name: 'b', typmod: ((12 << 16) | 2) + 4, notNull: true },
      { name: 'd', typmod: 14, notNull: false },
    ]);
    const shapedPlan = await prepareCopy(client, { schema: 'public', name: 'shaped' }, columns);
    expect(shapedPlan.columns.map((column) => column.type)).toEqual(['integer', 'numeric(12,2)', 'character varying(10)[]']);
    expect((await copyRows(client, shapedPlan, [{ a: 2, b: '1.5', d: ['x'] }])).rows).toBe(1);
    expect((await client.query(`SELECT a, b::text, c, d FROM shaped`)).rows).toEqual([{ a: 2, b: '1.50', c: 4, d: ['x'] }]);
  });

  it('fail with TableNotFoundError for a missing table or a view', async () => {
    await client.query(`CREATE VIEW events_view AS SELECT * FROM events`);
    for (const name of ['nope', 'events_view']) {
      const read = readCopyColumns(client, { schema: 'public', name });
      await expect(read).rejects.toThrow(TableNotFoundError);
      await expect(read).rejects.toMatchObject({ type: 'TableNotFound', details: { schema: 'public', table: name } });
    }
  });

  it('handle a table without columns', async () => {
    await client.query(`CREATE TABLE empty_shape ()`);
    const columns = await readCopyColumns(client, { schema: 'public', name: 'empty_shape' });
    expect(columns).toEqual([]);
    const emptyPlan = await prepareCopy(client, { schema: 'public', name: 'empty_shape' }, columns);
    expect((await copyRows(client, emptyPlan, [[], []])).rows).toBe(2);
  });

  it('load a TEMP staging table through a retargeted plan', async () => {
    await client.query(`CREATE TEMP TABLE stage (LIKE events)`);
    const staged = retargetCopyPlan(plan, { schema: 'pg_temp', name: 'stage' });
    expect((await copyRows(client, staged, numbered(10))).rows).toBe(10);
    expect((await client.query(`SELECT count(*)::int4 AS n FROM pg_temp.stage`)).rows).toEqual([{ n: 10 }]);
    await expectOnlyTheOldRow();
  });

  it('quote odd schema, table and column names', async () => {
    const odd = { schema: 'we"ird schema', name: 'ta ble; --' };
    await client.query(`CREATE SCHEMA "we""ird schema"`);
    await client.query(`CREATE TABLE ${quoteQualified(odd)} ("Mixed Case" int4, "sel""ect" text, "\\N" text)`);
    const oddPlan = await prepareCopy(client, odd, await readCopyColumns(client, odd));
    await copyRows(client, oddPlan, [{ 'Mixed Case': 1, 'sel"ect': 'a', '\\N': 'b' }]);
    expect((await client.query(`SELECT * FROM ${quoteQualified(odd)}`)).rows).toEqual([{ 'Mixed Case': 1, 'sel"ect': 'a', '\\N': 'b' }]);
  });
});
