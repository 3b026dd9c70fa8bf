/**
 * What the end-to-end ingest tests share: the package's workflows, a worker with the package's
 * activities and the test sources, table definitions, and looks at what is left in PostgreSQL.
 */
import type { Logger } from '@temporalio/common';
import type pg from 'pg';
import { createActivities } from '../../activities/index.js';
import type { TableDefinition } from '../../src/index.js';
import { quoteQualified, type QualifiedName } from '../../src/sql/identifier.js';
import { eventually, type TestTemporal, type WorkerContext } from '../helpers/temporal.js';
import { sources } from './fixtures/sources.js';

export { holdTable, waitFor } from '../pg/force-execute/helpers.js';
export { heartbeatsOf, workflowFailure } from '../temporal/force-execute/helpers.js';

/** The package's workflows module, bundled by `useTemporal({ workflowsPath })`. */
export const packageWorkflows = new URL('../../workflows/index.ts', import.meta.url);

/** `id bigint [primary key], batch <batchType>, label text` in `schema.name`. */
export function numbersTable(schema: string, name: string, options: { primaryKey: boolean; batchType?: string }): TableDefinition {
  return {
    schema,
    name,
    columns: [
      { name: 'id', type: 'bigint', ...(options.primaryKey ? { primaryKey: true } : {}) },
      { name: 'batch', type: options.batchType ?? 'integer' },
      { name: 'label', type: 'text' },
    ],
  };
}

/** A line the activities logged. */
export interface LoggedLine {
  readonly level: string;
  readonly message: string;
  readonly meta: Record<string, unknown> | undefined;
}

/** A logger for the activities that keeps what they log (instead of printing victims and retries in the test output). */
export function recordingLogger(lines: LoggedLine[] = []): Logger & { lines: LoggedLine[] } {
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) => void lines.push({ level, message, meta });
  return { lines, log: (level, message, meta) => at(level)(message, meta), trace: at('TRACE'), debug: at('DEBUG'), info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
}

/**
 * Runs `fn` with an in-process worker serving the package's workflows and activities, on `pool`,
 * with the test sources; the activities log into `logger` (default: a fresh recording one).
 */
export function withIngestWorker<T>(temporal: TestTemporal, pool: pg.Pool, fn: (context: WorkerContext) => Promise<T>, logger: Logger = recordingLogger()): Promise<T> {
  return temporal.withWorker({ activities: createActivities({ databases: pool, sources, logger }) }, fn);
}

/** Ids of the table that occur more than once, and the number of rows. */
export async function duplicatesAndCount(pool: pg.Pool, table: QualifiedName): Promise<{ duplicates: number[]; rows: number }> {
  const name = quoteQualified(table);
  const { rows: duplicated } = await pool.query<{ id: string }>(`SELECT id FROM ${name} GROUP BY id HAVING count(*) > 1 ORDER BY id`);
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${name}`);
  return { duplicates: duplicated.map((row) => Number(row.id)), rows: rows[0]?.n ?? 0 };
}

/** Rows per batch value. */
export async function rowsPerBatch(pool: pg.Pool, table: QualifiedName): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ batch: string; n: number }>(`SELECT batch::text, count(*)::int AS n FROM ${quoteQualified(table)} GROUP BY 1 ORDER BY 1::int`);
  return Object.fromEntries(rows.map((row) => [row.batch, row.n]));
}

/** Everything an ingest could leave behind in the database. */
export interface Leftovers {
  /** Fresh tables (`_tmp_…`). */
  readonly freshTables: string[];
  /** Other sessions still holding relation or advisory locks in this database. */
  readonly locks: string[];
  /** Sessions named with an ingest or force-execute token, or running a statement. */
  readonly backends: string[];
}

/** What is left in `pool`'s database, seen from one of its sessions. */
export async function leftovers(pool: pg.Pool): Promise<Leftovers> {
  const { rows: fresh } = await pool.query<{ name: string }>(`SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname LIKE '\\_tmp\\_%' ORDER BY 1`);
  const { rows: locks } = await pool.query<{ lock: string }>(
    `SELECT l.locktype || ' ' || l.mode || ' by ' || l.pid AS lock FROM pg_locks l
      WHERE l.pid <> pg_backend_pid() AND l.locktype IN ('relation', 'advisory') AND (l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))
      ORDER BY 1`,
  );
  const { rows: backends } = await pool.query<{ backend: string }>(
    `SELECT pid || ' ' || application_name || ' ' || coalesce(state, '') AS backend FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND (application_name LIKE 'tpg-%' OR state NOT IN ('idle'))
      ORDER BY 1`,
  );
  return { freshTables: fresh.map((row) => row.name), locks: locks.map((row) => row.lock), backends: backends.map((row) => row.backend) };
}

/**
 * What is left once sessions that are closing have gone: {@link leftovers}, read again for up to
 * 5 s until nothing is left (a backend whose client just disconnected lingers for a moment).
 */
export function settledLeftovers(pool: pg.Pool): Promise<Leftovers> {
  const empty = (found: Leftovers) => found.freshTables.length + found.locks.length + found.backends.length === 0;
  return eventually(() => leftovers(pool), empty, 5000);
}

/** Staging tables (session-local) that any session of the database holds now. */
export async function stagingTables(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(`SELECT relname AS name FROM pg_class WHERE relname LIKE 'temporal\\_pg\\_stage\\_%' ORDER BY 1`);
  return rows.map((row) => row.name);
}
