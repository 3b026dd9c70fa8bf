/**
 * Loading the batch sources a worker process registers beside the built-in ones, from the module
 * `TEMPORAL_PG_SOURCES` names. The module exports them as `sources` or as its default export, either
 * a map of source functions or a function `({ databases }) => map` (or a promise of one), for
 * sources that need the worker's database pool:
 *
 * ```js
 * // my-sources.js
 * export const sources = { orders: async function* (highWatermark, args) { … } };
 * // or
 * export default ({ databases }) => ({ orders: ordersFrom(databases.default) });
 * ```
 */
import { pathToFileURL } from 'node:url';
import type pg from 'pg';
import type { ActivitySources } from '../activities/sources.js';
import { WorkerConfigurationError } from './errors.js';

/** What a sources factory receives. */
export interface SourcesModuleContext {
  /** The worker's databases by name (`default` is the one of `DATABASE_URL` / `PG*`). */
  readonly databases: Readonly<Record<string, pg.Pool>>;
}

/** Imports `path` and returns the sources it exports. @throws WorkerConfigurationError */
export async function loadSourcesModule(path: string, context: SourcesModuleContext): Promise<ActivitySources> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new WorkerConfigurationError(`TEMPORAL_PG_SOURCES: cannot load ${path}: ${error instanceof Error ? error.message : String(error)}`, {
      details: { variable: 'TEMPORAL_PG_SOURCES', path },
      cause: error,
    });
  }
  let exported = loaded.sources ?? loaded.default;
  if (typeof exported === 'function') exported = await (exported as (context: SourcesModuleContext) => unknown)(context);
  if (typeof exported !== 'object' || exported === null || Array.isArray(exported)) {
    throw new WorkerConfigurationError(`TEMPORAL_PG_SOURCES: ${path} must export \`sources\` (or a default export): a map of source functions, or a function ({ databases }) returning one`, {
      details: { variable: 'TEMPORAL_PG_SOURCES', path },
    });
  }
  const notFunctions = Object.entries(exported).filter(([, source]) => typeof source !== 'function').map(([name]) => name);
  if (notFunctions.length > 0) {
    throw new WorkerConfigurationError(`TEMPORAL_PG_SOURCES: in ${path}, these sources are not functions: ${notFunctions.join(', ')}`, {
      details: { variable: 'TEMPORAL_PG_SOURCES', path, sources: notFunctions },
    });
  }
  return exported as ActivitySources;
}
