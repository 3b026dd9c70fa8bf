#!/usr/bin/env node
/**
 * The `temporal-pg-worker` executable: `runWorkerFromEnvironment(process.env)` until SIGTERM or
 * SIGINT, which drain it. Exit code 0 after a drain, 2 for a configuration error (the message says
 * which variable), 1 when the worker failed.
 */
import { isTemporalPgError } from '../src/errors/temporal-pg-error.js';
import { runWorkerFromEnvironment } from './main.js';

const controller = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => controller.abort());

let code = 0;
try {
  await runWorkerFromEnvironment(process.env, { signal: controller.signal });
} catch (error) {
  process.stderr.write(`temporal-pg worker: ${error instanceof Error ? error.message : String(error)}\n`);
  code = isTemporalPgError(error) && error.type === 'WorkerConfiguration' ? 2 : 1;
}
// Temporal's native runtime may keep the event loop alive after the worker stopped.
process.exit(code);
