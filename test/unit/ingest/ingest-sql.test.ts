/**
 * The statements of the ingest engine, as text: how staged rows are applied (MERGE, ON CONFLICT,
 * plain insert), how the batch locks are taken, and quoting.
 */
import { describe, expect, it } from 'vitest';
import { applyStage, createStage, lockScript, lockTables, undoLockScript, type StageTarget } from '../../../src/ingest/engine/ingest-sql.js';

const target: StageTarget = {
  table: { schema: 'my "s"', name: 't' },
  stage: 'stage_0',
  ordinal: 'temporal_pg_ord',
  key: ['id'],
  columns: [
    { name: 'id', typeOid: 23, typmod: -1, notNull: true, comparable: true },
    { name: 'v', typeOid: 25, typmod: -1, notNull: false, comparable: true },
    { name: 'j', typeOid: 114, typmod: -1, notNull: false, comparable: false },
  ],
};

describe('applyStage', () => {
  it('merges: the last staged row of a key wins, unchanged rows are not updated, json compared as text', () => {
    expect(applyStage(target, 'merge')).toBe(
      `MERGE INTO "my ""s"""."t" AS t
USING (SELECT DISTINCT ON ("id") "id", "v", "j" FROM pg_temp."stage_0" ORDER BY "id", "temporal_pg_ord" DESC) AS s
ON t."id" = s."id"
WHEN MATCHED AND (t."v" IS DISTINCT FROM s."v" OR t."j"::text IS DISTINCT FROM s."j"::text) THEN UPDATE SET "v" = s."v", "j" = s."j"
WHEN NOT MATCHED THEN INSERT ("id", "v", "j") VALUES (s."id", s."v", s."j")`,
    );
  });

  it('upserts with ON CONFLICT before PostgreSQL 15', () => {
    expect(applyStage(target, 'on-conflict')).toBe(
      `INSERT INTO "my ""s"""."t" AS t ("id", "v", "j")
SELECT DISTINCT ON ("id") "id", "v", "j" FROM pg_temp."stage_0" ORDER BY "id", "temporal_pg_ord" DESC
ON CONFLICT ("id") DO UPDATE SET "v" = EXCLUDED."v", "j" = EXCLUDED."j"
WHERE t."v" IS DISTINCT FROM EXCLUDED."v" OR t."j"::text IS DISTINCT FROM EXCLUDED."j"::text`,
    );
  });

  it('does nothing on a match when every column is in the key', () => {
    const keyOnly: StageTarget = { ...target, key: ['id', 'v'], columns: target.columns.slice(0, 2) };
    expect(applyStage(keyOnly, 'on-conflict')).toMatch(/ON CONFLICT \("id", "v"\) DO NOTHING$/);
    expect(applyStage(keyOnly, 'merge')).not.toContain('WHEN MATCHED');
  });

  it('inserts the deduplicated rows into a table known to be empty', () => {
    expect(applyStage(target, 'insert')).toBe(
      `INSERT INTO "my ""s"""."t" ("id", "v", "j")\nSELECT DISTINCT ON ("id") "id", "v", "j" FROM pg_temp."stage_0" ORDER BY "id", "temporal_pg_ord" DESC`,
    );
  });
});

describe('staging and locks', () => {
  it('creates a session-local stage emptied at commit', () => {
    expect(createStage('stage_0', { schema: 's', name: 't' }, 'ord')).toBe(
      'CREATE TEMP TABLE IF NOT EXISTS "stage_0" (LIKE "s"."t", "ord" bigint GENERATED ALWAYS AS IDENTITY) ON COMMIT DELETE ROWS',
    );
  });

  it('takes the locks under a savepoint and a short lock_timeout, then restores the session value', () => {
    const statements = [lockTables([{ schema: 's', name: 'a' }, { schema: 's', name: 'b' }], 'ROW EXCLUSIVE')];
    expect(lockScript('sp', statements, 1500, "5s")).toBe(
      'SAVEPOINT "sp";\nSET LOCAL lock_timeout = 1500;\nLOCK TABLE "s"."a", "s"."b" IN ROW EXCLUSIVE MODE;\nSET LOCAL lock_timeout = \'5s\';\nRELEASE SAVEPOINT "sp"',
    );
    expect(lockScript('sp', statements, 10, "it's")).toContain("SET LOCAL lock_timeout = 'it''s'");
    expect(undoLockScript('sp')).toBe('ROLLBACK TO SAVEPOINT "sp";\nRELEASE SAVEPOINT "sp"');
  });
});
