import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { toApplicationFailure } from '../../activities/failure.js';
import { InvalidIdentifierError } from '../../src/errors/index.js';

function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, table: 't', schema: 's' });
}

describe('toApplicationFailure', () => {
  it('keeps the type and retryability of our own errors', () => {
    const failure = toApplicationFailure(new InvalidIdentifierError('bad name', { details: { name: '' } }));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe('InvalidIdentifier');
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect((failure as ApplicationFailure).details).toEqual([{ name: '' }]);
  });

  it.each([
    ['55P03', 'LockTimeout', false],
    ['57P01', 'ConnectionTerminated', false],
    ['40001', 'SerializationFailure', false],
    ['08006', 'PostgresError', false],
    ['42501', 'PermissionDenied', true],
    ['42P01', 'PostgresError', true],
    ['22P02', 'PostgresError', true],
    ['23505', 'PostgresError', true],
  ])('classifies SQLSTATE %s as %s (nonRetryable %s)', (code, type, nonRetryable) => {
    const failure = toApplicationFailure(pgError(code, 'boom')) as ApplicationFailure;
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(nonRetryable);
    expect(failure.details?.[0]).toMatchObject({ sqlstate: code, table: 't', schema: 's' });
  });

  it('retries lost connections', () => {
    const failure = toApplicationFailure(new Error('Connection terminated unexpectedly')) as ApplicationFailure;
    expect(failure.type).toBe('ConnectionLost');
    expect(failure.nonRetryable).toBe(false);
  });

  it.each(['EPIPE', 'ECONNRESET', 'ETIMEDOUT'])('retries a socket error %s (EPIPE looks like a SQLSTATE but is not the server’s)', (code) => {
    // What a COPY writing to a connection the server has closed rejects with.
    const socketError = Object.assign(new Error(`write ${code}`), { code, errno: -32, syscall: 'write' });
    const failure = toApplicationFailure(socketError) as ApplicationFailure;
    expect(failure.type).toBe('ConnectionLost');
    expect(failure.nonRetryable).toBe(false);
  });

  it('lets Temporal failures such as cancellation through unchanged', () => {
    const cancelled = new CancelledFailure('CANCELLED');
    expect(toApplicationFailure(cancelled)).toBe(cancelled);
  });
});
