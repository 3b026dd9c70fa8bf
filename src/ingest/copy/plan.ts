/**
 * From a table's columns to a COPY plan: one codec per column, the format (binary unless some
 * column's type has no binary encoder) and the statement. Costs one catalog query.
 */
import type { Queryable } from '../../db/queryable.js';
import { displayName, quoteIdent, quoteQualified, type QualifiedName } from '../../sql/identifier.js';
import type { Codec } from './codec.js';
import { copyFromStdin, liveColumnsQuery, typeFactsQuery, type CopyFormat } from './copy-sql.js';
import { TableNotFoundError } from './errors.js';
import { selectCodec, type TypeFact } from './select-codec.js';

/** A column COPY writes, as `pg_attribute` describes it. */
export interface CopyColumn {
  readonly name: string;
  /** `atttypid`. */
  readonly typeOid: number;
  /** `atttypmod` (-1 when the type has no modifier). */
  readonly typmod: number;
}

/** A column as {@link readCopyColumns} reads it. */
export interface LiveCopyColumn extends CopyColumn {
  /** `attnotnull`. */
  readonly notNull: boolean;
}

export interface PlannedColumn extends CopyColumn {
  /** The type as PostgreSQL spells it (`format_type`), e.g. `numeric(12,2)`; used in error messages. */
  readonly type: string;
  /** The encoder chosen for the column. */
  readonly codec: Codec;
}

/** Everything {@link copyRows} needs to load rows into one table; reusable for every batch. */
export interface CopyPlan {
  readonly target: QualifiedName;
  readonly columns: readonly PlannedColumn[];
  readonly format: CopyFormat;
  /** Columns whose type has no binary encoder (the reason a COPY runs in text format). */
  readonly textOnlyColumns: readonly string[];
  /** The COPY statement. */
  readonly statement: string;
  /** `server_version_num` of the server the plan was made on, e.g. 180004. */
  readonly serverVersion: number;
}

export interface PrepareCopyOptions {
  /**
   * COPY format. `'auto'` (default): binary — 20–40 % faster for the server — unless a column's
   * type has no binary encoder, then text. `'text'`: always text (to compare, or to troubleshoot).
   */
  readonly format?: 'auto' | 'text';
}

/** What {@link typeFactsQuery} returns. */
export interface TypeFacts {
  readonly types: readonly TypeFact[];
  readonly columnTypes: readonly string[];
  readonly serverVersion: number;
}

/**
 * Reads the columns COPY can write into `target` — in table order, without dropped and generated
 * columns — in one query. The ingest passes the facts its schema module already read instead; this
 * is for callers that load into an existing table directly.
 *
 * @throws TableNotFoundError when no table, partitioned table or foreign table has that name.
 */
export async function readCopyColumns(db: Queryable, target: QualifiedName): Promise<LiveCopyColumn[]> {
  const query = liveColumnsQuery(target);
  const { rows } = await db.query<{ name: string | null; typeOid: number | string; typmod: number; notNull: boolean }>(
    query.text,
    query.values,
  );
  if (rows.length === 0) {
    throw new TableNotFoundError(`table ${displayName(target)} does not exist (or is not a table COPY can load)`, {
      details: { schema: target.schema, table: target.name },
    });
  }
  return rows.flatMap((row) =>
    row.name === null ? [] : [{ name: row.name, typeOid: Number(row.typeOid), typmod: row.typmod, notNull: row.notNull }],
  );
}

/**
 * Resolves the codecs of `columns` (one catalog query) and builds the COPY plan for `target`.
 * Identifiers are validated here, so a bad name fails before any data is read.
 */
export async function prepareCopy(
  db: Queryable,
  target: QualifiedName,
  columns: readonly CopyColumn[],
  options: PrepareCopyOptions = {},
): Promise<CopyPlan> {
  quoteQualified(target);
  for (const column of columns) quoteIdent(column.name, 'column');
  const query = typeFactsQuery(
    columns.map((column) => column.typeOid),
    columns.map((column) => column.typmod),
  );
  const { rows } = await db.query<TypeFacts>(query.text, query.values);
  const facts = rows[0];
  if (!facts) throw new Error('the type query returned no row');
  return planCopy(target, columns, facts, options);
}

/**
 * The same plan for another table with the same columns — e.g. the ingest's staging table
 * (`{ schema: 'pg_temp', name: 'stage' }`) — without a second catalog query.
 */
export function retargetCopyPlan(plan: CopyPlan, target: QualifiedName): CopyPlan {
  return {
    ...plan,
    target: { schema: target.schema, name: target.name },
    statement: copyFromStdin(
      target,
      plan.columns.map((column) => column.name),
      plan.format,
    ),
  };
}

/** The pure half of {@link prepareCopy}: facts in, plan out. */
export function planCopy(
  target: QualifiedName,
  columns: readonly CopyColumn[],
  facts: TypeFacts,
  options: PrepareCopyOptions = {},
): CopyPlan {
  const byOid = new Map(facts.types.map((fact) => [fact.oid, fact]));
  const serverMajor = Math.floor(facts.serverVersion / 10_000);
  const planned = columns.map(
    (column, index): PlannedColumn => ({
      name: column.name,
      typeOid: column.typeOid,
      typmod: column.typmod,
      type: facts.columnTypes[index] ?? String(column.typeOid),
      codec: selectCodec(column.typeOid, column.typmod, byOid, serverMajor),
    }),
  );
  const textOnlyColumns = planned.filter((column) => !column.codec.binary).map((column) => column.name);
  const format: CopyFormat = options.format === 'text' || textOnlyColumns.length > 0 ? 'text' : 'binary';
  return {
    target: { schema: target.schema, name: target.name },
    columns: planned,
    format,
    textOnlyColumns,
    statement: copyFromStdin(
      target,
      planned.map((column) => column.name),
      format,
    ),
    serverVersion: facts.serverVersion,
  };
}
