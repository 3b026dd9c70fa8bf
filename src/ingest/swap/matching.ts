/**
 * Pairs the target's indexes and constraints with the replacement's equal ones, so the swap can
 * give the replacement's objects the names the target's had (names stay stable across swaps).
 */

/** Something with a name-free identity. */
export interface Keyed {
  readonly name: string;
  readonly key: string;
}

export interface Matching<A, B> {
  readonly pairs: readonly (readonly [A, B])[];
  readonly unmatched: readonly A[];
}

/**
 * Each target object gets the replacement object with the same key; among several, the one with
 * the same name first, then by name. Each replacement object is used once.
 */
export function matchByKey<A extends Keyed, B extends Keyed>(targets: readonly A[], replacements: readonly B[]): Matching<A, B> {
  const free = [...replacements].sort((a, b) => compare(a.name, b.name));
  const pairs: (readonly [A, B])[] = [];
  const unmatched: A[] = [];
  for (const target of [...targets].sort((a, b) => compare(a.name, b.name))) {
    const same = free.findIndex((r) => r.key === target.key && r.name === target.name);
    const at = same >= 0 ? same : free.findIndex((r) => r.key === target.key);
    if (at < 0) {
      unmatched.push(target);
      continue;
    }
    pairs.push([target, free[at]!] as const);
    free.splice(at, 1);
  }
  return { pairs, unmatched };
}

/**
 * The name-free identity of an index: the part of `pg_get_indexdef` after `… ON schema.table `
 * (method, columns, INCLUDE, options, predicate), plus the constraint it backs.
 */
export function indexKey(row: {
  definition: string;
  prefix: string;
  constraint_type: string | null;
  deferrable: boolean;
  deferred: boolean;
  exclusion: string | null;
}): string {
  const body = row.definition.startsWith(row.prefix) ? row.definition.slice(row.prefix.length) : row.definition;
  return JSON.stringify([row.constraint_type ?? 'i', row.deferrable, row.deferred, row.exclusion ?? '', body]);
}

/** The name-free identity of a CHECK, foreign-key or NOT NULL constraint (validity ignored). */
export function constraintKey(row: { type: string; definition: string; not_null_column: string | null }): string {
  if (row.type === 'n') return JSON.stringify(['n', row.not_null_column]);
  return JSON.stringify([row.type, row.definition.replace(/ NOT VALID$/, '')]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
