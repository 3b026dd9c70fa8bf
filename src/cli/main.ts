#!/usr/bin/env node
/** Entry of the `temporal-pg` binary (package.json `bin`). Exit codes: see exit-codes.ts. */
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
