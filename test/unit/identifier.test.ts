import { describe, expect, it } from 'vitest';
import { InvalidIdentifierError } from '../../src/errors/index.js';
import { displayName, quoteIdent, quoteQualified } from '../../src/sql/identifier.js';

describe('quoteIdent', () => {
  it('doubles embedded quotes and wraps the name', () => {
    expect(quoteIdent('plain')).toBe('"plain"');
    expect(quoteIdent('my "odd" name')).toBe('"my ""odd"" name"');
    expect(quoteIdent("it's; DROP TABLE x; --")).toBe(`"it's; DROP TABLE x; --"`);
    expect(quoteIdent('🦄 émoji.dot')).toBe('"🦄 émoji.dot"');
  });

  it.each([
    ['', 'must not be empty'],
    ['a\0b', 'NUL'],
    ['\ud800x', 'lone surrogate'],
    ['x'.repeat(64), '64 bytes long'],
    ['é'.repeat(32), '64 bytes long'],
  ])('rejects %j with a typed error', (name, message) => {
    expect(() => quoteIdent(name, 'column')).toThrow(InvalidIdentifierError);
    expect(() => quoteIdent(name, 'column')).toThrow(message);
  });

  it('accepts exactly 63 bytes', () => {
    expect(quoteIdent('x'.repeat(63))).toHaveLength(65);
  });

  it('quotes qualified names part by part', () => {
    expect(quoteQualified({ schema: 'my.schema', name: 'my"table' })).toBe('"my.schema"."my""table"');
    expect(displayName({ schema: 'public', name: 'Mixed Case' })).toBe('public."Mixed Case"');
  });
});
