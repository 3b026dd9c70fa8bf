/**
 * The built-in sources under their registered names, for a worker's `sources` (spread them next to
 * your own) and for the CLI's `worker` command:
 *
 *   const sources = { ...builtInSources({ databases: { warehouse: pool } }), mine: myOwnSource };
 *
 * A workflow then names one: `source: { name: 'temporal-pg/csv-files', args: { directory: 'orders' } }`.
 */
import { CSV_FILES_SOURCE, CSV_FORMAT } from './csv/csv-files.js';
import { fileSource, type FileSourceOptions } from './files/file-batches.js';
import { NDJSON_FILES_SOURCE, NDJSON_FORMAT } from './ndjson/ndjson-files.js';
import { POSTGRES_TABLE_SOURCE, postgresTableSource, type SourceDatabases } from './postgres/postgres-table.js';
import type { BatchSource } from './types.js';

/** Options of {@link builtInSources}. */
export interface BuiltInSourcesOptions extends FileSourceOptions {
  /**
   * Databases the PostgreSQL source may read, by name (a single pool is `default`); usually the same
   * map as the activities' `databases`. Default: none (the source then fails with `UnknownSourceDatabase`).
   */
  readonly databases?: SourceDatabases;
}

/**
 * The registry {@link builtInSources} returns. Its sources take `unknown` args (checked at run time
 * against `NdjsonFilesArgs`, `CsvFilesArgs`, `PostgresTableArgs`), so they fit any registry type.
 */
export interface BuiltInSources {
  readonly [NDJSON_FILES_SOURCE]: BatchSource;
  readonly [CSV_FILES_SOURCE]: BatchSource;
  readonly [POSTGRES_TABLE_SOURCE]: BatchSource;
}

/** Names of the built-in sources, as registered by {@link builtInSources}. */
export const BUILT_IN_SOURCE_NAMES: readonly string[] = [NDJSON_FILES_SOURCE, CSV_FILES_SOURCE, POSTGRES_TABLE_SOURCE];

export function builtInSources(options: BuiltInSourcesOptions = {}): BuiltInSources {
  const files = options.rootDirectory === undefined ? {} : { rootDirectory: options.rootDirectory };
  return {
    [NDJSON_FILES_SOURCE]: fileSource(NDJSON_FORMAT, files),
    [CSV_FILES_SOURCE]: fileSource(CSV_FORMAT, files),
    [POSTGRES_TABLE_SOURCE]: postgresTableSource({ databases: options.databases ?? {} }),
  };
}
