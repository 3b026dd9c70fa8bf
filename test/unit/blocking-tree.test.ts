import { describe, expect, it } from 'vitest';
import { buildBlockingTree } from '../../src/introspection/blocking-tree.js';
import { lockModeName } from '../../src/introspection/rows.js';
import type { BlockedLock, BlockingTreeNode, SessionSummary } from '../../src/introspection/types.js';

function session(pid: number): SessionSummary {
  return { pid, user: 'u', applicationName: `app-${pid}`, database: 'd', state: 'active', backendType: 'client backend', queryAgeMs: 1, transactionAgeMs: 1, query: null };
}

function wait(pid: number, blockers: number[]): BlockedLock {
  return {
    pid,
    lockType: 'relation',
    mode: 'ACCESS SHARE',
    relation: { schema: 'public', name: 't', kind: 'table' },
    advisoryKey: null,
    transactionId: null,
    virtualXid: null,
    object: null,
    description: 'public.t',
    granted: false,
    fastPath: false,
    waitMs: 10,
    session: session(pid),
    blockedBy: blockers.map(session),
  };
}

const shape = (node: BlockingTreeNode): unknown => [node.session.pid, node.cycle, node.blocks.map(shape)];

describe('buildBlockingTree', () => {
  it('roots chains at sessions that block without waiting', () => {
    expect(buildBlockingTree([wait(2, [1]), wait(3, [2]), wait(4, [1])]).map(shape)).toEqual([
      [1, false, [[2, false, [[3, false, []]]], [4, false, []]]],
    ]);
  });

  it('puts a session blocked by two roots under both', () => {
    expect(buildBlockingTree([wait(3, [1, 2])]).map(shape)).toEqual([
      [1, false, [[3, false, []]]],
      [2, false, [[3, false, []]]],
    ]);
  });

  it('roots a wait cycle at its lowest pid and marks the repeat', () => {
    expect(buildBlockingTree([wait(5, [6]), wait(6, [5])]).map(shape)).toEqual([[5, false, [[6, false, [[5, true, []]]]]]]);
  });

  it('is empty without waits', () => {
    expect(buildBlockingTree([])).toEqual([]);
  });
});

describe('lockModeName', () => {
  it.each([
    ['AccessShareLock', 'ACCESS SHARE'],
    ['RowExclusiveLock', 'ROW EXCLUSIVE'],
    ['ShareUpdateExclusiveLock', 'SHARE UPDATE EXCLUSIVE'],
    ['ShareLock', 'SHARE'],
    ['ExclusiveLock', 'EXCLUSIVE'],
    ['SIReadLock', 'SIREAD'],
  ])('%s → %s', (pg, words) => expect(lockModeName(pg)).toBe(words));
});
