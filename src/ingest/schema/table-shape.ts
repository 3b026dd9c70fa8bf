/**
 * Canonical descriptions of a table, as read from the catalog. The desired table (a definition
 * created as a throw-away TEMP table) and the live table are read by the same queries, so the
 * planner compares two descriptions written by PostgreSQL itself: type OIDs and modifiers, deparsed
 * predicates, access-method names. All plain JSON.
 */
/** A column as the desired table has it. */
export interface DesiredColumn {
  readonly name: string;
  /** `pg_type` OID of the column type (arrays have their own OID, e.g. 1009 for `text[]`). */
  readonly typeOid: number;
  /** Type modifier (`atttypmod`): `-1` when none, e.g. 20 for `varchar(16)` (length + 4). */
  readonly typmod: number;
  /** The server's canonical spelling, `format_type(oid, typmod)`: `character varying(16)`, `numeric(12,2)`, `text[]`. */
  readonly type: string;
  /** Whether the column is NOT NULL (primary-key columns always are). */
  readonly notNull: boolean;
}

/** A column of the live table. */
export interface LiveColumn extends DesiredColumn {
  /** Position in the table (`attnum`); dropped columns leave gaps. */
  readonly attnum: number;
  /** Whether the column has a DEFAULT (never compared: definitions have no defaults and COPY names every column). */
  readonly hasDefault: boolean;
  /** Identity column kind, if any (never compared). */
  readonly identity: 'always' | 'by-default' | null;
  /** Generated column kind, if any: a generated column cannot be written, so it differs from a plain one. */
  readonly generated: 'stored' | 'virtual' | null;
  /** Views and materialized views (schema-qualified, quoted) whose definitions use this column. */
  readonly dependentViews: readonly string[];
}

/** One key of an index. */
export interface IndexKey {
  /** The column, for a plain column key; `null` for an expression. */
  readonly column: string | null;
  /** The deparsed expression, for an expression key; `null` for a column. */
  readonly expression: string | null;
  /**
   * Non-default options, empty for a plain ascending key with the default operator class and the
   * column's collation: `DESC`, `NULLS FIRST`, `NULLS LAST`, `opclass <name>`, `collation <name>`.
   */
  readonly options: readonly string[];
}

/** What makes two indexes the same, names aside. */
export interface IndexSpec {
  /** Access method (`pg_am.amname`): `btree`, `gin` … */
  readonly method: string;
  readonly unique: boolean;
  readonly keys: readonly IndexKey[];
  /** INCLUDE columns, in order. */
  readonly include: readonly string[];
  /** Predicate of a partial index as deparsed by the server (`pg_get_expr`), or `null`. */
  readonly predicate: string | null;
  /** `NULLS NOT DISTINCT` (PostgreSQL 15+; always `false` before). */
  readonly nullsNotDistinct: boolean;
}

/** An index of the desired table (constraint indexes are described by the constraints instead). */
export interface DesiredIndex extends IndexSpec {
  /** The name the definition gives, or `null` (then any name matches). */
  readonly name: string | null;
}

/** An index of the live table. */
export interface LiveIndex extends IndexSpec {
  readonly oid: number;
  readonly name: string;
  /** `false` for an index left INVALID by a failed or interrupted concurrent build (never used by queries). */
  readonly valid: boolean;
  /** The constraint this index implements, if any. */
  readonly constraint: 'primary-key' | 'unique' | 'exclusion' | null;
}

/** A primary-key or unique constraint of the live table. */
export interface LiveConstraint {
  readonly name: string;
  /** Key columns in constraint order. */
  readonly columns: readonly string[];
  /** Name of the index that implements it. */
  readonly indexName: string;
}

/** The desired table: a `TableDefinition` canonicalised by the server. */
export interface DesiredTable {
  readonly schema: string;
  readonly name: string;
  /** In definition order. */
  readonly columns: readonly DesiredColumn[];
  /** Primary-key columns in key order, or `null`. */
  readonly primaryKey: { readonly columns: readonly string[] } | null;
  /** Single-column UNIQUE constraints (a `unique` column that is also the whole primary key has none). */
  readonly uniqueConstraints: readonly { readonly columns: readonly string[] }[];
  /** Secondary indexes, in definition order. */
  readonly indexes: readonly DesiredIndex[];
}

/** The live table, as `readLiveTable` reads it. */
export interface LiveTable {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  /** Owner role name. */
  readonly owner: string;
  /** `COMMENT ON TABLE` text, or `null`. */
  readonly comment: string | null;
  /** Never compared: an UNLOGGED table stays UNLOGGED. */
  readonly persistence: 'permanent' | 'unlogged' | 'temporary';
  /** In `attnum` order, dropped columns skipped. */
  readonly columns: readonly LiveColumn[];
  readonly primaryKey: LiveConstraint | null;
  /** UNIQUE constraints (single- and multi-column). */
  readonly uniqueConstraints: readonly LiveConstraint[];
  /** Every index, including those behind constraints and INVALID ones. */
  readonly indexes: readonly LiveIndex[];
  /** CHECK constraints (never compared; the planner only removes its own leftovers, see `notNullCheckName`). */
  readonly checks: readonly { readonly name: string; readonly valid: boolean }[];
}

/** The comparable part of an index: two indexes with the same signature are the same index, names aside. */
export function indexSignature(index: IndexSpec): string {
  const keys = index.keys.map((key) => [key.column, key.expression, key.options]);
  return JSON.stringify([index.method, index.unique, keys, index.include, index.predicate, index.nullsNotDistinct]);
}
