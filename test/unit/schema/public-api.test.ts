import { describe, expect, it } from 'vitest';
import * as api from '../../../src/index.js';

describe('public API of the ingest schema module', () => {
  it('exports the definition, its validation, the planner, reader, executor and every error class', () => {
    for (const name of [
      'validateDefinition',
      'canonicalizeDefinition',
      'readLiveTable',
      'planMigration',
      'planTable',
      'applyInPlaceMigration',
      'buildRebuildStatements',
      'freshTableName',
    ]) {
      expect(typeof (api as Record<string, unknown>)[name]).toBe('function');
    }
    const errors = [
      api.MalformedDefinitionError,
      api.MissingTableNameError,
      api.NoColumnsError,
      api.DuplicateColumnError,
      api.NullablePrimaryKeyError,
      api.UnknownIndexColumnError,
      api.DuplicateIndexError,
      api.InvalidIndexMethodError,
      api.InvalidColumnTypeError,
      api.DefinitionRejectedError,
      api.NotATableError,
      api.ColumnUsedByViewError,
      api.ColumnContainsNullsError,
      api.DuplicateValuesError,
      api.MigrationLockTimeoutError,
    ];
    const types = errors.map((ErrorClass) => new ErrorClass('x').type);
    expect(new Set(types).size).toBe(errors.length);
    for (const ErrorClass of errors) expect(new ErrorClass('x')).toBeInstanceOf(api.TemporalPgError);
    expect(new api.MigrationLockTimeoutError('x').nonRetryable).toBe(false);
  });
});
