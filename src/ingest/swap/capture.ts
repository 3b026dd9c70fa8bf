/**
 * Reads from the catalog everything bound to the target table and the replacement, and decides
 * whether the swap can carry it. Runs inside the caller's transaction with an empty search_path
 * (see `catalog-scope.ts`); changes nothing.
 */
import type pg from 'pg';
import { assertIdentifier, displayName, type QualifiedName } from '../../sql/identifier.js';
import { orderByDependencies } from './dependency-order.js';
import { DependentViewBrokenError, SwapBlockedError, SwapTableMissingError, type SwapObstacle } from './errors.js';
import { constraintKey, indexKey, matchByKey } from './matching.js';
import {
  dependentObstacles,
  missingColumnUses,
  permissionObstacles,
  type ColumnUseRow,
  type DependentRow,
  type PermissionNeed,
  type RoleCheck,
} from './obstacles.js';
import {
  aclQuery,
  columnAclQuery,
  columnsQuery,
  columnUsesQuery,
  constraintsQuery,
  createPolicy,
  dependentsQuery,
  dependentViewsQuery,
  indexesQuery,
  ownedSequencesQuery,
  policiesQuery,
  publicationsQuery,
  relationQuery,
  roleChecksQuery,
  rulesQuery,
  securityLabelsQuery,
  sessionQuery,
  statisticsQuery,
  triggersQuery,
  viewEdgesQuery,
  withoutTrailingSemicolon,
} from './swap-sql.js';
import type {
  Acl,
  CapturedView,
  ColumnInfo,
  ConstraintInfo,
  DependentDefinition,
  IndexInfo,
  NotCarried,
  OwnedSequence,
  Privilege,
  StatisticsInfo,
  SwapPlan,
  SwapRequest,
} from './types.js';

interface RelationRow {
  oid: number;
  reltype: number;
  schema: string;
  name: string;
  kind: string;
  persistence: string;
  is_partition: boolean;
  is_typed: boolean;
  inherits: boolean;
  in_extension: boolean;
  owner: string;
  options: string[];
  toast_options: string[];
  has_toast: boolean;
  row_security: boolean;
  force_row_security: boolean;
  replica_identity: string;
  comment: string | null;
}

interface ViewRow {
  oid: number;
  reltype: number;
  schema: string;
  name: string;
  kind: 'v' | 'm';
  definition: string;
  owner: string;
  options: string[];
  populated: boolean;
  access_method: string | null;
  tablespace: string | null;
  comment: string | null;
  in_extension: boolean;
  default_privilege_grantees: string[];
  default_privileges_apply: boolean;
}

interface PrivilegeRow {
  oid?: number;
  relation?: number;
  column?: string;
  is_default?: boolean;
  grantor: string | null;
  grantee: string | null;
  privilege: string | null;
  grantable: boolean | null;
}

/** Validates the request and fills in its defaults. */
export function normaliseRequest(request: SwapRequest): Required<SwapRequest> {
  for (const [what, name] of [
    ['target', request.target],
    ['replacement', request.replacement],
  ] as const) {
    assertIdentifier(name?.schema, `${what} schema`);
    assertIdentifier(name.name, `${what} table`);
  }
  const tableComment = request.tableComment ?? 'target';
  if (tableComment !== 'target' && tableComment !== 'replacement') {
    throw new TypeError(`tableComment must be 'target' or 'replacement', got ${JSON.stringify(tableComment)}`);
  }
  return {
    target: { schema: request.target.schema, name: request.target.name },
    replacement: { schema: request.replacement.schema, name: request.replacement.name },
    tableComment,
  };
}

/**
 * Captures the swap. Throws {@link SwapTableMissingError}, {@link SwapBlockedError} (every
 * obstacle at once) or {@link DependentViewBrokenError}.
 */
export async function captureSwap(client: pg.ClientBase, request: Required<SwapRequest>): Promise<SwapPlan> {
  const rows = async <R extends object>(text: string, values: unknown[] = []): Promise<R[]> =>
    (await client.query<R & pg.QueryResultRow>(text, values)).rows;

  const [session] = await rows<{ user: string; superuser: boolean; version: number }>(sessionQuery);
  if (session === undefined) throw new Error('cannot read the current role');
  const target = await relation(client, request.target, 'target');
  const replacement = await relation(client, request.replacement, 'replacement');
  const targetName = displayName(request.target);
  const obstacles: SwapObstacle[] = [...tableObstacles(target, replacement)];

  const viewRows = (await rows<ViewRow>(dependentViewsQuery, [target.oid, target.reltype])).sort((a, b) =>
    compare(a.schema, b.schema) !== 0 ? compare(a.schema, b.schema) : compare(a.name, b.name),
  );
  const viewOids = viewRows.map((v) => v.oid);
  const viewNames = new Map(viewRows.map((v) => [v.oid, displayName(v)]));
  const dropped = new Set([target.oid, ...viewOids]);
  const matviewOids = viewRows.filter((v) => v.kind === 'm').map((v) => v.oid);

  const edges = await rows<{ view: number; uses: number; target_column: string | null }>(viewEdgesQuery, [
    [...dropped],
    [target.reltype, ...viewRows.map((v) => v.reltype)],
    viewOids,
    target.oid,
  ]);
  const uses = groupBy(
    edges.filter((e) => e.uses !== target.oid),
    (e) => e.view,
  );
  const targetColumnsUsed = groupBy(
    edges.filter((e) => e.target_column !== null),
    (e) => e.view,
  );

  const relations = [target.oid, replacement.oid, ...viewOids];
  const sequenceRows = await rows<SequenceRow>(ownedSequencesQuery, [[target.oid, replacement.oid]]);
  const aclRows = await rows<PrivilegeRow>(aclQuery, [[...relations, ...sequenceRows.map((s) => s.oid)]]);
  const columnRows = await rows<ColumnRow>(columnsQuery, [relations]);
  const columnAclRows = await rows<PrivilegeRow>(columnAclQuery, [relations]);
  const indexRows = await rows<IndexRow>(indexesQuery, [[target.oid, replacement.oid, ...matviewOids]]);
  const constraintRows = await rows<ConstraintRow>(constraintsQuery, [[target.oid, replacement.oid]]);
  const triggerRows = await rows<TriggerRow>(triggersQuery, [[target.oid, ...viewOids]]);
  const ruleRows = await rows<TriggerRow>(rulesQuery, [[target.oid, ...viewOids], viewOids]);
  const policyRows = await rows<PolicyRow>(policiesQuery, [target.oid, viewOids]);
  const statisticsRows = await rows<StatisticsRow>(statisticsQuery, [[target.oid, ...matviewOids]]);
  const publications = await rows<PublicationRow>(publicationsQuery(session.version), [target.oid]);

  const targetSequences = sequenceRows.filter((s) => s.relation === target.oid);
  const dependents = await rows<DependentRow>(dependentsQuery, [
    [...dropped, ...targetSequences.map((s) => s.oid)],
    [target.reltype, ...viewRows.map((v) => v.reltype)],
  ]);
  obstacles.push(...dependentObstacles(dependents, new Set([...dropped, ...targetSequences.map((s) => s.oid)])));
  for (const view of viewRows.filter((v) => v.in_extension)) {
    obstacles.push({ kind: 'table-kind', object: `view ${displayName(view)}`, reason: 'belongs to an extension' });
  }
  for (const { relation: oid } of await rows<{ relation: number }>(securityLabelsQuery, [[...dropped]])) {
    const name = oid === target.oid ? `table ${targetName}` : `view ${viewNames.get(oid)}`;
    obstacles.push({ kind: 'security-label', object: name, reason: 'security labels are not carried; remove the label first' });
  }

  const columnsOf = (oid: number) => columns(columnRows, columnAclRows, oid);
  const aclOf = (oid: number) => acl(aclRows, oid);
  const notCarried: NotCarried[] = [];

  // The table: columns, indexes, constraints and sequences are the replacement's own; what the
  // target's had (names, comments, settings, privileges) is carried where the replacement has them.
  const targetColumns = columnsOf(target.oid);
  const replacementColumns = columnsOf(replacement.oid);
  const replacementColumnNames = new Set(replacementColumns.map((c) => c.name));
  for (const column of targetColumns.filter((c) => !replacementColumnNames.has(c.name))) {
    if (column.comment !== null || column.acl.length > 0 || column.statisticsTarget !== null || column.options.length > 0) {
      notCarried.push({ object: `column ${targetName}.${column.name}`, reason: 'the replacement has no such column; its comment, privileges and settings go with it' });
    }
  }

  const targetIndexes = indexes(indexRows, target.oid);
  const replacementIndexes = indexes(indexRows, replacement.oid);
  const indexMatching = matchByKey(targetIndexes, replacementIndexes);
  for (const index of indexMatching.unmatched) {
    if (index.constraintType === 'x') {
      obstacles.push({
        kind: 'constraint',
        object: `constraint ${index.constraintName} on table ${targetName}`,
        reason: 'the replacement has no equal exclusion constraint; add it to the replacement or drop it',
      });
    } else {
      notCarried.push({ object: `index ${index.name}`, reason: 'the replacement has no equal index; it goes with the old table' });
    }
  }

  const targetConstraints = constraints(constraintRows, target.oid);
  const constraintMatching = matchByKey(targetConstraints, constraints(constraintRows, replacement.oid));
  for (const constraint of constraintMatching.unmatched) {
    if (constraint.type === 'n') continue; // nullability follows the replacement's schema
    obstacles.push({
      kind: 'constraint',
      object: `constraint ${constraint.name} on table ${targetName}`,
      reason: `the replacement has no equal ${constraint.type === 'f' ? 'foreign key' : 'CHECK constraint'} (${JSON.parse(constraint.key)[1]}); add it to the replacement or drop it`,
    });
  }

  const sequences: OwnedSequence[] = [];
  for (const sequence of targetSequences) {
    const counterpart = sequenceRows.find((s) => s.relation === replacement.oid && s.column === sequence.column);
    if (counterpart === undefined) {
      notCarried.push({ object: `sequence ${sequence.name}`, reason: `the replacement's column ${JSON.stringify(sequence.column)} owns no sequence; it goes with the old table` });
      continue;
    }
    sequences.push({
      column: sequence.column,
      schema: sequence.schema,
      name: sequence.name,
      replacementSchema: counterpart.schema,
      replacementName: counterpart.name,
      lastValue: sequence.last_value,
      isCalled: sequence.is_called,
      acl: aclOf(sequence.oid),
      replacementAcl: aclOf(counterpart.oid),
      comment: sequence.comment,
    });
  }

  const replicaIndex = targetIndexes.find((i) => i.replicaIdentity);
  if (target.replica_identity === 'i' && replicaIndex !== undefined && !indexMatching.pairs.some(([t]) => t === replicaIndex)) {
    notCarried.push({ object: `replica identity of ${targetName}`, reason: `its index ${replicaIndex.name} has no equal on the replacement; the replica identity falls back to the default` });
  }
  if (target.toast_options.length > 0 && !replacement.has_toast) {
    notCarried.push({ object: `TOAST options of ${targetName}`, reason: 'the replacement has no TOAST table' });
  }

  const triggersOf = (oid: number) => definitions(triggerRows.filter((t) => t.relation === oid));
  const rulesOf = (oid: number) =>
    definitions(ruleRows.filter((r) => r.relation === oid).map((r) => ({ ...r, definition: withoutTrailingSemicolon(r.definition) })));
  const policies: DependentDefinition[] = policyRows.map((p) => ({
    name: p.name,
    definition: createPolicy(request.target, {
      name: p.name,
      permissive: p.permissive,
      command: p.command,
      roles: p.roles.map((r) => (r === '' ? null : r)),
      usingExpression: p.using_expression,
      checkExpression: p.check_expression,
    }),
    enabled: 'O',
    comment: p.comment,
    dropFirst: p.drop_first,
  }));
  for (const publication of publications) {
    for (const column of publication.columns ?? []) {
      if (!replacementColumnNames.has(column)) {
        obstacles.push({
          kind: 'column',
          object: `publication ${publication.publication}`,
          reason: `publishes column ${JSON.stringify(column)} of ${targetName}, which the replacement lacks`,
        });
      }
    }
  }

  // Views, in creation order.
  const viewByOid = new Map(viewRows.map((v) => [v.oid, v]));
  const groups = orderByDependencies(viewRows, (v) => (uses.get(v.oid) ?? []).map((e) => viewByOid.get(e.uses)!));
  const ordered = groups.flat();
  const position = new Map(ordered.map((v, i) => [v.oid, i]));
  const views: CapturedView[] = ordered.map((v) => ({
    schema: v.schema,
    name: v.name,
    kind: v.kind === 'm' ? 'materialized-view' : 'view',
    definition: withoutTrailingSemicolon(v.definition),
    owner: v.owner,
    options: v.options,
    populated: v.kind === 'm' ? v.populated : true,
    accessMethod: v.access_method,
    tablespace: v.tablespace,
    comment: v.comment,
    acl: aclOf(v.oid),
    defaultPrivilegesApply: v.default_privileges_apply,
    defaultPrivilegeGrantees: v.default_privilege_grantees.map((g) => (g === '' ? null : g)),
    columns: columnsOf(v.oid),
    indexes: indexes(indexRows, v.oid),
    triggers: triggersOf(v.oid),
    rules: rulesOf(v.oid),
    statistics: statistics(statisticsRows, v.oid),
    uses: (uses.get(v.oid) ?? []).map((e) => viewNames.get(e.uses)!).filter((n, i, all) => all.indexOf(n) === i),
    usesTargetColumns: [...new Set((targetColumnsUsed.get(v.oid) ?? []).map((e) => e.target_column!))],
  }));
  const cycles = groups.filter((g) => g.length > 1).map((g) => g.map((v) => position.get(v.oid)!));

  const columnUses = await rows<ColumnUseRow>(columnUsesQuery, [target.oid]);
  const missing = missingColumnUses(columnUses, replacementColumnNames, target.oid, viewNames);
  obstacles.push(...missing.obstacles);

  const plan: SwapPlan = {
    request,
    session: { user: session.user, superuser: session.superuser, serverVersion: session.version },
    table: {
      schema: target.schema,
      name: target.name,
      owner: target.owner,
      acl: aclOf(target.oid),
      comment: target.comment,
      options: target.options,
      toastOptions: target.toast_options,
      rowSecurity: target.row_security,
      forceRowSecurity: target.force_row_security,
      replicaIdentity: target.replica_identity,
      columns: targetColumns,
      indexes: targetIndexes,
      constraints: targetConstraints,
      triggers: triggersOf(target.oid),
      rules: rulesOf(target.oid),
      policies,
      statistics: statistics(statisticsRows, target.oid),
      sequences,
      publications: publications.map((p) => ({ publication: p.publication, columns: p.columns, rowFilter: p.row_filter })),
    },
    replacement: {
      schema: replacement.schema,
      name: replacement.name,
      owner: replacement.owner,
      acl: aclOf(replacement.oid),
      comment: replacement.comment,
      options: replacement.options,
      toastOptions: replacement.toast_options,
      hasToast: replacement.has_toast,
      columns: replacementColumns,
      indexes: replacementIndexes,
      constraints: constraints(constraintRows, replacement.oid),
    },
    views,
    cycles,
    notCarried,
  };

  obstacles.push(...(await permissions(client, plan, publications, session)));
  if (obstacles.length > 0) throw new SwapBlockedError(targetName, obstacles);
  if (missing.broken.length > 0) throw new DependentViewBrokenError(targetName, missing.broken);
  return plan;
}

async function relation(client: pg.ClientBase, name: QualifiedName, what: 'target' | 'replacement'): Promise<RelationRow> {
  const { rows } = await client.query<RelationRow>(relationQuery, [name.schema, name.name]);
  const row = rows[0];
  if (row === undefined) {
    throw new SwapTableMissingError(`the swap's ${what} table ${displayName(name)} does not exist`, { details: { [what]: displayName(name) } });
  }
  return row;
}

const KIND_NAMES: Record<string, string> = { p: 'partitioned table', v: 'view', m: 'materialized view', f: 'foreign table', S: 'sequence', i: 'index', c: 'composite type' };

function tableObstacles(target: RelationRow, replacement: RelationRow): SwapObstacle[] {
  const obstacles: SwapObstacle[] = [];
  const add = (row: RelationRow, reason: string) => obstacles.push({ kind: 'table-kind', object: `table ${displayName(row)}`, reason });
  for (const row of [target, replacement]) {
    if (row.kind !== 'r') add(row, `is a ${KIND_NAMES[row.kind] ?? `relation of kind ${row.kind}`}, not a plain table`);
    if (row.is_partition) add(row, 'is a partition');
    if (row.inherits) add(row, 'takes part in table inheritance');
    if (row.is_typed) add(row, 'is a typed table (OF type)');
    if (row.in_extension) add(row, 'belongs to an extension');
  }
  if (target.oid === replacement.oid) add(target, 'is both the target and the replacement');
  if (target.schema !== replacement.schema) {
    obstacles.push({
      kind: 'schema',
      object: `table ${displayName(replacement)}`,
      reason: `must be in the target's schema ${JSON.stringify(target.schema)} (a swap renames, it does not move)`,
    });
  }
  if (target.persistence !== replacement.persistence) {
    const word = (p: string) => (p === 'u' ? 'UNLOGGED' : p === 't' ? 'TEMPORARY' : 'LOGGED');
    add(replacement, `is ${word(replacement.persistence)} while the target is ${word(target.persistence)}; build it the same way`);
  }
  return obstacles;
}

interface ColumnRow {
  relation: number;
  attnum: number;
  name: string;
  type: string;
  collation: string | null;
  statistics_target: number | null;
  options: string[];
  storage: string | null;
  compression: string | null;
  default_expression: string | null;
  comment: string | null;
}

function columns(rows: readonly ColumnRow[], privileges: readonly PrivilegeRow[], oid: number): ColumnInfo[] {
  return rows
    .filter((r) => r.relation === oid)
    .map((r) => ({
      name: r.name,
      attnum: r.attnum,
      type: r.type,
      collation: r.collation,
      statisticsTarget: r.statistics_target,
      options: r.options,
      storage: r.storage,
      compression: r.compression,
      defaultExpression: r.default_expression,
      comment: r.comment,
      acl: privileges.filter((p) => p.relation === oid && p.column === r.name).map(privilege),
    }));
}

function acl(rows: readonly PrivilegeRow[], oid: number): Acl {
  const mine = rows.filter((r) => r.oid === oid);
  return {
    isDefault: mine[0]?.is_default ?? true,
    privileges: mine.filter((r) => r.privilege !== null).map(privilege),
  };
}

function privilege(row: PrivilegeRow): Privilege {
  return { grantor: row.grantor!, grantee: row.grantee, privilege: row.privilege!, grantable: row.grantable === true };
}

interface IndexRow {
  relation: number;
  name: string;
  definition: string;
  prefix: string;
  constraint_type: string | null;
  constraint_name: string | null;
  deferrable: boolean;
  deferred: boolean;
  exclusion: string | null;
  constraint_comment: string | null;
  comment: string | null;
  clustered: boolean;
  replica_identity: boolean;
  tablespace: string | null;
}

function indexes(rows: readonly IndexRow[], oid: number): IndexInfo[] {
  return rows
    .filter((r) => r.relation === oid)
    .map((r) => ({
      name: r.name,
      definition: r.definition,
      key: indexKey(r),
      constraintType: r.constraint_type,
      constraintName: r.constraint_name,
      constraintComment: r.constraint_comment,
      comment: r.comment,
      clustered: r.clustered,
      replicaIdentity: r.replica_identity,
      tablespace: r.tablespace,
    }));
}

interface ConstraintRow {
  relation: number;
  name: string;
  type: string;
  definition: string;
  not_null_column: string | null;
  comment: string | null;
}

function constraints(rows: readonly ConstraintRow[], oid: number): ConstraintInfo[] {
  return rows.filter((r) => r.relation === oid).map((r) => ({ name: r.name, type: r.type, key: constraintKey(r), comment: r.comment }));
}

interface SequenceRow {
  relation: number;
  column: string;
  oid: number;
  schema: string;
  name: string;
  last_value: string;
  is_called: boolean;
  comment: string | null;
}

interface PublicationRow {
  publication: string;
  owner: string;
  columns: string[] | null;
  row_filter: string | null;
}

interface TriggerRow {
  relation: number;
  name: string;
  definition: string;
  enabled: string;
  comment: string | null;
  drop_first?: boolean;
}

interface PolicyRow {
  name: string;
  permissive: boolean;
  command: string;
  roles: string[];
  using_expression: string | null;
  check_expression: string | null;
  comment: string | null;
  drop_first: boolean;
}

function definitions(rows: readonly TriggerRow[]): DependentDefinition[] {
  return rows.map((r) => ({ name: r.name, definition: r.definition, enabled: r.enabled, comment: r.comment, dropFirst: r.drop_first === true }));
}

interface StatisticsRow {
  relation: number;
  schema: string;
  name: string;
  definition: string;
  owner: string;
  statistics_target: number | null;
  comment: string | null;
}

function statistics(rows: readonly StatisticsRow[], oid: number): StatisticsInfo[] {
  return rows
    .filter((r) => r.relation === oid)
    .map((r) => ({ schema: r.schema, name: r.name, definition: r.definition, owner: r.owner, statisticsTarget: r.statistics_target, comment: r.comment }));
}

/** What the swap will do that needs a permission, checked in one query. */
async function permissions(
  client: pg.ClientBase,
  plan: SwapPlan,
  publications: readonly PublicationRow[],
  session: { user: string; superuser: boolean; version: number },
): Promise<SwapObstacle[]> {
  if (session.superuser) return [];
  const { table, replacement } = plan;
  const tableName = `table ${displayName(table)}`;
  const needs: PermissionNeed[] = [
    { need: 'own', role: table.owner, object: tableName },
    { need: 'own', role: replacement.owner, object: `table ${displayName(replacement)}` },
  ];
  if (table.owner !== replacement.owner) needs.push({ need: 'become', role: table.owner, object: tableName, schema: table.schema });
  const grantors = (object: string, owner: string, privileges: readonly Privilege[]) => {
    for (const p of privileges) if (p.grantor !== owner) needs.push({ need: 'grant-as', role: p.grantor, object });
  };
  grantors(tableName, table.owner, [...table.acl.privileges, ...table.columns.flatMap((c) => c.acl)]);
  for (const statisticsObject of [...table.statistics, ...plan.views.flatMap((v) => v.statistics)]) {
    const object = `statistics ${displayName(statisticsObject)}`;
    needs.push({ need: 'create', schema: statisticsObject.schema, object });
    if (statisticsObject.owner !== session.user) needs.push({ need: 'become', role: statisticsObject.owner, object, schema: statisticsObject.schema });
  }
  for (const view of plan.views) {
    const object = `${view.kind === 'view' ? 'view' : 'materialized view'} ${displayName(view)}`;
    needs.push({ need: 'own', role: view.owner, object }, { need: 'create', schema: view.schema, object });
    if (view.owner !== session.user) needs.push({ need: 'become', role: view.owner, object, schema: view.schema });
    grantors(object, view.owner, [...view.acl.privileges, ...view.columns.flatMap((c) => c.acl)]);
  }
  for (const publication of publications) needs.push({ need: 'own', role: publication.owner, object: `publication ${publication.publication}` });

  const roles = [...new Set([session.user, ...needs.flatMap((n) => ('role' in n ? [n.role] : []))])];
  const schemas = [...new Set(needs.flatMap((n) => ('schema' in n ? [n.schema] : [])))];
  const { rows } = await client.query<RoleCheck & pg.QueryResultRow>(roleChecksQuery(session.version), [roles, schemas]);
  return permissionObstacles(needs, new Map(rows.map((r) => [r.role, r])), session);
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [item]);
    else list.push(item);
  }
  return groups;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
