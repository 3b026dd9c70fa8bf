/**
 * Validation of the ingest options: every mode is one of its documented strings (pg-bulk-ingest
 * treats an unknown `upsert` string as "off" and an unknown `delete` string as "drop the rows" —
 * here they are errors), every number in range, and defaults filled in.
 */
import { randomUUID } from 'node:crypto';
import { resolveForceExecuteOptions } from '../../force-execute/options.js';
import { InvalidLockArgumentError } from '../../locks/errors.js';
import { MAX_TIMEOUT_MS } from '../../locks/timeouts.js';
import { jsonValueProblem } from './comment.js';
import { InvalidIngestOptionError } from './errors.js';
import type { IngestPlanOptions, IngestRunOptions, ResolvedIngestOptions, SwapForceOptions } from './types.js';

const MODES = {
  upsert: ['if-primary-key', 'off'],
  delete: ['off', 'before-first-batch'],
  visibility: ['after-each-batch', 'end-of-ingest'],
  onConcurrentIngest: ['wait', 'fail'],
} as const;

const PLAN_KEYS = new Set([
  'highWatermark',
  'upsert',
  'delete',
  'visibility',
  'lockTimeoutMs',
  'forceExecute',
  'onConcurrentIngest',
  'maxRowsPerTableBuffer',
  'ingestId',
]);
const RUN_KEYS = new Set(['signal', 'logger', 'onProgress', 'progressIntervalMs', 'onBeforeVisible']);
const FORCE_KEYS = new Set([
  'delayMs',
  'checkIntervalMs',
  'action',
  'cancelGraceMs',
  'lockTimeoutMs',
  'retryDelayMs',
  'maxRetryDelayMs',
  'minBlockerAgeMs',
  'users',
  'applicationNames',
  'excludeApplicationNames',
  'includeQueryText',
]);

/** Checks the plan options and fills in the defaults; returns them with the ingest id. */
export function resolvePlanOptions(options: IngestPlanOptions & IngestRunOptions): { ingestId: string; options: ResolvedIngestOptions } {
  if (typeof options !== 'object' || options === null) throw invalid('options', options, 'an object');
  for (const key of Object.keys(options)) {
    if (!PLAN_KEYS.has(key) && !RUN_KEYS.has(key)) throw new InvalidIngestOptionError(`unknown ingest option ${JSON.stringify(key)}`, { details: { option: key } });
  }
  const highWatermark = options.highWatermark ?? 'latest';
  const problem = jsonValueProblem(highWatermark);
  if (problem !== null) {
    throw new InvalidIngestOptionError(`ingest option highWatermark must be a JSON value: ${problem}`, { details: { option: 'highWatermark' } });
  }
  const ingestId = options.ingestId ?? randomUUID();
  if (typeof ingestId !== 'string' || ingestId === '' || ingestId.length > 200) throw invalid('ingestId', ingestId, 'a non-empty string of at most 200 characters');
  return {
    ingestId,
    options: {
      highWatermark,
      upsert: mode('upsert', options.upsert, 'if-primary-key'),
      delete: mode('delete', options.delete, 'off'),
      visibility: mode('visibility', options.visibility, 'after-each-batch'),
      lockTimeoutMs: milliseconds('lockTimeoutMs', options.lockTimeoutMs, 1000),
      forceExecute: forceOptions(options.forceExecute ?? {}),
      onConcurrentIngest: mode('onConcurrentIngest', options.onConcurrentIngest, 'wait'),
      maxRowsPerTableBuffer: positiveInteger('maxRowsPerTableBuffer', options.maxRowsPerTableBuffer, 10_000),
    },
  };
}

/** Checks the options that only matter while a step runs. */
export function checkRunOptions(options: IngestRunOptions): void {
  for (const name of ['onProgress', 'onBeforeVisible'] as const) {
    const value = options[name];
    if (value !== undefined && typeof value !== 'function') throw invalid(name, value, 'a function');
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw invalid('signal', options.signal, 'an AbortSignal');
  if (options.logger !== undefined) {
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      if (typeof options.logger?.[level] !== 'function') throw invalid('logger', options.logger, 'an object with debug, info, warn and error methods');
    }
  }
  milliseconds('progressIntervalMs', options.progressIntervalMs, 1000);
}

/** force-execute's own checks, reported as an ingest option (`forceExecute.delayMs` …). */
function forceOptions(value: SwapForceOptions): SwapForceOptions {
  if (typeof value !== 'object' || value === null) throw invalid('forceExecute', value, 'an object');
  for (const key of Object.keys(value)) {
    if (!FORCE_KEYS.has(key)) throw new InvalidIngestOptionError(`unknown forceExecute option ${JSON.stringify(key)}`, { details: { option: `forceExecute.${key}` } });
  }
  try {
    resolveForceExecuteOptions(value);
  } catch (error) {
    if (!(error instanceof InvalidLockArgumentError)) throw error;
    const argument = String(error.details.argument ?? '');
    throw new InvalidIngestOptionError(`ingest option forceExecute.${argument}: ${error.message.replace(/^force-execute: /, '')}`, {
      details: { option: `forceExecute.${argument}`, value: error.details.value ?? null },
      cause: error,
    });
  }
  return { ...value };
}

function mode<K extends keyof typeof MODES>(name: K, value: unknown, fallback: (typeof MODES)[K][number]): (typeof MODES)[K][number] {
  if (value === undefined) return fallback;
  const allowed: readonly string[] = MODES[name];
  if (typeof value !== 'string' || !allowed.includes(value)) throw invalid(name, value, allowed.map((m) => `'${m}'`).join(' or '));
  return value as (typeof MODES)[K][number];
}

function milliseconds(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_TIMEOUT_MS) {
    throw invalid(name, value, `a number of milliseconds from 0 to ${MAX_TIMEOUT_MS}`);
  }
  return Math.ceil(value);
}

function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw invalid(name, value, 'a positive integer');
  return value;
}

function invalid(name: string, value: unknown, expected: string): InvalidIngestOptionError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'function' ? 'a function' : String(value);
  return new InvalidIngestOptionError(`ingest option ${name} must be ${expected}, got ${shown}`, { details: { option: name, value: shown } });
}
