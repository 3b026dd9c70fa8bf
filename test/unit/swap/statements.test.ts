import { describe, expect, it } from 'vitest';
import { buildSwapStatements } from '../../../src/ingest/swap/statements.js';
import type { CapturedView, IndexInfo, SwapPlan } from '../../../src/ingest/swap/types.js';

const noAcl = { isDefault: true, privileges: [] };

function view(name: string, uses: string[] = [], extra: Partial<CapturedView> = {}): CapturedView {
  return {
    schema: 's', name, kind: 'view', definition: ` SELECT 1 AS x`, owner: 'ingest', options: [], populated: true,
    accessMethod: null, tablespace: null, comment: null, acl: noAcl, defaultPrivilegesApply: false, defaultPrivilegeGrantees: [],
    columns: [{ name: 'x', attnum: 1, type: 'integer', collation: null, statisticsTarget: null, options: [], storage: null, compression: null, defaultExpression: null, comment: null, acl: [] }],
    indexes: [], triggers: [], rules: [], statistics: [], uses: uses.map((u) => `s.${u}`), usesTargetColumns: [], ...extra,
  };
}

function index(name: string, key: string, constraintName: string | null = null): IndexInfo {
  return { name, definition: '', key, constraintType: constraintName === null ? null : 'u', constraintName, constraintComment: null, comment: null, clustered: false, replicaIdentity: false, tablespace: null };
}

function plan(views: CapturedView[], cycles: number[][] = [], extra: { indexes?: IndexInfo[]; replacementIndexes?: IndexInfo[] } = {}): SwapPlan {
  return {
    request: { target: { schema: 's', name: 't' }, replacement: { schema: 's', name: 't_new' }, tableComment: 'target' },
    session: { user: 'ingest', superuser: true, serverVersion: 180000 },
    table: {
      schema: 's', name: 't', owner: 'ingest', acl: noAcl, comment: null, options: [], toastOptions: [], rowSecurity: false, forceRowSecurity: false,
      replicaIdentity: 'd', columns: [], indexes: extra.indexes ?? [], constraints: [], triggers: [], rules: [], policies: [], statistics: [], sequences: [], publications: [],
    },
    replacement: { schema: 's', name: 't_new', owner: 'ingest', acl: noAcl, comment: null, options: [], toastOptions: [], hasToast: false, columns: [], indexes: extra.replacementIndexes ?? [], constraints: [] },
    views,
    cycles,
    notCarried: [],
  };
}

const sqls = (p: SwapPlan, step?: string) => buildSwapStatements(p).filter((s) => step === undefined || s.step === step).map((s) => s.sql);

describe('swap statements from a plan', () => {
  it('drops dependents first and unrelated views by name, in as few statements as kinds allow', () => {
    const views = [view('a'), view('b'), view('m', [], { kind: 'materialized-view' }), view('c', ['a', 'm'])];
    expect(sqls(plan(views), 'drop')).toEqual([
      'DROP VIEW "s"."b", "s"."c", "s"."a" RESTRICT',
      'DROP MATERIALIZED VIEW "s"."m" RESTRICT',
      'DROP TABLE "s"."t" RESTRICT',
    ]);
  });

  it('creates cycles through placeholders and drops them in one statement', () => {
    const p = plan([view('v1', ['v2']), view('v2', ['v1'])], [[0, 1]]);
    expect(sqls(p, 'drop')[0]).toBe('DROP VIEW "s"."v1", "s"."v2" RESTRICT');
    expect(sqls(p, 'views')).toEqual([
      'CREATE VIEW "s"."v1" AS SELECT NULL::integer AS "x" WHERE false',
      'CREATE VIEW "s"."v2" AS SELECT NULL::integer AS "x" WHERE false',
      'CREATE OR REPLACE VIEW "s"."v1" AS SELECT 1 AS x',
      'CREATE OR REPLACE VIEW "s"."v2" AS SELECT 1 AS x',
    ]);
  });

  it('fills what populated matviews read even when it was empty, then empties it again', () => {
    const p = plan([
      view('empty', [], { kind: 'materialized-view', populated: false }),
      view('between', ['empty']),
      view('full', ['between'], { kind: 'materialized-view' }),
      view('alone', [], { kind: 'materialized-view', populated: false }),
    ]);
    expect(sqls(p, 'populate')).toEqual([
      'REFRESH MATERIALIZED VIEW "s"."empty"',
      'REFRESH MATERIALIZED VIEW "s"."full"',
      'REFRESH MATERIALIZED VIEW "s"."empty" WITH NO DATA',
    ]);
    expect(sqls(p, 'views').filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'))).toHaveLength(3);
  });

  it('gives the replacement’s indexes the old names, through temporary names when names cross', () => {
    const p = plan([], [], {
      indexes: [index('a', 'k1'), index('b', 'k2', 'b')],
      replacementIndexes: [index('b', 'k1'), index('a', 'k2', 'a')],
    });
    expect(sqls(p, 'rename')).toEqual([
      'ALTER TABLE "s"."t_new" RENAME TO "t"',
      'ALTER INDEX "s"."b" RENAME TO "temporal_pg_swap_0"',
      'ALTER TABLE "s"."t" RENAME CONSTRAINT "a" TO "temporal_pg_swap_1"',
      'ALTER INDEX "s"."temporal_pg_swap_0" RENAME TO "a"',
      'ALTER TABLE "s"."t" RENAME CONSTRAINT "temporal_pg_swap_1" TO "b"',
    ]);
  });

  it('runs the steps in order and tags view statements with the view', () => {
    const statements = buildSwapStatements(plan([view('v'), view('m', ['v'], { kind: 'materialized-view', owner: 'other' })]));
    const order = ['prepare', 'drop', 'rename', 'table', 'views', 'table-extras', 'populate'];
    const steps = statements.map((s) => order.indexOf(s.step));
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(statements.filter((s) => s.step === 'views').map((s) => [s.view, s.sql])).toEqual([
      ['s.v', 'CREATE VIEW "s"."v" AS SELECT 1 AS x'],
      ['s.m', 'CREATE MATERIALIZED VIEW "s"."m" AS SELECT 1 AS x WITH NO DATA'],
      ['s.m', 'ALTER MATERIALIZED VIEW "s"."m" OWNER TO "other"'],
    ]);
  });
});
