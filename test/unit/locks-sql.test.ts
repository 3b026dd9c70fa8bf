import { describe, expect, it } from 'vitest';
import { findBlockersSql, listBlockedSql, listLocksSql } from '../../src/introspection/sql.js';
import { advisoryKey } from '../../src/locks/advisory-key.js';
import {
  advisoryUnlockSql,
  lockTableSql,
  signalBackendSql,
  swapSettingSql,
  tryAdvisoryLockSql,
  waitAdvisoryLockSql,
} from '../../src/locks/sql.js';

describe('advisory lock statements', () => {
  const int64 = advisoryKey('shared-identifier');
  const pair = advisoryKey('some lock', 'advisory-lock');

  it.each([
    ['session', false, 'pg_catalog.pg_try_advisory_lock', 'pg_catalog.pg_advisory_lock'],
    ['session', true, 'pg_catalog.pg_try_advisory_lock_shared', 'pg_catalog.pg_advisory_lock_shared'],
    ['transaction', false, 'pg_catalog.pg_try_advisory_xact_lock', 'pg_catalog.pg_advisory_xact_lock'],
    ['transaction', true, 'pg_catalog.pg_try_advisory_xact_lock_shared', 'pg_catalog.pg_advisory_xact_lock_shared'],
  ] as const)('%s scope, shared %s → %s / %s', (scope, shared, tryFn, waitFn) => {
    expect(tryAdvisoryLockSql({ key: int64, scope, shared }).text).toContain(`${tryFn}($1::bigint) AS acquired`);
    expect(waitAdvisoryLockSql({ key: int64, scope, shared }).text).toBe(`SELECT ${waitFn}($1::bigint)`);
  });

  it('passes keys as parameters, never in the text', () => {
    const statement = tryAdvisoryLockSql({ key: int64, scope: 'session', shared: false });
    expect(statement.values).toEqual(['-3749073756651130']);
    expect(statement.text).not.toContain('3749073756651130');
    expect(tryAdvisoryLockSql({ key: pair, scope: 'session', shared: false })).toMatchObject({
      text: expect.stringContaining('($1::integer, $2::integer)'),
      values: ['766935994', '-300896253'],
    });
  });

  it('unlocks with the session function of the same mode', () => {
    expect(advisoryUnlockSql({ key: int64, shared: true }).text).toBe('SELECT pg_catalog.pg_advisory_unlock_shared($1::bigint) AS released');
    expect(advisoryUnlockSql({ key: pair, shared: false }).text).toBe('SELECT pg_catalog.pg_advisory_unlock($1::integer, $2::integer) AS released');
  });
});

describe('other lock statements', () => {
  it('builds LOCK TABLE from quoted names and a whitelisted mode', () => {
    expect(lockTableSql(['"a"."b"', '"c"'], 'SHARE ROW EXCLUSIVE', true).text).toBe('LOCK TABLE "a"."b", "c" IN SHARE ROW EXCLUSIVE MODE NOWAIT');
    expect(() => lockTableSql(['"c"'], 'SHARE; DROP TABLE c' as never, false)).toThrow();
  });

  it('reads and sets a setting in one statement, as parameters', () => {
    expect(swapSettingSql('lock_timeout', '250ms', true).values).toEqual(['lock_timeout', '250ms', true]);
    expect(swapSettingSql('statement_timeout', '1s', false).text).toContain('OFFSET 0');
  });

  it('signals with the right function and never its own backend', () => {
    expect(signalBackendSql(42, 'cancel').text).toContain('pg_catalog.pg_cancel_backend(p.pid)');
    expect(signalBackendSql(42, 'terminate').text).toContain('pg_catalog.pg_terminate_backend(p.pid)');
    expect(signalBackendSql(42, 'terminate').text).toContain('p.pid <> pg_catalog.pg_backend_pid()');
    expect(signalBackendSql(42, 'terminate').values).toEqual([42]);
  });
});

describe('introspection statements', () => {
  it('adds only the filters given, each as a parameter', () => {
    const bare = listLocksSql({});
    expect(bare.values).toEqual([]);
    expect(bare.text).toContain('pg_catalog.current_database()');
    expect(bare.text).toContain('IS DISTINCT FROM pg_catalog.pg_backend_pid()');
    const filtered = listLocksSql({ users: ["o'brien"], relation: 'public.Orders', minWaitMs: 5000, granted: false, allDatabases: true, includeSelf: true });
    expect(filtered.values).toEqual(['"public"."Orders"', ["o'brien"], 5000, false]);
    expect(filtered.text).not.toContain("o'brien");
    expect(filtered.text).not.toContain('current_database() OR');
    expect(filtered.text).not.toContain('IS DISTINCT FROM');
  });

  it('looks for blockers only among waiting sessions and joins their blockers', () => {
    expect(listBlockedSql({}).text).toContain('NOT l.granted');
    expect(listBlockedSql({}).text).toContain('pg_blocking_pids(l.pid)');
    const blockers = findBlockersSql({ pid: 7, depth: 2, minBlockerAgeMs: 100, excludeApplicationNames: ['ops'], maxLocksListed: 50 });
    expect(blockers.values).toEqual([7, 2, 100, ['ops'], 50]);
    expect(blockers.text).toContain('WITH RECURSIVE chain');
    expect(blockers.text).toContain('NOT b.pid = ANY(chain.path)');
  });
});
