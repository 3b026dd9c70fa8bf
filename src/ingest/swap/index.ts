/**
 * The table swap of the ingest engine: a freshly built replacement takes the live table's place
 * in one transaction, and everything bound to the live table is kept.
 *
 * ```ts
 * const plan = await planSwap(client, { target, replacement }); // once the empty replacement exists
 * // … fill the replacement …
 * await client.query('BEGIN');                                  // (force-execute does this)
 * const result = await executeSwap(client, plan);               // captures again, swaps
 * await client.query('COMMIT');
 * ```
 *
 * Carried to the replacement:
 * - dependent views and materialized views, recursively (through other views and row types),
 *   cycles included: definition, kind, options (`security_barrier`, `security_invoker`,
 *   `check_option`, storage parameters), access method, tablespace, owner, comment, column
 *   comments, column defaults, privileges (column-level, grant options, PUBLIC, other grantors),
 *   INSTEAD OF triggers and rules, materialized-view indexes (with comments, tablespace, CLUSTER
 *   mark), statistics objects, and populated state (WITH NO DATA stays empty);
 * - the table's owner, privileges (column-level, grant options, PUBLIC, other grantors, revoked
 *   owner privileges), comment (or the replacement's, by option), column comments, storage
 *   parameters (TOAST ones too), column statistics targets, attribute options, storage and
 *   compression, replica identity, CLUSTER mark, row-level security (enabled, forced) and
 *   policies, triggers and their firing state, rules, extended statistics objects, publication
 *   memberships (column lists, row filters), and the position of sequences owned by its columns;
 * - the names of its primary key, unique and exclusion constraints, indexes, CHECK, foreign-key and
 *   NOT NULL constraints and owned sequences, given to their equals on the replacement.
 *
 * Refused with {@link SwapBlockedError} before anything changes: foreign keys of other tables
 * referencing the table; anything else that depends on the table, a dependent view or their row
 * types and is not a view (functions with SQL-standard bodies, rules and policies of other
 * tables, columns or domains of the row type, another table's default using an owned sequence);
 * CHECK, foreign-key and exclusion constraints the replacement lacks; triggers, policies, rules,
 * statistics objects and publication column lists using a column the replacement lacks;
 * partitioned tables, partitions, inheritance, typed tables, extension members, a persistence
 * mismatch, a replacement in another schema; security labels; anything the current role may not
 * drop, re-create, re-own or re-grant. A view that uses a dropped column, or whose definition
 * PostgreSQL rejects on the replacement, fails with {@link DependentViewBrokenError}.
 *
 * Follows the replacement's schema, listed in `plan.notCarried`: indexes the replacement has no
 * equal of, comments and settings of columns it dropped, owned sequences its columns lack.
 * Not carried: planner statistics (run ANALYZE on the replacement before the swap), security
 * labels (refused), statistics targets of index expression columns, index tablespaces of the table.
 *
 * @module
 */
export { planSwap } from './plan.js';
export { executeSwap, type ExecuteSwapOptions, type SwapResult } from './execute.js';
export { buildSwapStatements, type SwapStatement, type SwapStep } from './statements.js';
export {
  DependentViewBrokenError,
  SwapBlockedError,
  SwapConcurrentChangeError,
  SwapOutsideTransactionError,
  SwapTableMissingError,
  type BrokenView,
  type SwapObstacle,
  type SwapObstacleKind,
} from './errors.js';
export type {
  Acl,
  CapturedReplacement,
  CapturedTable,
  CapturedView,
  NotCarried,
  Privilege,
  SwapPlan,
  SwapRequest,
} from './types.js';
