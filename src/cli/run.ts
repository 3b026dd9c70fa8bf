/**
 * The `temporal-pg` command line: `temporal-pg <command> [flags]`. Parses the command name,
 * dispatches, and turns errors into the documented exit codes.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from './commands/index.js';
import { EXIT_CODES_HELP, ExitCode } from './exit-codes.js';
import { CliUsageError, DatabaseUnreachableError, InterruptedError, TemporalUnreachableError, type CliIo } from './io.js';

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: temporal-pg <command> [flags]

PostgreSQL operations for Temporal, from the command line.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Flags:
  -h, --help     show this help (or a command's: temporal-pg <command> --help)
  -v, --version  print the version

Configuration (flags first, then the environment; nothing else is read):
  PostgreSQL  --database-url <url>, else DATABASE_URL, else PGHOST / PGPORT / PGUSER / PGPASSWORD / PGDATABASE
  Temporal    --address (TEMPORAL_ADDRESS, default localhost:7233), --namespace (TEMPORAL_NAMESPACE,
              default "default"), --task-queue (TEMPORAL_TASK_QUEUE, default "temporal-pg")

${EXIT_CODES_HELP}
`;
}

/** Runs the command line `argv` (without `node` and the script) and returns the exit code. */
/** Failures whose message says it all, and the exit code each means. */
const KNOWN_FAILURES: ReadonlyArray<readonly [new (...args: never[]) => Error, ExitCode]> = [
  [DatabaseUnreachableError, ExitCode.databaseUnreachable],
  [TemporalUnreachableError, ExitCode.temporalUnreachable],
  [InterruptedError, ExitCode.interrupted],
];

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(mainHelp());
    return ExitCode.usage;
  }
  if (first === '-h' || first === '--help' || first === 'help') {
    io.stdout.write(mainHelp());
    return ExitCode.ok;
  }
  if (first === '-v' || first === '--version') {
    io.stdout.write(`${packageVersion()}\n`);
    return ExitCode.ok;
  }
  const entry = COMMANDS.find((c) => c.name === first);
  if (!entry) {
    io.stderr.write(`temporal-pg: unknown command ${JSON.stringify(first)}\n\n${mainHelp()}`);
    return ExitCode.usage;
  }
  try {
    const command = await entry.load();
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr.write(`temporal-pg ${entry.name}: ${error.message}\nRun "temporal-pg ${entry.name} --help" for usage.\n`);
      return ExitCode.usage;
    }
    const known = KNOWN_FAILURES.find(([type]) => error instanceof type);
    if (known) {
      io.stderr.write(`temporal-pg ${entry.name}: ${(error as Error).message}\n`);
      return known[1];
    }
    io.stderr.write(`temporal-pg ${entry.name}: ${describeError(error)}\n`);
    return ExitCode.failure;
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}

/** The version in package.json, found by walking up from this file (src/ or dist/src/). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'temporal-pg' && pkg.version) return pkg.version;
    } catch {
      // not here; look higher
    }
    dir = dirname(dir);
  }
  return 'unknown';
}
