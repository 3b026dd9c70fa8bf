import { describe, expect, it } from 'vitest';
import { aclStatements, type AclRebuild } from '../../../src/ingest/swap/acl.js';
import { dependentObstacles, missingColumnUses, permissionObstacles, type RoleCheck } from '../../../src/ingest/swap/obstacles.js';

const base: AclRebuild = {
  kind: 'table',
  relation: { schema: 's', name: 't' },
  owner: 'owner',
  sessionUser: 'ingest',
  desired: { isDefault: true, privileges: [{ grantor: 'owner', grantee: 'owner', privilege: 'SELECT', grantable: false }] },
  desiredColumns: [],
  currentIsDefault: true,
  currentGrantees: [],
  currentColumns: [],
};

describe('rebuilding an ACL', () => {
  it('does nothing when both sides are the built-in default', () => {
    expect(aclStatements(base)).toEqual([]);
  });

  it('revokes from everyone who may hold privileges, then grants exactly what was captured', () => {
    const statements = aclStatements({
      ...base,
      desired: {
        isDefault: false,
        privileges: [
          { grantor: 'owner', grantee: 'owner', privilege: 'SELECT', grantable: false },
          { grantor: 'owner', grantee: null, privilege: 'SELECT', grantable: false },
          { grantor: 'owner', grantee: 'lead', privilege: 'UPDATE', grantable: true },
          { grantor: 'owner', grantee: 'lead', privilege: 'SELECT', grantable: true },
        ],
      },
      currentIsDefault: false,
      currentGrantees: ['snoop'],
    });
    expect(statements).toEqual([
      'REVOKE ALL ON TABLE "s"."t" FROM PUBLIC, "owner", "ingest", "snoop", "lead" CASCADE',
      'GRANT SELECT ON TABLE "s"."t" TO "owner"',
      'GRANT SELECT ON TABLE "s"."t" TO PUBLIC',
      'GRANT UPDATE, SELECT ON TABLE "s"."t" TO "lead" WITH GRANT OPTION',
    ]);
  });

  it('grants in another grantor’s name after that grantor received its grant option, and switches back', () => {
    const statements = aclStatements({
      ...base,
      desired: {
        isDefault: false,
        privileges: [
          { grantor: 'mid', grantee: 'leaf', privilege: 'SELECT', grantable: false },
          { grantor: 'lead', grantee: 'mid', privilege: 'SELECT', grantable: true },
          { grantor: 'owner', grantee: 'lead', privilege: 'SELECT', grantable: true },
        ],
      },
    });
    expect(statements.slice(1)).toEqual([
      'GRANT SELECT ON TABLE "s"."t" TO "lead" WITH GRANT OPTION',
      'SET LOCAL ROLE "lead"',
      'GRANT SELECT ON TABLE "s"."t" TO "mid" WITH GRANT OPTION',
      'SET LOCAL ROLE "ingest"',
      'SET LOCAL ROLE "mid"',
      'GRANT SELECT ON TABLE "s"."t" TO "leaf"',
      'SET LOCAL ROLE "ingest"',
    ]);
  });

  it('groups column privileges per grantee and revokes the replacement’s own column grants', () => {
    const statements = aclStatements({
      ...base,
      desiredColumns: [
        { column: 'a', privileges: [{ grantor: 'owner', grantee: 'r', privilege: 'SELECT', grantable: false }] },
        { column: 'b', privileges: [{ grantor: 'owner', grantee: 'r', privilege: 'SELECT', grantable: false }] },
      ],
      currentColumns: [{ column: 'a', grantees: ['old'] }],
    });
    expect(statements).toEqual([
      'REVOKE ALL ("a") ON TABLE "s"."t" FROM "old" CASCADE',
      'GRANT SELECT ("a", "b") ON TABLE "s"."t" TO "r"',
    ]);
  });
});

describe('obstacles', () => {
  it('lets through what belongs to dropped relations and names everything else', () => {
    const row = (catalog: string, description: string, belongs: number | null, constraint: string | null = null) => ({
      catalog, deptype: 'n', description, belongs_to: belongs, constraint_type: constraint,
    });
    const obstacles = dependentObstacles(
      [
        row('pg_rewrite', 'rule _RETURN on view s.v', 2),
        row('pg_constraint', 'constraint t_pkey on table s.t', 1, 'p'),
        row('pg_constraint', 'constraint fk on table s.other', 9, 'f'),
        row('pg_constraint', 'constraint fk on table s.other', 9, 'f'),
        row('pg_proc', 'function s.f()', null),
      ],
      new Set([1, 2]),
    );
    expect(obstacles.map((o) => [o.kind, o.object])).toEqual([
      ['foreign-key', 'constraint fk on table s.other'],
      ['dependent-object', 'function s.f()'],
    ]);
  });

  it('tells broken views from carried objects that use a dropped column', () => {
    const use = (catalog: string, column: string, belongs: number, description = `${catalog} thing`) => ({
      catalog, column, description, belongs_to: belongs, internal: false,
    });
    const { broken, obstacles } = missingColumnUses(
      [use('pg_rewrite', 'gone', 2), use('pg_rewrite', 'kept', 2), use('pg_trigger', 'gone', 1, 'trigger tr on table s.t'), use('pg_class', 'gone', 1)],
      new Set(['kept']),
      1,
      new Map([[2, 's.v']]),
    );
    expect(broken).toEqual([{ view: 's.v', column: 'gone', reason: 'the replacement has no such column' }]);
    expect(obstacles.map((o) => o.object)).toEqual(['trigger tr on table s.t']);
  });

  it('checks permissions for non-superusers only, one obstacle per object', () => {
    const checks = new Map<string, RoleCheck>([
      ['ingest', { role: 'ingest', usage: true, can_set: true, create_in: ['s'] }],
      ['other', { role: 'other', usage: false, can_set: false, create_in: [] }],
    ]);
    const needs = [
      { need: 'own', role: 'other', object: 'view s.v' },
      { need: 'become', role: 'other', object: 'view s.v', schema: 's' },
      { need: 'create', schema: 's', object: 'view s.v' },
      { need: 'own', role: 'ingest', object: 'table s.t' },
    ] as const;
    const obstacles = permissionObstacles(needs, checks, { user: 'ingest', superuser: false });
    expect(obstacles).toHaveLength(1);
    expect(obstacles[0]).toMatchObject({ kind: 'permission', object: 'view s.v' });
    expect(obstacles[0]!.reason).toContain('member of it');
    expect(obstacles[0]!.reason).toContain('SET ROLE other');
    expect(permissionObstacles(needs, checks, { user: 'ingest', superuser: true })).toEqual([]);
  });
});
