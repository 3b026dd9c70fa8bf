/**
 * Server errors of a batch become typed errors naming batch, table, row and column.
 */
import { describe, expect, it } from 'vitest';
import { BatchRejectedError, IncompatibleTypeChangeError, RowRejectedError } from '../../../src/ingest/engine/errors.js';
import { copyErrorPosition, mapLoadError, mapRowCopyError } from '../../../src/ingest/engine/server-errors.js';

function serverError(code: string, message: string, fields: Record<string, string> = {}): Error {
  return Object.assign(new Error(message), { code, ...fields });
}

describe('copyErrorPosition', () => {
  it('reads the line and column of a COPY context', () => {
    expect(copyErrorPosition('COPY t, line 7, column note: null')).toEqual({ line: 7, column: 'note' });
    expect(copyErrorPosition('COPY "my t", line 12')).toEqual({ line: 12, column: null });
    expect(copyErrorPosition('SQL function "f" statement 1')).toBeNull();
    expect(copyErrorPosition(undefined)).toBeNull();
  });
});

describe('mapLoadError', () => {
  it('turns a data error inside COPY into RowRejectedError with the batch row', () => {
    const error = mapLoadError(serverError('23502', 'null value in column "note" violates not-null constraint', { where: 'COPY stage, line 3, column note: null', column: 'note' }), {
      table: 's.t',
      batch: 4,
      rowOfLine: (line) => line * 10,
    });
    expect(error).toBeInstanceOf(RowRejectedError);
    expect((error as RowRejectedError).details).toMatchObject({ table: 's.t', batch: 4, row: 30, column: 'note', sqlstate: '23502' });
    expect((error as Error).message).toBe('PostgreSQL rejected row 30 of batch 4 for table s.t, column "note": null value in column "note" violates not-null constraint');
  });

  it('turns a data error of the whole batch into BatchRejectedError naming the constraint', () => {
    const error = mapLoadError(serverError('23514', 'new row violates check constraint "positive"', { constraint: 'positive' }), { table: 's.t', batch: 2 });
    expect(error).toBeInstanceOf(BatchRejectedError);
    expect((error as BatchRejectedError).details).toMatchObject({ constraint: 'positive', batch: 2 });
  });

  it('leaves retryable and other errors alone', () => {
    for (const code of ['55P03', '57014', '40P01', '42P01']) {
      const original = serverError(code, 'x');
      expect(mapLoadError(original, { table: 's.t', batch: 1 })).toBe(original);
    }
    const plain = new Error('socket hang up');
    expect(mapLoadError(plain, { table: 's.t', batch: 1 })).toBe(plain);
  });
});

describe('mapRowCopyError', () => {
  const changes = [
    { column: 'a', from: 'text', to: 'integer' },
    { column: 'b', from: 'integer', to: 'bigint' },
  ];

  it('names the column PostgreSQL names', () => {
    const error = mapRowCopyError(serverError('42804', 'column "a" is of type integer but expression is of type text'), 's.t', changes);
    expect(error).toBeInstanceOf(IncompatibleTypeChangeError);
    expect((error as IncompatibleTypeChangeError).details).toMatchObject({ columns: ['a'] });
  });

  it('names every changed column when the server does not say which', () => {
    const error = mapRowCopyError(serverError('22P02', 'invalid input syntax for type integer: "x"'), 's.t', changes);
    expect((error as IncompatibleTypeChangeError).details).toMatchObject({ columns: ['a', 'b'] });
  });
});
