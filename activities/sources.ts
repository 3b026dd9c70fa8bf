/**
 * The batch sources a worker's ingest activities may read, registered by name: workflow inputs
 * name a source and pass its args (plain JSON); the code lives in the worker.
 */
import { TemporalPgError } from '../src/errors/temporal-pg-error.js';
import type { BatchSource } from '../src/sources/types.js';

/** Sources by name, e.g. `{ ...builtInSources({ databases }), orders: ordersSource }`. */
export type ActivitySources = Readonly<Record<string, BatchSource>>;

/**
 * A workflow named a source the worker did not register (`createActivities({ sources })`).
 * Retrying on the same worker cannot help; `details.source` is the name, `details.known` the
 * registered ones.
 */
export class UnknownSourceError extends TemporalPgError {
  readonly type = 'UnknownSource';
  readonly nonRetryable = true;
}

/** The source registered as `name`. @throws UnknownSourceError */
export function resolveSource(sources: ActivitySources, name: string): BatchSource {
  const source = Object.hasOwn(sources, name) ? sources[name] : undefined;
  if (typeof source !== 'function') {
    const known = Object.keys(sources);
    throw new UnknownSourceError(`no batch source named ${JSON.stringify(name)} is registered at this worker (registered: ${known.map((k) => JSON.stringify(k)).join(', ') || 'none'})`, {
      details: { source: name, known },
    });
  }
  return source;
}
