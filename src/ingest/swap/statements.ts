/**
 * The swap as an ordered list of statements, built from a captured plan without touching the
 * database. Order matters and is explained step by step below.
 */
import { displayName, type QualifiedName } from '../../sql/identifier.js';
import { aclStatements } from './acl.js';
import { matchByKey } from './matching.js';
import {
  addToPublication,
  alterOwner,
  clusterOn,
  commentOn,
  createMaterializedView,
  createPlaceholderView,
  createView,
  dropPolicy,
  dropRelations,
  dropRule,
  firingState,
  refreshMaterializedView,
  renameConstraint,
  renameRelation,
  replicaIdentity,
  resetColumnOptions,
  resetOptions,
  rowSecurity,
  setColumnCompression,
  setColumnDefault,
  setColumnOptions,
  setColumnStatistics,
  setColumnStorage,
  setIndexTablespace,
  setOptions,
  setSequenceValue,
  setStatisticsObjectOwner,
  setStatisticsObjectTarget,
  splitOption,
  type RelationKind,
} from './swap-sql.js';
import type { CapturedView, ColumnInfo, DependentDefinition, StatisticsInfo, SwapPlan } from './types.js';

/**
 * - `prepare`: rules and policies that read a dependent view are dropped first (they would block it);
 * - `drop`: dependent views, outermost first (the order readers lock them), then the table;
 * - `rename`: the replacement takes the table's name, its indexes, constraints and sequences the
 *   names of their equals on the old table;
 * - `table`: owner, options, column settings, replica identity, row security, privileges,
 *   comments, sequence positions, statistics objects, publications;
 * - `views`: each view after those it reads (cycles through placeholders), materialized views
 *   empty, with owner, privileges, comments, indexes, triggers; then the views' rules;
 * - `table-extras`: the table's triggers, rules and policies (they may read the new views);
 * - `populate`: REFRESH of the materialized views that held data, in dependency order, once
 *   everything they read (and its privileges and policies) is in place.
 */
export type SwapStep = 'prepare' | 'drop' | 'rename' | 'table' | 'views' | 'table-extras' | 'populate';

export interface SwapStatement {
  readonly step: SwapStep;
  readonly sql: string;
  /** The dependent view this statement creates or fills, so a failure can name it. */
  readonly view?: string;
}

/** Builds the swap's statements from a captured plan (pure). */
export function buildSwapStatements(plan: SwapPlan): SwapStatement[] {
  const out: SwapStatement[] = [];
  const push = (step: SwapStep, sqls: readonly (string | null)[], view?: string) => {
    for (const sql of sqls) if (sql !== null) out.push(view === undefined ? { step, sql } : { step, sql, view });
  };
  const table: QualifiedName = { schema: plan.table.schema, name: plan.table.name };
  const user = plan.session.user;
  const units = viewUnits(plan);

  // prepare
  for (const rule of plan.table.rules.filter((r) => r.dropFirst)) push('prepare', [dropRule(table, rule.name)]);
  for (const view of plan.views) for (const rule of view.rules.filter((r) => r.dropFirst)) push('prepare', [dropRule(view, rule.name)]);
  for (const policy of plan.table.policies.filter((p) => p.dropFirst)) push('prepare', [dropPolicy(table, policy.name)]);

  // drop: outermost views first; neighbours of one kind in one statement (cycles need that).
  const dropOrder = dropUnits(units).flat();
  for (let i = 0; i < dropOrder.length; ) {
    const kind = dropOrder[i]!.kind;
    let j = i;
    while (j < dropOrder.length && dropOrder[j]!.kind === kind) j++;
    push('drop', [dropRelations(kind, dropOrder.slice(i, j))]);
    i = j;
  }
  push('drop', [dropRelations('table', [table])]);

  push('rename', renames(plan, table));
  push('table', tableSettings(plan, table));

  // views
  for (const unit of units) {
    if (unit.length > 1) {
      for (const view of unit) push('views', [createPlaceholderView(view, view.columns)], displayName(view));
      for (const view of unit) push('views', [createView(view, view.options, view.definition, true)], displayName(view));
    } else {
      const view = unit[0]!;
      const create =
        view.kind === 'view'
          ? createView(view, view.options, view.definition)
          : createMaterializedView(view, view.accessMethod, view.options, view.tablespace, view.definition);
      push('views', [create], displayName(view));
    }
    for (const view of unit) push('views', viewSettings(view, user), displayName(view));
  }
  for (const view of plan.views) push('views', dependents(view, view.rules, 'RULE'), displayName(view));

  push('table-extras', [
    ...dependents(table, plan.table.triggers, 'TRIGGER'),
    ...dependents(table, plan.table.rules, 'RULE'),
    ...dependents(table, plan.table.policies, null),
  ]);

  const populate = toPopulate(plan);
  for (const view of plan.views.filter((v) => populate.has(v))) push('populate', [refreshMaterializedView(view)], displayName(view));
  for (const view of plan.views.filter((v) => populate.has(v) && !v.populated)) {
    push('populate', [refreshMaterializedView(view, false)], displayName(view));
  }
  return out;
}

/**
 * Materialized views to fill: those that held data, and those they read (through views) that did
 * not — a populated view can read one emptied later with REFRESH … WITH NO DATA; it is filled for
 * the refresh and emptied again afterwards.
 */
function toPopulate(plan: SwapPlan): Set<CapturedView> {
  const byName = new Map(plan.views.map((v) => [displayName(v), v]));
  const needed = new Set<CapturedView>();
  const stack = plan.views.filter((v) => v.kind === 'materialized-view' && v.populated);
  const seen = new Set(stack);
  while (stack.length > 0) {
    const view = stack.pop()!;
    if (view.kind === 'materialized-view') needed.add(view);
    for (const name of view.uses) {
      const read = byName.get(name);
      if (read !== undefined && !seen.has(read)) {
        seen.add(read);
        stack.push(read);
      }
    }
  }
  return needed;
}

/** Views grouped for creation: one view, or every view of one cycle. */
function viewUnits(plan: SwapPlan): CapturedView[][] {
  const cycleOf = new Map<number, readonly number[]>();
  for (const cycle of plan.cycles) for (const at of cycle) cycleOf.set(at, cycle);
  const units: CapturedView[][] = [];
  const done = new Set<number>();
  plan.views.forEach((view, at) => {
    if (done.has(at)) return;
    const members = cycleOf.get(at) ?? [at];
    for (const m of members) done.add(m);
    units.push(members.map((m) => plan.views[m]!));
  });
  return units;
}

/**
 * Drop order: every view before the views it reads (readers lock a view before what it reads, so
 * the swap queues behind them in the same order), unrelated views by name — the order a reader's
 * UNION of sibling views usually locks them in.
 */
function dropUnits(units: readonly CapturedView[][]): CapturedView[][] {
  const unitOf = new Map<string, number>();
  units.forEach((unit, i) => unit.forEach((view) => unitOf.set(displayName(view), i)));
  const before = units.map(() => new Set<number>()); // before[i]: units that must be dropped after i
  const waitingFor = units.map(() => 0);
  units.forEach((unit, i) => {
    for (const view of unit) {
      for (const name of view.uses) {
        const read = unitOf.get(name);
        if (read === undefined || read === i || before[i]!.has(read)) continue;
        before[i]!.add(read);
        waitingFor[read]!++;
      }
    }
  });
  const key = (i: number) => units[i]!.map((v) => JSON.stringify([v.schema, v.name])).sort()[0]!;
  const ready = units.map((_, i) => i).filter((i) => waitingFor[i] === 0);
  const order: CapturedView[][] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0));
    const next = ready.pop()!;
    order.push(units[next]!);
    for (const read of before[next]!) if (--waitingFor[read]! === 0) ready.push(read);
  }
  return order;
}

/** Replacement's table, indexes, constraints and sequences take the old names. */
function renames(plan: SwapPlan, table: QualifiedName): string[] {
  const { replacement } = plan;
  const out = [renameRelation('table', replacement, table.name)];
  const schema = table.schema;

  const relationRenames: { kind: RelationKind | 'constraint'; from: string; to: string }[] = [];
  for (const [old, fresh] of matchByKey(plan.table.indexes, replacement.indexes).pairs) {
    if (old.name === fresh.name) continue;
    relationRenames.push({ kind: fresh.constraintName === null ? 'index' : 'constraint', from: fresh.constraintName ?? fresh.name, to: old.name });
  }
  for (const sequence of plan.table.sequences) {
    if (sequence.schema === sequence.replacementSchema && sequence.name !== sequence.replacementName) {
      relationRenames.push({ kind: 'sequence', from: sequence.replacementName, to: sequence.name });
    }
  }
  // A CHECK, FK or NOT NULL constraint cannot take a name another constraint of the table keeps.
  const constraintMatching = matchByKey(plan.table.constraints, replacement.constraints);
  const renamed = new Set(constraintMatching.pairs.map(([, fresh]) => fresh.name));
  const kept = new Set([
    ...replacement.constraints.filter((c) => !renamed.has(c.name)).map((c) => c.name),
    ...replacement.indexes.flatMap((i) => (i.constraintName === null ? [] : [i.constraintName])),
  ]);
  for (const [old, fresh] of constraintMatching.pairs) {
    if (old.name !== fresh.name && !kept.has(old.name)) relationRenames.push({ kind: 'constraint', from: fresh.name, to: old.name });
  }

  // Names can only be exchanged through temporary ones.
  const taken = new Set(relationRenames.map((r) => r.from));
  const clash = relationRenames.some((r) => taken.has(r.to));
  const rename = (kind: RelationKind | 'constraint', from: string, to: string) =>
    kind === 'constraint' ? renameConstraint(table, from, to) : renameRelation(kind, { schema, name: from }, to);
  if (clash) {
    relationRenames.forEach((r, i) => {
      out.push(rename(r.kind, r.from, `temporal_pg_swap_${i}`));
      r.from = `temporal_pg_swap_${i}`;
    });
  }
  for (const r of relationRenames) out.push(rename(r.kind, r.from, r.to));
  return out;
}

/** Everything of the old table that the renamed replacement takes on. */
function tableSettings(plan: SwapPlan, table: QualifiedName): string[] {
  const { table: old, replacement, session } = plan;
  const out: string[] = [];
  if (old.owner !== replacement.owner) out.push(alterOwner('table', table, old.owner));

  out.push(...optionChanges('table', table, replacement.options, old.options));
  if (replacement.hasToast) {
    const toast = (options: readonly string[]) => options.map((o) => `toast.${o}`);
    out.push(...optionChanges('table', table, toast(replacement.toastOptions), toast(old.toastOptions)));
  }

  const fresh = new Map(replacement.columns.map((c) => [c.name, c]));
  const shared = old.columns.filter((c) => fresh.has(c.name));
  for (const column of shared) {
    const now = fresh.get(column.name)!;
    if (column.statisticsTarget !== now.statisticsTarget) out.push(setColumnStatistics('table', table, column.name, column.statisticsTarget));
    const { reset, set } = optionDiff(now.options, column.options);
    if (reset.length > 0) out.push(resetColumnOptions('table', table, column.name, reset));
    if (set.length > 0) out.push(setColumnOptions('table', table, column.name, set));
    if (column.type === now.type && column.storage !== null && column.storage !== now.storage) out.push(setColumnStorage(table, column.name, column.storage));
    if (column.type === now.type && column.compression !== null && column.compression !== now.compression) {
      out.push(setColumnCompression(table, column.name, column.compression));
    }
  }

  const indexPairs = matchByKey(old.indexes, replacement.indexes).pairs;
  const replicaIndex = indexPairs.find(([o]) => o.replicaIdentity);
  if (old.replicaIdentity === 'n' || old.replicaIdentity === 'f') out.push(replicaIdentity(table, old.replicaIdentity, null));
  if (old.replicaIdentity === 'i' && replicaIndex !== undefined) out.push(replicaIdentity(table, 'i', replicaIndex[0].name));
  const clustered = indexPairs.find(([o]) => o.clustered);
  if (clustered !== undefined) out.push(clusterOn(table, 'table', clustered[0].name));
  if (old.rowSecurity) out.push(rowSecurity(table, 'ENABLE'));
  if (old.forceRowSecurity) out.push(rowSecurity(table, 'FORCE'));

  out.push(
    ...aclStatements({
      kind: 'table',
      relation: table,
      owner: old.owner,
      sessionUser: session.user,
      desired: old.acl,
      desiredColumns: shared.map((c) => ({ column: c.name, privileges: c.acl })),
      currentIsDefault: replacement.acl.isDefault,
      currentGrantees: [replacement.owner, ...replacement.acl.privileges.map((p) => p.grantee)],
      currentColumns: replacement.columns.map((c) => ({ column: c.name, grantees: c.acl.map((p) => p.grantee) })),
    }),
  );

  if (plan.request.tableComment === 'target' && old.comment !== replacement.comment) out.push(commentOn({ kind: 'table', relation: table }, old.comment));
  for (const column of shared) {
    if (column.comment !== fresh.get(column.name)!.comment) out.push(commentOn({ kind: 'column', relation: table, column: column.name }, column.comment));
  }
  for (const [o, n] of indexPairs) {
    if (o.comment !== n.comment) out.push(commentOn({ kind: 'index', relation: { schema: table.schema, name: o.name } }, o.comment));
    if (o.constraintName !== null && o.constraintComment !== n.constraintComment) {
      out.push(commentOn({ kind: 'constraint', relation: table, name: o.constraintName }, o.constraintComment));
    }
  }
  for (const [o, n] of matchByKey(old.constraints, replacement.constraints).pairs) {
    if (o.comment !== n.comment) out.push(commentOn({ kind: 'constraint', relation: table, name: o.name }, o.comment));
  }

  for (const sequence of old.sequences) {
    const name = { schema: sequence.replacementSchema, name: sequence.schema === sequence.replacementSchema ? sequence.name : sequence.replacementName };
    out.push(setSequenceValue(name, sequence.lastValue, sequence.isCalled));
    out.push(
      ...aclStatements({
        kind: 'sequence',
        relation: name,
        owner: old.owner,
        sessionUser: session.user,
        desired: sequence.acl,
        desiredColumns: [],
        currentIsDefault: sequence.replacementAcl.isDefault,
        currentGrantees: [replacement.owner, ...sequence.replacementAcl.privileges.map((p) => p.grantee)],
        currentColumns: [],
      }),
    );
    if (sequence.comment !== null) out.push(commentOn({ kind: 'sequence', relation: name }, sequence.comment));
  }

  out.push(...statisticsObjects(old.statistics, session.user));
  for (const publication of old.publications) out.push(addToPublication(publication.publication, table, publication.columns, publication.rowFilter));
  return out;
}

/** Owner, column settings, privileges, comments, indexes, statistics and triggers of a re-created view. */
function viewSettings(view: CapturedView, user: string): string[] {
  const out: string[] = [];
  if (view.owner !== user) out.push(alterOwner(view.kind, view, view.owner));
  for (const column of view.columns) {
    if (column.defaultExpression !== null) out.push(setColumnDefault(view.kind, view, column.name, column.defaultExpression));
    if (view.kind === 'materialized-view') out.push(...matviewColumnSettings(view, column));
  }
  out.push(
    ...aclStatements({
      kind: view.kind,
      relation: view,
      owner: view.owner,
      sessionUser: user,
      desired: view.acl,
      desiredColumns: view.columns.map((c) => ({ column: c.name, privileges: c.acl })),
      currentIsDefault: !view.defaultPrivilegesApply,
      currentGrantees: [user, ...view.defaultPrivilegeGrantees],
      currentColumns: [],
    }),
  );
  if (view.comment !== null) out.push(commentOn({ kind: view.kind, relation: view }, view.comment));
  for (const column of view.columns) {
    if (column.comment !== null) out.push(commentOn({ kind: 'column', relation: view, column: column.name }, column.comment));
  }
  for (const index of view.indexes) {
    out.push(index.definition);
    if (index.tablespace !== null) out.push(setIndexTablespace(view.schema, index.name, index.tablespace));
    if (index.comment !== null) out.push(commentOn({ kind: 'index', relation: { schema: view.schema, name: index.name } }, index.comment));
    if (index.clustered) out.push(clusterOn(view, 'materialized-view', index.name));
  }
  out.push(...statisticsObjects(view.statistics, user));
  out.push(...dependents(view, view.triggers, 'TRIGGER'));
  return out;
}

function matviewColumnSettings(view: CapturedView, column: ColumnInfo): string[] {
  const out: string[] = [];
  if (column.statisticsTarget !== null) out.push(setColumnStatistics('materialized-view', view, column.name, column.statisticsTarget));
  if (column.options.length > 0) out.push(setColumnOptions('materialized-view', view, column.name, column.options));
  return out;
}

function statisticsObjects(objects: readonly StatisticsInfo[], user: string): string[] {
  const out: string[] = [];
  for (const statistics of objects) {
    out.push(statistics.definition);
    if (statistics.owner !== user) out.push(setStatisticsObjectOwner(statistics, statistics.owner));
    if (statistics.statisticsTarget !== null) out.push(setStatisticsObjectTarget(statistics, statistics.statisticsTarget));
    if (statistics.comment !== null) out.push(commentOn({ kind: 'statistics', statistics }, statistics.comment));
  }
  return out;
}

/** Triggers, rules or policies: their CREATE, firing state and comment. */
function dependents(relation: QualifiedName, items: readonly DependentDefinition[], what: 'TRIGGER' | 'RULE' | null): string[] {
  const out: string[] = [];
  for (const item of items) {
    out.push(item.definition);
    if (what !== null) out.push(firingState(relation, what, item.name, item.enabled) ?? '');
    if (item.comment !== null) {
      out.push(commentOn({ kind: what === 'TRIGGER' ? 'trigger' : what === 'RULE' ? 'rule' : 'policy', relation, name: item.name }, item.comment));
    }
  }
  return out.filter((s) => s !== '');
}

/** RESET what only `current` has, SET what `desired` has differently. */
function optionChanges(kind: RelationKind, relation: QualifiedName, current: readonly string[], desired: readonly string[]): string[] {
  const { reset, set } = optionDiff(current, desired);
  return [...(reset.length > 0 ? [resetOptions(kind, relation, reset)] : []), ...(set.length > 0 ? [setOptions(kind, relation, set)] : [])];
}

function optionDiff(current: readonly string[], desired: readonly string[]): { reset: string[]; set: string[] } {
  const desiredKeys = new Set(desired.map((o) => splitOption(o).key));
  return {
    reset: current.map((o) => splitOption(o).key).filter((k) => !desiredKeys.has(k)),
    set: desired.filter((o) => !current.includes(o)),
  };
}
