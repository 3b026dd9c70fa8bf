/**
 * A temporal-pg worker configured from the environment (see `environment.ts` for the variables):
 * what the `temporal-pg-worker` executable (`worker/process.ts`) and the CLI's `worker` command run.
 * Importing this module starts nothing.
 *
 * The worker polls one task queue with temporal-pg's workflows and activities, the database of
 * `DATABASE_URL` (or `PG*`) registered as `default` (and those of `TEMPORAL_PG_DATABASE_<NAME>`), the built-in sources (file sources confined to
 * `TEMPORAL_PG_SOURCE_ROOT`) and those of the `TEMPORAL_PG_SOURCES` module. When `signal` aborts it
 * drains: it stops polling, lets running activities finish for `shutdownGraceTime` (then cancels
 * them: a cancelled batch rolls back and is retried elsewhere), closes its connections and pools,
 * and resolves. It never prints a password or a connection string.
 */
import { NativeConnection, type WorkerOptions } from '@temporalio/worker';
import pg from 'pg';
import { builtInSources } from '../src/sources/built-in.js';
import { readWorkerEnvironment, redact, type Environment } from './environment.js';
import { WorkerConfigurationError } from './errors.js';
import { createWorker } from './create-worker.js';
import { loadSourcesModule } from './sources-module.js';

/** Options of {@link runWorkerFromEnvironment}. */
export interface RunWorkerOptions {
  /** Aborting it drains the worker and makes the call resolve. Default: none (runs until the worker fails). */
  readonly signal?: AbortSignal;
  /** Where the worker says what it does (one line when polling, one when drained). Default: standard error. */
  readonly log?: (line: string) => void;
  /** Called once the worker polls, with what it serves. */
  readonly onReady?: (ready: WorkerReady) => void;
  /** How long running activities may go on after `signal` aborts before they are cancelled. Default `'10s'`. */
  readonly shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  /** A prebuilt bundle of temporal-pg's workflows (skips bundling at start-up). Default: bundled from `workflowsPath`. */
  readonly workflowBundle?: WorkerOptions['workflowBundle'];
  /** Directory relative paths of the environment are taken from. Default: the current directory. */
  readonly cwd?: string;
}

/** What a running worker serves. */
export interface WorkerReady {
  readonly address: string;
  readonly namespace: string;
  readonly taskQueue: string;
  /** `host:port/database` of the `default` database. */
  readonly database: string;
  /** Names of every database workflows may name (`default` first). */
  readonly databases: readonly string[];
  /** Names of the sources workflows may name. */
  readonly sources: readonly string[];
}

/**
 * Runs a worker configured by `env` until `options.signal` aborts (then drains and resolves) or
 * the worker fails (then rejects, after closing everything). Errors carry no secret of `env`.
 *
 * @throws WorkerConfigurationError for an environment that does not describe a worker.
 */
export async function runWorkerFromEnvironment(env: Environment = process.env, options: RunWorkerOptions = {}): Promise<void> {
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const config = readWorkerEnvironment(env, options.cwd);
  const pools: Record<string, pg.Pool> = { default: new pg.Pool(config.database) };
  for (const { name, config: poolConfig } of config.namedDatabases) pools[name] = new pg.Pool(poolConfig);
  for (const [name, pool] of Object.entries(pools)) {
    pool.on('error', (error) => log(`temporal-pg worker: an idle connection to database ${name} failed: ${redact(error.message, config.secrets)}`));
  }
  let connection: NativeConnection | undefined;
  try {
    const own = config.sourcesModule === undefined ? {} : await loadSourcesModule(config.sourcesModule, { databases: pools });
    const sources = { ...builtInSources({ databases: pools, rootDirectory: config.sourceRoot }), ...own };
    connection = await NativeConnection.connect({ address: config.address });
    const worker = await createWorker({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      databases: pools,
      sources,
      shutdownGraceTime: options.shutdownGraceTime ?? '10s',
      ...(options.workflowBundle === undefined ? {} : { workflowBundle: options.workflowBundle }),
    });
    const ready: WorkerReady = {
      address: config.address,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      database: config.databaseTarget,
      databases: Object.keys(pools),
      sources: Object.keys(sources),
    };
    const stopped = aborted(options.signal);
    const running = worker.runUntil(stopped.promise);
    log(`temporal-pg worker: polling task queue ${JSON.stringify(ready.taskQueue)} of namespace ${JSON.stringify(ready.namespace)} at ${ready.address}; database ${ready.database}${config.namedDatabases.length > 0 ? ` (also ${config.namedDatabases.map((d) => `${d.name}: ${d.target}`).join(', ')})` : ''}; sources ${ready.sources.join(', ')}`);
    options.onReady?.(ready);
    try {
      await running;
    } finally {
      stopped.dispose();
    }
    log('temporal-pg worker: drained and stopped');
  } catch (error) {
    throw withoutSecrets(error, config.secrets);
  } finally {
    await connection?.close().catch(() => undefined);
    await Promise.all(Object.values(pools).map((pool) => pool.end().catch(() => undefined)));
  }
}

/** A promise resolved when `signal` aborts, and a way to stop listening. */
function aborted(signal: AbortSignal | undefined): { promise: Promise<void>; dispose: () => void } {
  if (signal === undefined) return { promise: new Promise<void>(() => undefined), dispose: () => undefined };
  let onAbort = () => undefined as void;
  const promise = new Promise<void>((resolve) => {
    onAbort = () => resolve();
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/** `error` with its message cleared of secrets (a copy, so the original's stack is not printed with them). */
function withoutSecrets(error: unknown, secrets: readonly string[]): unknown {
  if (error instanceof WorkerConfigurationError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const clean = redact(message, secrets);
  if (clean === message && error instanceof Error) return error;
  const copy = new Error(clean);
  copy.name = error instanceof Error ? error.name : 'Error';
  return copy;
}
