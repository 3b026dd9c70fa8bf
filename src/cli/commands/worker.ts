/**
 * `temporal-pg worker`: a Temporal worker for the pack — temporal-pg's workflows and activities,
 * the database of the command line, the built-in sources and those of a module the user names —
 * until Ctrl-C or SIGTERM, which drain it. A thin shell over `runWorkerFromEnvironment`.
 */
import { Runtime } from '@temporalio/worker';
import { runWorkerFromEnvironment } from '../../../worker/main.js';
import { isTemporalPgError } from '../../errors/temporal-pg-error.js';
import { withDatabase } from '../connect.js';
import { EXIT_CODES_HELP, ExitCode } from '../exit-codes.js';
import { parseFlags } from '../flags.js';
import { CliUsageError } from '../io.js';
import { parseDuration } from '../parse-duration.js';
import { TEMPORAL_FLAGS, TEMPORAL_HELP, temporalTarget, withTemporalClient } from '../temporal.js';
import type { CliCommand } from './index.js';

const HELP = `Usage: temporal-pg worker [flags]

Runs a Temporal worker with temporal-pg's workflows (ingestWorkflow, forceExecuteWorkflow) and
activities on one task queue, until Ctrl-C or SIGTERM: it then stops polling, lets running
activities finish for --shutdown-grace (a batch still running after that is cancelled, rolled back
and retried by another worker), closes its connections and exits 0.

Workflows name a database and a source; this worker registers:
  database "default"          the one of --database-url / DATABASE_URL / PG*
  sources                     temporal-pg/ndjson-files, temporal-pg/csv-files (under --source-root),
                              temporal-pg/postgres-table (on "default"), and those of --sources

Flags:
  --sources <module>          a JavaScript module exporting more batch sources, as
                                export const sources = { orders: async function* (highWatermark, args) { … } }
                              or a default export ({ databases }) => ({ orders: … }) for sources that
                              need the worker's pool
  --source-root <dir>         the directory the built-in file sources may read under (default: the
                              current directory); workflow args name directories inside it
  --shutdown-grace <duration> how long running activities may go on after Ctrl-C (default 10s)

PostgreSQL:
  --database-url <url>        default: DATABASE_URL, else PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE

${TEMPORAL_HELP}

${EXIT_CODES_HELP}

Examples:
  DATABASE_URL=postgres://etl@db/warehouse temporal-pg worker --source-root /data/incoming
  temporal-pg worker --sources ./dist/my-sources.js --task-queue warehouse --address temporal:7233
`;

const OPTIONS = {
  sources: { type: 'string' },
  'source-root': { type: 'string' },
  'shutdown-grace': { type: 'string' },
  'database-url': { type: 'string' },
  ...TEMPORAL_FLAGS,
  help: { type: 'boolean', short: 'h' },
} as const;

export const workerCommand: CliCommand = {
  async run(argv, io) {
    const { values: flags } = parseFlags(argv, OPTIONS);
    if (flags.help) {
      io.stdout.write(HELP);
      return ExitCode.ok;
    }
    const shutdownGraceTime = flags['shutdown-grace'] === undefined ? '10s' : parseDuration(flags['shutdown-grace'], '--shutdown-grace');
    for (const flag of ['sources', 'source-root'] as const) {
      if (flags[flag]?.trim() === '') throw new CliUsageError(`--${flag} is empty`);
    }
    const target = temporalTarget(flags, io);
    // Both ends are checked first, so an unreachable one is its own exit code, not a failed worker.
    await withDatabase(flags['database-url'], io, async () => undefined);
    await withTemporalClient(target, async () => undefined);

    const databaseUrl = flags['database-url'] ?? io.env.DATABASE_URL;
    const env: Record<string, string | undefined> = {
      TEMPORAL_ADDRESS: target.address,
      TEMPORAL_NAMESPACE: target.namespace,
      TEMPORAL_TASK_QUEUE: target.taskQueue,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : pgVariables(io.env)),
      TEMPORAL_PG_SOURCES: flags.sources,
      TEMPORAL_PG_SOURCE_ROOT: flags['source-root'],
    };
    const signal = io.interrupts?.();
    installRuntime();
    try {
      await runWorkerFromEnvironment(withoutUndefined(env), { signal, shutdownGraceTime, log: (line) => io.stderr.write(`${line}\n`) });
    } catch (error) {
      // A sources module that does not load or export sources is bad input, like a bad flag.
      if (isTemporalPgError(error) && error.type === 'WorkerConfiguration') throw new CliUsageError(error.message.replace(/^TEMPORAL_PG_SOURCES: /, '--sources: '));
      throw error;
    }
    return signal?.aborted ? ExitCode.ok : ExitCode.failure;
  },
};

/** Ctrl-C and SIGTERM are the command's to handle (it drains the worker); the SDK must not act on them too. */
function installRuntime(): void {
  try {
    Runtime.install({ shutdownSignals: [] });
  } catch {
    // Already installed in this process.
  }
}

function pgVariables(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const { PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE } = env;
  return { PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE };
}

function withoutUndefined(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}
