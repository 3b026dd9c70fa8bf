import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { resolveDatabase, UnknownDatabaseError } from '../../../activities/databases.js';
import { forceExecuteInputProblems } from '../../../src/shared/force-execute.js';

describe('force-execute workflow input', () => {
  it('accepts a plain input', () => {
    expect(forceExecuteInputProblems({ statements: 'ALTER TABLE t RENAME TO u' })).toEqual([]);
    expect(
      forceExecuteInputProblems({
        database: 'warehouse',
        statements: ['SELECT 1', 'SELECT 2'],
        delayMs: 0,
        lockTimeoutMs: 0,
        action: 'cancel-then-terminate',
        users: ['etl'],
        includeQueryText: true,
        activities: { taskQueue: 'pg', heartbeatTimeoutMs: 5000, maximumAttempts: 3 },
      }),
    ).toEqual([]);
  });

  it('lists every problem', () => {
    expect(forceExecuteInputProblems(null)).toEqual(['the input must be an object']);
    expect(forceExecuteInputProblems({ statements: ['SELECT 1', ''], database: '', checkIntervalMs: 0, delayMs: Infinity, users: 'etl', activities: { maximumAttempts: 0, heartbeatTimeoutMs: 0 } })).toEqual([
      'statements must be a non-empty SQL string or a non-empty list of them',
      'database must be the name of a database registered at the worker',
      'delayMs must be a number of milliseconds ≥ 0',
      'checkIntervalMs must be at least 1 ms',
      'users must be a list of strings',
      'activities.heartbeatTimeoutMs must be a number of milliseconds > 0',
      'activities.maximumAttempts must be an integer ≥ 1',
    ]);
    expect(forceExecuteInputProblems({ statements: [], action: 'kill', includeQueryText: 1 })).toEqual([
      'statements must be a non-empty SQL string or a non-empty list of them',
      'action must be one of terminate, cancel, cancel-then-terminate',
      'includeQueryText must be a boolean',
    ]);
  });
});

describe('activity databases', () => {
  it('registers one pool as default, or pools by name, and names the missing one', () => {
    const pool = new pg.Pool();
    const other = new pg.Pool();
    expect(resolveDatabase(pool)).toBe(pool);
    expect(resolveDatabase(pool, 'default')).toBe(pool);
    expect(resolveDatabase({ default: pool, reporting: other }, 'reporting')).toBe(other);
    expect(() => resolveDatabase({ reporting: other }, 'toString')).toThrow(UnknownDatabaseError);
    let caught: unknown;
    try {
      resolveDatabase({ reporting: other }, 'warehouse');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnknownDatabaseError);
    expect(caught).toMatchObject({
      type: 'UnknownDatabase',
      nonRetryable: true,
      message: 'no database named "warehouse" is registered at this worker (registered: "reporting")',
      details: { database: 'warehouse', known: ['reporting'] },
    });
  });
});
