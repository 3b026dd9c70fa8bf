/**
 * Decides, from captured catalog rows, what would stop the swap: objects a RESTRICT drop would
 * trip over (and CASCADE would silently destroy), constraints the replacement lacks, columns the
 * replacement lacks but something carried uses, and permissions the current role lacks.
 */
import type { BrokenView, SwapObstacle } from './errors.js';

/** A row of `dependentsQuery`. */
export interface DependentRow {
  readonly catalog: string;
  readonly deptype: string;
  readonly description: string;
  readonly belongs_to: number | null;
  readonly constraint_type: string | null;
}

/**
 * Anything depending on a dropped relation (or its row type) that belongs to none of the dropped
 * relations is an obstacle: a foreign key of another table, a function with a SQL-standard body,
 * a rule or policy of another table, a column of another table typed with the row type, a domain …
 * What belongs to a dropped relation (its indexes, constraints, triggers, rules, policies,
 * defaults, statistics, publication memberships, owned sequences, row type) is handled by the swap.
 */
export function dependentObstacles(rows: readonly DependentRow[], dropped: ReadonlySet<number>): SwapObstacle[] {
  const obstacles = new Map<string, SwapObstacle>();
  for (const row of rows) {
    if (row.belongs_to !== null && dropped.has(Number(row.belongs_to))) continue;
    if (obstacles.has(row.description)) continue;
    const foreignKey = row.catalog === 'pg_constraint' && row.constraint_type === 'f';
    obstacles.set(row.description, {
      kind: foreignKey ? 'foreign-key' : 'dependent-object',
      object: row.description,
      reason: foreignKey
        ? 'references the table; a swap would have to drop it (drop it, swap, and add it back NOT VALID then VALIDATE)'
        : 'depends on the table or one of its dependent views and cannot be re-created by the swap; drop it first',
    });
  }
  return [...obstacles.values()];
}

/** A row of `columnUsesQuery`. */
export interface ColumnUseRow {
  readonly catalog: string;
  readonly column: string;
  readonly description: string;
  readonly belongs_to: number | null;
  readonly internal: boolean | null;
}

/**
 * Uses of target columns the replacement lacks: a dependent view's definition makes a
 * {@link BrokenView}; a carried trigger, rule, policy, statistics object or publication column
 * list of the table makes an obstacle. Indexes, constraints and defaults are the replacement's own
 * business (they follow its schema).
 */
export function missingColumnUses(
  rows: readonly ColumnUseRow[],
  replacementColumns: ReadonlySet<string>,
  targetOid: number,
  views: ReadonlyMap<number, string>,
): { broken: BrokenView[]; obstacles: SwapObstacle[] } {
  const broken = new Map<string, BrokenView>();
  const obstacles = new Map<string, SwapObstacle>();
  for (const row of rows) {
    if (replacementColumns.has(row.column) || row.belongs_to === null || row.internal === true) continue;
    const owner = Number(row.belongs_to);
    const view = views.get(owner);
    if (row.catalog === 'pg_rewrite' && view !== undefined) {
      const id = JSON.stringify([view, row.column]);
      if (!broken.has(id)) broken.set(id, { view, column: row.column, reason: 'the replacement has no such column' });
      continue;
    }
    const carried = ['pg_trigger', 'pg_policy', 'pg_statistic_ext', 'pg_publication_rel', 'pg_rewrite'].includes(row.catalog);
    if (!carried || owner !== targetOid) continue;
    const id = JSON.stringify([row.description, row.column]);
    if (!obstacles.has(id)) {
      obstacles.set(id, {
        kind: 'column',
        object: row.description,
        reason: `uses column ${JSON.stringify(row.column)}, which the replacement lacks; drop or change it first`,
      });
    }
  }
  return { broken: [...broken.values()], obstacles: [...obstacles.values()] };
}

/** What the role running the swap may do as or to one role (a row of `roleChecksQuery`). */
export interface RoleCheck {
  readonly role: string;
  /** Holds the role's privileges (may drop, alter and re-grant what it owns). */
  readonly usage: boolean;
  /** May SET ROLE to it (needed to make it the owner, or to grant in its name). */
  readonly can_set: boolean;
  /** Schemas (of those asked about) in which the role may create objects. */
  readonly create_in: readonly string[];
}

/** One thing the swap will do that needs a permission. */
export type PermissionNeed =
  | { readonly need: 'own'; readonly role: string; readonly object: string }
  | { readonly need: 'become'; readonly role: string; readonly object: string; readonly schema: string }
  | { readonly need: 'create'; readonly schema: string; readonly object: string }
  | { readonly need: 'grant-as'; readonly role: string; readonly object: string };

/** Turns the needs the current role cannot meet into obstacles (a superuser meets them all). */
export function permissionObstacles(
  needs: readonly PermissionNeed[],
  checks: ReadonlyMap<string, RoleCheck>,
  session: { user: string; superuser: boolean },
): SwapObstacle[] {
  if (session.superuser) return [];
  // One obstacle per object, naming everything it lacks.
  const reasons = new Map<string, string[]>();
  const add = (object: string, reason: string) => {
    const list = reasons.get(object) ?? [];
    if (!list.includes(reason)) list.push(reason);
    reasons.set(object, list);
  };
  for (const need of needs) {
    switch (need.need) {
      case 'own':
        if (!checks.get(need.role)?.usage) add(need.object, `owned by ${need.role}; ${session.user} must be a member of it (with INHERIT) to drop and re-create it`);
        break;
      case 'become': {
        if (need.role === session.user) break;
        const check = checks.get(need.role);
        if (!check?.can_set) add(need.object, `owned by ${need.role}; ${session.user} must be able to SET ROLE ${need.role} to give it back`);
        else if (!check.create_in.includes(need.schema)) add(need.object, `owned by ${need.role}, which lacks CREATE on schema ${need.schema}`);
        break;
      }
      case 'create':
        if (!checks.get(session.user)?.create_in.includes(need.schema)) add(need.object, `${session.user} lacks CREATE on schema ${need.schema}`);
        break;
      case 'grant-as':
        if (!checks.get(need.role)?.can_set) add(need.object, `has privileges granted by ${need.role}; ${session.user} must be able to SET ROLE ${need.role} to grant them again`);
        break;
    }
  }
  return [...reasons].map(([object, list]) => ({ kind: 'permission', object, reason: list.join('; ') }));
}
