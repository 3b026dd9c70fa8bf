import { describe, expect, it } from 'vitest';
import { chooseName, clipBytes, indexNameAddition, makeObjectName, notNullCheckName } from '../../../src/ingest/schema/object-names.js';

describe('object names', () => {
  it('builds PostgreSQL-style names and never shortens the label', () => {
    expect(makeObjectName('events', 'kind', 'idx')).toBe('events_kind_idx');
    expect(makeObjectName('events', null, 'pkey')).toBe('events_pkey');
    const long = makeObjectName('t'.repeat(40), 'c'.repeat(40), 'key');
    expect(Buffer.byteLength(long)).toBe(63);
    // The longer part loses bytes first, so both end up (nearly) equal.
    expect(long).toBe(`${'t'.repeat(29)}_${'c'.repeat(29)}_key`);
    expect(makeObjectName('short', 'c'.repeat(80), 'idx')).toBe(`short_${'c'.repeat(53)}_idx`);
  });

  it('cuts multi-byte names on character boundaries', () => {
    expect(clipBytes('ééé', 5)).toBe('éé');
    expect(clipBytes('🦄🦄', 7)).toBe('🦄');
    const name = makeObjectName('é'.repeat(40), 'ü'.repeat(40), 'idx');
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    expect(name.isWellFormed()).toBe(true);
    expect(name.endsWith('_idx')).toBe(true);
  });

  it('appends a counter to the label until the name is free, and records it', () => {
    const taken = new Set(['t_a_idx', 't_a_idx1']);
    expect(chooseName('t', 'a', 'idx', taken)).toBe('t_a_idx2');
    expect(taken.has('t_a_idx2')).toBe(true);
    expect(chooseName('t', 'a', 'idx', taken)).toBe('t_a_idx3');
  });

  it('joins index columns and stops once the name is long enough', () => {
    expect(indexNameAddition(['a', 'b', 'c'])).toBe('a_b_c');
    const many = indexNameAddition(Array.from({ length: 20 }, () => 'column'));
    expect(Buffer.byteLength(many)).toBeGreaterThanOrEqual(63);
    expect(Buffer.byteLength(many)).toBeLessThan(63 + 7);
  });

  it('names the temporary NOT NULL check deterministically, per column, within 63 bytes', () => {
    expect(notNullCheckName('a')).toBe(notNullCheckName('a'));
    expect(notNullCheckName('a')).not.toBe(notNullCheckName('b'));
    expect(notNullCheckName('x'.repeat(63))).toMatch(/^temporal_pg_not_null_[0-9a-f]{16}$/);
  });
});
