/**
 * The migration planner: compares the desired table with the live one, both as the server described
 * them, and says what to do — nothing, create, change in place, or rebuild into a fresh table.
 *
 * Rules:
 * - Column order never matters: new columns are appended, and COPY always names its columns.
 * - Names of indexes and constraints are ignored unless the definition names an index.
 * - Defaults and identity are not compared (definitions have neither); generated columns are made
 *   plain (stored ones in place, virtual ones by a rebuild).
 * - In place, each step a short transaction with a lock timeout, or a CONCURRENTLY statement
 *   outside any transaction: add a nullable column (NOT NULL too when the table is empty), drop a
 *   column, drop NOT NULL, widen a type where PostgreSQL needs no rewrite (`type-changes.ts`), add
 *   NOT NULL through `CHECK … NOT VALID` + `VALIDATE` + `SET NOT NULL`, add or drop an index
 *   concurrently, add UNIQUE through a concurrent unique index + `ADD CONSTRAINT … USING INDEX`,
 *   drop the primary key or a unique constraint, rename an index the definition names.
 * - Rebuild only when a rewrite is unavoidable: a type change that rewrites, a new or different
 *   primary key, a NOT NULL column added to a table with rows, a type change of a column views use.
 * - Left alone (not expressible in a definition): CHECK, foreign-key and exclusion constraints,
 *   triggers, defaults, identity, storage options, comment, owner, grants. In place they survive; a
 *   rebuild leaves carrying them over (or refusing) to the swap.
 */
import { displayName, type QualifiedName } from '../../sql/identifier.js';
import * as ddl from './ddl.js';
import { ColumnUsedByViewError } from './errors.js';
import { NOT_NULL_CHECK_PREFIX, chooseName, indexNameAddition, notNullCheckName } from './object-names.js';
import { indexSignature, type DesiredIndex, type DesiredTable, type IndexSpec, type LiveIndex, type LiveTable } from './table-shape.js';
import { isInPlaceTypeChange } from './type-changes.js';

/** What a plan does. */
export type MigrationKind = 'none' | 'create' | 'in-place' | 'rebuild';

/** What one step does. */
export type MigrationStepAction =
  | 'create-schema'
  | 'create-table'
  | 'drop-invalid-index'
  | 'drop-index'
  | 'alter-table'
  | 'validate-not-null'
  | 'set-not-null'
  | 'create-unique-index'
  | 'add-unique-constraint'
  | 'create-index'
  | 'rename-index';

/** One step of a plan: plain JSON, so it can be returned by one activity and run by another. */
export interface MigrationStep {
  readonly action: MigrationStepAction;
  /** What the step does, for logs and reports, e.g. `add column "note" text; drop NOT NULL on "code"`. */
  readonly label: string;
  /** Statements, in order. */
  readonly statements: readonly string[];
  /**
   * `true`: the statements run in one transaction after `SET LOCAL lock_timeout`, retried on lock
   * timeout. `false`: one `CONCURRENTLY` statement that must run outside any transaction.
   */
  readonly transactional: boolean;
  /** Statements that undo a failed attempt (drop a half-built index, remove a temporary check). */
  readonly cleanup: readonly string[];
  /** The table, for error messages (`schema.name`). */
  readonly table: string;
  /** Columns the step is about, for error messages. */
  readonly columns: readonly string[];
  /** The index the step builds or drops, if any. */
  readonly index: string | null;
}

/** The result of {@link planMigration}. */
export interface MigrationPlan {
  readonly kind: MigrationKind;
  /**
   * For `create` and `in-place`: the steps, to run in order (`applyInPlaceMigration`). Empty for
   * `none`, and for `rebuild`, which builds a fresh table instead (`buildRebuildStatements`).
   */
  readonly steps: readonly MigrationStep[];
  /** Human-readable differences that led to this plan (for `rebuild`: what makes the rewrite unavoidable). */
  readonly reasons: readonly string[];
}

/** Facts about the database that the plan depends on, read by the caller (see `planTable`). */
export interface PlanOptions {
  /** Whether the schema exists (only used when the table does not). Default `true`. */
  readonly schemaExists?: boolean;
  /**
   * Whether the live table has rows. Only matters when a NOT NULL column is added: on an empty
   * table that is done in place. Default: unknown, treated as "has rows".
   */
  readonly hasRows?: boolean;
  /** Relation names in the schema that new indexes must not take. Default none (names of the live table's own indexes and constraints are always avoided). */
  readonly takenNames?: Iterable<string>;
}

/**
 * Plans how to bring `live` (`null`: missing) to `desired`. Pure. The same canonical definition
 * against the table it produced always gives `kind: 'none'`. Throws {@link ColumnUsedByViewError}
 * when a column to drop is used by views.
 */
export function planMigration(desired: DesiredTable, live: LiveTable | null, options: PlanOptions = {}): MigrationPlan {
  const table: QualifiedName = { schema: desired.schema, name: desired.name };
  if (live === null) return planCreate(table, desired, options);
  return new InPlacePlanner(table, desired, live, options).plan();
}

function planCreate(table: QualifiedName, desired: DesiredTable, options: PlanOptions): MigrationPlan {
  const name = displayName(table);
  const steps: MigrationStep[] = [];
  if (options.schemaExists === false) {
    steps.push(step('create-schema', `create schema ${JSON.stringify(table.schema)}`, [ddl.createSchema(table.schema)], name));
  }
  const indexes = desired.indexes.map((index) => ddl.createIndex(table, index, index.name));
  steps.push(step('create-table', `create table ${name}`, [ddl.createTable(table, desired), ...indexes], name, { columns: desired.columns.map((c) => c.name) }));
  return { kind: 'create', steps, reasons: [`table ${name} does not exist`] };
}

class InPlacePlanner {
  private readonly name: string;
  private readonly rebuild: string[] = [];
  private readonly reasons: string[] = [];
  /** ALTER TABLE actions, grouped by order of execution within the one statement. */
  private readonly constraintDrops: string[] = [];
  private readonly drops: string[] = [];
  private readonly changes: string[] = [];
  private readonly adds: string[] = [];
  private readonly alterLabels: string[] = [];
  private readonly notNull: string[] = [];
  private readonly taken: Set<string>;

  constructor(
    private readonly table: QualifiedName,
    private readonly desired: DesiredTable,
    private readonly live: LiveTable,
    private readonly options: PlanOptions,
  ) {
    this.name = displayName(table);
    this.taken = new Set([
      ...live.indexes.filter((index) => index.valid).map((index) => index.name),
      ...(live.primaryKey ? [live.primaryKey.name] : []),
      ...live.uniqueConstraints.map((unique) => unique.name),
      ...desired.indexes.flatMap((index) => (index.name === null ? [] : [index.name])),
      ...(options.takenNames ?? []),
    ]);
  }

  plan(): MigrationPlan {
    this.primaryKey();
    this.columns();
    if (this.rebuild.length > 0) return { kind: 'rebuild', steps: [], reasons: this.rebuild };

    const indexSteps = this.indexes();
    const steps = [...indexSteps.drops, ...this.alterSteps(), ...indexSteps.uniques, ...indexSteps.creates, ...indexSteps.renames];
    if (steps.length === 0) return { kind: 'none', steps: [], reasons: [] };
    return { kind: 'in-place', steps, reasons: this.reasons };
  }

  private primaryKey(): void {
    const want = this.desired.primaryKey?.columns ?? null;
    const have = this.live.primaryKey;
    if (want === null && have !== null) {
      this.constraintDrops.push(ddl.action.dropConstraint(have.name));
      this.change(`drop primary key ${JSON.stringify(have.name)}`);
    } else if (want !== null && (have === null || !sameList(want, have.columns))) {
      this.rebuild.push(
        have === null
          ? `add a primary key (${list(want)})`
          : `change the primary key from (${list(have.columns)}) to (${list(want)})`,
      );
    }
  }

  private columns(): void {
    const wanted = new Set(this.desired.columns.map((column) => column.name));
    for (const column of this.live.columns) {
      if (wanted.has(column.name)) continue;
      if (column.dependentViews.length > 0) {
        throw new ColumnUsedByViewError(
          `table ${this.name}: column ${JSON.stringify(column.name)} is not in the definition, but ${column.dependentViews.join(', ')} use it; drop or change those views first`,
          { details: { table: this.name, column: column.name, views: [...column.dependentViews] } },
        );
      }
      this.drops.push(ddl.action.dropColumn(column.name));
      this.change(`drop column ${JSON.stringify(column.name)}`);
    }
    const live = new Map(this.live.columns.map((column) => [column.name, column]));
    for (const want of this.desired.columns) {
      const have = live.get(want.name);
      const quoted = JSON.stringify(want.name);
      if (have === undefined) {
        if (want.notNull && this.options.hasRows !== false) {
          this.rebuild.push(`add NOT NULL column ${quoted} ${want.type} to a table that ${this.options.hasRows ? 'has' : 'may have'} rows`);
          continue;
        }
        this.adds.push(ddl.action.addColumn(want, want.notNull));
        this.change(`add column ${quoted} ${want.type}${want.notNull ? ' NOT NULL' : ''}`);
        continue;
      }
      if (have.generated === 'virtual') {
        this.rebuild.push(`make virtual generated column ${quoted} a plain column`);
        continue;
      }
      if (have.generated === 'stored') {
        this.changes.push(ddl.action.dropExpression(want.name));
        this.change(`make generated column ${quoted} a plain column`);
      }
      if (have.typeOid !== want.typeOid || have.typmod !== want.typmod) {
        if (!isInPlaceTypeChange(have, want)) {
          this.rebuild.push(`change column ${quoted} from ${have.type} to ${want.type} (needs a rewrite)`);
          continue;
        }
        if (have.dependentViews.length > 0) {
          this.rebuild.push(`change column ${quoted} from ${have.type} to ${want.type}, which ${have.dependentViews.join(', ')} use`);
          continue;
        }
        this.changes.push(ddl.action.setType(want.name, want.type));
        this.change(`change column ${quoted} from ${have.type} to ${want.type}`);
      }
      if (have.notNull && !want.notNull) {
        if (have.identity !== null) this.changes.push(ddl.action.dropIdentity(want.name));
        this.changes.push(ddl.action.dropNotNull(want.name));
        this.change(`drop NOT NULL on ${quoted}${have.identity !== null ? ' (and its identity)' : ''}`);
      } else if (!have.notNull && want.notNull) {
        this.notNull.push(want.name);
      }
    }
    const checks = new Set(this.notNull.map(notNullCheckName));
    for (const leftover of this.live.checks.filter((check) => check.name.startsWith(NOT_NULL_CHECK_PREFIX) && !checks.has(check.name))) {
      this.constraintDrops.push(ddl.action.dropConstraint(leftover.name, true));
      this.change(`drop leftover check constraint ${JSON.stringify(leftover.name)}`);
    }
    const existing = new Set(this.live.checks.map((check) => check.name));
    for (const column of this.notNull) {
      const check = notNullCheckName(column);
      // Left by an interrupted run: replaced, as it may never have been validated.
      if (existing.has(check)) this.constraintDrops.push(ddl.action.dropConstraint(check));
      this.adds.push(ddl.action.addNotNullCheck(check, column));
      this.change(`add a NOT VALID check that ${JSON.stringify(column)} IS NOT NULL`, false);
    }
  }

  private alterSteps(): MigrationStep[] {
    const steps: MigrationStep[] = [];
    const actions = [...this.constraintDrops, ...this.drops, ...this.changes, ...this.adds];
    if (actions.length > 0) {
      steps.push(step('alter-table', this.alterLabels.join('; '), [ddl.alterTable(this.table, actions)], this.name));
    }
    for (const column of this.notNull) {
      const check = notNullCheckName(column);
      steps.push(
        step('validate-not-null', `check that ${JSON.stringify(column)} holds no NULL`, [ddl.alterTable(this.table, [ddl.action.validateConstraint(check)])], this.name, {
          columns: [column],
          cleanup: [ddl.alterTable(this.table, [ddl.action.dropConstraint(check, true)])],
        }),
      );
    }
    if (this.notNull.length > 0) {
      // Two statements: within one ALTER TABLE the DROP CONSTRAINT would run first and SET NOT NULL would scan the table again.
      steps.push(
        step(
          'set-not-null',
          `set NOT NULL on ${list(this.notNull)}`,
          [
            ddl.alterTable(this.table, this.notNull.map((column) => ddl.action.setNotNull(column))),
            ddl.alterTable(this.table, this.notNull.map((column) => ddl.action.dropConstraint(notNullCheckName(column)))),
          ],
          this.name,
          { columns: this.notNull },
        ),
      );
      for (const column of this.notNull) this.reasons.push(`set NOT NULL on ${JSON.stringify(column)}`);
    }
    return steps;
  }

  private indexes(): { drops: MigrationStep[]; uniques: MigrationStep[]; creates: MigrationStep[]; renames: MigrationStep[] } {
    const drops: MigrationStep[] = [];
    const uniques: MigrationStep[] = [];
    const creates: MigrationStep[] = [];
    const renames: MigrationStep[] = [];
    const schema = this.table.schema;

    for (const index of this.live.indexes.filter((candidate) => candidate.constraint === null && !candidate.valid)) {
      drops.push(
        step('drop-invalid-index', `drop invalid index ${JSON.stringify(index.name)} (left by a failed concurrent build)`, [ddl.dropIndex(schema, index.name, { concurrently: true })], this.name, {
          transactional: false,
          index: index.name,
        }),
      );
      this.reasons.push(`drop invalid index ${JSON.stringify(index.name)}`);
    }

    // Unique constraints, matched by their columns.
    const wantedUniques = [...this.desired.uniqueConstraints];
    const unmatchedLive = this.live.uniqueConstraints.filter((have) => {
      const at = wantedUniques.findIndex((want) => sameList(want.columns, have.columns));
      if (at === -1) return true;
      wantedUniques.splice(at, 1);
      return false;
    });
    for (const have of unmatchedLive) {
      this.constraintDrops.push(ddl.action.dropConstraint(have.name));
      this.change(`drop unique constraint ${JSON.stringify(have.name)} (${list(have.columns)})`);
    }

    const available = this.live.indexes.filter((index) => index.constraint === null && index.valid);
    const claimed = new Set<LiveIndex>();
    const reserved = new Set(this.desired.indexes.flatMap((index) => (index.name === null ? [] : [index.name])));
    const free = (index: LiveIndex) => !claimed.has(index) && !reserved.has(index.name);
    const pending: DesiredIndex[] = [];

    // Named indexes first: their names are reserved, whatever index holds them now.
    for (const want of this.desired.indexes.filter((index) => index.name !== null)) {
      const name = want.name as string;
      const holder = available.find((index) => index.name === name);
      if (holder && indexSignature(holder) === indexSignature(want)) {
        claimed.add(holder);
        continue;
      }
      const same = available.find((index) => free(index) && indexSignature(index) === indexSignature(want));
      if (same) {
        claimed.add(same);
        renames.push(step('rename-index', `rename index ${JSON.stringify(same.name)} to ${JSON.stringify(name)}`, [ddl.renameIndex(schema, same.name, name)], this.name, { index: name }));
        this.reasons.push(`rename index ${JSON.stringify(same.name)} to ${JSON.stringify(name)}`);
        continue;
      }
      pending.push(want);
    }

    // Unique constraints to add: reuse a matching unique index (one left by an interrupted run) or build one.
    for (const want of wantedUniques) {
      const spec: IndexSpec = {
        method: 'btree',
        unique: true,
        keys: want.columns.map((column) => ({ column, expression: null, options: [] })),
        include: [],
        predicate: null,
        nullsNotDistinct: false,
      };
      const reuse = available.find((index) => free(index) && indexSignature(index) === indexSignature(spec));
      let name: string;
      if (reuse) {
        claimed.add(reuse);
        name = reuse.name;
      } else {
        name = chooseName(this.table.name, indexNameAddition(want.columns), 'key', this.taken);
        uniques.push(this.createIndexStep('create-unique-index', spec, name, want.columns));
      }
      uniques.push(
        step('add-unique-constraint', `add unique constraint ${JSON.stringify(name)} (${list(want.columns)})`, [ddl.alterTable(this.table, [ddl.action.addUniqueUsingIndex(name)])], this.name, {
          columns: want.columns,
          index: name,
        }),
      );
      this.reasons.push(`add unique constraint on (${list(want.columns)})`);
    }

    for (const want of this.desired.indexes.filter((index) => index.name === null)) {
      const same = available.find((index) => free(index) && indexSignature(index) === indexSignature(want));
      if (same) claimed.add(same);
      else pending.push(want);
    }

    for (const index of available.filter((candidate) => !claimed.has(candidate))) {
      drops.push(
        step('drop-index', `drop index ${JSON.stringify(index.name)}`, [ddl.dropIndex(schema, index.name, { concurrently: true })], this.name, {
          transactional: false,
          index: index.name,
        }),
      );
      this.reasons.push(`drop index ${JSON.stringify(index.name)}`);
    }
    for (const want of pending) {
      const columns = [...want.keys.map((key) => key.column ?? 'expr'), ...want.include];
      const name = want.name ?? chooseName(this.table.name, indexNameAddition(columns), 'idx', this.taken);
      creates.push(this.createIndexStep('create-index', want, name, want.keys.map((key) => key.column ?? 'expr')));
      this.reasons.push(`create index ${JSON.stringify(name)}`);
    }
    return { drops, uniques, creates, renames };
  }

  private createIndexStep(action: 'create-index' | 'create-unique-index', spec: IndexSpec, name: string, columns: readonly string[]): MigrationStep {
    const schema = this.table.schema;
    const what = `${spec.unique ? 'unique ' : ''}${spec.method === 'btree' ? '' : `${spec.method} `}index`;
    return step(action, `create ${what} ${JSON.stringify(name)} on (${list(columns)})${spec.predicate === null ? '' : ` where ${spec.predicate}`}`, [ddl.createIndex(this.table, spec, name, { concurrently: true })], this.name, {
      transactional: false,
      columns,
      index: name,
      cleanup: [ddl.dropIndex(schema, name, { concurrently: true })],
    });
  }

  private change(label: string, isReason = true): void {
    this.alterLabels.push(label);
    if (isReason) this.reasons.push(label);
  }
}

function step(
  action: MigrationStepAction,
  label: string,
  statements: readonly string[],
  table: string,
  extra: { transactional?: boolean; cleanup?: readonly string[]; columns?: readonly string[]; index?: string } = {},
): MigrationStep {
  return {
    action,
    label,
    statements,
    transactional: extra.transactional ?? true,
    cleanup: extra.cleanup ?? [],
    table,
    columns: extra.columns ?? [],
    index: extra.index ?? null,
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, position) => value === b[position]);
}

function list(columns: readonly string[]): string {
  return columns.map((column) => JSON.stringify(column)).join(', ');
}
