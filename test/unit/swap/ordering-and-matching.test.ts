import { describe, expect, it } from 'vitest';
import { orderByDependencies } from '../../../src/ingest/swap/dependency-order.js';
import { constraintKey, indexKey, matchByKey } from '../../../src/ingest/swap/matching.js';

describe('dependency order', () => {
  const graph = (edges: Record<string, string[]>) => (n: string) => edges[n] ?? [];

  it('puts each node after what it depends on and groups cycles', () => {
    const groups = orderByDependencies(['a', 'b', 'c', 'd', 'e'], graph({ a: ['b'], b: ['c'], c: ['b'], d: ['a', 'e'] }));
    expect(groups).toEqual([['b', 'c'], ['a'], ['e'], ['d']]);
  });

  it('ignores dependencies outside the node list and handles self-loops', () => {
    expect(orderByDependencies(['x'], graph({ x: ['x', 'outside'] }))).toEqual([['x']]);
  });

  it('orders a chain of 100 000 without overflowing the stack', () => {
    const nodes = Array.from({ length: 100_000 }, (_, i) => i);
    const groups = orderByDependencies([...nodes].reverse(), (n) => (n === 0 ? [] : [n - 1]));
    expect(groups.flat()).toEqual(nodes);
  });
});

describe('matching indexes and constraints by name-free keys', () => {
  it('pairs equal keys, preferring equal names, and reports the rest', () => {
    const { pairs, unmatched } = matchByKey(
      [{ name: 'x', key: 'k1' }, { name: 'y', key: 'k1' }, { name: 'z', key: 'k2' }],
      [{ name: 'new_1', key: 'k1' }, { name: 'y', key: 'k1' }],
    );
    expect(pairs.map(([a, b]) => [a.name, b.name])).toEqual([['x', 'new_1'], ['y', 'y']]);
    expect(unmatched.map((u) => u.name)).toEqual(['z']);
  });

  it('keys an index by what follows its name and table in pg_get_indexdef', () => {
    const row = (name: string, table: string) => ({
      definition: `CREATE UNIQUE INDEX ${name} ON s.${table} USING btree (id) WHERE (id > 0)`,
      prefix: `CREATE UNIQUE INDEX ${name} ON s.${table} `,
      constraint_type: 'u', deferrable: false, deferred: false, exclusion: null,
    });
    expect(indexKey(row('a', 't'))).toBe(indexKey(row('b', 't_new')));
    expect(indexKey(row('a', 't'))).not.toBe(indexKey({ ...row('a', 't'), constraint_type: null }));
  });

  it('keys constraints by definition (validity aside) and NOT NULL by column', () => {
    expect(constraintKey({ type: 'c', definition: 'CHECK ((v > 0)) NOT VALID', not_null_column: null })).toBe(
      constraintKey({ type: 'c', definition: 'CHECK ((v > 0))', not_null_column: null }),
    );
    expect(constraintKey({ type: 'n', definition: 'NOT NULL v', not_null_column: 'v' })).toBe(JSON.stringify(['n', 'v']));
  });
});
