/**
 * The built-in sources under their registered names, for a worker's `sources` (spread them next to
 * your own) and for the CLI's `worker` command:
 *
 *   const sources = { ...builtInSources({ databases: { warehouse: pool } }), mine: myOwnSource };
 *
 * A workflow then names one: `source: { name: 'temporal-pg/csv-files', args: { directory: 'orders' } }`.
 */
import { CSV_FILES_SOURCE, createCsvFilesSource, type CsvFilesArgs } from './csv/csv-files.js';
import type { FileSourceOptions } from './files/file-batches.js';
import { NDJSON_FILES_SOURCE, createNdjsonFilesSource, type NdjsonFilesArgs } from './ndjson/ndjson-files.js';
import { POSTGRES_TABLE_SOURCE, createPostgresTableSource, type PostgresTableArgs, type SourceDatabases } from './postgres/postgres-table.js';
import type { BatchSource } from './types.js';

/** Options of {@link builtInSources}. */
export interface BuiltInSourcesOptions extends FileSourceOptions {
  /**
   * Databases the PostgreSQL source may read, by name (a single pool is `default`); usually the same
   * map as the activities' `databases`. Default: none (the source then fails with `UnknownSourceDatabase`).
   */
  readonly databases?: SourceDatabases;
}

/** The registry {@link builtInSources} returns. */
export interface BuiltInSources {
  readonly [NDJSON_FILES_SOURCE]: BatchSource<NdjsonFilesArgs>;
  readonly [CSV_FILES_SOURCE]: BatchSource<CsvFilesArgs>;
  readonly [POSTGRES_TABLE_SOURCE]: BatchSource<PostgresTableArgs>;
}

/** Names of the built-in sources, as registered by {@link builtInSources}. */
export const BUILT_IN_SOURCE_NAMES: readonly string[] = [NDJSON_FILES_SOURCE, CSV_FILES_SOURCE, POSTGRES_TABLE_SOURCE];

export function builtInSources(options: BuiltInSourcesOptions = {}): BuiltInSources {
  const files = options.rootDirectory === undefined ? {} : { rootDirectory: options.rootDirectory };
  return {
    [NDJSON_FILES_SOURCE]: createNdjsonFilesSource(files),
    [CSV_FILES_SOURCE]: createCsvFilesSource(files),
    [POSTGRES_TABLE_SOURCE]: createPostgresTableSource({ databases: options.databases ?? {} }),
  };
}
