/**
 * The shapes introspection returns. Everything is plain JSON except the `Date` timestamps of
 * {@link ActivityInfo}; durations are milliseconds; advisory keys are decimal strings (int64
 * does not fit a JSON number).
 */
import type { AdvisoryKeyJson } from '../locks/advisory-key.js';
import type { TableName } from '../sql/table-name.js';

/** `pg_locks.locktype`. */
export type LockType =
  | 'relation'
  | 'extend'
  | 'frozenid'
  | 'page'
  | 'tuple'
  | 'transactionid'
  | 'virtualxid'
  | 'spectoken'
  | 'object'
  | 'userlock'
  | 'advisory'
  | 'applytransaction';

/** What a lock is on, decoded from the `pg_locks` columns that apply to its type. */
export interface LockTarget {
  readonly lockType: LockType;
  /** Lock mode in SQL words: `'ACCESS EXCLUSIVE'`, `'ROW SHARE'`, `'SHARE'`, `'EXCLUSIVE'`, `'SIREAD'` … */
  readonly mode: string;
  /** The relation of relation, page, tuple and extend locks in the current database (or a shared catalog). */
  readonly relation: { readonly schema: string; readonly name: string; readonly kind: string } | null;
  /** The key of an advisory lock, decoded from classid/objid/objsubid. */
  readonly advisoryKey: AdvisoryKeyJson | null;
  /** Transaction id of a transactionid lock. */
  readonly transactionId: string | null;
  /** Virtual transaction id of a virtualxid lock. */
  readonly virtualXid: string | null;
  /** Catalog object of an object lock, as `pg_describe_object` names it. */
  readonly object: { readonly catalog: string | null; readonly objid: number; readonly objsubid: number; readonly description: string | null } | null;
  /** One-line human description: `public.orders`, `advisory -3749073756651130`, `transaction 7412` … */
  readonly description: string;
}

/** The facts about a session that reports and trees carry. */
export interface SessionSummary {
  readonly pid: number;
  readonly user: string | null;
  readonly applicationName: string | null;
  readonly database: string | null;
  /** `active`, `idle`, `idle in transaction`, `idle in transaction (aborted)`, … or null for non-client processes. */
  readonly state: string | null;
  readonly backendType: string | null;
  /** Time since the current (or last) query started, in ms. */
  readonly queryAgeMs: number | null;
  /** Time since the current transaction started, in ms; null outside a transaction. */
  readonly transactionAgeMs: number | null;
  /** Query text (truncated by the server at `track_activity_query_size`). */
  readonly query: string | null;
}

/** One row of `pg_locks` with its session. */
export interface LockInfo extends LockTarget {
  /** Backend holding or awaiting the lock; null for a prepared transaction. */
  readonly pid: number | null;
  readonly granted: boolean;
  readonly fastPath: boolean;
  /** How long it has been waiting, in ms (waiting locks only). */
  readonly waitMs: number | null;
  /** The session, when there is one. */
  readonly session: SessionSummary | null;
}

/** A waiting lock and the sessions that block it (`pg_blocking_pids`). */
export interface BlockedLock extends LockInfo {
  /** Blocking sessions, by pid; a prepared transaction shows as pid 0 with no session facts. */
  readonly blockedBy: readonly SessionSummary[];
}

/** One row of `pg_stat_activity`. */
export interface ActivityInfo extends SessionSummary {
  readonly clientAddress: string | null;
  readonly waitEventType: string | null;
  readonly waitEvent: string | null;
  readonly backendStartedAt: Date | null;
  readonly transactionStartedAt: Date | null;
  readonly queryStartedAt: Date | null;
  readonly stateChangedAt: Date | null;
  /** Pids blocking this session's lock wait (empty when it is not waiting for a lock). */
  readonly blockedBy: readonly number[];
}

/** A session in the blocking tree and the sessions waiting behind it. */
export interface BlockingTreeNode {
  readonly session: SessionSummary;
  /** The lock this session waits for; null for a root blocker that is not waiting. */
  readonly waitingFor: LockTarget | null;
  /** How long it has been waiting, in ms. */
  readonly waitMs: number | null;
  /** Sessions blocked by this one (each may block others in turn). */
  readonly blocks: readonly BlockingTreeNode[];
  /** True when this pid already appears above on the same path (a wait cycle); `blocks` is then empty. */
  readonly cycle: boolean;
}

/** Filters of {@link listActivity}; each narrows the result, all default to "no restriction". */
export interface ActivityFilters {
  /** Only these backend pids. */
  readonly pids?: readonly number[];
  /** Only sessions of these roles. */
  readonly users?: readonly string[];
  /** Only sessions with one of these `application_name`s. */
  readonly applicationNames?: readonly string[];
  /** Only sessions holding or waiting for a lock on this relation. */
  readonly relation?: TableName;
  /** Only sessions waiting for a lock for at least this many milliseconds. */
  readonly minWaitMs?: number;
  /** Only sessions whose current query started at least this many milliseconds ago. */
  readonly minQueryAgeMs?: number;
  /** Include sessions connected to other databases. Default `false` (current database only). */
  readonly allDatabases?: boolean;
  /** Include the backend that runs the introspection query itself. Default `false`. */
  readonly includeSelf?: boolean;
}

/** Filters of {@link listLocks} and {@link listBlocked}: those of activity, applied to the lock's session. */
export interface LockFilters extends ActivityFilters {
  /** Only granted (`true`) or only waiting (`false`) locks. Default: both (listBlocked: waiting only). */
  readonly granted?: boolean;
  /** Only these lock types. */
  readonly lockTypes?: readonly LockType[];
}
