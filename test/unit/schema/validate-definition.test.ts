import { describe, expect, it } from 'vitest';
import { InvalidIdentifierError, isTemporalPgError } from '../../../src/errors/index.js';
import {
  DuplicateColumnError,
  DuplicateIndexError,
  InvalidIndexMethodError,
  MalformedDefinitionError,
  MissingTableNameError,
  NoColumnsError,
  NullablePrimaryKeyError,
  UnknownIndexColumnError,
  validateDefinition,
  type TableDefinition,
} from '../../../src/ingest/definition/index.js';

const valid: TableDefinition = {
  schema: 'my schema',
  name: 'Events',
  columns: [
    { name: 'id', type: 'bigint', primaryKey: true },
    { name: 'kind', type: 'varchar(16)', nullable: false, unique: true },
    { name: 'tags', type: 'text[]' },
  ],
  indexes: [
    { columns: ['tags'], using: 'GIN' },
    { columns: ['kind'], include: ['id'], where: 'kind <> $$x$$', name: 'by_kind' },
  ],
};

function failure(definition: unknown): Error & { type?: string; nonRetryable?: boolean; details?: Record<string, unknown> } {
  try {
    validateDefinition(definition);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected validateDefinition to throw');
}

function withColumns(columns: unknown[], extra: Record<string, unknown> = {}): unknown {
  return { schema: 's', name: 't', columns, ...extra };
}

describe('validateDefinition', () => {
  it('accepts a well-formed definition and leaves it unchanged', () => {
    const copy = structuredClone(valid);
    expect(() => validateDefinition(copy)).not.toThrow();
    expect(copy).toEqual(valid);
  });

  it.each([
    ['no schema', { name: 't', columns: [{ name: 'a', type: 'int' }] }, 'schema'],
    ['empty schema', { schema: '', name: 't', columns: [{ name: 'a', type: 'int' }] }, 'schema'],
    ['null name', { schema: 's', name: null, columns: [{ name: 'a', type: 'int' }] }, 'name'],
  ])('rejects %s with MissingTableNameError', (_, definition, field) => {
    const error = failure(definition);
    expect(error).toBeInstanceOf(MissingTableNameError);
    expect(error.message).toContain(`no ${field}`);
    expect(error.details).toMatchObject({ field });
  });

  it('rejects a definition without columns, naming the table', () => {
    for (const columns of [undefined, []]) {
      const error = failure({ schema: 's', name: 'Odd T', columns });
      expect(error).toBeInstanceOf(NoColumnsError);
      expect(error.message).toContain('s."Odd T"');
      expect(error.details).toEqual({ table: 's."Odd T"' });
    }
  });

  it('rejects duplicate column names', () => {
    const error = failure(withColumns([{ name: 'a', type: 'int' }, { name: 'b', type: 'int' }, { name: 'a', type: 'text' }]));
    expect(error).toBeInstanceOf(DuplicateColumnError);
    expect(error.details).toEqual({ table: 's.t', column: 'a' });
  });

  it('rejects a primary-key column declared nullable, but accepts nullable false or omitted', () => {
    const error = failure(withColumns([{ name: 'id', type: 'int', primaryKey: true, nullable: true }]));
    expect(error).toBeInstanceOf(NullablePrimaryKeyError);
    expect(error.details).toEqual({ table: 's.t', column: 'id' });
    expect(() => validateDefinition(withColumns([{ name: 'id', type: 'int', primaryKey: true, nullable: false }]))).not.toThrow();
    expect(() => validateDefinition(withColumns([{ name: 'id', type: 'int', primaryKey: true }]))).not.toThrow();
  });

  it('rejects an index on an unknown key or INCLUDE column', () => {
    const columns = [{ name: 'a', type: 'int' }];
    let error = failure(withColumns(columns, { indexes: [{ columns: ['a', 'b'] }] }));
    expect(error).toBeInstanceOf(UnknownIndexColumnError);
    expect(error.details).toMatchObject({ table: 's.t', column: 'b', field: 'columns', index: '#1' });
    error = failure(withColumns(columns, { indexes: [{ columns: ['a'], include: ['c'], name: 'i' }] }));
    expect(error).toBeInstanceOf(UnknownIndexColumnError);
    expect(error.message).toContain('index "i" of table s.t');
    expect(error.details).toMatchObject({ column: 'c', field: 'include', index: 'i' });
  });

  it('rejects the same index twice, and two indexes with one name', () => {
    const columns = [{ name: 'a', type: 'int' }, { name: 'b', type: 'int' }];
    let error = failure(withColumns(columns, { indexes: [{ columns: ['a'] }, { columns: ['b'] }, { columns: ['a'], using: 'BTREE' }] }));
    expect(error).toBeInstanceOf(DuplicateIndexError);
    expect(error.details).toMatchObject({ table: 's.t', position: 2, duplicateOf: 0 });
    error = failure(withColumns(columns, { indexes: [{ columns: ['a'], name: 'x' }, { columns: ['b'], name: 'x' }] }));
    expect(error).toBeInstanceOf(DuplicateIndexError);
    expect(error.details).toMatchObject({ index: 'x' });
    // Different predicates, INCLUDE lists or uniqueness make different indexes.
    expect(() =>
      validateDefinition(withColumns(columns, { indexes: [{ columns: ['a'] }, { columns: ['a'], unique: true }, { columns: ['a'], where: 'a > 0' }, { columns: ['a'], include: ['b'] }] })),
    ).not.toThrow();
  });

  it.each(['gin; DROP TABLE x', 'b tree', '"gin"', '', '1gin', 'x'.repeat(64), 7])('rejects access method %j', (using) => {
    const error = failure(withColumns([{ name: 'a', type: 'int' }], { indexes: [{ columns: ['a'], using }] }));
    expect(error).toBeInstanceOf(InvalidIndexMethodError);
    expect(error.details).toMatchObject({ table: 's.t', index: '#1' });
  });

  it('rejects bad identifiers through assertIdentifier, naming the table', () => {
    const cases: Array<[unknown, string]> = [
      [{ schema: 'x'.repeat(64), name: 't', columns: [{ name: 'a', type: 'int' }] }, 'schema'],
      [{ schema: 's', name: 'a\0b', columns: [{ name: 'a', type: 'int' }] }, 'table'],
      [withColumns([{ name: '', type: 'int' }]), 'column'],
      [withColumns([{ name: 'é'.repeat(32), type: 'int' }]), 'column'],
      [withColumns([{ name: 'a', type: 'int' }], { indexes: [{ columns: ['a'], name: 'i'.repeat(64) }] }), 'index'],
    ];
    for (const [definition, what] of cases) {
      const error = failure(definition);
      expect(error).toBeInstanceOf(InvalidIdentifierError);
      expect(error.details).toMatchObject({ what });
      expect(error.details?.table).toBeTypeOf('string');
      expect(error.message).toMatch(/^table /);
    }
  });

  it.each([
    ['a non-object definition', 'events', {}],
    ['a non-array columns', { schema: 's', name: 't', columns: { a: 'int' } }, { field: 'columns' }],
    ['a column without type', withColumns([{ name: 'a' }]), { column: 'a', field: 'type' }],
    ['a blank type', withColumns([{ name: 'a', type: '  ' }]), { field: 'type' }],
    ['a type with NUL', withColumns([{ name: 'a', type: 'int\0' }]), { field: 'type' }],
    ['a non-boolean nullable', withColumns([{ name: 'a', type: 'int', nullable: 'no' }]), { field: 'nullable' }],
    ['an unknown column field', withColumns([{ name: 'a', type: 'int', primary_key: true }]), { unknownFields: ['primary_key'] }],
    ['an unknown table field', { schema: 's', name: 't', columns: [{ name: 'a', type: 'int' }], index: [] }, { unknownFields: ['index'] }],
    ['an empty index column list', withColumns([{ name: 'a', type: 'int' }], { indexes: [{ columns: [] }] }), { field: 'columns' }],
    ['a blank predicate', withColumns([{ name: 'a', type: 'int' }], { indexes: [{ columns: ['a'], where: ' ' }] }), { field: 'where' }],
    ['a non-array indexes', withColumns([{ name: 'a', type: 'int' }], { indexes: 'a' }), { field: 'indexes' }],
  ])('rejects %s with MalformedDefinitionError', (_, definition, details) => {
    const error = failure(definition);
    expect(error).toBeInstanceOf(MalformedDefinitionError);
    expect(error.details).toMatchObject(details);
  });

  it('raises only non-retryable package errors with stable types', () => {
    const errors = [
      failure({ name: 't' }),
      failure({ schema: 's', name: 't', columns: [] }),
      failure(withColumns([{ name: 'a', type: 'int' }, { name: 'a', type: 'int' }])),
      failure(withColumns([{ name: 'a', type: 'int', primaryKey: true, nullable: true }])),
      failure(withColumns([{ name: 'a', type: 'int' }], { indexes: [{ columns: ['b'] }] })),
      failure(withColumns([{ name: 'a', type: 'int' }], { indexes: [{ columns: ['a'] }, { columns: ['a'] }] })),
      failure(withColumns([{ name: 'a', type: 'int' }], { indexes: [{ columns: ['a'], using: 'x y' }] })),
      failure(42),
    ];
    expect(errors.map((error) => (isTemporalPgError(error) ? [error.type, error.nonRetryable] : null))).toEqual([
      ['MissingTableName', true],
      ['TableWithoutColumns', true],
      ['DuplicateColumn', true],
      ['NullablePrimaryKey', true],
      ['UnknownIndexColumn', true],
      ['DuplicateIndex', true],
      ['InvalidIndexMethod', true],
      ['MalformedTableDefinition', true],
    ]);
  });
});
