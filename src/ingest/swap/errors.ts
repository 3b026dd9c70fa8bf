/**
 * Failure modes of the table swap. Every one of them is raised before anything changed: capture
 * errors before any statement ran, execution errors after rolling back to the swap's savepoint.
 */
import { TemporalPgError, type TemporalPgErrorOptions } from '../../errors/temporal-pg-error.js';

/** Something bound to the target table that the swap cannot carry over (or may not touch). */
export interface SwapObstacle {
  /** What kind of obstacle, stable for programs: see {@link SwapObstacleKind}. */
  readonly kind: SwapObstacleKind;
  /** The object as PostgreSQL describes it, e.g. `constraint orders_fk on table public.orders`. */
  readonly object: string;
  /** Why it blocks the swap and what to do about it. */
  readonly reason: string;
}

/**
 * - `foreign-key`: a foreign key of another table references the target (or its indexes).
 * - `dependent-object`: something other than a view depends on the target, a dependent view or
 *   the target's row type (a function with a SQL-standard body, a rule or policy of another table,
 *   a column of the target's row type, a domain …); dropping it would need CASCADE.
 * - `constraint`: a CHECK, exclusion or foreign-key constraint of the target has no equal on the
 *   replacement.
 * - `column`: a trigger, policy, rule, statistics object or publication column list of the target
 *   uses a column the replacement lacks.
 * - `table-kind`: the target or the replacement is not a plain table (partitioned, a partition,
 *   inheritance, typed table, member of an extension), differs in persistence, or the two are the same.
 * - `schema`: the replacement is in another schema than the target.
 * - `security-label`: the target or a dependent view has a security label.
 * - `permission`: the current role may not drop, re-create, re-own or re-grant an object.
 */
export type SwapObstacleKind =
  | 'foreign-key'
  | 'dependent-object'
  | 'constraint'
  | 'column'
  | 'table-kind'
  | 'schema'
  | 'security-label'
  | 'permission';

/**
 * The swap cannot happen: the target has things bound to it that cannot be carried to the
 * replacement (see {@link SwapObstacle}). Thrown by `planSwap` and `executeSwap` before anything
 * changed. Not retryable: someone has to remove the obstacle first.
 */
export class SwapBlockedError extends TemporalPgError {
  readonly type = 'SwapBlocked';
  readonly nonRetryable = true;
  readonly obstacles: readonly SwapObstacle[];

  constructor(target: string, obstacles: readonly SwapObstacle[], options: TemporalPgErrorOptions = {}) {
    const list = obstacles.map((o) => `${o.object}: ${o.reason}`).join('; ');
    super(`cannot swap table ${target}: ${list}`, { ...options, details: { target, obstacles: obstacles.map((o) => ({ ...o })) } });
    this.obstacles = obstacles;
  }
}

/** One dependent view that cannot be re-created on the replacement. */
export interface BrokenView {
  /** Qualified display name of the view or materialized view. */
  readonly view: string;
  /** The column of the target the view uses and the replacement lacks, when that is the cause. */
  readonly column?: string;
  /** PostgreSQL's message, or what is missing. */
  readonly reason: string;
  /** SQLSTATE when PostgreSQL refused the definition. */
  readonly sqlstate?: string;
}

/**
 * A dependent view's definition no longer works on the replacement table: it uses a column the
 * replacement lacks (detected while planning), or PostgreSQL rejected it (for example a changed
 * column type the definition cannot take). Names each view and the missing column. Not retryable.
 */
export class DependentViewBrokenError extends TemporalPgError {
  readonly type = 'DependentViewBroken';
  readonly nonRetryable = true;
  readonly views: readonly BrokenView[];

  constructor(target: string, views: readonly BrokenView[], options: TemporalPgErrorOptions = {}) {
    const list = views
      .map((v) => (v.column === undefined ? `${v.view} (${v.reason})` : `${v.view} uses column ${JSON.stringify(v.column)}, ${v.reason}`))
      .join('; ');
    super(`dependent views of ${target} cannot be re-created on the replacement: ${list}`, {
      ...options,
      details: { target, views: views.map((v) => ({ ...v })) },
    });
    this.views = views;
  }
}

/** The target or the replacement table does not exist (or is not visible to the current role). Not retryable. */
export class SwapTableMissingError extends TemporalPgError {
  readonly type = 'SwapTableMissing';
  readonly nonRetryable = true;
}

/**
 * `executeSwap` was called outside a transaction block. The swap must run inside the caller's
 * transaction so that readers see the old or the new table, never a missing view. Not retryable.
 */
export class SwapOutsideTransactionError extends TemporalPgError {
  readonly type = 'SwapOutsideTransaction';
  readonly nonRetryable = true;
}

/**
 * Objects bound to the target kept changing while the swap captured and dropped them (a view was
 * created on the target between the capture and the drop, every attempt). Retryable: the next
 * attempt captures again.
 */
export class SwapConcurrentChangeError extends TemporalPgError {
  readonly type = 'SwapConcurrentChange';
  readonly nonRetryable = false;
}
