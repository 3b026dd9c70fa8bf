import { describe, expect, it } from 'vitest';
import { quoteLiteral } from '../../src/sql/literal.js';

describe('quoteLiteral', () => {
  it('quotes literals exactly, with E-strings only when a backslash is present', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral('a\\b')).toBe("E'a\\\\b'");
    expect(quoteLiteral('')).toBe("''");
    expect(() => quoteLiteral('\0')).toThrow(/NUL/);
  });

  it('doubles quotes and backslashes and keeps newlines as they are', () => {
    expect(quoteLiteral("a'b\\c\nd")).toBe("E'a''b\\\\c\nd'");
  });
});
