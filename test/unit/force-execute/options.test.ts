import { describe, expect, it } from 'vitest';
import { resolveForceExecuteOptions } from '../../../src/force-execute/options.js';
import { backendsWithTokenSql, blockingPidsSql, prepareStatementSessionSql, tagStatementSessionSql } from '../../../src/force-execute/sql.js';
import { statementsWork, summarizeResults } from '../../../src/force-execute/statements.js';
import { InvalidLockArgumentError } from '../../../src/index.js';
import { FORCE_EXECUTE_DEFAULTS, forceExecuteToken, forceExecuteTokenPrefix } from '../../../src/shared/force-execute.js';

describe('force-execute options', () => {
  it('fills in the documented defaults', () => {
    expect(resolveForceExecuteOptions()).toMatchObject({
      delayMs: 300_000,
      checkIntervalMs: 1000,
      action: 'terminate',
      cancelGraceMs: 1000,
      lockTimeoutMs: 500,
      retryDelayMs: 100,
      maxRetryDelayMs: 5000,
      includeQueryText: false,
      minBlockerAgeMs: 0,
    });
    expect(FORCE_EXECUTE_DEFAULTS.lockTimeoutMs).toBeLessThan(1000); // below deadlock_timeout's default
  });

  it('names the option that is wrong', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ delayMs: -5 }, /delayMs/],
      [{ delayMs: Number.NaN }, /delayMs/],
      [{ checkIntervalMs: 0 }, /checkIntervalMs must be at least 1 ms/],
      [{ action: 'kill' }, /action must be one of 'terminate', 'cancel', 'cancel-then-terminate', got "kill"/],
      [{ lockTimeoutMs: 2 ** 40 }, /lockTimeoutMs must be a number of milliseconds/],
      [{ retryDelayMs: 500, maxRetryDelayMs: 100 }, /maxRetryDelayMs must be at least retryDelayMs/],
      [{ users: 'postgres' }, /users must be an array of strings/],
      [{ excludeApplicationNames: [1] }, /excludeApplicationNames/],
      [{ signal: {} }, /signal must be an AbortSignal/],
      [{ onBlocker: 'log' }, /onBlocker must be a function/],
      [{ includeQueryText: 'yes' }, /includeQueryText must be a boolean/],
    ];
    for (const [options, message] of cases) {
      let caught: unknown;
      try {
        resolveForceExecuteOptions(options as never);
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(options)).toBeInstanceOf(InvalidLockArgumentError);
      expect((caught as Error).message).toMatch(message);
    }
  });
});

describe('force-execute statements', () => {
  it('accepts a string, a non-empty list or a function, and refuses anything else', () => {
    expect(typeof statementsWork('SELECT 1')).toBe('function');
    expect(typeof statementsWork(['SELECT 1', 'SELECT 2'])).toBe('function');
    const fn = async () => 1;
    expect(statementsWork(fn)).toBe(fn);
    expect(() => statementsWork([])).toThrow(/non-empty list/);
    expect(() => statementsWork('   ')).toThrow(/statements must be a non-empty SQL string/);
    expect(() => statementsWork(['SELECT 1', 42 as never])).toThrow(/statements\[1\]/);
    expect(() => statementsWork(undefined as never)).toThrow(InvalidLockArgumentError);
  });

  it('summarises results as plain JSON without rows', () => {
    const summary = summarizeResults([{ command: 'ALTER', rowCount: null, rows: [], fields: [], oid: 0 }, { command: 'INSERT', rowCount: 3, rows: [], fields: [], oid: 0 }]);
    expect(summary).toEqual([
      { command: 'ALTER', rowCount: null },
      { command: 'INSERT', rowCount: 3 },
    ]);
  });
});

describe('force-execute SQL', () => {
  it('passes every value as a parameter', () => {
    expect(prepareStatementSessionSql().values).toEqual(['1000ms']);
    expect(prepareStatementSessionSql().text).toContain(`set_config('client_connection_check_interval', $1, true)`);
    expect(prepareStatementSessionSql().text).toContain('>= 140000');
    expect(tagStatementSessionSql(`x'; DROP TABLE t; --`).values).toEqual([`x'; DROP TABLE t; --`]);
    expect(tagStatementSessionSql('t').text).toContain(`set_config('application_name', $1, true)`);
    expect(backendsWithTokenSql('tpg-fx:abc:').values).toEqual(['tpg-fx:abc:']);
    expect(backendsWithTokenSql('tpg-fx:abc:').text).not.toContain('LIKE'); // prefixes are compared, never pattern-matched
    expect(blockingPidsSql(42)).toEqual({ text: 'SELECT pg_catalog.pg_blocking_pids($1::int4) AS pids', values: [42] });
  });

  it('builds application_name tokens that fit in 63 bytes', () => {
    const id = '0f8e2c1a-1b2c-4d5e-8f90-123456789abc';
    expect(forceExecuteTokenPrefix(id)).toBe(`tpg-fx:${id}:`);
    expect(forceExecuteToken(id, 12)).toBe(`tpg-fx:${id}:12`);
    expect(Buffer.byteLength(forceExecuteToken(id, 99_999))).toBeLessThanOrEqual(63);
  });
});
