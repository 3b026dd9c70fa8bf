/**
 * Names the engine derives from a table's name: its fresh table (the same for every ingest of the
 * table, so a leftover is always recognised), its advisory lock key, its staging table.
 */
import { createHash } from 'node:crypto';
import { advisoryKey, formatAdvisoryKey, type AdvisoryKey } from '../../locks/advisory-key.js';
import type { QualifiedName } from '../../sql/identifier.js';

/** Prefix of every fresh table: pg-bulk-ingest's `_tmp_` (tools such as Data Workspace hide those), then ours. */
export const FRESH_PREFIX = '_tmp_tpg_';

/**
 * `_tmp_tpg_` and 20 hex digits of a hash of the qualified name: 29 bytes, leaving room for the
 * suffixes PostgreSQL and the rebuild add to constraint and index names. Only one ingest writes a
 * table at a time, so one name per table is enough.
 */
export function freshTableName(table: QualifiedName): string {
  return `${FRESH_PREFIX}${createHash('sha256').update(JSON.stringify([table.schema, table.name])).digest('hex').slice(0, 20)}`;
}

/** The fresh table of `table`, in the same schema. */
export function freshTableOf(table: QualifiedName): QualifiedName {
  return { schema: table.schema, name: freshTableName(table) };
}

/**
 * The advisory lock that makes one ingest at a time write `table` (django-pglock's hashing of a
 * JSON key, so other tools can take it too).
 */
export function ingestLockKey(table: QualifiedName): AdvisoryKey {
  return advisoryKey(['temporal-pg ingest', table.schema, table.name]);
}

/** The keys of `tables`, sorted, so two ingests of overlapping tables always lock in the same order. */
export function sortedLockKeys(tables: readonly QualifiedName[]): AdvisoryKey[] {
  const keys = new Map<string, AdvisoryKey>();
  for (const table of tables) {
    const key = ingestLockKey(table);
    keys.set(formatAdvisoryKey(key), key);
  }
  const order = (key: AdvisoryKey) => (key.kind === 'int64' ? key.value : BigInt(key.value[0]) * 2n ** 32n + BigInt(key.value[1]));
  return [...keys.values()].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/**
 * Name of the staging table of the table at `position` of a batch, whose columns `signature`
 * describes (session-local, kept for the session): a table that changes shape gets a new one.
 */
export function stageName(position: number, signature: string): string {
  return `temporal_pg_stage_${position}_${createHash('sha256').update(signature).digest('hex').slice(0, 16)}`;
}

/** A name for the staging table's ordinal column that no column of the table has. */
export function ordinalColumn(columns: readonly string[]): string {
  const taken = new Set(columns);
  let name = 'temporal_pg_ord';
  while (taken.has(name)) name = `_${name}`;
  return name;
}

/** `"schema.name"`, the plain spelling rows of a multi-table ingest may use to name their table. */
export function plainName(table: QualifiedName): string {
  return `${table.schema}.${table.name}`;
}
