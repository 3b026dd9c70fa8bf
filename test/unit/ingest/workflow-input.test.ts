import { describe, expect, it } from 'vitest';
import { UnknownForceExecuteOperationError, operationWork } from '../../../activities/force-execute-operations.js';
import { resolveSource, UnknownSourceError } from '../../../activities/sources.js';
import { checkIngestInput, defaultIngestWorkflowId, InvalidIngestInputError } from '../../../src/client/index.js';
import { DuplicateColumnError, InvalidIngestOptionError, MalformedDefinitionError, type TableDefinition } from '../../../src/index.js';
import { forceExecuteInputProblems } from '../../../src/shared/force-execute.js';
import { ingestBatchToken } from '../../../src/shared/ingest.js';
import { ingestInputProblems } from '../../../src/shared/ingest-input.js';
import { caught } from '../../helpers/caught.js';

const events: TableDefinition = { schema: 'raw', name: 'events', columns: [{ name: 'id', type: 'bigint', primaryKey: true }] };
const source = { name: 'temporal-pg/ndjson-files', args: { directory: 'events' } };

describe('ingest workflow input', () => {
  it('accepts a plain input, with every option', () => {
    expect(ingestInputProblems({ tables: events, source })).toEqual([]);
    expect(
      ingestInputProblems({
        database: 'warehouse',
        tables: [events, { ...events, name: 'other' }],
        source: { name: 'orders' },
        highWatermark: 'earliest',
        upsert: 'off',
        delete: 'before-first-batch',
        visibility: 'end-of-ingest',
        lockTimeoutMs: 0,
        onConcurrentIngest: 'fail',
        maxRowsPerTableBuffer: 10,
        forceExecute: { delayMs: 1000, action: 'cancel' },
        batchesPerRun: 100,
        activities: { taskQueue: 'pg', heartbeatTimeoutMs: 10_000, maximumAttempts: 3, swap: { heartbeatTimeoutMs: 2000 } },
      }),
    ).toEqual([]);
  });

  it('lists every problem, unknown fields included', () => {
    expect(ingestInputProblems('events')).toEqual(['the input must be an object']);
    expect(
      ingestInputProblems({
        database: '',
        tables: [{ schema: 'raw' }],
        source: 'ndjson',
        visibility: 'sometimes',
        lockTimeoutMs: -1,
        batchesPerRun: 1.5,
        forceExecute: { delayMs: -5, action: 'kill' },
        activities: { heartbeatTimeoutMs: 0, retries: 3, swap: { maximumAttempts: 0 } },
        upsertt: 'off',
      }),
    ).toEqual([
      'unknown field "upsertt"',
      'database must be the name of a database registered at the worker',
      'tables[0] must have a schema and a name (strings) and a list of columns',
      'source must be an object { name, args? }',
      'visibility must be one of after-each-batch, end-of-ingest',
      'lockTimeoutMs must be a number of milliseconds ≥ 0',
      'batchesPerRun must be an integer ≥ 1',
      'forceExecute.delayMs must be a number of milliseconds ≥ 0',
      'forceExecute.action must be one of terminate, cancel, cancel-then-terminate',
      'unknown field "activities.retries"',
      'activities.heartbeatTimeoutMs must be a number of milliseconds > 0',
      'activities.swap.maximumAttempts must be an integer ≥ 1',
    ]);
  });

  it('is checked in full by the client: definitions and options with the library’s typed errors', async () => {
    expect(() => checkIngestInput({ tables: events, source })).not.toThrow();
    expect(await caught(() => checkIngestInput({ tables: [], source } as never))).toBeInstanceOf(InvalidIngestInputError);
    expect(await caught(() => checkIngestInput({ tables: { ...events, columns: [{ name: 'a', type: 'int' }, { name: 'a', type: 'int' }] }, source }))).toBeInstanceOf(DuplicateColumnError);
    expect(await caught(() => checkIngestInput({ tables: [events, { ...events }], source }))).toBeInstanceOf(MalformedDefinitionError);
    expect(await caught(() => checkIngestInput({ tables: events, source, lockTimeoutMs: 1e12 }))).toBeInstanceOf(InvalidIngestOptionError);
    expect(await caught(() => checkIngestInput({ tables: events, source, forceExecute: { checkIntervalMs: 0 } }))).toMatchObject({ type: 'InvalidIngestInput' });
  });
});

describe('default ingest workflow id', () => {
  it('is derived from the database and the sorted tables, quoting names that need it', () => {
    expect(defaultIngestWorkflowId('default', events)).toBe('temporal-pg-ingest:default:raw.events');
    const b = { schema: 'b', name: 'x' };
    const a = { schema: 'a', name: 'Y.z' };
    expect(defaultIngestWorkflowId('Warehouse', [b, a])).toBe('temporal-pg-ingest:"Warehouse":a."Y.z",b.x');
    expect(defaultIngestWorkflowId('default', [a, b])).toBe(defaultIngestWorkflowId('default', [b, a]));
    expect(defaultIngestWorkflowId('default', { schema: 'a.b', name: 'c' })).not.toBe(defaultIngestWorkflowId('default', { schema: 'a', name: 'b.c' }));
  });

  it('keeps long ids short with a hash of the whole', () => {
    const tables = Array.from({ length: 20 }, (_, i) => ({ schema: 'schema_with_a_long_name', name: `table_number_${i}_with_a_long_name` }));
    const id = defaultIngestWorkflowId('default', tables);
    expect(id.length).toBe(397);
    expect(id).toMatch(/^temporal-pg-ingest:default:schema_with_a_long_name\.table_number_0_.*~[0-9a-f]{16}$/);
    expect(defaultIngestWorkflowId('default', tables.slice(1))).not.toBe(id);
  });
});

describe('force-execute operations', () => {
  it('are an alternative to statements in the workflow input', () => {
    expect(forceExecuteInputProblems({ operation: { kind: 'ingest-swap', plan: {} } })).toEqual([]);
    expect(forceExecuteInputProblems({ operation: { kind: '' } })).toEqual(['operation must be an object with a non-empty kind']);
    expect(forceExecuteInputProblems({ operation: { kind: 'x' }, statements: 'SELECT 1' })).toEqual(['give either statements or operation, not both']);
  });

  it('are looked up by kind at the worker, naming the registered ones when missing', async () => {
    const work = async () => 'done';
    const context = { pool: {} as never, database: 'default' };
    expect(await operationWork({ mine: () => work }, { kind: 'mine' }, context)).toBe(work);
    const error = await operationWork({ mine: () => work }, { kind: 'toString' }, context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownForceExecuteOperationError);
    expect(error).toMatchObject({ type: 'UnknownForceExecuteOperation', nonRetryable: true, details: { kind: 'toString', known: ['mine'] } });
  });
});

describe('activity sources', () => {
  it('are looked up by name, naming the registered ones when missing', async () => {
    const mine = () => [];
    expect(resolveSource({ mine }, 'mine')).toBe(mine);
    const error = await caught(() => resolveSource({ mine }, 'hasOwnProperty'));
    expect(error).toBeInstanceOf(UnknownSourceError);
    expect(error).toMatchObject({ type: 'UnknownSource', nonRetryable: true, message: 'no batch source named "hasOwnProperty" is registered at this worker (registered: "mine")' });
  });

  it('name batch sessions within application_name’s 63 bytes', () => {
    expect(ingestBatchToken('6f1c3f8e-5d7a-4b9e-9c1d-2a3b4c5d6e7f', 1_000_000, 20)).toHaveLength(54);
  });
});
