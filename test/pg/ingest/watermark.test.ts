/**
 * pg-bulk-ingest's high-watermark scenarios (its tests 14–20), its comment format both ways, and
 * the comments and watermarks we refuse instead of silently overwriting or mangling.
 */
import { describe, expect, it } from 'vitest';
import {
  BatchSourceError,
  InvalidBatchError,
  InvalidIngestOptionError,
  InvalidTableCommentError,
  ingest,
  readHighWatermark,
  type IngestBatch,
  type JsonValue,
  type TableDefinition,
} from '../../../src/index.js';
import { quoteQualified } from '../../../src/sql/identifier.js';
import { useTestDatabase } from '../../helpers/database.js';
import { commentOf, freshSchema, noBatches, selectAll } from './helpers.js';

const db = useTestDatabase();

const withKey = (schema: string, name = 't'): TableDefinition => ({ schema, name, columns: [{ name: 'id', type: 'int', primaryKey: true }] });
const withoutKey = (schema: string, name = 't'): TableDefinition => ({ schema, name, columns: [{ name: 'id', type: 'int' }] });

/** Three empty batches, each one further than the watermark the source was called with. */
function plusThree(seen: JsonValue[]) {
  return (hwm: JsonValue): IngestBatch[] => {
    seen.push(hwm);
    const start = (hwm as number | null) ?? 0;
    return [1, 2, 3].map((step) => ({ highWatermark: start + step, rows: [] }));
  };
}

describe('the stored high watermark', () => {
  for (const [label, definition] of [
    ['with a primary key', withKey],
    ['without a primary key', withoutKey],
  ] as const) {
    it(`is what the next ingest starts from (${label})`, async () => {
      const table = definition(await freshSchema(db.pool, `hwm ${label}`));
      const seen: JsonValue[] = [];
      for (let i = 0; i < 3; i++) await ingest(db.pool, table, plusThree(seen));
      expect(seen).toEqual([null, 3, 6]);
      expect(await readHighWatermark(db.pool, table)).toBe(9);
    });
  }

  it('keeps the watermark of the batches committed before an exception, not of the failing one', async () => {
    const table = withKey(await freshSchema(db.pool, 'hwm-exception'));
    const seen: JsonValue[] = [];
    const source = function* (hwm: JsonValue): Generator<IngestBatch> {
      seen.push(hwm);
      const start = (hwm as number | null) ?? 0;
      yield { highWatermark: start + 1, rows: [] };
      if (start > 4) throw new Error('source broke');
      yield { highWatermark: start + 3, rows: [] };
    };
    await ingest(db.pool, table, source);
    await ingest(db.pool, table, source);
    const error = await ingest(db.pool, table, source).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchSourceError);
    expect((error as BatchSourceError).details).toMatchObject({ batch: 2 });
    expect((error as Error).cause).toMatchObject({ message: 'source broke' });
    await ingest(db.pool, table, source).catch(() => undefined);
    expect(seen).toEqual([null, 3, 6, 7]);
  });

  it('passes a given value through, and null for earliest', async () => {
    const table = withKey(await freshSchema(db.pool, 'hwm-given'));
    const seen: JsonValue[] = [];
    await ingest(db.pool, table, plusThree(seen), { highWatermark: 10 });
    await ingest(db.pool, table, plusThree(seen), { highWatermark: 'earliest' });
    await ingest(db.pool, table, plusThree(seen), { highWatermark: 'earliest' });
    await ingest(db.pool, table, plusThree(seen), { highWatermark: { since: '2024-01-01', page: [1, 2] } });
    expect(seen).toEqual([10, null, null, { since: '2024-01-01', page: [1, 2] }]);
  });

  it('calls a watermark function after the batch rows were consumed', async () => {
    const table = withKey(await freshSchema(db.pool, 'hwm-function'));
    const order: string[] = [];
    function* rows() {
      order.push('row 1');
      yield [1];
      order.push('row 2');
      yield [2];
    }
    await ingest(db.pool, table, () => [
      {
        highWatermark: () => {
          order.push('watermark');
          return '2011-01-01';
        },
        rows: rows(),
      },
    ]);
    expect(order).toEqual(['row 1', 'row 2', 'watermark']);
    const seen: JsonValue[] = [];
    await ingest(db.pool, table, (hwm) => (seen.push(hwm), []));
    expect(seen).toEqual(['2011-01-01']);
  });

  it('lives on the first of several tables', async () => {
    const schema = await freshSchema(db.pool, 'hwm-multi');
    const tables = [withoutKey(schema, 'a'), withoutKey(schema, 'b')];
    const seen: JsonValue[] = [];
    for (let i = 0; i < 3; i++) {
      await ingest(db.pool, tables, (hwm) => {
        seen.push(hwm);
        const next = ((hwm as number | null) ?? 0) + 1;
        return [{ highWatermark: next, rows: [[tables[0] as TableDefinition, [next]], [`${schema}.b`, [next]]] }];
      });
    }
    expect(seen).toEqual([null, 1, 2]);
    expect(await selectAll(db.pool, { schema, name: 'a' })).toEqual([[1], [2], [3]]);
    expect(await selectAll(db.pool, { schema, name: 'b' })).toEqual([[1], [2], [3]]);
    expect(await commentOf(db.pool, { schema, name: 'b' })).toBeNull();
    expect(await commentOf(db.pool, { schema, name: 'a' })).toMatchObject({ 'pg-bulk-ingest': { 'high-watermark': 3 } });
  });
});

describe("pg-bulk-ingest's comment format", () => {
  it('resumes from a watermark pg-bulk-ingest stored, keeping the other keys of the comment', async () => {
    const table = withKey(await freshSchema(db.pool, 'interop'));
    await db.pool.query(`CREATE TABLE ${quoteQualified(table)} (id int PRIMARY KEY)`);
    await db.pool.query(`COMMENT ON TABLE ${quoteQualified(table)} IS '{"pg-bulk-ingest": {"high-watermark": "2024-05-01", "other": 1}, "owner": "team-a"}'`);
    const seen: JsonValue[] = [];
    const report = await ingest(db.pool, table, (hwm) => (seen.push(hwm), [{ highWatermark: '2024-06-01', rows: [[1]] }]), { ingestId: 'run-1' });
    expect(seen).toEqual(['2024-05-01']);
    expect(report.highWatermark).toBe('2024-06-01');
    expect(await commentOf(db.pool, table)).toEqual({
      'pg-bulk-ingest': { 'high-watermark': '2024-06-01', other: 1 },
      owner: 'team-a',
      'temporal-pg': { ingest: 'run-1', batch: 1, rows: 1 },
    });
  });

  it('stores a JSON null watermark, and reads null when nothing is stored', async () => {
    const table = withKey(await freshSchema(db.pool, 'null-hwm'));
    expect(await readHighWatermark(db.pool, table)).toBeNull();
    await ingest(db.pool, table, () => [{ highWatermark: null, rows: [[1]] }]);
    expect(await commentOf(db.pool, table)).toMatchObject({ 'pg-bulk-ingest': { 'high-watermark': null } });
  });

  for (const [position, [label, comment]] of ([
    ['not JSON', 'hand-written notes'],
    ['a JSON string', '"just a string"'],
    ['a JSON array', '[1, 2]'],
    ['an object whose pg-bulk-ingest entry is not an object', '{"pg-bulk-ingest": 3}'],
  ] as const).entries()) {
    it(`refuses a comment that is ${label}, and leaves it alone`, async () => {
      const table = withKey(await freshSchema(db.pool, `bad comment ${position}`));
      await db.pool.query(`CREATE TABLE ${quoteQualified(table)} (id int PRIMARY KEY)`);
      await db.pool.query(`COMMENT ON TABLE ${quoteQualified(table)} IS '${comment.replaceAll("'", "''")}'`);
      const error = await ingest(db.pool, table, () => [{ highWatermark: 1, rows: [[1]] }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidTableCommentError);
      expect((error as InvalidTableCommentError).details).toMatchObject({ table: `"bad comment ${position}".t` });
      await expect(readHighWatermark(db.pool, table)).rejects.toBeInstanceOf(InvalidTableCommentError);
      const { rows } = await db.pool.query(`SELECT obj_description($1::regclass, 'pg_class') AS c, (SELECT count(*)::int FROM ${quoteQualified(table)}) AS n`, [quoteQualified(table)]);
      expect(rows[0]).toEqual({ c: comment, n: 0 });
    });
  }
});

describe('watermarks that are not JSON', () => {
  for (const [label, value] of [
    ['undefined', undefined],
    ['a Date', new Date(0)],
    ['a bigint', 10n],
    ['NaN', Number.NaN],
    ['a Map inside an object', { m: new Map() }],
  ] as const) {
    it(`refuse ${label} before anything is written`, async () => {
      const table = withKey(await freshSchema(db.pool, `not json ${label}`));
      await ingest(db.pool, table, () => [{ highWatermark: 1, rows: [[1]] }]);
      const error = await ingest(db.pool, table, () => [{ highWatermark: value as JsonValue, rows: [[2]] }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidBatchError);
      expect((error as Error).message).toContain('batch 1');
      expect(await selectAll(db.pool, table)).toEqual([[1]]);
      expect(await readHighWatermark(db.pool, table)).toBe(1);
    });
  }

  it('refuses a watermark function returning a Date, rolling the batch back', async () => {
    const table = withKey(await freshSchema(db.pool, 'not json function'));
    const error = await ingest(db.pool, table, () => [{ highWatermark: () => new Date(0) as unknown as JsonValue, rows: [[1]] }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidBatchError);
    expect(await readHighWatermark(db.pool, table)).toBeNull();
    const { rows } = await db.pool.query(`SELECT to_regclass($1) AS t`, [quoteQualified(table)]);
    expect(rows[0].t).toBeNull();
  });

  it('creates nothing when there are no batches and the watermark option is not JSON', async () => {
    const table = withKey(await freshSchema(db.pool, 'option not json'));
    await expect(ingest(db.pool, table, noBatches, { highWatermark: 5n as unknown as JsonValue })).rejects.toBeInstanceOf(InvalidIngestOptionError);
  });
});
