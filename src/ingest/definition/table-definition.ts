/**
 * The shape of a target table, as plain JSON so that it can travel as a workflow input. PostgreSQL,
 * not this package, decides what a type spelling means: definitions are canonicalised by the server
 * before they are compared with the live table, so `int4`, `integer` and `int` are the same column.
 */

/** One column of a {@link TableDefinition}. */
export interface ColumnDefinition {
  /**
   * Column name, exactly as stored: case-sensitive, any characters but NUL, at most 63 bytes in
   * UTF-8 (PostgreSQL would silently truncate longer names).
   */
  readonly name: string;
  /**
   * Any PostgreSQL type spelling the server accepts as one type name: `integer`, `int4`,
   * `varchar(16)`, `character varying(16)`, `numeric(12,2)`, `timestamptz`, `double precision`,
   * `float`, `jsonb`, `text[]`, `int[][]`, `bytea`, `uuid`, `interval`, or an extension type such as
   * `vector(3)` (the extension must be installed). Resolved with the connection's `search_path`.
   * Shorthands that are not types (`serial`, `bigserial`) are rejected.
   */
  readonly type: string;
  /** Whether the column accepts NULL. Default `true`. Primary-key columns are never nullable: omit it or set `false`. */
  readonly nullable?: boolean;
  /**
   * Whether the column is part of the primary key. Default `false`. Several columns marked form one
   * composite key, in the order the columns are listed.
   */
  readonly primaryKey?: boolean;
  /** Whether the column carries its own single-column UNIQUE constraint. Default `false`. */
  readonly unique?: boolean;
}

/** One index of a {@link TableDefinition}. Key columns are plain column references in ascending order. */
export interface IndexDefinition {
  /** Key columns, in order (at least one). */
  readonly columns: readonly string[];
  /** Whether the index is UNIQUE. Default `false`. */
  readonly unique?: boolean;
  /**
   * Index access method, e.g. `btree`, `hash`, `gin`, `gist`, `brin`, `spgist`, or one from an
   * extension (`hnsw`). Case-insensitive, as unquoted SQL. Default `btree`.
   */
  readonly using?: string;
  /**
   * Predicate of a partial index, as an SQL boolean expression over the table's columns (unqualified
   * column names), e.g. `"deleted_at" IS NULL`. The server parses and deparses it, so spelling and
   * spacing do not matter when comparing. Default: none (a full index).
   */
  readonly where?: string;
  /** Non-key columns stored in the index (`INCLUDE`). Default none; an empty array is the same as none. */
  readonly include?: readonly string[];
  /**
   * Index name. Default: chosen like PostgreSQL does (`<table>_<columns>_idx`). Names are ignored when
   * comparing with the live table unless given here; a given name is enforced (the index is renamed).
   */
  readonly name?: string;
}

/** The desired shape of one table. */
export interface TableDefinition {
  /** Schema of the table (required: there is no implicit `public`). Created when missing. */
  readonly schema: string;
  /** Table name. */
  readonly name: string;
  /** Columns, at least one. Their order is the order of a freshly created table; it is never a reason to migrate. */
  readonly columns: readonly ColumnDefinition[];
  /** Secondary indexes. Default none. Indexes on the live table that are not listed here are dropped. */
  readonly indexes?: readonly IndexDefinition[];
}
