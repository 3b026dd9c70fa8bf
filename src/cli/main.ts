#!/usr/bin/env node
/** Entry of the `temporal-pg` binary (package.json `bin`). Exit codes: see exit-codes.ts. */
import { ExitCode } from './exit-codes.js';
import { runCli } from './run.js';

let interrupts: AbortController | undefined;

/**
 * Installed only when a long-running command asks (see `CliIo.interrupts`): the first Ctrl-C or
 * SIGTERM aborts the signal so the command cleans up; a second one ends the process at once.
 */
function interruptSignal(): AbortSignal {
  if (!interrupts) {
    const controller = new AbortController();
    interrupts = controller;
    const onSignal = (name: NodeJS.Signals) => {
      if (controller.signal.aborted) process.exit(ExitCode.interrupted);
      process.stderr.write(`\n${name}: stopping and cleaning up (again to quit at once)\n`);
      controller.abort(new Error(`interrupted by ${name}`));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  return interrupts.signal;
}

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, interrupts: interruptSignal });
// Exit now: Temporal's native runtime can keep the event loop alive after every worker and
// connection is closed. Writes to stdout and stderr are synchronous for files, pipes and terminals.
process.exit(code);
