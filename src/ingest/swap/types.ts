/**
 * The captured state of a swap: plain JSON (it can travel through a workflow and be logged), read
 * from the catalog by `planSwap` and turned into statements by `buildSwapStatements`.
 */
import type { QualifiedName } from '../../sql/identifier.js';

/** What `planSwap` and `executeSwap` are asked to do. */
export interface SwapRequest {
  /** The live table: dropped by the swap; everything bound to it is kept. */
  readonly target: QualifiedName;
  /** The freshly built table (same schema as the target): takes the target's name. */
  readonly replacement: QualifiedName;
  /**
   * Which table comment survives. `'target'` (default): the live table's comment is carried, as
   * every other comment is (the ingest writes its watermark comment itself after the swap).
   * `'replacement'`: the replacement's own comment (or none) is kept.
   */
  readonly tableComment?: 'target' | 'replacement';
}

/** One privilege from an ACL: `grantee` is `null` for PUBLIC. */
export interface Privilege {
  readonly grantor: string;
  readonly grantee: string | null;
  /** `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`, `REFERENCES`, `TRIGGER`, `MAINTAIN`, `USAGE`. */
  readonly privilege: string;
  readonly grantable: boolean;
}

/** An object's ACL as effective privileges (the owner's implicit ones included when unset). */
export interface Acl {
  /** True when the catalog holds no ACL (the built-in default applies). */
  readonly isDefault: boolean;
  readonly privileges: readonly Privilege[];
}

/** A column-level ACL: `privileges` never includes defaults (columns have none). */
export interface ColumnAcl {
  readonly column: string;
  readonly privileges: readonly Privilege[];
}

/** Per-column settings that survive a swap when the column exists on both sides. */
export interface ColumnInfo {
  readonly name: string;
  readonly attnum: number;
  /** `format_type` spelling, schema-qualified where needed (captured with an empty search_path). */
  readonly type: string;
  /** A collation other than the type's default, already quoted (e.g. `"C"`, `pg_catalog."de-x-icu"`). */
  readonly collation: string | null;
  /** `SET STATISTICS` target, or null for the default. */
  readonly statisticsTarget: number | null;
  /** `attoptions` such as `n_distinct=100`. */
  readonly options: readonly string[];
  /** Storage letter when it differs from the type's default (`p`, `e`, `m`, `x`), else null. */
  readonly storage: string | null;
  /** Compression method letter (`p` pglz, `l` lz4) when set, else null. */
  readonly compression: string | null;
  /** Default expression (views only; for the table the replacement's own defaults apply). */
  readonly defaultExpression: string | null;
  readonly comment: string | null;
  readonly acl: readonly Privilege[];
}

/** An index of the target, the replacement or a materialized view. */
export interface IndexInfo {
  readonly name: string;
  /** `pg_get_indexdef`, used to re-create materialized-view indexes. */
  readonly definition: string;
  /** Name-free identity: equal keys mean the same index on either table. */
  readonly key: string;
  /** Constraint backed by this index (`p`, `u`, `x`), its name, or null. */
  readonly constraintType: string | null;
  readonly constraintName: string | null;
  readonly constraintComment: string | null;
  readonly comment: string | null;
  readonly clustered: boolean;
  readonly replicaIdentity: boolean;
  readonly tablespace: string | null;
}

/** A CHECK, foreign-key or NOT NULL constraint of the target or the replacement. */
export interface ConstraintInfo {
  readonly name: string;
  /** `c`, `f` or `n` (NOT NULL constraints exist from PostgreSQL 18). */
  readonly type: string;
  /** Name-free identity (definition text and validity; for `n` the column name). */
  readonly key: string;
  readonly comment: string | null;
}

/** A trigger (not internal), rule (not `_RETURN`) or policy, with what re-creates it. */
export interface DependentDefinition {
  readonly name: string;
  /** The CREATE statement (captured with an empty search_path, so fully qualified). */
  readonly definition: string;
  /** Trigger/rule firing state: `O` (origin, default), `D`, `R`, `A`. */
  readonly enabled: string;
  readonly comment: string | null;
  /** True when it must be dropped before the views it references can be dropped. */
  readonly dropFirst: boolean;
}

/** An extended statistics object on the target or a materialized view. */
export interface StatisticsInfo {
  readonly schema: string;
  readonly name: string;
  readonly definition: string;
  readonly owner: string;
  readonly statisticsTarget: number | null;
  readonly comment: string | null;
}

/** A sequence owned by a column of the target, and its counterpart on the replacement. */
export interface OwnedSequence {
  readonly column: string;
  /** Target's sequence (its name is kept across the swap when both live in one schema). */
  readonly schema: string;
  readonly name: string;
  /** The replacement's sequence for the same column. */
  readonly replacementSchema: string;
  readonly replacementName: string;
  readonly lastValue: string;
  readonly isCalled: boolean;
  readonly acl: Acl;
  readonly replacementAcl: Acl;
  readonly comment: string | null;
}

/** Membership of the target in a publication (`FOR TABLE` lists only). */
export interface PublicationMembership {
  readonly publication: string;
  readonly columns: readonly string[] | null;
  readonly rowFilter: string | null;
}

/** What the swap reads of either table. */
export interface CapturedTableShape {
  readonly schema: string;
  readonly name: string;
  readonly owner: string;
  readonly acl: Acl;
  readonly comment: string | null;
  /** Storage parameters (`fillfactor=70`, `autovacuum_enabled=false` …). */
  readonly options: readonly string[];
  /** Storage parameters of its TOAST table, without the `toast.` prefix. */
  readonly toastOptions: readonly string[];
  readonly columns: readonly ColumnInfo[];
  readonly indexes: readonly IndexInfo[];
  readonly constraints: readonly ConstraintInfo[];
}

/** The live table as captured. */
export interface CapturedTable extends CapturedTableShape {
  readonly rowSecurity: boolean;
  readonly forceRowSecurity: boolean;
  /** `d` default, `n` nothing, `f` full, `i` index (see the index's `replicaIdentity`). */
  readonly replicaIdentity: string;
  readonly triggers: readonly DependentDefinition[];
  readonly rules: readonly DependentDefinition[];
  readonly policies: readonly DependentDefinition[];
  readonly statistics: readonly StatisticsInfo[];
  readonly sequences: readonly OwnedSequence[];
  readonly publications: readonly PublicationMembership[];
}

/** The replacement as captured (what the statements rename and adjust). */
export interface CapturedReplacement extends CapturedTableShape {
  readonly hasToast: boolean;
}

/** A dependent view or materialized view, with everything that re-creates it. */
export interface CapturedView {
  readonly schema: string;
  readonly name: string;
  readonly kind: 'view' | 'materialized-view';
  /** `pg_get_viewdef`, fully qualified, without the trailing semicolon. */
  readonly definition: string;
  readonly owner: string;
  /** `security_barrier=true`, `check_option=cascaded`, `security_invoker=true`, storage parameters … */
  readonly options: readonly string[];
  /** Materialized views: whether it held data (WITH NO DATA is kept as such). */
  readonly populated: boolean;
  /** Materialized views: table access method when not `heap`. */
  readonly accessMethod: string | null;
  readonly tablespace: string | null;
  readonly comment: string | null;
  readonly acl: Acl;
  /** Whether a relation the current role creates in this schema starts with a non-default ACL. */
  readonly defaultPrivilegesApply: boolean;
  /** Roles those default privileges name (revoked before the captured ACL is granted). */
  readonly defaultPrivilegeGrantees: readonly (string | null)[];
  readonly columns: readonly ColumnInfo[];
  readonly indexes: readonly IndexInfo[];
  readonly triggers: readonly DependentDefinition[];
  readonly rules: readonly DependentDefinition[];
  readonly statistics: readonly StatisticsInfo[];
  /** Views of this plan this one's definition reads (qualified display names). */
  readonly uses: readonly string[];
  /** Columns of the target this view's definition reads directly. */
  readonly usesTargetColumns: readonly string[];
}

/** Something of the target deliberately not carried because the replacement's schema dropped it. */
export interface NotCarried {
  readonly object: string;
  readonly reason: string;
}

/** Everything `executeSwap` needs, captured from the catalog. */
export interface SwapPlan {
  readonly request: Required<SwapRequest>;
  /** The role that runs the swap, and whether it is a superuser. */
  readonly session: { readonly user: string; readonly superuser: boolean; readonly serverVersion: number };
  readonly table: CapturedTable;
  readonly replacement: CapturedReplacement;
  /** Dependent views in creation order: each after the views it reads; cycles grouped. */
  readonly views: readonly CapturedView[];
  /** Groups of views (indexes into `views`) that depend on each other in a cycle. */
  readonly cycles: readonly (readonly number[])[];
  readonly notCarried: readonly NotCarried[];
}
