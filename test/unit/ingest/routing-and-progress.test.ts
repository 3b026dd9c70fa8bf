/**
 * Pure pieces of the engine: splitting multi-table rows into bounded COPY streams, resolving table
 * references, deterministic names, the log cadence, and option validation.
 */
import { describe, expect, it } from 'vitest';
import type { CopyRow } from '../../../src/ingest/copy/row-encoder.js';
import type { TableDefinition } from '../../../src/ingest/definition/table-definition.js';
import { InvalidIngestOptionError, UnknownTableError } from '../../../src/ingest/engine/errors.js';
import { freshTableName, ordinalColumn, sortedLockKeys } from '../../../src/ingest/engine/names.js';
import { resolvePlanOptions } from '../../../src/ingest/engine/options.js';
import { isMilestone, milestoneCrossed } from '../../../src/ingest/engine/progress.js';
import { routeRows } from '../../../src/ingest/engine/row-router.js';
import { tableResolver } from '../../../src/ingest/engine/table-resolver.js';

const tables: TableDefinition[] = [
  { schema: 's', name: 'a', columns: [{ name: 'x', type: 'int' }] },
  { schema: 's', name: 'b', columns: [{ name: 'x', type: 'int' }] },
  { schema: 'my.s', name: 'c.d', columns: [{ name: 'x', type: 'int' }] },
];

async function route(rows: unknown[], cap: number) {
  const streams: { table: number; rows: unknown[]; numbers: (number | null)[] }[] = [];
  let buffered = 0;
  const read = await routeRows(rows, tables.length, tableResolver(tables, 1), cap, 1, async (table, stream, rowOf) => {
    const got: CopyRow[] = [];
    for await (const row of stream) got.push(row);
    streams.push({ table, rows: got, numbers: got.map((_, i) => rowOf(i + 1)) });
    buffered = Math.max(buffered, got.length);
  });
  return { read, streams };
}

describe('routeRows', () => {
  it('streams the first table, buffers the others, switches at the cap and flushes at the end', async () => {
    const rows = [
      [tables[0], [1]],
      ['s.b', [2]],
      ['s.b', [3]],
      [tables[0], [4]],
      ['s.b', [5]],
      [{ schema: 'my.s', name: 'c.d' }, [6]],
      [tables[0], [7]],
    ];
    const { read, streams } = await route(rows, 3);
    expect(read).toBe(7);
    expect(streams).toEqual([
      { table: 0, rows: [[1], [4]], numbers: [1, 4] },
      { table: 1, rows: [[2], [3], [5]], numbers: [2, 3, 5] },
      { table: 0, rows: [[7]], numbers: [7] },
      { table: 2, rows: [[6]], numbers: [6] },
    ]);
  });

  it('holds at most (tables − 1) × cap rows read but not yet loaded, and loses none', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => [['s.a', 's.b', 's.b', 'my.s.c.d'][i % 4 === 0 ? 0 : i % 7 === 0 ? 3 : 1], [i]]);
    let read = 0;
    let loaded = 0;
    let waiting = 0;
    function* source() {
      for (const row of rows) {
        read++;
        waiting = Math.max(waiting, read - loaded);
        yield row;
      }
    }
    const perTable: unknown[][] = [[], [], []];
    await routeRows(source(), tables.length, tableResolver(tables, 1), 7, 1, async (table, stream) => {
      for await (const row of stream) {
        loaded++;
        perTable[table]?.push(row);
      }
    });
    expect(waiting).toBeLessThanOrEqual(2 * 7 + 1);
    for (const [index, name] of ['s.a', 's.b', 'my.s.c.d'].entries()) {
      expect(perTable[index]).toEqual(rows.filter(([t]) => t === name).map(([, v]) => v));
    }
  });

  it('refuses an unknown table, an ambiguous name and a row that is not a pair, with batch and row', async () => {
    await expect(route([['s.zzz', [1]]], 3)).rejects.toThrow(/row 1 of batch 1 names table "s.zzz", which is not a table of this ingest/);
    const ambiguous: TableDefinition[] = [
      { schema: 'a.b', name: 'c', columns: [{ name: 'x', type: 'int' }] },
      { schema: 'a', name: 'b.c', columns: [{ name: 'x', type: 'int' }] },
    ];
    expect(() => tableResolver(ambiguous, 2)('a.b.c', 5)).toThrow(/row 5 of batch 2 .* more than one table/);
    expect(tableResolver(ambiguous, 2)('"a.b".c', 5)).toBe(0);
    await expect(route([[1, 2, 3]], 3)).rejects.toBeInstanceOf(UnknownTableError);
    await expect(route([[42, [1]]], 3)).rejects.toThrow(/neither a table definition nor/);
  });
});

describe('names', () => {
  it('gives every table one fresh-table name with the _tmp_ prefix, within 63 bytes', () => {
    const name = freshTableName({ schema: 's', name: 't' });
    expect(name).toMatch(/^_tmp_tpg_[0-9a-f]{20}$/);
    expect(freshTableName({ schema: 's', name: 't' })).toBe(name);
    expect(freshTableName({ schema: 's.t', name: '' })).not.toBe(freshTableName({ schema: 's', name: 't.' }));
  });

  it('sorts lock keys and picks an ordinal name no column has', () => {
    const keys = sortedLockKeys([{ schema: 's', name: 'b' }, { schema: 's', name: 'a' }, { schema: 's', name: 'b' }]);
    expect(keys).toHaveLength(2);
    expect(keys).toEqual(sortedLockKeys([{ schema: 's', name: 'a' }, { schema: 's', name: 'b' }]));
    expect(ordinalColumn(['id', 'temporal_pg_ord'])).toBe('_temporal_pg_ord');
  });
});

describe('progress cadence', () => {
  it('logs batches 1–9, 10, 20 … 100, 200 …', () => {
    const logged = Array.from({ length: 2000 }, (_, i) => i + 1).filter(isMilestone);
    expect(logged.slice(0, 12)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30]);
    expect(logged).toContain(1000);
    expect(logged).not.toContain(1100);
    expect(logged).toHaveLength(29);
  });

  it('logs rows when a round number is crossed, from 100', () => {
    expect(milestoneCrossed(0, 99)).toBeNull();
    expect(milestoneCrossed(0, 150)).toBe(100);
    expect(milestoneCrossed(150, 199)).toBeNull();
    expect(milestoneCrossed(150, 230)).toBe(200);
    expect(milestoneCrossed(9_999, 12_345)).toBe(10_000);
    expect(milestoneCrossed(12_345, 19_000)).toBeNull();
  });
});

describe('resolvePlanOptions', () => {
  it('fills the defaults', () => {
    const { ingestId, options } = resolvePlanOptions({});
    expect(ingestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(options).toEqual({
      highWatermark: 'latest',
      upsert: 'if-primary-key',
      delete: 'off',
      visibility: 'after-each-batch',
      lockTimeoutMs: 1000,
      forceExecute: {},
      onConcurrentIngest: 'wait',
      maxRowsPerTableBuffer: 10_000,
    });
  });

  it('names the option and the value it refuses', () => {
    expect(() => resolvePlanOptions({ upsert: 'yes' as never })).toThrow("ingest option upsert must be 'if-primary-key' or 'off', got \"yes\"");
    expect(() => resolvePlanOptions({ forceExecute: { delay: 5 } as never })).toThrow(InvalidIngestOptionError);
    expect(() => resolvePlanOptions({ forceExecute: { action: 'kill' as never } })).toThrow(/forceExecute.action/);
    expect(() => resolvePlanOptions({ ingestId: '' })).toThrow(/ingestId/);
  });
});
