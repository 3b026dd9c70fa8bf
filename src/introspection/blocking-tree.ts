/**
 * `blockingTree()`: who blocks whom, as trees rooted at the sessions that block others without
 * waiting themselves — usually the one session to look at (or terminate) when things pile up.
 */
import type { Queryable } from '../db/queryable.js';
import { listBlocked } from './list-blocked.js';
import type { BlockedLock, BlockingTreeNode, LockTarget, SessionSummary } from './types.js';

/** Options of {@link blockingTree}. */
export interface BlockingTreeOptions {
  /** Include sessions of other databases. Default `false`. */
  readonly allDatabases?: boolean;
}

/**
 * The current blocking chains, from root blockers down to the sessions waiting behind them. A
 * session blocked by two others appears under both. Sessions caught in a wait cycle (a deadlock
 * the server has not resolved yet) hang under the lowest pid of the cycle, and the repeated pid is
 * marked `cycle: true`.
 */
export async function blockingTree(db: Queryable, options: BlockingTreeOptions = {}): Promise<BlockingTreeNode[]> {
  return buildBlockingTree(await listBlocked(db, { allDatabases: options.allDatabases ?? false }));
}

/** Builds the trees from the waits of {@link listBlocked} (pure; exported for tests and tools). */
export function buildBlockingTree(waits: readonly BlockedLock[]): BlockingTreeNode[] {
  const waitOf = new Map<number, BlockedLock>();
  const sessions = new Map<number, SessionSummary>();
  const blockedBy = new Map<number, Set<number>>();
  for (const wait of waits) {
    if (wait.pid === null || waitOf.has(wait.pid)) continue;
    waitOf.set(wait.pid, wait);
    if (wait.session) sessions.set(wait.pid, wait.session);
    for (const blocker of wait.blockedBy) {
      if (!sessions.has(blocker.pid)) sessions.set(blocker.pid, blocker);
      let waiters = blockedBy.get(blocker.pid);
      if (!waiters) blockedBy.set(blocker.pid, (waiters = new Set()));
      waiters.add(wait.pid);
    }
  }

  const build = (pid: number, path: readonly number[]): BlockingTreeNode => {
    const wait = waitOf.get(pid);
    const cycle = path.includes(pid);
    const children = cycle ? [] : [...(blockedBy.get(pid) ?? [])].sort((a, b) => a - b);
    return {
      session: sessions.get(pid) ?? unknownSession(pid),
      waitingFor: wait ? lockTarget(wait) : null,
      waitMs: wait?.waitMs ?? null,
      blocks: children.map((child) => build(child, [...path, pid])),
      cycle,
    };
  };

  const reached = new Set<number>();
  const visit = (node: BlockingTreeNode) => {
    reached.add(node.session.pid);
    node.blocks.forEach(visit);
  };
  const roots = [...blockedBy.keys()]
    .filter((pid) => !waitOf.has(pid))
    .sort((a, b) => a - b)
    .map((pid) => build(pid, []));
  roots.forEach(visit);
  // Whatever is left waits in a cycle: root each one at its lowest pid.
  for (const pid of [...waitOf.keys()].sort((a, b) => a - b)) {
    if (reached.has(pid) || !blockedBy.has(pid)) continue;
    const root = build(pid, []);
    visit(root);
    roots.push(root);
  }
  return roots;
}

function lockTarget(wait: BlockedLock): LockTarget {
  const { lockType, mode, relation, advisoryKey, transactionId, virtualXid, object, description } = wait;
  return { lockType, mode, relation, advisoryKey, transactionId, virtualXid, object, description };
}

function unknownSession(pid: number): SessionSummary {
  return { pid, user: null, applicationName: null, database: null, state: null, backendType: null, queryAgeMs: null, transactionAgeMs: null, query: null };
}
