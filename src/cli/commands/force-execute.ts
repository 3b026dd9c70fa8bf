/**
 * `temporal-pg force-execute "SQL" …`: run statements that need strong locks and, after a delay,
 * act on the sessions blocking them. Runs the library call against the database by default (an
 * operator at a terminal wants it now, with nothing else running); `--temporal` starts the
 * workflow on a worker instead, for a run that survives this process.
 */
import type pg from 'pg';
import { startForceExecute } from '../../client/force-execute.js';
import { forceExecute } from '../../force-execute/force-execute.js';
import type { BlockerAction, BlockerReport } from '../../locks/blockers.js';
import { FORCE_EXECUTE_DEFAULTS, type ForceExecutePlainOptions, type StatementOutcome } from '../../shared/force-execute.js';
import { withPool } from '../connect.js';
import { EXIT_CODES_HELP, ExitCode } from '../exit-codes.js';
import { json, parseFlags } from '../flags.js';
import { CliUsageError, InterruptedError, type CliIo } from '../io.js';
import { formatDuration, parseDuration } from '../parse-duration.js';
import { renderTable, type Column } from '../table.js';
import { TEMPORAL_FLAGS, TEMPORAL_HELP, describeTemporalFailure, temporalTarget, withTemporalClient } from '../temporal.js';
import type { CliCommand } from './index.js';

const HELP = `Usage: temporal-pg force-execute <sql> [<sql> …] [flags]

Runs SQL that needs strong locks (ALTER TABLE …, a table swap; several statements run in one
transaction). Until --delay has passed, each attempt waits at most --lock-timeout for its locks and
then steps back, so readers never queue behind it for long; after the delay it waits in the lock
queue and terminates (or cancels) the sessions blocking it every --check-interval. Prints what the
statements did and every session acted on.

Where it runs:
  (default)                   here, against the database (--database-url …): Ctrl-C cancels the
                              statement and rolls back
  --temporal                  as forceExecuteWorkflow on a temporal-pg worker (durable: survives this
                              process; Ctrl-C cancels the workflow, which rolls back)
  --database <name>           with --temporal: a database registered at the worker (default "default")
  --workflow-id <id>          with --temporal: default force-execute-<uuid>

Timing:
  --delay <duration>          act on blockers after this long (default 5m, as pg-force-execute)
  --check-interval <duration> between two looks for blockers after the delay (default 1s)
  --lock-timeout <duration>   longest wait for locks per attempt before the delay (default 500ms;
                              0s: one attempt queued from the start)
  --action <action>           terminate (default), cancel, or cancel-then-terminate

Which blockers (a blocker must pass every filter given; the others are spared):
  --min-blocker-age <duration>        only transactions (or queries) at least this old
  --user <role>                       only sessions of this role (repeatable)
  --application-name <name>           only sessions with this application_name (repeatable)
  --exclude-application-name <name>   never sessions with this application_name (repeatable)

Output:
  --json                      the result as JSON
  --include-query-text        keep the blockers' SQL in the report (it may hold secrets)

PostgreSQL (default mode):
  --database-url <url>        default: DATABASE_URL, else PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE

${TEMPORAL_HELP}

${EXIT_CODES_HELP}

Examples:
  temporal-pg force-execute "ALTER TABLE orders RENAME TO orders_old" --delay 1m
  temporal-pg force-execute "ALTER TABLE t RENAME TO t_old" "ALTER TABLE t_new RENAME TO t" \\
    --delay 30s --exclude-application-name replicator --json
  temporal-pg force-execute "ALTER TABLE sales ADD COLUMN note text" --temporal --database warehouse
`;

const OPTIONS = {
  delay: { type: 'string' },
  'check-interval': { type: 'string' },
  'lock-timeout': { type: 'string' },
  action: { type: 'string' },
  'min-blocker-age': { type: 'string' },
  user: { type: 'string', multiple: true },
  'application-name': { type: 'string', multiple: true },
  'exclude-application-name': { type: 'string', multiple: true },
  json: { type: 'boolean' },
  'include-query-text': { type: 'boolean' },
  'database-url': { type: 'string' },
  temporal: { type: 'boolean' },
  database: { type: 'string' },
  'workflow-id': { type: 'string' },
  ...TEMPORAL_FLAGS,
  help: { type: 'boolean', short: 'h' },
} as const;

const ACTIONS: readonly BlockerAction[] = ['terminate', 'cancel', 'cancel-then-terminate'];

/** What the command prints (`--json`), the same shape in both modes. */
export interface ForceExecuteCliResult {
  readonly mode: 'direct' | 'temporal';
  /** With `--temporal`: the workflow's id. */
  readonly workflowId?: string;
  readonly statements: readonly StatementOutcome[];
  readonly blockers: readonly BlockerReport[];
  readonly attempts: number;
  readonly durationMs: number;
}

export const forceExecuteCommand: CliCommand = {
  async run(argv, io) {
    const { values: flags, positionals: statements } = parseFlags(argv, OPTIONS, true);
    if (flags.help) {
      io.stdout.write(HELP);
      return ExitCode.ok;
    }
    if (statements.length === 0) throw new CliUsageError('give the SQL to run, e.g. temporal-pg force-execute "ALTER TABLE t RENAME TO t_old"');
    if (statements.some((s) => s.trim() === '')) throw new CliUsageError('a statement is empty');
    const options = plainOptions(flags);
    if (!flags.temporal) {
      for (const flag of ['database', 'workflow-id', 'address', 'namespace', 'task-queue'] as const) {
        if (flags[flag] !== undefined) throw new CliUsageError(`--${flag} goes with --temporal`);
      }
    } else if (flags['database-url'] !== undefined) {
      throw new CliUsageError('--database-url is for running here; with --temporal name a database registered at the worker (--database)');
    }
    const signal = io.interrupts?.();
    const result = flags.temporal ? await viaTemporal(statements, options, flags, io, signal) : await direct(statements, options, flags['database-url'], io, signal);
    io.stdout.write(flags.json ? json(result) : render(result, io));
    return ExitCode.ok;
  },
};

type Flags = ReturnType<typeof parseFlags<typeof OPTIONS>>['values'];

function plainOptions(flags: Flags): ForceExecutePlainOptions {
  const duration = (flag: 'delay' | 'check-interval' | 'lock-timeout' | 'min-blocker-age') => {
    const text = flags[flag];
    return text === undefined ? undefined : parseDuration(text, `--${flag}`);
  };
  const action = flags.action;
  if (action !== undefined && !ACTIONS.includes(action as BlockerAction)) {
    throw new CliUsageError(`--action must be one of ${ACTIONS.join(', ')}; got ${JSON.stringify(action)}`);
  }
  const checkIntervalMs = duration('check-interval');
  if (checkIntervalMs === 0) throw new CliUsageError('--check-interval must be at least 1ms');
  return {
    delayMs: duration('delay'),
    checkIntervalMs,
    lockTimeoutMs: duration('lock-timeout'),
    action: action as BlockerAction | undefined,
    minBlockerAgeMs: duration('min-blocker-age'),
    users: flags.user,
    applicationNames: flags['application-name'],
    excludeApplicationNames: flags['exclude-application-name'],
    includeQueryText: flags['include-query-text'],
  };
}

async function direct(statements: string[], options: ForceExecutePlainOptions, databaseUrl: string | undefined, io: CliIo, signal: AbortSignal | undefined): Promise<ForceExecuteCliResult> {
  return withPool(databaseUrl, io, async (pool) => {
    const delayMs = options.delayMs ?? FORCE_EXECUTE_DEFAULTS.delayMs;
    let announcedForce = false;
    try {
      const run = await forceExecute(pool, statements, {
        ...options,
        signal,
        onAttempt: (attempt) => {
          if (attempt.forced && !announcedForce && attempt.attempt > 1) {
            announcedForce = true;
            io.stderr.write(`still blocked after ${formatDuration(delayMs)}: acting on the blocking sessions\n`);
          }
        },
        onBlocker: (b) => io.stderr.write(`${b.action === 'terminate' ? 'terminated' : 'cancelled'} ${describeBlocker(b)}${b.signalled ? '' : ` (not signalled: ${b.reason ?? 'unknown'})`}\n`),
      });
      return {
        mode: 'direct',
        statements: run.result.map(outcome),
        blockers: run.blockers,
        attempts: run.attempts,
        durationMs: Math.round(run.durationMs),
      };
    } catch (error) {
      if (signal?.aborted) throw new InterruptedError('interrupted: the statement was cancelled and rolled back', { cause: error });
      throw error;
    }
  });
}

async function viaTemporal(statements: string[], options: ForceExecutePlainOptions, flags: Flags, io: CliIo, signal: AbortSignal | undefined): Promise<ForceExecuteCliResult> {
  const target = temporalTarget(flags, io);
  return withTemporalClient(target, async (client) => {
    const handle = await startForceExecute(client, { ...options, database: flags.database, statements }, { taskQueue: target.taskQueue, workflowId: flags['workflow-id'] });
    io.stderr.write(`started workflow ${handle.workflowId} on task queue ${target.taskQueue}\n`);
    const onInterrupt = () => void handle.cancel().catch(() => undefined);
    signal?.addEventListener('abort', onInterrupt, { once: true });
    try {
      const result = await handle.result();
      return { mode: 'temporal', workflowId: handle.workflowId, statements: result.statements, blockers: result.blockers, attempts: result.attempts, durationMs: result.durationMs };
    } catch (error) {
      if (signal?.aborted) throw new InterruptedError(`interrupted: workflow ${handle.workflowId} was cancelled (its statement rolled back)`, { cause: error });
      throw new Error(describeTemporalFailure(error), { cause: error });
    } finally {
      signal?.removeEventListener('abort', onInterrupt);
    }
  });
}

function outcome(result: pg.QueryResult): StatementOutcome {
  return { command: result.command, rowCount: result.rowCount ?? null };
}

function describeBlocker(b: BlockerReport): string {
  const locks = b.locksHeld.map((l) => `${l.mode} on ${l.target}`).join(', ');
  return `pid ${b.pid} (${b.user ?? '?'}, ${b.applicationName || 'no application name'}, ${b.state ?? 'unknown state'}, ${formatDuration(b.ageMs)} old)${locks ? ` holding ${locks}` : ''}`;
}

const BLOCKER_COLUMNS: Array<Column<BlockerReport>> = [
  { header: 'PID', cell: (b) => String(b.pid), right: true },
  { header: 'USER', cell: (b) => b.user ?? '' },
  { header: 'APPLICATION', cell: (b) => b.applicationName ?? '' },
  { header: 'STATE', cell: (b) => b.state ?? '' },
  { header: 'AGE', cell: (b) => formatDuration(b.ageMs), right: true },
  { header: 'ACTION', cell: (b) => b.action },
  { header: 'DONE', cell: (b) => (b.signalled ? 'yes' : `no: ${b.reason ?? ''}`) },
  { header: 'LOCKS HELD', cell: (b) => b.locksHeld.map((l) => `${l.mode} on ${l.target}`).join(', ') },
];

function render(result: ForceExecuteCliResult, io: CliIo): string {
  const done = result.statements.map((s) => `${s.command}${s.rowCount === null ? '' : ` ${s.rowCount}`}`).join(', ');
  const attempts = `${result.attempts} ${result.attempts === 1 ? 'attempt' : 'attempts'}`;
  const head = `${done} in ${formatDuration(result.durationMs)} (${attempts}${result.workflowId ? `, workflow ${result.workflowId}` : ''})\n`;
  if (result.blockers.length === 0) return `${head}No session was acted on.\n`;
  return `${head}Sessions acted on:\n${renderTable(result.blockers, BLOCKER_COLUMNS, io.stdout)}`;
}
