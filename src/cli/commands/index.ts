/**
 * The subcommands of `temporal-pg`. Each lives in its own file here and is loaded only when run, so
 * a quick `locks` never pays for loading a Temporal worker. Adding one = one file + one entry.
 */
import type { CliIo } from '../io.js';

/** A subcommand. `run` returns the exit code (see exit-codes.ts); it may throw CliUsageError. */
export interface CliCommand {
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

export interface CommandEntry {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  readonly load: () => Promise<CliCommand>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'locks',
    summary: 'list locks, lock waits and the blocking tree of a database',
    load: async () => (await import('./locks.js')).locksCommand,
  },
  {
    name: 'force-execute',
    summary: 'run DDL, terminating the sessions that block it after a delay',
    load: async () => (await import('./force-execute.js')).forceExecuteCommand,
  },
  {
    name: 'worker',
    summary: "run a Temporal worker with temporal-pg's workflows, activities and sources",
    load: async () => (await import('./worker.js')).workerCommand,
  },
  {
    name: 'ingest',
    summary: 'start an ingest workflow from a YAML or JSON spec file; --follow shows its progress',
    load: async () => (await import('./ingest.js')).ingestCommand,
  },
  {
    name: 'demo',
    summary: 'ingest 135k GeoNames cities through Temporal into an embedded PostgreSQL, then clean up',
    load: async () => (await import('./demo.js')).demoCommand,
  },
];
