/**
 * The built-in sources plug into `ingest` as its `batches`: files become batches, the last file
 * name is the watermark, and a second ingest resumes after it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingest, ndjsonFiles, type TableDefinition } from '../../../src/index.js';
import { useTestDatabase } from '../../helpers/database.js';
import { freshSchema, selectAll } from './helpers.js';

const db = useTestDatabase();

describe('a named source as the batches', () => {
  it('ingests newline-delimited JSON files one batch per file, resuming after the last one', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'temporal-pg-ndjson-'));
    try {
      await writeFile(join(directory, '2024-01-01.ndjson'), '{"id": 1, "v": "a"}\n{"id": 2, "v": "b\\tc"}\n');
      await writeFile(join(directory, '2024-01-02.ndjson'), '{"id": 2, "v": "b2"}\n');
      const table: TableDefinition = { schema: await freshSchema(db.pool, 'ndjson'), name: 't', columns: [{ name: 'id', type: 'int', primaryKey: true }, { name: 'v', type: 'text' }] };
      const first = await ingest(db.pool, table, (hwm) => ndjsonFiles(hwm, { directory }));
      expect(first).toMatchObject({ batches: 2, rows: 3, highWatermark: '2024-01-02.ndjson' });
      await writeFile(join(directory, '2024-01-03.ndjson'), '{"id": 3, "v": "c"}\n');
      const second = await ingest(db.pool, table, (hwm) => ndjsonFiles(hwm, { directory }));
      expect(second).toMatchObject({ batches: 1, rows: 1, highWatermark: '2024-01-03.ndjson' });
      expect(await selectAll(db.pool, table)).toEqual([[1, 'a'], [2, 'b2'], [3, 'c']]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
