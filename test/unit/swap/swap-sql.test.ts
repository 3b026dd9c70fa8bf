import { describe, expect, it } from 'vitest';
import {
  commentOn,
  createPlaceholderView,
  createPolicy,
  grant,
  optionList,
  privilegeKeyword,
  revokeAll,
  roleSpec,
  setSequenceValue,
  withoutTrailingSemicolon,
} from '../../../src/ingest/swap/swap-sql.js';
import { InvalidIdentifierError } from '../../../src/errors/index.js';

describe('swap SQL texts', () => {
  it('renders options with quoted keys, namespaced keys and literal values', () => {
    expect(optionList(['security_barrier=true', 'check_option=local', 'toast.autovacuum_enabled=false'])).toBe(
      `"security_barrier"='true', "check_option"='local', "toast"."autovacuum_enabled"='false'`,
    );
  });

  it('spells PUBLIC as a keyword and every role as an identifier', () => {
    expect(roleSpec(null)).toBe('PUBLIC');
    expect(roleSpec('public')).toBe('"public"');
    expect(revokeAll('TABLE "s"."t"', [null, 'a"b'])).toBe('REVOKE ALL ON TABLE "s"."t" FROM PUBLIC, "a""b" CASCADE');
    expect(revokeAll('TABLE "s"."t"', ['r'], ['c 1'])).toBe('REVOKE ALL ("c 1") ON TABLE "s"."t" FROM "r" CASCADE');
  });

  it('grants privileges, per column and with grant option, and rejects unknown privilege words', () => {
    expect(grant('TABLE "s"."t"', [{ privilege: 'SELECT' }, { privilege: 'UPDATE', columns: ['a', 'b'] }], 'r', true)).toBe(
      'GRANT SELECT, UPDATE ("a", "b") ON TABLE "s"."t" TO "r" WITH GRANT OPTION',
    );
    expect(() => privilegeKeyword('SELECT; DROP TABLE x')).toThrow(/unknown privilege/);
  });

  it('comments on every kind of object, NULL removing a comment', () => {
    const t = { schema: 's', name: 't' };
    expect(commentOn({ kind: 'materialized-view', relation: t }, "x'y")).toBe(`COMMENT ON MATERIALIZED VIEW "s"."t" IS 'x''y'`);
    expect(commentOn({ kind: 'column', relation: t, column: 'c' }, null)).toBe('COMMENT ON COLUMN "s"."t"."c" IS NULL');
    expect(commentOn({ kind: 'policy', relation: t, name: 'p' }, 'z')).toBe(`COMMENT ON POLICY "p" ON "s"."t" IS 'z'`);
    expect(commentOn({ kind: 'statistics', statistics: t }, 'z')).toBe(`COMMENT ON STATISTICS "s"."t" IS 'z'`);
  });

  it('builds placeholder views with types and collations, and zero-column ones', () => {
    const v = { schema: 's', name: 'v' };
    expect(createPlaceholderView(v, [{ name: 'a', type: 'integer', collation: null }, { name: 'b', type: 'text', collation: '"C"' }])).toBe(
      'CREATE VIEW "s"."v" AS SELECT NULL::integer AS "a", NULL::text COLLATE "C" AS "b" WHERE false',
    );
    expect(createPlaceholderView(v, [])).toBe('CREATE VIEW "s"."v" AS SELECT  WHERE false');
  });

  it('builds policies from their catalog parts', () => {
    const sql = createPolicy({ schema: 's', name: 't' }, {
      name: 'p', permissive: false, command: 'w', roles: [null, 'r'], usingExpression: '(id > 0)', checkExpression: null,
    });
    expect(sql).toBe('CREATE POLICY "p" ON "s"."t" AS RESTRICTIVE FOR UPDATE TO PUBLIC, "r" USING ((id > 0))');
  });

  it('sets sequences with validated integers only', () => {
    expect(setSequenceValue({ schema: 's', name: 'q' }, '42', true)).toBe(`SELECT pg_catalog.setval('"s"."q"'::regclass, 42, true)`);
    expect(() => setSequenceValue({ schema: 's', name: 'q' }, '1; DROP', true)).toThrow(/integer/);
  });

  it('strips the semicolon catalog definitions end with', () => {
    expect(withoutTrailingSemicolon(' SELECT 1;\n')).toBe(' SELECT 1');
  });

  it('refuses identifiers PostgreSQL would truncate', () => {
    expect(() => commentOn({ kind: 'table', relation: { schema: 's', name: 'x'.repeat(64) } }, null)).toThrow(InvalidIdentifierError);
  });
});
